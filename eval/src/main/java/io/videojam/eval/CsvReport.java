package io.videojam.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.videojam.jamworld.Judgement;
import java.util.List;
import java.util.Locale;

/**
 * metrics.csv of an evaluation: one line per clip (configuration, prompt and seed) with its generic
 * metrics and, with truth, its ground-truth metrics and the summary scores of the prompt and the
 * three nulls. Missing values are empty cells.
 */
public final class CsvReport {
  private CsvReport() {}

  /** The CSV text, header first. */
  public static String of(Statistics stats) {
    boolean truth = stats.truth();
    StringBuilder b = new StringBuilder("config,id,category,prompt,seed,noise_seed");
    List<String> gt = truth ? Judgement.NAMES : List.of();
    for (String g : Statistics.GENERIC) {
      b.append(',').append(g);
    }
    for (String g : gt) {
      b.append(',').append(g);
    }
    if (truth) {
      for (String v : List.of("prompt", "opposite", "other", "shuffled")) {
        for (String m : Statistics.SUMMARY) {
          b.append(',').append(v.equals("prompt") ? m : v + "_" + m);
        }
      }
      b.append(",other_category");
    }
    b.append('\n');
    for (JsonNode r : stats.rows()) {
      b.append(r.get("config").asText()).append(',').append(r.get("id").asText()).append(',').append(r.get("category").asText()).append(',')
          .append('"').append(r.get("prompt").asText().replace("\"", "\"\"")).append('"').append(',').append(r.get("seed").asLong())
          .append(',').append(r.path("noise_seed").asLong());
      for (String g : Statistics.GENERIC) {
        b.append(',').append(fmt(Statistics.num(r.get("generic"), g)));
      }
      for (String g : gt) {
        b.append(',').append(fmt(Statistics.num(r.get("prompt_scores"), g)));
      }
      if (truth) {
        for (String v : List.of("prompt_scores", "opposite", "other", "shuffled")) {
          for (String m : Statistics.SUMMARY) {
            b.append(',').append(fmt(Statistics.summary(r, v, m)));
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
}
