package io.videojam.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.ModelInfo;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * run.json: what decided a generated clip (model, backend, settings), how long it took and what was
 * written. One writer for the CLI, Spark jobs and library users, so the file reads the same
 * wherever it comes from.
 *
 * <pre>{@code
 * Generation g = jam.generate(request, null);
 * RunRecord.write(dir.resolve("run.json"), jam.runRecord(g, RunRecord.Extras.none()));
 * }</pre>
 */
public final class RunRecord {
  /** The format written in {@code "format"}; raised when a key changes meaning. */
  public static final int FORMAT = 1;

  /**
   * What the writer of the outputs adds: the command, input files, the display scale, times around
   * the generation and the output files with their sizes. Null fields are left out.
   */
  public record Extras(String command, Map<String, Object> inputs, Integer displayScale, Long writingNanos, Long commandNanos,
      Map<String, Long> outputs) {
    /** Nothing beyond the generation itself (a library user's record). */
    public static Extras none() {
      return new Extras("library", Map.of(), null, null, null, null);
    }
  }

  private RunRecord() {}

  /** The record as an ordered JSON object. */
  public static Map<String, Object> of(Generation g, ModelInfo model, RuntimeConfig config, BackendChoice backend, Extras extras) {
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("format", FORMAT);
    run.put("command", extras.command());
    run.put("created", Instant.now().toString());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dir", config.modelDir().toAbsolutePath().normalize().toString());
    m.put("name", model.name());
    m.put("sha256", model.hash());
    m.put("latent", model.latent().dims());
    m.put("appearance-channels", model.latent().appearanceChannels());
    m.put("motion-channels", model.latent().motionChannels());
    m.put("video", Map.of("frames", model.video().frames(), "height", model.video().height(), "width", model.video().width(),
        "fps", model.video().fps()));
    run.put("model", m);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("name", backend.name());
    b.put("requested", backend.requested());
    if (!backend.passedOver().isEmpty()) {
      b.put("auto-passed-over", backend.passedOver());
    }
    b.put("description", backend.backend().description());
    b.put("intra-op-threads", config.options().intraOpThreads());
    b.put("inter-op-threads", config.options().interOpThreads());
    b.put("optimization", config.options().optimization());
    b.put("device", config.options().deviceId());
    b.put("precision", config.options().precision());
    b.put("max-batch", config.options().maxBatch());
    if (!backend.name().equals("cpu")) {
      b.put("engine-cache", config.options().engineCache().toString());
    }
    run.put("backend", b);
    if (extras.inputs() != null && !extras.inputs().isEmpty()) {
      run.put("inputs", extras.inputs());
    }
    run.put("settings", g.record().asMap());
    if (extras.displayScale() != null) {
      run.put("display-scale", extras.displayScale());
    }
    Generation.Timings t = g.timings();
    Map<String, Object> timings = new LinkedHashMap<>();
    timings.put("generation-s", t.totalNanos() / 1e9);
    timings.put("sampling-s", t.samplingNanos() / 1e9);
    timings.put("backend-s", t.backendNanos() / 1e9);
    timings.put("model-runs", t.modelRuns());
    timings.put("overhead", t.overhead());
    if (extras.writingNanos() != null) {
      timings.put("writing-s", extras.writingNanos() / 1e9);
    }
    if (extras.commandNanos() != null) {
      timings.put("command-s", extras.commandNanos() / 1e9);
    }
    run.put("timings", timings);
    if (extras.outputs() != null) {
      run.put("outputs", extras.outputs());
    }
    run.put("environment", Map.of("java", System.getProperty("java.version"), "os", System.getProperty("os.name") + " "
        + System.getProperty("os.arch"), "cores", Runtime.getRuntime().availableProcessors()));
    return run;
  }

  /** {@code record} as one line of JSON (for a table column, a log line). */
  public static String json(Map<String, Object> record) {
    try {
      return new ObjectMapper().writeValueAsString(record);
    } catch (IOException e) {
      throw new VideoJamException("cannot write the run record as JSON: " + e.getMessage());
    }
  }

  /** Writes {@code record} as indented JSON. */
  public static void write(Path file, Map<String, Object> record) {
    try {
      Files.write(file, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(record));
    } catch (IOException e) {
      throw new VideoJamException("cannot write " + file + ": " + e.getMessage());
    }
  }

  /** Every regular file under {@code root} (relative path, in path order) with its size, for {@code "outputs"}. */
  public static Map<String, Long> listOutputs(Path root) {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        out.put(root.relativize(p).toString(), Files.size(p));
      }
    } catch (IOException e) {
      throw new VideoJamException("cannot list outputs in " + root + ": " + e.getMessage());
    }
    return out;
  }
}
