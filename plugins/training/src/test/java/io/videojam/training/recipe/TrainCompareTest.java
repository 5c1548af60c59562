package io.videojam.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The comparison's tables, from scores (generation itself needs the trained models). */
class TrainCompareTest {
  /** The mean and standard error of the finite values, as the evaluation's. */
  static final TrainCompare.Scoring SCORING = new TrainCompare.Scoring() {
    @Override
    public long noiseSeed(long seed, String id) {
      return seed;
    }

    @Override
    public TrainCompare.Stat stat(List<Double> values) {
      List<Double> v = values.stream().filter(Double::isFinite).toList();
      double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
      double var = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / (v.size() - 1);
      return new TrainCompare.Stat(mean, v.size() > 1 ? Math.sqrt(var / v.size()) : Double.NaN, v.size());
    }
  };

  @Test
  void pairedDifferencesCompareTheSameClipAcrossModels() {
    List<TrainCompare.Row> rows = new ArrayList<>();
    for (int clip = 0; clip < 4; clip++) {
      rows.add(new TrainCompare.Row("videojam", clip, "BASIC", "p", clip, 0.5, 0.5, 0.9 + clip * 0.01, 0));
      rows.add(new TrainCompare.Row("control", clip, "BASIC", "p", clip, 0.5, 0.5, 0.5 + clip * 0.01, 0));
      rows.add(new TrainCompare.Row("base", clip, "BASIC", "p", clip, 0.5, 0.5, Double.NaN, 0));
    }
    Map<String, Object> summary = TrainCompare.summary(rows, 2, 2, SCORING);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Map<String, Object>>> diffs = (Map<String, Map<String, Map<String, Object>>>) summary.get("paired_differences");
    assertThat(diffs.get("videojam-control").get("ALL").get("motion")).isEqualTo(Map.of("mean", 0.4, "se", 0.0, "n", 4));
    assertThat(diffs.get("videojam-base").get("ALL").get("motion")).isEqualTo(Map.of("mean", "NaN", "se", "NaN", "n", 0));
    String md = TrainCompare.markdown(summary);
    assertThat(md).contains("Held-out prompts: 2, seeds per prompt: 2.", "| videojam-control | ALL | 0.0 (0.0) * | 0.0 (0.0) * | 0.4 (0.0) * |");
  }
}
