package io.videojam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.Settings;
import io.videojam.api.VideoFormat;
import io.videojam.api.VideoJamException;
import io.videojam.jamworld.Category;
import io.videojam.jamworld.ClipSpec;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.WorldConfig;
import io.videojam.api.AtomicFiles;
import io.videojam.media.Frames;
import io.videojam.media.PngWriter;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code videojam eval}: a prompt suite through one or more models (or the ablation set) with
 * fixed seeds, scored with the generic video metrics and, for suites of the synthetic world,
 * against the world's truth with the nulls beside each score. Rows are appended to
 * {@code OUT/rows.jsonl} as they are made, so an interrupted run continues where it stopped.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluate models on a prompt suite with fixed seeds: the same noise per prompt",
        "and seed number for every model. Writes OUT/metrics.json, metrics.csv (one row",
        "per clip), summary.md, report.html (self-contained: tables, bar charts, contact",
        "sheets side by side per prompt) and *-by-category.png. rows.jsonl and clips/",
        "hold the work done so far: rerunning the same command after an interruption",
        "continues where it stopped. --ablations: the Table 3 analogue on the built-in",
        "models at the weights their model.json recommends (VideoJAM w1, w2; w1 = 0;",
        "w2 = 0; motion off; InstructPix2Pix guidance; base; control). --grid sweeps",
        "guidance weights: every combination on every model, in one report."})
final class EvalCommand implements Callable<Integer> {
  /** What one configuration generates with; {@code model} null for the reference nulls (no model). */
  record Config(String key, String label, Path model, String guidance, Map<String, Object> settings) {
    boolean reference() {
      return model == null;
    }
  }

  /** Reference clips made without a model: the rendered truth and three nulls. */
  static final List<String> REFERENCES = List.of("truth", "static", "shuffled", "noise");
  /** The variants of the ground-truth metrics: the clip against its prompt, and the three nulls. */
  static final List<String> VARIANTS = List.of("prompt", "opposite", "other", "shuffled");

  @Mixin
  ModelOptions model = new ModelOptions();

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  @Option(names = "--compare", paramLabel = "DIR", description = "further model folders, evaluated with the same prompts and seeds (repeatable)")
  List<Path> compare = new ArrayList<>();

  @Option(names = "--grid", paramLabel = "KEY=V1,V2,...", description = {"a guidance weight to sweep (repeatable: every combination",
      "runs on every model, e.g. --grid w1=1,3,5 --grid w2=0,1,3)"})
  Map<String, String> grid = new LinkedHashMap<>();

  @Option(names = "--ablations", description = "the Table 3 analogue on the built-in models (ignores --model, --compare and --guidance)")
  boolean ablations;

  @Option(names = "--models", paramLabel = "DIR", description = "folder with jamworld-videojam, -base and -control for --ablations (default: the built-in models)")
  Path modelsDir;

  @Option(names = "--suite", defaultValue = PromptSuite.JAMWORLD_BENCH,
      description = "suite name (jamworld-bench, videojam-bench-examples) or a .jsonl/.txt file (default: ${DEFAULT-VALUE})")
  String suite;

  @Option(names = "--per-category", defaultValue = "0", description = "only the first N prompts of each category (0: all)")
  int perCategory;

  @Option(names = "--seeds", defaultValue = "3", description = "seed numbers per prompt: --seed, --seed + 1, ...; each prompt's noise seed is derived from the number and the prompt id (default: ${DEFAULT-VALUE})")
  int seeds;

  @Option(names = "--estimator", defaultValue = "dis:medium", description = "flow estimator of the generic metrics (default: ${DEFAULT-VALUE})")
  String estimator;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
  Path out;

  @Option(names = "--fresh", description = "discard the rows of an earlier run in OUT instead of continuing it")
  boolean fresh;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Option(names = "--write-suite", hidden = true, paramLabel = "FILE", description = "write jamworld-bench as generated from the world, and stop")
  Path writeSuite;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Integer call() throws IOException {
    if (writeSuite != null) {
      String text = PromptSuite.jamworldBench().toJsonl();
      AtomicFiles.write(writeSuite, "prompt suite", tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
      System.out.println("wrote " + writeSuite);
      return 0;
    }
    Checks.range("--seeds", seeds, 1, 10_000);
    Checks.range("--per-category", perCategory, 0, 100_000);
    Checks.workFolder("--out", out);
    PromptSuite prompts = PromptSuite.load(suite).limit(perCategory);
    List<Config> configs = ablations ? ablationConfigs(modelsDir != null ? modelsDir : BuiltinModel.home().resolve("models")) : modelConfigs();
    for (Config c : configs) {
      if (!c.reference() && !Files.isRegularFile(c.model().resolve("model.json"))) {
        throw new VideoJamException(c.model() + " is not a model folder (no model.json); pass --model DIR / --compare DIR");
      }
    }
    List<Config> all = new ArrayList<>(configs);
    if (prompts.hasTruth()) {
      for (String r : REFERENCES) {
        all.add(new Config("ref-" + r, "ref: " + r, null, null, Map.of()));
      }
    }
    long[] seedList = new long[seeds];
    for (int s = 0; s < seeds; s++) {
      seedList[s] = sampling.seed + s;
    }
    Files.createDirectories(out);
    ObjectNode plan = plan(prompts, all, seedList);
    Map<String, JsonNode> done = resume(plan);
    WorldConfig wc = WorldConfig.defaults();
    Supplier<FlowEstimator> flow = FlowEstimatorProvider.onCpu(estimator, "--estimator");
    int total = all.size() * prompts.prompts().size() * seeds;
    int count = done.size();
    long start = System.nanoTime();
    try (Progress bar = new Progress("eval", total, !noProgress);
        BufferedWriter rows = Files.newBufferedWriter(out.resolve("rows.jsonl"), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (Config c : all) {
        if (allDone(done, c, prompts, seedList)) {
          continue;
        }
        try (VideoJam vj = c.reference() ? null : VideoJam.open(new RuntimeConfig(c.model(), model.backend(), model.options()))) {
          VideoFormat vf = vj == null ? null : vj.model().video();
          if (vf != null && prompts.hasTruth() && (vf.frames() != wc.frames() || vf.height() != wc.height() || vf.width() != wc.width())) {
            throw new VideoJamException(c.model() + " makes " + vf.frames() + " frames of " + vf.width() + "x" + vf.height() + ", but suite "
                + prompts.name() + " is scored against the synthetic world's " + wc.frames() + " frames of " + wc.width() + "x" + wc.height()
                + "; evaluate it on a text suite (e.g. --suite videojam-bench-examples or your own .txt) for the generic metrics");
          }
          for (int i = 0; i < prompts.prompts().size(); i++) {
            PromptSuite.Prompt p = prompts.prompts().get(i);
            for (long seed : seedList) {
              if (done.containsKey(key(c.key(), p.id(), seed))) {
                continue;
              }
              long noise = ClipScoring.noiseSeed(seed, p.id());
              Clip clip = c.reference() ? reference(c.key(), p.spec(), wc, noise) : generate(vj, c, p.prompt(), noise);
              ObjectNode row = row(c, p, seed, clip, prompts, i, wc, flow);
              if (seed == seedList[0] && !c.reference()) {
                writeStrip(c, p, clip);
              }
              rows.write(row.toString());
              rows.write('\n');
              rows.flush();
              done.put(key(c.key(), p.id(), seed), row);
              bar.step(++count, total);
            }
          }
        }
      }
    }
    List<JsonNode> ordered = new ArrayList<>();
    for (Config c : all) {
      for (PromptSuite.Prompt p : prompts.prompts()) {
        for (long seed : seedList) {
          ordered.add(done.get(key(c.key(), p.id(), seed)));
        }
      }
    }
    EvalReport report = new EvalReport(prompts, all, seedList, ordered, out, ablations);
    report.writeAll(plan);
    if (prompts.hasTruth()) {
      writeSheets(all, prompts, wc);
    }
    System.out.print(report.markdown());
    System.out.printf(Locale.ROOT, "wrote %s (metrics.json, metrics.csv, summary.md, report.html) in %.1f s%n", out, (System.nanoTime() - start) / 1e9);
    return 0;
  }

  /** A generated (or reference) clip: video [3, T, H, W] in [-1, 1] and the motion prediction or null. */
  record Clip(FloatTensor video, FloatTensor motion) {}

  private List<Config> modelConfigs() {
    List<Path> dirs = new ArrayList<>();
    dirs.add(model.model != null ? model.model : BuiltinModel.dir());
    dirs.addAll(compare);
    Map<String, Object> settings = new LinkedHashMap<>(sampling.request("").guidanceSettings().values());
    List<Config> out = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (Path d : dirs) {
      String name = d.toAbsolutePath().normalize().getFileName().toString();
      for (Map<String, Object> point : gridPoints(grid)) {
        Map<String, Object> merged = new LinkedHashMap<>(settings);
        merged.putAll(point);
        StringBuilder suffix = new StringBuilder();
        point.forEach((k, v) -> suffix.append('-').append(k).append('-').append(v));
        String key = slug(name + suffix);
        for (int n = 2; !keys.add(key); n++) {
          key = slug(name + suffix) + "-" + n;
        }
        out.add(new Config(key, key, d, sampling.guidance, merged));
      }
    }
    return out;
  }

  /** Every combination of the grid's values, in option order (one empty point without a grid). */
  static List<Map<String, Object>> gridPoints(Map<String, String> grid) {
    List<Map<String, Object>> points = new ArrayList<>(List.of(new LinkedHashMap<>()));
    for (Map.Entry<String, String> e : grid.entrySet()) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> p : points) {
        for (String v : e.getValue().split(",")) {
          Map<String, Object> q = new LinkedHashMap<>(p);
          try {
            q.put(e.getKey(), Double.parseDouble(v.trim()));
          } catch (NumberFormatException ex) {
            throw new VideoJamException("--grid " + e.getKey() + "=" + e.getValue() + ": '" + v + "' is not a number; write for example --grid w2=0,1,3");
          }
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }

  /** The weights a model folder's model.json recommends (its "guidance" object; empty when it has none or no model.json). */
  static Map<String, Object> recommended(Path modelDir) {
    if (!Files.isRegularFile(modelDir.resolve("model.json"))) {
      return Map.of();
    }
    return io.videojam.runtime.GuidanceDefaults.of(io.videojam.model.ModelDirectory.open(modelDir).json()).settings();
  }

  private static double weight(Map<String, Object> m, String key, double fallback) {
    Object v = m.get(key);
    return v instanceof Number n ? n.doubleValue() : fallback;
  }

  /**
   * Table 3 of the paper on the built-in models, at the weights each model folder recommends
   * (model.json's "guidance"; the paper's w1 = 5, w2 = 3 and w = 5 where it recommends none): full
   * Inner-Guidance, w1 = 0, w2 = 0, motion off with text guidance w1, InstructPix2Pix guidance
   * (s-text 1 + w1, s-image 1 + w2, as the paper's 6 and 4 for w1 = 5 and w2 = 3), base and control
   * (text guidance at their own recommendation, else w1).
   */
  static List<Config> ablationConfigs(Path models) {
    Path vj = models.resolve("jamworld-videojam");
    Map<String, Object> r = recommended(vj);
    double w1 = weight(r, "w1", 5), w2 = weight(r, "w2", 3);
    Path base = models.resolve("jamworld-base"), control = models.resolve("jamworld-control");
    double wb = weight(recommended(base), "w", w1), wc = weight(recommended(control), "w", w1);
    return List.of(
        new Config("videojam", "VideoJAM, Inner-Guidance w1 = " + num(w1) + ", w2 = " + num(w2), vj, "inner", Map.of("w1", w1, "w2", w2)),
        new Config("no-text-guidance", "w1 = 0 (no text guidance)", vj, "inner", Map.of("w1", 0.0, "w2", w2)),
        new Config("no-motion-guidance", "w2 = 0 (no motion guidance)", vj, "inner", Map.of("w1", w1, "w2", 0.0)),
        new Config("motion-off", "motion off (d = 0 every step), text guidance " + num(w1), vj, "motion-off", Map.of("w", w1)),
        new Config("ip2p", "InstructPix2Pix guidance (s-text " + num(1 + w1) + ", s-image " + num(1 + w2) + ")", vj, "ip2p",
            Map.of("s-text", 1 + w1, "s-image", 1 + w2)),
        new Config("base", "base model, text guidance " + num(wb), base, "cfg", Map.of("w", wb)),
        new Config("control", "control (base fine-tuned without motion), text guidance " + num(wc), control, "cfg", Map.of("w", wc)));
  }

  private static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  private Clip generate(VideoJam vj, Config c, String prompt, long seed) {
    GenerationRequest t = sampling.request(prompt);
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

  private ObjectNode row(Config c, PromptSuite.Prompt p, long seed, Clip clip, PromptSuite suite, int index, WorldConfig wc,
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

  /** The clip's frames side by side (and the motion prediction under them), 8-bit PNG, for the report's sheets. */
  private void writeStrip(Config c, PromptSuite.Prompt p, Clip clip) throws IOException {
    BufferedImage strip = Frames.strip(clip.video(), clip.motion());
    Path dir = out.resolve("clips").resolve(c.key());
    Files.createDirectories(dir);
    PngWriter.write(dir.resolve(p.id() + ".png"), strip);
  }

  /**
   * OUT/sheets/CONFIG-CATEGORY.png: the first seed's clips of a category's first 8 prompts, video
   * above motion prediction, frames upscaled 8x (for a world suite, whose frames are the world's size).
   */
  private void writeSheets(List<Config> all, PromptSuite prompts, WorldConfig wc) throws IOException {
    int w = wc.width(), h = wc.height(), scale = 8;
    Files.createDirectories(out.resolve("sheets"));
    for (Config c : all) {
      if (c.reference()) {
        continue;
      }
      Map<String, LinkedHashMap<String, List<BufferedImage>>> byCategory = new LinkedHashMap<>();
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (PromptSuite.Prompt p : prompts.prompts()) {
        Path png = out.resolve("clips").resolve(c.key()).resolve(p.id() + ".png");
        int n = counts.merge(p.category(), 1, Integer::sum);
        if (n > 8 || !Files.isRegularFile(png)) {
          continue;
        }
        BufferedImage strip = javax.imageio.ImageIO.read(png.toFile());
        LinkedHashMap<String, List<BufferedImage>> rows = byCategory.computeIfAbsent(p.category(), k -> new LinkedHashMap<>());
        for (int r = 0; r < strip.getHeight() / h; r++) {
          List<BufferedImage> frames = new ArrayList<>();
          for (int f = 0; f < strip.getWidth() / w; f++) {
            BufferedImage big = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
            java.awt.Graphics2D g = big.createGraphics();
            g.drawImage(strip.getSubimage(f * w, r * h, w, h), 0, 0, w * scale, h * scale, null);
            g.dispose();
            frames.add(big);
          }
          rows.put(r == 0 ? p.id() + ": " + p.prompt() : "(" + p.id() + ") motion", frames);
        }
      }
      for (Map.Entry<String, LinkedHashMap<String, List<BufferedImage>>> e : byCategory.entrySet()) {
        io.videojam.media.ContactSheet.write(out.resolve("sheets").resolve(c.key() + "-" + e.getKey().toLowerCase(Locale.ROOT) + ".png"),
            c.label() + ", " + e.getKey() + ", seed " + sampling.seed, e.getValue(), wc.frames());
      }
    }
  }

  /** Everything that decides the rows; an earlier run's rows are reused only when its plan is the same. */
  private ObjectNode plan(PromptSuite prompts, List<Config> all, long[] seedList) {
    ObjectNode plan = JSON.createObjectNode();
    plan.put("suite", prompts.name());
    plan.put("suite_sha256", sha256(prompts.prompts().stream().map(p -> p.id() + "\t" + p.prompt() + "\t" + p.spec()).toList().toString()));
    plan.put("prompts", prompts.prompts().size());
    var s = plan.putArray("seeds");
    for (long x : seedList) {
      s.add(x);
    }
    GenerationRequest t = sampling.request("");
    plan.put("steps", t.steps());
    plan.put("solver", t.solver());
    plan.put("schedule", t.schedule() + " " + t.scheduleSettings().values());
    plan.put("estimator", estimator);
    plan.put("noise_seeds", "1000003 seed + (prompt id hash mod 1000003)");
    plan.put("ablations", ablations);
    var cs = plan.putArray("configs");
    for (Config c : all) {
      ObjectNode n = cs.addObject();
      n.put("key", c.key());
      n.put("label", c.label());
      n.put("model", c.model() == null ? null : c.model().toAbsolutePath().normalize().toString());
      n.put("model_json_sha256", c.model() == null ? null : sha256(read(c.model().resolve("model.json"))));
      n.put("guidance", c.guidance());
      n.set("settings", JSON.valueToTree(new java.util.TreeMap<>(c.settings())));
    }
    return plan;
  }

  /** Rows of an earlier run with the same plan, by key; starts over (after saying so) with --fresh. */
  private Map<String, JsonNode> resume(ObjectNode plan) throws IOException {
    Path planFile = out.resolve("plan.json");
    Path rowsFile = out.resolve("rows.jsonl");
    Map<String, JsonNode> done = new LinkedHashMap<>();
    if (Files.exists(rowsFile) && !fresh) {
      JsonNode old = Files.isRegularFile(planFile) ? JSON.readTree(planFile.toFile()) : null;
      if (!JSON.readTree(plan.toString()).equals(old)) { // through text: a long read back is an int node
        throw new VideoJamException(out + " holds rows of an evaluation with other settings (" + planFile.getFileName()
            + " differs); pass --fresh to discard them, or another --out");
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
        System.err.println("continuing the evaluation in " + out + ": " + done.size() + " clips already done");
      }
    } else {
      Files.deleteIfExists(rowsFile);
    }
    byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(plan);
    AtomicFiles.write(planFile, "evaluation plan", tmp -> Files.write(tmp, bytes));
    return done;
  }

  private static boolean allDone(Map<String, JsonNode> done, Config c, PromptSuite prompts, long[] seeds) {
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

  static String slug(String s) {
    String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    return t.isEmpty() ? "model" : t;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new VideoJamException("cannot read " + p + ": " + e.getMessage());
    }
  }

  static String sha256(String s) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The categories of the synthetic world, in order (for tables). */
  static List<String> worldCategories() {
    List<String> out = new ArrayList<>();
    for (Category c : Category.values()) {
      out.add(c.name());
    }
    return out;
  }
}
