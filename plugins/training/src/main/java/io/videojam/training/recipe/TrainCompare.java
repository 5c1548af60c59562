package io.videojam.training.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.FloatTensor;
import io.videojam.api.Settings;
import io.videojam.jamworld.Category;
import io.videojam.jamworld.ClipSpec;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Scores;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trained models on held-out prompts, through the framework's own runtime (ONNX Runtime,
 * 30 Euler steps): the VideoJAM model with Inner-Guidance (w1 = 5, w2 = 3), the control and the
 * base with text guidance (w = 5). Every model gets the same prompts and seeds; each clip is
 * scored against the prompt's world parameters ({@link Scores}); differences are paired per
 * (prompt, seed) and reported with their standard error.
 */
public final class TrainCompare {
  /**
   * The evaluation's noise seeds and statistics, which the comparison shares with {@code videojam
   * eval} so its numbers are comparable; the caller supplies them.
   */
  public interface Scoring {
    /** The noise seed of the clip of prompt {@code id} for seed number {@code seed}. */
    long noiseSeed(long seed, String id);

    /** Mean, standard error and count of the finite values. */
    Stat stat(List<Double> values);
  }

  /** Mean, standard error (NaN for fewer than two values) and count of the finite values of a sample. */
  public record Stat(double mean, double se, int n) {}

  /**
   * What the comparison wrote.
   *
   * @param dir the folder of compare.csv, compare.json, compare.md and the contact sheets
   * @param summary compare.json's content
   * @param markdown compare.md's content: the tables of means and paired differences
   */
  public record Result(Path dir, Map<String, Object> summary, String markdown) {}

  /** A model under comparison: folder, guidance rule and its settings. */
  record Entry(String label, Path dir, String guidance, Map<String, Object> settings) {}

  /** One generated clip's scores. */
  record Row(String model, int clip, String category, String prompt, long seed, double colour, double persistence, double motion, double drift) {}

  private TrainCompare() {}

  /** VideoJAM with Inner-Guidance (w1, w2); control and base with text guidance w = w1. */
  static List<Entry> entries(Path models, double w1, double w2) {
    return List.of(
        new Entry("videojam", models.resolve("jamworld-videojam"), "inner", Map.of("w1", w1, "w2", w2)),
        new Entry("control", models.resolve("jamworld-control"), "cfg", Map.of("w", w1)),
        new Entry("base", models.resolve("jamworld-base"), "cfg", Map.of("w", w1)));
  }

  /**
   * Generates with the three models in {@code models} and writes the comparison to {@code outDir}.
   *
   * @param perCategory held-out prompts per category
   * @param seeds seeds per prompt
   * @param w1 Inner-Guidance w1 of videojam and text guidance w of control and base
   * @param w2 Inner-Guidance w2 of videojam
   */
  public static Result run(Path models, Path outDir, int perCategory, int seeds, double w1, double w2, Scoring scoring,
      RecipeListener listener) throws IOException {
    WorldConfig wc = WorldConfig.defaults();
    JamWorld world = new JamWorld(wc);
    List<ClipSpec> specs = world.suite(Split.HELDOUT, perCategory, 4242);
    List<Entry> entries = entries(models, w1, w2);
    List<Row> rows = new ArrayList<>();
    Map<String, Map<String, FloatTensor>> shown = new LinkedHashMap<>();
    int total = entries.size() * specs.size() * seeds;
    int done = 0;
    try (RecipeListener.Task bar = listener.task("compare", total)) {
      for (Entry e : entries) {
        try (VideoJam vj = VideoJam.open(RuntimeConfig.cpu(e.dir()))) {
          for (int i = 0; i < specs.size(); i++) {
            ClipSpec spec = specs.get(i);
            for (int s = 0; s < seeds; s++) {
              long noise = scoring.noiseSeed(1000L + s, "heldout-" + i); // independent noise per prompt, as videojam eval
              GenerationRequest req = GenerationRequest.of(spec.prompt(), noise)
                  .withGuidance(e.guidance(), new Settings(e.settings(), "compare"));
              Generation g = vj.generate(req, (d, t) -> { });
              Scores sc = Scores.of(g.video().data(), wc, spec);
              rows.add(new Row(e.label(), i * seeds + s, spec.category().name(), spec.prompt(), noise, sc.colour(), sc.persistence(), sc.motion(), sc.drift()));
              if (s == 0 && i % Math.max(1, specs.size() / 8) == 0) {
                shown.computeIfAbsent(spec.prompt(), k -> new LinkedHashMap<>()).put(e.label(), g.video());
                if (g.motion() != null) {
                  shown.get(spec.prompt()).put(e.label() + " motion", g.motion());
                }
              }
              bar.step(++done, total);
            }
          }
        }
      }
    }
    Files.createDirectories(outDir);
    // training-distribution prompts, seed 0: what the README's sample sheet shows
    Map<String, Map<String, FloatTensor>> samples = new LinkedHashMap<>();
    for (Entry e : entries.subList(0, 2)) {
      try (VideoJam vj = VideoJam.open(RuntimeConfig.cpu(e.dir()))) {
        for (String prompt : Recipe.PREVIEW_PROMPTS) {
          Generation g = vj.generate(GenerationRequest.of(prompt, 0).withGuidance(e.guidance(), new Settings(e.settings(), "compare")), (d, t) -> { });
          samples.computeIfAbsent(prompt, k -> new LinkedHashMap<>()).put(e.label(), g.video());
          if (g.motion() != null) {
            samples.get(prompt).put(e.label() + " motion", g.motion());
          }
        }
      }
    }
    LinkedHashMap<String, List<BufferedImage>> sampleRows = new LinkedHashMap<>();
    sheetRows(samples, sampleRows);
    ContactSheet.write(outDir.resolve("samples-sheet.png"),
        "training-distribution prompts, seed 0: videojam (Inner-Guidance w1 " + w1 + ", w2 " + w2 + ", with its motion prediction) and control (text guidance " + w1 + ")", sampleRows, 8);
    StringBuilder csv = new StringBuilder("model,clip,category,prompt,seed,colour,persistence,motion,drift\n");
    for (Row r : rows) {
      csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%d,%.4f,%.4f,%.4f,%.4f%n", r.model(), r.clip(), r.category(), r.prompt(), r.seed(),
          r.colour(), r.persistence(), r.motion(), r.drift()));
    }
    Files.writeString(outDir.resolve("compare.csv"), csv, StandardCharsets.UTF_8);
    Map<String, Object> summary = summary(rows, specs.size(), seeds, scoring);
    summary.put("guidance", Map.of("videojam", "inner w1=" + w1 + " w2=" + w2, "control", "cfg w=" + w1, "base", "cfg w=" + w1));
    Files.write(outDir.resolve("compare.json"), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(summary));
    String markdown = markdown(summary);
    Files.writeString(outDir.resolve("compare.md"), markdown, StandardCharsets.UTF_8);
    LinkedHashMap<String, List<BufferedImage>> sheet = new LinkedHashMap<>();
    sheetRows(shown, sheet);
    ContactSheet.write(outDir.resolve("compare-sheet.png"), "held-out prompts, seed number 1000 (noise per prompt): videojam (Inner-Guidance w1 " + w1 + ", w2 " + w2 + "), control and base (text guidance " + w1 + ")", sheet, 8);
    return new Result(outDir, summary, markdown);
  }

  /** Rows "PROMPT | model" then "(n) model" for the prompt's other models (labels must be unique). */
  private static void sheetRows(Map<String, Map<String, FloatTensor>> byPrompt, LinkedHashMap<String, List<BufferedImage>> rows) {
    int n = 0;
    for (Map.Entry<String, Map<String, FloatTensor>> p : byPrompt.entrySet()) {
      n++;
      boolean first = true;
      for (Map.Entry<String, FloatTensor> m : p.getValue().entrySet()) {
        String label = first ? p.getKey() + " | " + m.getKey() : "(" + n + ") " + m.getKey();
        rows.put(label, Frames.toImages(m.getValue(), 4));
        first = false;
      }
    }
  }

  /** Means per model and category, and paired differences videojam - control and videojam - base. */
  static Map<String, Object> summary(List<Row> rows, int prompts, int seeds, Scoring scoring) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("prompts", prompts);
    out.put("seeds", seeds);
    List<String> cats = new ArrayList<>();
    for (Category c : Category.values()) {
      cats.add(c.name());
    }
    cats.add("ALL");
    Map<String, Object> means = new LinkedHashMap<>();
    for (String model : List.of("videojam", "control", "base")) {
      Map<String, Object> byCat = new LinkedHashMap<>();
      for (String cat : cats) {
        List<Row> sel = rows.stream().filter(r -> r.model().equals(model) && (cat.equals("ALL") || r.category().equals(cat))).toList();
        byCat.put(cat, Map.of("n", sel.size(), "colour", stat(sel.stream().mapToDouble(Row::colour).toArray(), scoring),
            "persistence", stat(sel.stream().mapToDouble(Row::persistence).toArray(), scoring),
            "motion", stat(sel.stream().mapToDouble(Row::motion).toArray(), scoring)));
      }
      means.put(model, byCat);
    }
    out.put("means", means);
    Map<String, Object> diffs = new LinkedHashMap<>();
    for (String other : List.of("control", "base")) {
      Map<String, Object> byCat = new LinkedHashMap<>();
      for (String cat : cats) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String metric : List.of("colour", "persistence", "motion")) {
          List<Double> d = new ArrayList<>();
          for (Row a : rows) {
            if (!a.model().equals("videojam") || !(cat.equals("ALL") || a.category().equals(cat))) {
              continue;
            }
            for (Row b : rows) {
              if (b.model().equals(other) && b.clip() == a.clip()) { // same world clip (prompt and parameters) and seed
                double va = value(a, metric), vb = value(b, metric);
                if (Double.isFinite(va) && Double.isFinite(vb)) {
                  d.add(va - vb);
                }
              }
            }
          }
          m.put(metric, stat(d.stream().mapToDouble(Double::doubleValue).toArray(), scoring));
        }
        byCat.put(cat, m);
      }
      diffs.put("videojam-" + other, byCat);
    }
    out.put("paired_differences", diffs);
    return out;
  }

  private static double value(Row r, String metric) {
    return switch (metric) {
      case "colour" -> r.colour();
      case "persistence" -> r.persistence();
      default -> r.motion();
    };
  }

  /** Mean, standard error and count of the finite values, rounded to 4 decimals. */
  static Map<String, Object> stat(double[] v, Scoring scoring) {
    Stat s = scoring.stat(Arrays.stream(v).boxed().toList());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mean", round(s.mean()));
    m.put("se", round(s.se()));
    m.put("n", s.n());
    return m;
  }

  private static Object round(double v) {
    return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : "NaN";
  }

  /** compare.md: the tables of means and of paired differences. */
  @SuppressWarnings("unchecked")
  public static String markdown(Map<String, Object> summary) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Held-out prompts: %s, seeds per prompt: %s. Mean (standard error).%n%n", summary.get("prompts"), summary.get("seeds")));
    Map<String, Object> means = (Map<String, Object>) summary.get("means");
    b.append("| model | category | n | colour | persistence | motion agreement |\n|---|---|---|---|---|---|\n");
    means.forEach((model, v) -> ((Map<String, Object>) v).forEach((cat, w) -> {
      Map<String, Object> m = (Map<String, Object>) w;
      b.append("| ").append(model).append(" | ").append(cat).append(" | ").append(m.get("n"));
      for (String k : List.of("colour", "persistence", "motion")) {
        Map<String, Object> s = (Map<String, Object>) m.get(k);
        b.append(" | ").append(s.get("mean")).append(" (").append(s.get("se")).append(")");
      }
      b.append(" |\n");
    }));
    b.append("\nPaired differences (same prompt and seed), mean (standard error); |mean| < 2 SE is within noise.\n\n");
    b.append("| difference | category | colour | persistence | motion agreement |\n|---|---|---|---|---|\n");
    ((Map<String, Object>) summary.get("paired_differences")).forEach((name, v) -> ((Map<String, Object>) v).forEach((cat, w) -> {
      Map<String, Object> m = (Map<String, Object>) w;
      b.append("| ").append(name).append(" | ").append(cat);
      for (String k : List.of("colour", "persistence", "motion")) {
        Map<String, Object> s = (Map<String, Object>) m.get(k);
        Object mean = s.get("mean"), se = s.get("se");
        boolean noise = !(mean instanceof Double md && se instanceof Double sd) || Math.abs(md) < 2 * sd;
        b.append(" | ").append(mean).append(" (").append(se).append(")").append(noise ? " ~" : " *");
      }
      b.append(" |\n");
    }));
    b.append("\n`*`: difference larger than twice its standard error; `~`: within noise.\n");
    return b.toString();
  }
}
