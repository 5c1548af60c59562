package io.videojam.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.api.VideoFormat;
import io.videojam.api.VideoJamException;
import io.videojam.jamworld.ClipSpec;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.WorldConfig;
import io.videojam.api.AtomicFiles;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * An evaluation: a prompt suite through one or more configurations with fixed seeds (the same
 * noise per prompt and seed number for every configuration), scored with the generic video metrics
 * and, for suites of the synthetic world, against the world's truth with the nulls beside each
 * score ({@link ClipScoring}). Rows are appended to {@code OUT/rows.jsonl} as they are made, so an
 * interrupted run continues where it stopped; then the reports are written ({@link EvalReports}).
 */
public final class Evaluation {
  /** Reference clips made without a model: the rendered truth and three nulls. */
  public static final List<String> REFERENCES = List.of("truth", "static", "shuffled", "noise");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Progress of an evaluation: a step per clip made, counting the reused clips as done. */
  @FunctionalInterface
  public interface Listener extends StepListener {
    Listener NONE = (done, total) -> {};

    /** Before the first clip, when {@code clipsDone} clips of an earlier run in {@code out} are reused. */
    default void continuing(Path out, int clipsDone) {}
  }

  /** The output folder holds rows of an evaluation with another plan (and rows are not to be discarded). */
  public static final class OtherSettingsException extends VideoJamException {
    private static final long serialVersionUID = 1L;

    private final transient Path out;

    OtherSettingsException(Path out) {
      super(out + " holds rows of an evaluation with other settings (plan.json differs); set fresh to discard them, or use another output folder");
      this.out = out;
    }

    /** The output folder. */
    public Path out() {
      return out;
    }
  }

  /** A generated (or reference) clip: video [3, T, H, W] in [-1, 1] and the motion prediction or null. */
  record Clip(FloatTensor video, FloatTensor motion) {}

  private Evaluation() {}

  /**
   * Runs the evaluation: makes and scores the clips not yet in {@code OUT/rows.jsonl}, then writes
   * the reports.
   *
   * @throws OtherSettingsException when the output folder holds rows of another plan and {@code fresh} is not set
   */
  public static EvaluationResult run(EvaluationConfig config, Listener listener) throws IOException {
    PromptSuite prompts = config.suite();
    Path out = config.out();
    for (Configuration c : config.configurations()) {
      if (!Files.isRegularFile(c.model().resolve("model.json"))) {
        throw new VideoJamException("configuration " + c.key() + ": " + c.model() + " is not a model folder (no model.json)");
      }
    }
    List<Configuration> all = new ArrayList<>(config.configurations());
    if (prompts.hasTruth()) {
      for (String r : REFERENCES) {
        all.add(Configuration.ofReference(r));
      }
    }
    long[] seedList = config.seedNumbers();
    Files.createDirectories(out);
    ObjectNode plan = plan(config, all, seedList);
    Map<String, JsonNode> done = resume(config, plan, listener);
    int reused = done.size();
    WorldConfig wc = WorldConfig.defaults();
    Supplier<FlowEstimator> flow = FlowEstimatorProvider.onCpu(config.estimator(), "estimator");
    int total = all.size() * prompts.prompts().size() * seedList.length;
    int count = done.size();
    long start = System.nanoTime();
    try (BufferedWriter rows = Files.newBufferedWriter(out.resolve("rows.jsonl"), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND)) {
      for (Configuration c : all) {
        if (allDone(done, c, prompts, seedList)) {
          continue;
        }
        try (VideoJam vj = c.reference() ? null : VideoJam.open(new RuntimeConfig(c.model(), config.backend(), config.backendOptions()))) {
          VideoFormat vf = vj == null ? null : vj.model().video();
          if (vf != null && prompts.hasTruth() && (vf.frames() != wc.frames() || vf.height() != wc.height() || vf.width() != wc.width())) {
            throw new VideoJamException(c.model() + " makes " + vf.frames() + " frames of " + vf.width() + "x" + vf.height() + ", but suite "
                + prompts.name() + " is scored against the synthetic world's " + wc.frames() + " frames of " + wc.width() + "x" + wc.height()
                + "; evaluate it on a text suite (e.g. the suite videojam-bench-examples or your own .txt) for the generic metrics");
          }
          for (int i = 0; i < prompts.prompts().size(); i++) {
            PromptSuite.Prompt p = prompts.prompts().get(i);
            for (long seed : seedList) {
              if (done.containsKey(key(c.key(), p.id(), seed))) {
                continue;
              }
              long noise = ClipScoring.noiseSeed(seed, p.id());
              Clip clip = c.reference() ? reference(c.key(), p.spec(), wc, noise) : generate(vj, config.sampling(), c, p.prompt(), noise);
              ObjectNode row = row(c, p, seed, clip, prompts, i, wc, flow);
              if (seed == seedList[0] && !c.reference()) {
                ContactSheets.writeStrip(out, c.key(), p.id(), clip.video(), clip.motion());
              }
              rows.write(row.toString());
              rows.write('\n');
              rows.flush();
              done.put(key(c.key(), p.id(), seed), row);
              listener.step(++count, total);
            }
          }
        }
      }
    }
    List<JsonNode> ordered = new ArrayList<>();
    for (Configuration c : all) {
      for (PromptSuite.Prompt p : prompts.prompts()) {
        for (long seed : seedList) {
          ordered.add(done.get(key(c.key(), p.id(), seed)));
        }
      }
    }
    Statistics stats = new Statistics(prompts, all, seedList, ordered);
    EvalReports.writeAll(stats, plan, config.ablations(), out);
    if (prompts.hasTruth()) {
      ContactSheets.writeSheets(out, all, prompts, wc, config.seed());
    }
    String summary = MarkdownSummary.of(stats, config.ablations());
    return new EvaluationResult(out, plan, stats, summary, reused, count - reused, (System.nanoTime() - start) / 1e9);
  }

  private static Clip generate(VideoJam vj, GenerationRequest t, Configuration c, String prompt, long seed) {
    GenerationRequest req = new GenerationRequest(prompt, seed, t.steps(), t.solver(), t.schedule(), t.scheduleSettings(), c.guidance(),
        new Settings(c.settings(), "eval " + c.key()), t.passMode(), t.memoryBudgetBytes());
    Generation g = vj.generate(req, (d, n) -> { });
    return new Clip(g.video(), g.motion());
  }

  /** The rendered truth, its first frame held, its frames deranged, or uniform noise. */
  static Clip reference(String key, ClipSpec spec, WorldConfig wc, long seed) {
    float[] truth = new JamWorld(wc).render(spec).video();
    long[] shape = {3, wc.frames(), wc.height(), wc.width()};
    int frames = wc.frames();
    int n = wc.height() * wc.width();
    float[] v = new float[truth.length];
    switch (key) {
      case "ref-truth" -> System.arraycopy(truth, 0, v, 0, v.length);
      case "ref-static" -> {
        for (int c = 0; c < 3; c++) {
          for (int t = 0; t < frames; t++) {
            System.arraycopy(truth, c * frames * n, v, (c * frames + t) * n, n);
          }
        }
      }
      case "ref-shuffled" -> v = ClipScoring.shuffled(truth, frames, n, seed);
      case "ref-noise" -> {
        SplittableRandom rnd = new SplittableRandom(seed * 31 + spec.seed());
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (2 * rnd.nextDouble() - 1);
        }
      }
      default -> throw new IllegalArgumentException(key);
    }
    return new Clip(new FloatTensor(shape, v), null);
  }

  private static ObjectNode row(Configuration c, PromptSuite.Prompt p, long seed, Clip clip, PromptSuite suite, int index, WorldConfig wc,
      Supplier<FlowEstimator> flow) {
    ObjectNode row = JSON.createObjectNode();
    row.put("config", c.key());
    row.put("id", p.id());
    row.put("category", p.category());
    row.put("prompt", p.prompt());
    row.put("seed", seed);
    long noise = ClipScoring.noiseSeed(seed, p.id());
    row.put("noise_seed", noise);
    ClipScoring.Scored sc = ClipScoring.score(clip.video(), suite, index, noise, wc, flow);
    put(row.putObject("generic"), sc.generic());
    if (sc.prompt() != null) {
      put(row.putObject("prompt_scores"), sc.prompt());
      put(row.putObject("opposite"), sc.opposite());
      if (sc.other() != null) {
        row.put("other_category", sc.otherCategory());
        put(row.putObject("other"), sc.other());
      }
      put(row.putObject("shuffled"), sc.shuffled());
    }
    return row;
  }

  private static void put(ObjectNode node, Map<String, Double> values) {
    values.forEach((k, v) -> {
      if (Double.isFinite(v)) {
        node.put(k, v);
      } else {
        node.putNull(k);
      }
    });
  }

  /** Everything that decides the rows; an earlier run's rows are reused only when its plan is the same. */
  static ObjectNode plan(EvaluationConfig config, List<Configuration> all, long[] seedList) {
    PromptSuite prompts = config.suite();
    ObjectNode plan = JSON.createObjectNode();
    plan.put("suite", prompts.name());
    plan.put("suite_sha256", sha256(prompts.prompts().stream().map(p -> p.id() + "\t" + p.prompt() + "\t" + p.spec()).toList().toString()));
    plan.put("prompts", prompts.prompts().size());
    var s = plan.putArray("seeds");
    for (long x : seedList) {
      s.add(x);
    }
    GenerationRequest t = config.sampling();
    plan.put("steps", t.steps());
    plan.put("solver", t.solver());
    plan.put("schedule", t.schedule() + " " + t.scheduleSettings().values());
    plan.put("estimator", config.estimator());
    plan.put("noise_seeds", "1000003 seed + (prompt id hash mod 1000003)");
    plan.put("ablations", config.ablations());
    var cs = plan.putArray("configs");
    for (Configuration c : all) {
      ObjectNode n = cs.addObject();
      n.put("key", c.key());
      n.put("label", c.label());
      n.put("model", c.model() == null ? null : c.model().toAbsolutePath().normalize().toString());
      n.put("model_json_sha256", c.model() == null ? null : sha256(read(c.model().resolve("model.json"))));
      n.put("guidance", c.guidance());
      n.set("settings", JSON.valueToTree(new TreeMap<>(c.settings())));
    }
    return plan;
  }

  /** Rows of an earlier run with the same plan, by key; starts over with {@code fresh}. */
  private static Map<String, JsonNode> resume(EvaluationConfig config, ObjectNode plan, Listener listener) throws IOException {
    Path out = config.out();
    Path planFile = out.resolve("plan.json");
    Path rowsFile = out.resolve("rows.jsonl");
    Map<String, JsonNode> done = new LinkedHashMap<>();
    if (Files.exists(rowsFile) && !config.fresh()) {
      JsonNode old = Files.isRegularFile(planFile) ? JSON.readTree(planFile.toFile()) : null;
      if (!JSON.readTree(plan.toString()).equals(old)) { // through text: a long read back is an int node
        throw new OtherSettingsException(out);
      }
      StringBuilder kept = new StringBuilder();
      boolean dropped = false;
      for (String line : Files.readAllLines(rowsFile, StandardCharsets.UTF_8)) {
        try {
          JsonNode r = JSON.readTree(line);
          done.put(key(r.get("config").asText(), r.get("id").asText(), r.get("seed").asLong()), r);
          kept.append(line).append('\n');
        } catch (IOException | NullPointerException e) {
          dropped = true; // a line cut short when the run was stopped: that clip is made again
        }
      }
      if (dropped) {
        AtomicFiles.write(rowsFile, "evaluation rows", tmp -> Files.writeString(tmp, kept, StandardCharsets.UTF_8));
      }
      if (!done.isEmpty()) {
        listener.continuing(out, done.size());
      }
    } else {
      Files.deleteIfExists(rowsFile);
    }
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(plan);
    AtomicFiles.write(planFile, "evaluation plan", tmp -> Files.write(tmp, bytes));
    return done;
  }

  private static boolean allDone(Map<String, JsonNode> done, Configuration c, PromptSuite prompts, long[] seeds) {
    for (PromptSuite.Prompt p : prompts.prompts()) {
      for (long s : seeds) {
        if (!done.containsKey(key(c.key(), p.id(), s))) {
          return false;
        }
      }
    }
    return true;
  }

  static String key(String config, String id, long seed) {
    return config + "|" + id + "|" + seed;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VideoJamException("cannot read " + p + ": " + e.getMessage());
    }
  }

  static String sha256(String s) {
    return io.videojam.api.Hashing.sha256Hex(s);
  }
}
