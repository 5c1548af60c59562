package io.videojam.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.videojam.jamworld.Judgement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The statistics of an evaluation's rows (one per configuration, prompt and seed): means and
 * standard errors per configuration and category, seed-to-seed spreads and paired differences.
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
public final class Statistics {
  /** The summary scores of the ground-truth metrics. */
  public static final List<String> SUMMARY = List.of("appearance", "motion", "motion_pass");
  /** The generic video metrics. */
  public static final List<String> GENERIC = List.of("dynamic_degree", "flow_top5", "smoothness", "warping_error", "flickering", "subject_persistence");
  /** The ground-truth metrics shown in the per-category tables. */
  public static final List<String> DETAIL = List.of("colour", "colour_match", "shape", "shape_match", "objects", "found", "direction", "drift", "rotation", "physics", "reversals");

  private final PromptSuite suite;
  private final List<Configuration> configurations;
  private final long[] seeds;
  private final List<JsonNode> rows;
  private final List<String> categories;

  /**
   * @param configurations every configuration, references included, in table order
   * @param seeds the seed numbers
   * @param rows the rows as {@link Evaluation} writes them to rows.jsonl
   */
  public Statistics(PromptSuite suite, List<Configuration> configurations, long[] seeds, List<JsonNode> rows) {
    this.suite = suite;
    this.configurations = List.copyOf(configurations);
    this.seeds = seeds.clone();
    this.rows = List.copyOf(rows);
    List<String> cats = new ArrayList<>(suite.categories());
    if (cats.size() > 1) {
      cats.add("ALL");
    }
    this.categories = List.copyOf(cats);
  }

  public PromptSuite suite() {
    return suite;
  }

  /** Every configuration, references included. */
  public List<Configuration> configurations() {
    return configurations;
  }

  /** The configurations with a model (no references); the first is the reference of the paired differences. */
  public List<Configuration> models() {
    return configurations.stream().filter(c -> !c.reference()).toList();
  }

  public long[] seeds() {
    return seeds.clone();
  }

  public int seedCount() {
    return seeds.length;
  }

  public List<JsonNode> rows() {
    return rows;
  }

  /** The suite's categories in first-seen order, and "ALL" after them when there are several. */
  public List<String> categories() {
    return categories;
  }

  /** Whether the suite is scored against the synthetic world's truth (and the summary scores and nulls exist). */
  public boolean truth() {
    return suite.hasTruth();
  }

  /** The metrics of the tables: summary and detail scores (with truth), then the generic metrics. */
  public List<String> metricsShown() {
    List<String> m = new ArrayList<>();
    if (truth()) {
      m.addAll(SUMMARY);
      m.addAll(DETAIL);
    }
    m.addAll(GENERIC);
    return m;
  }

  // ------------------------------------------------------------------ values of one row

  /** A summary score of a row in a variant (prompt_scores, opposite, other, shuffled); NaN when the variant is missing. */
  public static double summary(JsonNode row, String variant, String metric) {
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

  /** A metric of a row: generic, summary or ground-truth against the prompt; NaN when missing. */
  public static double value(JsonNode row, String metric) {
    if (GENERIC.contains(metric)) {
      return num(row.get("generic"), metric);
    }
    return SUMMARY.contains(metric) ? summary(row, "prompt_scores", metric) : num(row.get("prompt_scores"), metric);
  }

  /** The number {@code n.k}; NaN when missing or null. */
  static double num(JsonNode n, String k) {
    JsonNode v = n == null ? null : n.get(k);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }

  private static double zero(double v) {
    return Double.isFinite(v) ? v : 0;
  }

  // ------------------------------------------------------------------ statistics

  /** The rows of a configuration in a category ("ALL": every category). */
  public List<JsonNode> rowsOf(String config, String category) {
    return rows.stream().filter(r -> r.get("config").asText().equals(config) && (category.equals("ALL") || r.get("category").asText().equals(category))).toList();
  }

  public Stat stat(String config, String category, ToDoubleFunction<JsonNode> f) {
    return Stat.of(rowsOf(config, category).stream().map(r -> f.applyAsDouble(r)).toList());
  }

  public Stat stat(String config, String category, String metric) {
    return stat(config, category, r -> value(r, metric));
  }

  /** Sample standard deviation over seeds of the per-seed mean of the metric (NaN with one seed). */
  public double seedSpread(String config, ToDoubleFunction<JsonNode> f) {
    List<Double> means = new ArrayList<>();
    for (long s : seeds) {
      means.add(Stat.of(rowsOf(config, "ALL").stream().filter(r -> r.get("seed").asLong() == s).map(r -> f.applyAsDouble(r)).toList()).mean());
    }
    double sd = Stat.of(means).se() * Math.sqrt(means.size());
    return sd;
  }

  public double seedSpread(String config, String metric) {
    return seedSpread(config, r -> value(r, metric));
  }

  /** Paired difference a - b over the (prompt, seed) pairs both have, all categories. */
  public Stat difference(String a, String b, ToDoubleFunction<JsonNode> f) {
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

  public Stat difference(String a, String b, String metric) {
    return difference(a, b, r -> value(r, metric));
  }

  /** The larger seed-to-seed spread of two configurations' means. */
  public double spreadOf(String a, String b, String metric) {
    return Math.max(seedSpread(a, r -> value(r, metric)), seedSpread(b, r -> value(r, metric)));
  }

  /** {@code +0.123 (0.045)} of the paired difference a - ref, with {@code " ~"} when it is within the seed-to-seed spread. */
  public String differenceText(String a, String ref, String metric) {
    Stat d = difference(a, ref, metric);
    double sp = spreadOf(a, ref, metric);
    boolean within = !(Math.abs(d.mean()) >= sp);
    return String.format(Locale.ROOT, "%+.3f (%.3f)%s", d.mean(), d.se(), within ? " ~" : "");
  }

  /** {@code " +/- 0.012"}, or empty when the spread is not finite. */
  static String spreadText(double s) {
    return Double.isFinite(s) ? String.format(Locale.ROOT, " +/- %.3f", s) : "";
  }

  /** "seeds 0, 1, 2". */
  String seedText() {
    StringBuilder b = new StringBuilder();
    for (long s : seeds) {
      b.append(b.length() == 0 ? "" : ", ").append(s);
    }
    return "seeds " + b;
  }
}
