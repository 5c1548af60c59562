package io.videojam.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * metrics.json of an evaluation: its plan, each configuration's statistics per category (and of
 * the nulls), and with truth the seed-to-seed spreads and the paired differences to the first model.
 */
public final class MetricsJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MetricsJson() {}

  /** The document: {@code plan}, {@code summary} and with truth {@code seed_spread} and {@code differences}. */
  public static ObjectNode of(Statistics stats, ObjectNode plan) {
    ObjectNode root = JSON.createObjectNode();
    root.set("plan", plan);
    ObjectNode summary = root.putObject("summary");
    for (Configuration c : stats.configurations()) {
      ObjectNode byCat = summary.putObject(c.key());
      for (String cat : stats.categories()) {
        ObjectNode m = byCat.putObject(cat);
        for (String metric : stats.metricsShown()) {
          put(m.putObject(metric), stats.stat(c.key(), cat, metric));
        }
        if (stats.truth()) {
          for (String variant : List.of("opposite", "other", "shuffled")) {
            ObjectNode nv = m.putObject("null_" + variant);
            for (String metric : Statistics.SUMMARY) {
              put(nv.putObject(metric), stats.stat(c.key(), cat, r -> Statistics.summary(r, variant, metric)));
            }
          }
        }
      }
    }
    if (stats.truth()) {
      ObjectNode spread = root.putObject("seed_spread");
      ObjectNode diffs = root.putObject("differences");
      List<Configuration> models = stats.models();
      String ref = models.get(0).key();
      diffs.put("reference", ref);
      for (Configuration c : stats.configurations()) {
        ObjectNode s = spread.putObject(c.key());
        for (String metric : Statistics.SUMMARY) {
          s.put(metric, round(stats.seedSpread(c.key(), metric)));
        }
      }
      for (Configuration c : models.subList(1, models.size())) {
        ObjectNode d = diffs.putObject(c.key());
        for (String metric : Statistics.SUMMARY) {
          Stat st = stats.difference(c.key(), ref, metric);
          ObjectNode n = d.putObject(metric);
          put(n, st);
          double sp = stats.spreadOf(c.key(), ref, metric);
          n.put("seed_spread", round(sp));
          n.put("within_seed_spread", !(Math.abs(st.mean()) >= sp));
        }
      }
    }
    return root;
  }

  /** The document as pretty-printed UTF-8 JSON. */
  public static byte[] bytes(Statistics stats, ObjectNode plan) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(of(stats, plan));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void put(ObjectNode n, Stat s) {
    n.put("mean", round(s.mean()));
    n.put("se", round(s.se()));
    n.put("n", s.n());
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 10000) / 10000.0 : Double.NaN;
  }
}
