package io.videojam.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.FloatTensor;
import io.videojam.api.ModelInfo;
import io.videojam.api.Npy;
import io.videojam.api.VideoJamException;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.media.GifWriter;
import io.videojam.media.Mp4Writer;
import io.videojam.media.OutputStaging;
import io.videojam.media.PngWriter;
import io.videojam.runtime.BackendChoice;
import io.videojam.runtime.Generation;
import io.videojam.runtime.RuntimeConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/** Writes what design.md lists for {@code generate} into a staging folder. */
final class GenerationWriter {
  private GenerationWriter() {}

  /** Writes every output and run.json; returns the nanoseconds spent writing. */
  static long write(OutputStaging staging, Generation g, ModelInfo model, RuntimeConfig config, BackendChoice backend, Integer scaleOption,
      long commandStart) {
    return write(staging, g, model, config, backend, scaleOption, commandStart, false, Map.of());
  }

  /**
   * Writes every output and run.json; with {@code latents} also initial-noise.npy and latents.npy
   * (float32 {@code [1, C, T, H, W]}). {@code inputs} (files the run read, e.g. {@code init-noise})
   * go into run.json. Returns the nanoseconds spent writing.
   */
  static long write(OutputStaging staging, Generation g, ModelInfo model, RuntimeConfig config, BackendChoice backend, Integer scaleOption,
      long commandStart, boolean latents, Map<String, Object> inputs) {
    long start = System.nanoTime();
    double fps = model.video().fps();
    int h = (int) g.video().shape()[2];
    int w = (int) g.video().shape()[3];
    int scale = scaleOption != null ? scaleOption : Frames.autoScale(h, w);
    if (scale < 1 || scale > 64) {
      throw new VideoJamException("--scale must be between 1 and 64, got " + scale);
    }
    // the video files are independent: write them on all cores
    List<Runnable> jobs = new ArrayList<>();
    jobs.add(() -> Mp4Writer.write(staging.file("video.mp4"), g.video(), fps, scale));
    jobs.add(() -> GifWriter.write(staging.file("video.gif"), g.video(), fps, scale));
    jobs.add(() -> PngWriter.writeFrames(staging.file("frames"), g.video(), 1));
    LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
    rows.put("video", Frames.toImages(g.video(), Math.max(1, scale / 2)));
    FloatTensor motion = g.motion();
    if (motion != null) {
      jobs.add(() -> Mp4Writer.write(staging.file("motion.mp4"), motion, fps, scale));
      jobs.add(() -> GifWriter.write(staging.file("motion.gif"), motion, fps, scale));
      jobs.add(() -> PngWriter.writeFrames(staging.file("motion-frames"), motion, 1));
      rows.put("motion", Frames.toImages(motion, Math.max(1, scale / 2)));
    }
    if (latents) {
      if (g.initialNoise() == null) {
        throw new VideoJamException("--latents-out: this generator does not report its initial noise");
      }
      jobs.add(() -> Npy.write(g.initialNoise(), staging.file("initial-noise.npy")));
      jobs.add(() -> Npy.write(g.latent(), staging.file("latents.npy")));
    }
    runAll(jobs);
    String prompt = String.valueOf(g.settings().get("prompt"));
    ContactSheet.write(staging.file("contact-sheet.png"), "\"" + prompt + "\"  " + g.settings().get("guidance") + " "
        + g.settings().get("guidance-settings") + "  seed " + g.settings().get("seed"), rows, 16);
    long writing = System.nanoTime() - start;

    Map<String, Object> run = new LinkedHashMap<>();
    run.put("format", 1);
    run.put("command", "generate");
    run.put("created", Instant.now().toString());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("dir", config.modelDir().toAbsolutePath().normalize().toString());
    m.put("name", model.name());
    m.put("sha256", model.hash());
    m.put("latent", model.latent().dims());
    m.put("appearance-channels", model.latent().appearanceChannels());
    m.put("motion-channels", model.latent().motionChannels());
    m.put("video", Map.of("frames", model.video().frames(), "height", model.video().height(), "width", model.video().width(), "fps", fps));
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
    if (!inputs.isEmpty()) {
      run.put("inputs", inputs);
    }
    run.put("settings", g.settings());
    run.put("display-scale", scale);
    Generation.Timings t = g.timings();
    Map<String, Object> timings = new LinkedHashMap<>();
    timings.put("generation-s", t.totalNanos() / 1e9);
    timings.put("sampling-s", t.samplingNanos() / 1e9);
    timings.put("backend-s", t.backendNanos() / 1e9);
    timings.put("model-runs", t.modelRuns());
    timings.put("overhead", t.overhead());
    timings.put("writing-s", writing / 1e9);
    timings.put("command-s", (System.nanoTime() - commandStart) / 1e9);
    run.put("timings", timings);
    run.put("outputs", listOutputs(staging.stagingDir()));
    run.put("environment", Map.of("java", System.getProperty("java.version"), "os", System.getProperty("os.name") + " "
        + System.getProperty("os.arch"), "cores", Runtime.getRuntime().availableProcessors()));
    try {
      Files.write(staging.file("run.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(run));
    } catch (IOException e) {
      throw new VideoJamException("cannot write run.json: " + e.getMessage());
    }
    return writing;
  }

  /** Runs the jobs on a pool of one thread per core; the first failure is rethrown as it was. */
  private static void runAll(List<Runnable> jobs) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs.size(), Runtime.getRuntime().availableProcessors()));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Runnable job : jobs) {
        futures.add(pool.submit(job));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new VideoJamException("writing the outputs was interrupted");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<String, Long> listOutputs(Path root) {
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
