package io.videojam.cli;

import io.videojam.media.BarChart;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videojam.api.FloatTensor;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Judgement;
import io.videojam.jamworld.WorldConfig;
import io.videojam.api.AtomicFiles;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.media.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Tables, figures and files of an evaluation from its rows (one per configuration, prompt and seed).
 *
 * <p>Summary scores of a clip, from its ground-truth metrics ({@link Judgement}): <b>appearance</b>
 * is the mean of colour and objects (text faithfulness of the colour, one persistent object);
 * <b>motion</b> is the prompt category's continuous motion metric (direction for BASIC and
 * COMPLEX, signed rotation clamped to [-1, 1] for ROTATIONAL, velocity agreement for PHYSICS) and
 * <b>motion pass</b> its pass/fail test. A clip where the metric cannot be measured (nothing found,
 * a shape too round to show its angle) scores 0 / fail. Each is shown beside its nulls: the same
 * clip against the time-reversed truth ("opposite"), against a prompt of another category
 * ("other", scored with that category's metric) and with its frames shuffled ("shuffled").
 */
final class EvalReport {
  static final List<String> SUMMARY = List.of("appearance", "motion", "motion_pass");
  static final List<String> GENERIC = List.of("dynamic_degree", "flow_top5", "smoothness", "warping_error", "flickering", "subject_persistence");
  static final List<String> DETAIL = List.of("colour", "colour_match", "shape", "shape_match", "objects", "found", "direction", "drift", "rotation", "physics", "reversals");
  /** Table 3 of the paper, VideoJAM-4B on VideoJAM-bench (VBench appearance / motion), for the ablation table. */
  static final Map<String, String> PAPER = Map.of("videojam", "75.1 / 93.7", "no-text-guidance", "74.5 / 93.3", "no-motion-guidance", "75.3 / 93.1",
      "motion-off", "74.7 / 90.1", "ip2p", "72.0 / 90.4", "base", "75.2 / 78.3 (DiT-4B)", "control", "-");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PromptSuite suite;
  private final List<EvalCommand.Config> configs;
  private final long[] seeds;
  private final List<JsonNode> rows;
  private final Path out;
  private final boolean ablations;
  private final List<String> categories;

  EvalReport(PromptSuite suite, List<EvalCommand.Config> configs, long[] seeds, List<JsonNode> rows, Path out, boolean ablations) {
    this.suite = suite;
    this.configs = configs;
    this.seeds = seeds;
    this.rows = rows;
    this.out = out;
    this.ablations = ablations;
    this.categories = new ArrayList<>(suite.categories());
    if (categories.size() > 1) {
      categories.add("ALL");
    }
  }

  // ------------------------------------------------------------------ values of one row

  /** A summary score of a row in a variant (prompt_scores, opposite, other, shuffled); NaN when the variant is missing. */
  static double summary(JsonNode row, String variant, String metric) {
    JsonNode v = row.get(variant);
    if (v == null) {
      return Double.NaN;
    }
    String cat = variant.equals("other") ? row.path("other_category").asText() : row.get("category").asText();
    return switch (metric) {
      case "appearance" -> (num(v, "colour") + num(v, "objects")) / 2;
      case "motion" -> zero(switch (cat) {
        case "ROTATIONAL" -> Math.max(-1, Math.min(1, num(v, "rotation")));
        case "PHYSICS" -> num(v, "physics");
        default -> num(v, "direction");
      });
      case "motion_pass" -> zero(switch (cat) {
        case "ROTATIONAL" -> num(v, "rotation_pass");
        case "PHYSICS" -> num(v, "physics_pass");
        default -> num(v, "direction_pass");
      });
      default -> num(v, metric);
    };
  }

  private static double value(JsonNode row, String metric) {
    if (GENERIC.contains(metric)) {
      return num(row.get("generic"), metric);
    }
    return SUMMARY.contains(metric) ? summary(row, "prompt_scores", metric) : num(row.get("prompt_scores"), metric);
  }

  private static double num(JsonNode n, String k) {
    JsonNode v = n == null ? null : n.get(k);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }

  private static double zero(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  // ------------------------------------------------------------------ statistics

  /** Mean, standard error and count of the finite values. */
  record Stat(double mean, double se, int n) {
    static Stat of(List<Double> values) {
      double s = 0;
      double s2 = 0;
      int n = 0;
      for (double x : values) {
        if (Double.isFinite(x)) {
          s += x;
          s2 += x * x;
          n++;
        }
      }
      double mean = n > 0 ? s / n : Double.NaN;
      double var = n > 1 ? Math.max(0, (s2 - n * mean * mean) / (n - 1)) : Double.NaN;
      return new Stat(mean, n > 1 ? Math.sqrt(var / n) : Double.NaN, n);
    }

    String text() {
      return Double.isFinite(mean) ? String.format(Locale.ROOT, "%.3f", mean) + (Double.isFinite(se) ? String.format(Locale.ROOT, " (%.3f)", se) : "") : "n/a";
    }
  }

  private List<JsonNode> rowsOf(String config, String category) {
    return rows.stream().filter(r -> r.get("config").asText().equals(config) && (category.equals("ALL") || r.get("category").asText().equals(category))).toList();
  }

  Stat stat(String config, String category, ToDoubleFunction<JsonNode> f) {
    return Stat.of(rowsOf(config, category).stream().map(r -> f.applyAsDouble(r)).toList());
  }

  Stat stat(String config, String category, String metric) {
    return stat(config, category, r -> value(r, metric));
  }

  /** Sample standard deviation over seeds of the per-seed mean of the metric (NaN with one seed). */
  double seedSpread(String config, ToDoubleFunction<JsonNode> f) {
    List<Double> means = new ArrayList<>();
    for (long s : seeds) {
      means.add(Stat.of(rowsOf(config, "ALL").stream().filter(r -> r.get("seed").asLong() == s).map(r -> f.applyAsDouble(r)).toList()).mean());
    }
    double sd = Stat.of(means).se() * Math.sqrt(means.size());
    return sd;
  }

  /** Paired difference a - b over the (prompt, seed) pairs both have, all categories. */
  Stat difference(String a, String b, ToDoubleFunction<JsonNode> f) {
    Map<String, JsonNode> other = new LinkedHashMap<>();
    for (JsonNode r : rowsOf(b, "ALL")) {
      other.put(r.get("id").asText() + "|" + r.get("seed").asLong(), r);
    }
    List<Double> d = new ArrayList<>();
    for (JsonNode r : rowsOf(a, "ALL")) {
      JsonNode o = other.get(r.get("id").asText() + "|" + r.get("seed").asLong());
      if (o != null) {
        d.add(f.applyAsDouble(r) - f.applyAsDouble(o));
      }
    }
    return Stat.of(d);
  }

  private List<EvalCommand.Config> models() {
    return configs.stream().filter(c -> !c.reference()).toList();
  }

  // ------------------------------------------------------------------ outputs

  void writeAll(ObjectNode plan) {
    ObjectNode json = json(plan);
    byte[] bytes;
    try {
      bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    AtomicFiles.write(out.resolve("metrics.json"), "metrics JSON", tmp -> Files.write(tmp, bytes));
    String csv = csv();
    AtomicFiles.write(out.resolve("metrics.csv"), "metrics CSV", tmp -> Files.writeString(tmp, csv, StandardCharsets.UTF_8));
    String md = markdown();
    AtomicFiles.write(out.resolve("summary.md"), "summary", tmp -> Files.writeString(tmp, md, StandardCharsets.UTF_8));
    charts().forEach((m, chart) -> PngWriter.write(out.resolve(m.replace('_', '-') + "-by-category.png"), chart));
    html(plan).write(out.resolve("report.html"));
  }

  private boolean truth() {
    return suite.hasTruth();
  }

  private List<String> metricsShown() {
    List<String> m = new ArrayList<>();
    if (truth()) {
      m.addAll(SUMMARY);
      m.addAll(DETAIL);
    }
    m.addAll(GENERIC);
    return m;
  }

  ObjectNode json(ObjectNode plan) {
    ObjectNode root = JSON.createObjectNode();
    root.set("plan", plan);
    ObjectNode summary = root.putObject("summary");
    for (EvalCommand.Config c : configs) {
      ObjectNode byCat = summary.putObject(c.key());
      for (String cat : categories) {
        ObjectNode m = byCat.putObject(cat);
        for (String metric : metricsShown()) {
          put(m.putObject(metric), stat(c.key(), cat, metric));
        }
        if (truth()) {
          for (String variant : List.of("opposite", "other", "shuffled")) {
            ObjectNode nv = m.putObject("null_" + variant);
            for (String metric : SUMMARY) {
              put(nv.putObject(metric), stat(c.key(), cat, r -> summary(r, variant, metric)));
            }
          }
        }
      }
    }
    if (truth()) {
      ObjectNode spread = root.putObject("seed_spread");
      ObjectNode diffs = root.putObject("differences");
      String ref = models().get(0).key();
      diffs.put("reference", ref);
      for (EvalCommand.Config c : configs) {
        ObjectNode s = spread.putObject(c.key());
        for (String metric : SUMMARY) {
          s.put(metric, round(seedSpread(c.key(), r -> value(r, metric))));
        }
      }
      for (EvalCommand.Config c : models().subList(1, models().size())) {
        ObjectNode d = diffs.putObject(c.key());
        for (String metric : SUMMARY) {
          Stat st = difference(c.key(), ref, r -> value(r, metric));
          ObjectNode n = d.putObject(metric);
          put(n, st);
          double sp = spreadOf(c.key(), ref, metric);
          n.put("seed_spread", round(sp));
          n.put("within_seed_spread", !(Math.abs(st.mean()) >= sp));
        }
      }
    }
    return root;
  }

  /** The larger seed-to-seed spread of two configurations' means. */
  double spreadOf(String a, String b, String metric) {
    return Math.max(seedSpread(a, r -> value(r, metric)), seedSpread(b, r -> value(r, metric)));
  }

  private static void put(ObjectNode n, Stat s) {
    n.put("mean", round(s.mean()));
    n.put("se", round(s.se()));
    n.put("n", s.n());
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : Double.NaN;
  }

  String csv() {
    StringBuilder b = new StringBuilder("config,id,category,prompt,seed,noise_seed");
    List<String> gt = truth() ? Judgement.NAMES : List.of();
    for (String g : GENERIC) {
      b.append(',').append(g);
    }
    for (String g : gt) {
      b.append(',').append(g);
    }
    if (truth()) {
      for (String v : List.of("prompt", "opposite", "other", "shuffled")) {
        for (String m : SUMMARY) {
          b.append(',').append(v.equals("prompt") ? m : v + "_" + m);
        }
      }
      b.append(",other_category");
    }
    b.append('\n');
    for (JsonNode r : rows) {
      b.append(r.get("config").asText()).append(',').append(r.get("id").asText()).append(',').append(r.get("category").asText()).append(',')
          .append('"').append(r.get("prompt").asText().replace("\"", "\"\"")).append('"').append(',').append(r.get("seed").asLong())
          .append(',').append(r.path("noise_seed").asLong());
      for (String g : GENERIC) {
        b.append(',').append(fmt(num(r.get("generic"), g)));
      }
      for (String g : gt) {
        b.append(',').append(fmt(num(r.get("prompt_scores"), g)));
      }
      if (truth()) {
        for (String v : List.of("prompt_scores", "opposite", "other", "shuffled")) {
          for (String m : SUMMARY) {
            b.append(',').append(fmt(summary(r, v, m)));
          }
        }
        b.append(',').append(r.path("other_category").asText(""));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String fmt(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.5f", v) : "";
  }

  /** Markdown tables: the summary (or the ablation table) and the differences. */
  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Suite %s: %d prompts x %d seeds per configuration. Mean (standard error).%n%n",
        suite.name(), suite.prompts().size(), seeds.length));
    if (truth() && ablations) {
      b.append(ablationTable());
      b.append('\n');
    }
    List<String> cols = new ArrayList<>(truth() ? List.of("appearance", "motion", "motion_pass") : List.of());
    cols.addAll(List.of("dynamic_degree", "smoothness", "warping_error"));
    b.append("| configuration | n |");
    cols.forEach(c -> b.append(' ').append(c.replace('_', ' ')).append(" |"));
    if (truth()) {
      b.append(" motion vs opposite | vs other category | shuffled |");
    }
    b.append("\n|---|---|").append("---|".repeat(cols.size() + (truth() ? 3 : 0))).append('\n');
    for (EvalCommand.Config c : configs) {
      b.append("| ").append(c.label()).append(" | ").append(stat(c.key(), "ALL", cols.get(0)).n()).append(" |");
      for (String m : cols) {
        b.append(' ').append(stat(c.key(), "ALL", m).text()).append(" |");
      }
      if (truth()) {
        for (String v : List.of("opposite", "other", "shuffled")) {
          b.append(' ').append(stat(c.key(), "ALL", r -> summary(r, v, "motion")).text()).append(" |");
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** The Table 3 analogue: each configuration's appearance and motion, and its paired difference to the first. */
  String ablationTable() {
    List<EvalCommand.Config> ms = models();
    String ref = ms.get(0).key();
    StringBuilder b = new StringBuilder();
    b.append("| configuration | prompts x seeds | appearance | motion | motion pass | appearance - VideoJAM | motion - VideoJAM | paper (VBench app. / motion) |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (EvalCommand.Config c : ms) {
      b.append("| ").append(c.label()).append(" | ").append(suite.prompts().size()).append(" x ").append(seeds.length);
      for (String m : SUMMARY) {
        Stat s = stat(c.key(), "ALL", m);
        b.append(" | ").append(String.format(Locale.ROOT, "%.3f", s.mean())).append(spreadText(seedSpread(c.key(), r -> value(r, m))));
      }
      for (String m : List.of("appearance", "motion")) {
        b.append(" | ").append(c.key().equals(ref) ? "-" : diffText(c.key(), ref, m));
      }
      b.append(" | ").append(PAPER.getOrDefault(c.key(), "-")).append(" |\n");
    }
    b.append("\nValues: mean over all clips (+/- seed-to-seed spread: standard deviation of the per-seed means). Differences are paired by prompt and seed,"
        + " mean (standard error); `~` marks a difference smaller than the seed-to-seed spread of either configuration.\n");
    return b.toString();
  }

  private static String spreadText(double s) {
    return Double.isFinite(s) ? String.format(Locale.ROOT, " +/- %.3f", s) : "";
  }

  String diffText(String a, String ref, String metric) {
    Stat d = difference(a, ref, r -> value(r, metric));
    double sp = spreadOf(a, ref, metric);
    boolean within = !(Math.abs(d.mean()) >= sp);
    return String.format(Locale.ROOT, "%+.3f (%.3f)%s", d.mean(), d.se(), within ? " ~" : "");
  }

  // ------------------------------------------------------------------ HTML

  HtmlReport html(ObjectNode plan) {
    HtmlReport h = new HtmlReport("videojam eval: " + suite.name());
    h.paragraph(String.format(Locale.ROOT, "%d prompts x %d seeds (%s) per configuration; %d sampling steps (%s, %s); flow estimator %s.",
        suite.prompts().size(), seeds.length, seedText(), plan.get("steps").asInt(), plan.get("solver").asText(), plan.get("schedule").asText(),
        plan.get("estimator").asText()));
    List<List<HtmlReport.Cell>> cfgRows = new ArrayList<>();
    for (EvalCommand.Config c : configs) {
      cfgRows.add(List.of(HtmlReport.Cell.of(c.key()), HtmlReport.Cell.of(c.label()), HtmlReport.Cell.of(c.model() == null ? "(no model)" : c.model().toString()),
          HtmlReport.Cell.of(c.guidance() == null ? (c.reference() ? "-" : "model default") : c.guidance() + " " + c.settings())));
    }
    h.table("configurations", List.of("key", "label", "model", "guidance"), cfgRows);
    if (truth() && ablations) {
      h.heading("Ablations (Table 3 analogue)");
      h.table("each configuration against VideoJAM with Inner-Guidance, paired by prompt and seed", ablationHeader(), ablationRows());
      h.paragraph("Values: mean over all clips +/- the seed-to-seed spread (standard deviation of the per-seed means). Differences: paired mean (standard error);"
          + " greyed when smaller than the seed-to-seed spread. The paper's column is VBench on VideoJAM-4B, for orientation only: other model, other metrics.");
    }
    h.heading("Summary");
    h.table("all categories; mean (standard error)", summaryHeader(), summaryRows("ALL"));
    if (truth()) {
      charts().forEach((m, chart) -> h.image(m.replace('_', ' ') + " per category; ref-truth is the rendered clip (the ceiling),"
          + " ref-noise uniform noise (a floor)", chart));
      h.heading("Scores against their nulls");
      h.paragraph("Each motion score beside the same score for the same clip against the time-reversed truth (opposite), against a prompt of another"
          + " category with that category's metric (other), and with the clip's frames shuffled (shuffled). A model that follows the prompted motion"
          + " scores well above all three; a score near its nulls says nothing about motion.");
      List<String> hdr = new ArrayList<>(List.of("configuration"));
      for (String m : List.of("motion", "motion_pass")) {
        for (String v : List.of("prompt", "opposite", "other", "shuffled")) {
          hdr.add(m.replace('_', ' ') + ": " + v);
        }
      }
      List<List<HtmlReport.Cell>> nullRows = new ArrayList<>();
      for (EvalCommand.Config c : configs) {
        List<HtmlReport.Cell> r = new ArrayList<>(List.of(HtmlReport.Cell.of(c.key())));
        for (String m : List.of("motion", "motion_pass")) {
          for (String v : List.of("prompt_scores", "opposite", "other", "shuffled")) {
            r.add(HtmlReport.Cell.of(stat(c.key(), "ALL", row -> summary(row, v, m)).text()));
          }
        }
        nullRows.add(r);
      }
      h.table("all categories; mean (standard error)", hdr, nullRows);
      if (models().size() > 1) {
        h.heading("Paired differences");
        List<List<HtmlReport.Cell>> dr = new ArrayList<>();
        String ref = models().get(0).key();
        for (EvalCommand.Config c : models().subList(1, models().size())) {
          List<HtmlReport.Cell> r = new ArrayList<>(List.of(HtmlReport.Cell.of(c.key() + " - " + ref)));
          for (String m : SUMMARY) {
            Stat d = difference(c.key(), ref, row -> value(row, m));
            double sp = spreadOf(c.key(), ref, m);
            String t = String.format(Locale.ROOT, "%+.3f (%.3f)", d.mean(), d.se());
            r.add(Math.abs(d.mean()) >= sp ? HtmlReport.Cell.of(t) : HtmlReport.Cell.muted(t, String.format(Locale.ROOT, "within the seed-to-seed spread %.3f", sp)));
          }
          dr.add(r);
        }
        h.table("same prompt and seed; mean (standard error); greyed: smaller than the seed-to-seed spread",
            List.of("difference", "appearance", "motion", "motion pass"), dr);
      }
    }
    for (String cat : categories) {
      if (cat.equals("ALL")) {
        continue;
      }
      h.heading("Category " + cat);
      h.table(cat + "; mean (standard error)", summaryHeader(), summaryRows(cat));
    }
    h.heading("Contact sheets");
    h.paragraph("First seed of every prompt, every configuration side by side (rows: video, then the model's motion prediction where it has one).");
    h.details("all " + suite.prompts().size() + " prompts", body -> {
      for (PromptSuite.Prompt p : suite.prompts()) {
        BufferedImage sheet = sheet(p);
        if (sheet != null) {
          body.image(p.id() + ": " + p.prompt(), sheet);
        }
      }
    });
    h.heading("Definitions");
    h.preformatted(definitions());
    return h;
  }

  /** Bar charts of the summary scores per category (the models, the rendered truth and noise), by metric. */
  Map<String, BufferedImage> charts() {
    Map<String, BufferedImage> out = new LinkedHashMap<>();
    if (!truth()) {
      return out;
    }
    List<EvalCommand.Config> shown = configs.stream().filter(c -> !c.reference() || c.key().equals("ref-truth") || c.key().equals("ref-noise")).toList();
    for (String m : SUMMARY) {
      double[][] v = new double[shown.size()][categories.size()];
      double[][] e = new double[shown.size()][categories.size()];
      for (int s = 0; s < shown.size(); s++) {
        for (int g = 0; g < categories.size(); g++) {
          Stat st = stat(shown.get(s).key(), categories.get(g), m);
          v[s][g] = st.mean();
          e[s][g] = st.se();
        }
      }
      out.put(m, BarChart.render(m.replace('_', ' ') + " by category, " + suite.prompts().size() + " prompts x " + seeds.length
          + " seeds (error bars: standard error)", m.replace('_', ' '), categories, shown.stream().map(EvalCommand.Config::key).toList(), v, e));
    }
    return out;
  }

  private String seedText() {
    StringBuilder b = new StringBuilder();
    for (long s : seeds) {
      b.append(b.length() == 0 ? "" : ", ").append(s);
    }
    return "seeds " + b;
  }

  private List<String> ablationHeader() {
    return List.of("configuration", "prompts x seeds", "appearance", "motion", "motion pass", "appearance - VideoJAM", "motion - VideoJAM", "paper (VBench app. / motion)");
  }

  private List<List<HtmlReport.Cell>> ablationRows() {
    List<List<HtmlReport.Cell>> out = new ArrayList<>();
    String ref = models().get(0).key();
    for (EvalCommand.Config c : models()) {
      List<HtmlReport.Cell> r = new ArrayList<>();
      r.add(HtmlReport.Cell.of(c.label()));
      r.add(HtmlReport.Cell.of(suite.prompts().size() + " x " + seeds.length));
      for (String m : SUMMARY) {
        r.add(HtmlReport.Cell.of(String.format(Locale.ROOT, "%.3f", stat(c.key(), "ALL", m).mean()) + spreadText(seedSpread(c.key(), row -> value(row, m)))));
      }
      for (String m : List.of("appearance", "motion")) {
        if (c.key().equals(ref)) {
          r.add(HtmlReport.Cell.of("-"));
        } else {
          String t = diffText(c.key(), ref, m);
          r.add(t.endsWith("~") ? HtmlReport.Cell.muted(t, "smaller than the seed-to-seed spread") : HtmlReport.Cell.of(t));
        }
      }
      r.add(HtmlReport.Cell.of(PAPER.getOrDefault(c.key(), "-")));
      out.add(r);
    }
    return out;
  }

  private List<String> summaryHeader() {
    List<String> h = new ArrayList<>(List.of("configuration", "n"));
    metricsShown().forEach(m -> h.add(m.replace('_', ' ')));
    return h;
  }

  private List<List<HtmlReport.Cell>> summaryRows(String cat) {
    List<List<HtmlReport.Cell>> out = new ArrayList<>();
    for (EvalCommand.Config c : configs) {
      List<HtmlReport.Cell> r = new ArrayList<>();
      r.add(HtmlReport.Cell.of(c.key()));
      r.add(HtmlReport.Cell.of(Integer.toString(rowsOf(c.key(), cat).size())));
      for (String m : metricsShown()) {
        r.add(HtmlReport.Cell.of(stat(c.key(), cat, m).text()));
      }
      out.add(r);
    }
    return out;
  }

  /** The prompt's first-seed clips of every configuration (and the rendered truth), from clips/. */
  BufferedImage sheet(PromptSuite.Prompt p) {
    LinkedHashMap<String, List<BufferedImage>> rowsOut = new LinkedHashMap<>();
    if (p.spec() != null) {
      WorldConfig wc = WorldConfig.defaults();
      rowsOut.put("truth", upscale(Frames.toImages(new FloatTensor(new long[] {3, wc.frames(), wc.height(), wc.width()},
          new JamWorld(wc).render(p.spec()).video()), 1)));
    }
    for (EvalCommand.Config c : configs) {
      if (c.reference()) {
        continue;
      }
      Path strip = out.resolve("clips").resolve(c.key()).resolve(p.id() + ".png");
      if (!Files.isRegularFile(strip)) {
        continue;
      }
      BufferedImage img = PngWriter.read(strip);
      int h = img.getWidth() / 8 == img.getHeight() ? img.getHeight() : img.getHeight() / 2;
      int frames = img.getWidth() / h;
      List<BufferedImage> v = new ArrayList<>();
      List<BufferedImage> m = new ArrayList<>();
      for (int t = 0; t < frames; t++) {
        v.add(img.getSubimage(t * h, 0, h, h));
        if (img.getHeight() > h) {
          m.add(img.getSubimage(t * h, h, h, h));
        }
      }
      rowsOut.put(c.key(), upscale(v));
      if (!m.isEmpty() && !"motion-off".equals(c.guidance())) { // with motion off the motion output is never guided: noise
        rowsOut.put(c.key() + " motion", upscale(m));
      }
    }
    return rowsOut.isEmpty() ? null : ContactSheet.render(p.id() + ": " + p.prompt(), rowsOut, 8);
  }

  private static List<BufferedImage> upscale(List<BufferedImage> frames) {
    return frames.stream().map(f -> Frames.upscale(f, Math.max(1, 32 / f.getHeight()))).toList();
  }

  static String definitions() {
    return """
        appearance     mean of colour and objects
        motion         BASIC, COMPLEX: direction; ROTATIONAL: rotation clamped to [-1, 1]; PHYSICS: physics (0 when not measurable)
        motion pass    the category's pass test: direction >= 0.5; rotation > 0.25; physics >= 0.5 with the right number of reversals
        colour         1 - distance of the detected colour to the prompted one / distance to the farthest table colour, [0, 1]
        colour match   the nearest table colour is the prompted one (0/1)
        shape          IoU with the prompted shape - best IoU of another shape, [-1, 1]; shape match: the prompted shape fits best (0/1)
        objects        share of frames with the expected number of objects (1; 1 or 2 for two-object prompts)
        found          share of frames with a foreground
        direction      cosine between the tracked and the true displacement sequences, [-1, 1]
        drift          tracked net displacement projected on the true one / true length^2 (1 = right amount and way)
        rotation       tracked total rotation / true total rotation (1 = right amount and way)
        physics        cosine between tracked and true frame-to-frame velocities; reversals: velocity sign changes - the truth's
        nulls          opposite: against the time-reversed truth; other: against a prompt of another category, with its
                       metric; shuffled: the clip's frames in a random order. ref-*: no model: the rendered truth, its first
                       frame held, its frames shuffled, uniform noise
        dynamic degree VBench: top-5% flow above 6 min(H,W)/256 in round(4N/16) pairs (0/1); flow top5: its mean, pixels
        smoothness     1 - error of each middle frame interpolated from its neighbours with half the flow
        warping error  mean squared flow warping error over non-occluded pixels (lower is better)
        flickering     VBench temporal flickering (1 = no change between frames)
        """;
  }
}
