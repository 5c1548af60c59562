package io.videojam.eval;

import io.videojam.model.ModelDirectory;
import io.videojam.runtime.GuidanceDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The configurations an evaluation compares: model folders over a grid of guidance weights, or the Table 3 ablations. */
public final class Configurations {
  private Configurations() {}

  /**
   * Every model folder at every point of the grid: the model's folder name (and the point, as
   * {@code -KEY-VALUE}) is the key, made unique with {@code -2}, {@code -3}, ...
   *
   * @param guidance guidance rule of every configuration; null for each model's default
   * @param settings guidance weights of every configuration; a grid point's values replace them
   * @param grid guidance weights to sweep, in order; empty for one configuration per model
   */
  public static List<Configuration> forModels(List<Path> models, String guidance, Map<String, Object> settings, Map<String, List<Double>> grid) {
    List<Configuration> out = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    for (Path d : models) {
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
        out.add(new Configuration(key, key, d, guidance, merged));
      }
    }
    return out;
  }

  /** Every combination of the grid's values, in the grid's order (one empty point for an empty grid). */
  public static List<Map<String, Object>> gridPoints(Map<String, List<Double>> grid) {
    List<Map<String, Object>> points = new ArrayList<>(List.of(new LinkedHashMap<>()));
    for (Map.Entry<String, List<Double>> e : grid.entrySet()) {
      List<Map<String, Object>> next = new ArrayList<>();
      for (Map<String, Object> p : points) {
        for (double v : e.getValue()) {
          Map<String, Object> q = new LinkedHashMap<>(p);
          q.put(e.getKey(), v);
          next.add(q);
        }
      }
      points = next;
    }
    return points;
  }

  /** The weights a model folder's model.json recommends (its "guidance" object; empty when it has none or no model.json). */
  public static Map<String, Object> recommended(Path modelDir) {
    if (!Files.isRegularFile(modelDir.resolve("model.json"))) {
      return Map.of();
    }
    return GuidanceDefaults.of(ModelDirectory.open(modelDir).json()).settings();
  }

  private static double weight(Map<String, Object> m, String key, double fallback) {
    Object v = m.get(key);
    return v instanceof Number n ? n.doubleValue() : fallback;
  }

  /**
   * Table 3 of the paper on the built-in models in {@code models} (jamworld-videojam, -base and
   * -control), at the weights each model folder recommends (model.json's "guidance"; the paper's
   * w1 = 5, w2 = 3 and w = 5 where it recommends none): full Inner-Guidance, w1 = 0, w2 = 0, motion
   * off with text guidance w1, InstructPix2Pix guidance (s-text 1 + w1, s-image 1 + w2, as the
   * paper's 6 and 4 for w1 = 5 and w2 = 3), base and control (text guidance at their own
   * recommendation, else w1).
   */
  public static List<Configuration> ablations(Path models) {
    Path vj = models.resolve("jamworld-videojam");
    Map<String, Object> r = recommended(vj);
    double w1 = weight(r, "w1", 5), w2 = weight(r, "w2", 3);
    Path base = models.resolve("jamworld-base"), control = models.resolve("jamworld-control");
    double wb = weight(recommended(base), "w", w1), wc = weight(recommended(control), "w", w1);
    return List.of(
        new Configuration("videojam", "VideoJAM, Inner-Guidance w1 = " + num(w1) + ", w2 = " + num(w2), vj, "inner", Map.of("w1", w1, "w2", w2)),
        new Configuration("no-text-guidance", "w1 = 0 (no text guidance)", vj, "inner", Map.of("w1", 0.0, "w2", w2)),
        new Configuration("no-motion-guidance", "w2 = 0 (no motion guidance)", vj, "inner", Map.of("w1", w1, "w2", 0.0)),
        new Configuration("motion-off", "motion off (d = 0 every step), text guidance " + num(w1), vj, "motion-off", Map.of("w", w1)),
        new Configuration("ip2p", "InstructPix2Pix guidance (s-text " + num(1 + w1) + ", s-image " + num(1 + w2) + ")", vj, "ip2p",
            Map.of("s-text", 1 + w1, "s-image", 1 + w2)),
        new Configuration("base", "base model, text guidance " + num(wb), base, "cfg", Map.of("w", wb)),
        new Configuration("control", "control (base fine-tuned without motion), text guidance " + num(wc), control, "cfg", Map.of("w", wc)));
  }

  private static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** Lower case, runs of anything but letters, digits, '.', '_' and '-' as one '-'; "model" when nothing is left. */
  static String slug(String s) {
    String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^-+|-+$", "");
    return t.isEmpty() ? "model" : t;
  }
}
