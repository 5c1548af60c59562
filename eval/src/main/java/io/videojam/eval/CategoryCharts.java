package io.videojam.eval;

import io.videojam.media.BarChart;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Bar charts of an evaluation's summary scores per category: the models, the rendered truth and noise. */
public final class CategoryCharts {
  private CategoryCharts() {}

  /** One chart per summary score, by its name (empty without truth). */
  public static Map<String, BufferedImage> of(Statistics stats) {
    Map<String, BufferedImage> out = new LinkedHashMap<>();
    if (!stats.truth()) {
      return out;
    }
    List<String> categories = stats.categories();
    List<Configuration> shown = stats.configurations().stream()
        .filter(c -> !c.reference() || c.key().equals("ref-truth") || c.key().equals("ref-noise")).toList();
    for (String m : Statistics.SUMMARY) {
      double[][] v = new double[shown.size()][categories.size()];
      double[][] e = new double[shown.size()][categories.size()];
      for (int s = 0; s < shown.size(); s++) {
        for (int g = 0; g < categories.size(); g++) {
          Stat st = stats.stat(shown.get(s).key(), categories.get(g), m);
          v[s][g] = st.mean();
          e[s][g] = st.se();
        }
      }
      out.put(m, BarChart.render(m.replace('_', ' ') + " by category, " + stats.suite().prompts().size() + " prompts x " + stats.seedCount()
          + " seeds (error bars: standard error)", m.replace('_', ' '), categories, shown.stream().map(Configuration::key).toList(), v, e));
    }
    return out;
  }
}
