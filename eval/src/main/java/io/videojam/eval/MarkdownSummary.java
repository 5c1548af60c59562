package io.videojam.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * summary.md of an evaluation (also what {@code videojam eval} prints): the summary table of every
 * configuration with the motion score's nulls, preceded for the ablations by the Table 3 analogue.
 */
public final class MarkdownSummary {
  /** Table 3 of the paper, VideoJAM-4B on VideoJAM-bench (VBench appearance / motion), for the ablation table. */
  public static final Map<String, String> PAPER = Map.of("videojam", "75.1 / 93.7", "no-text-guidance", "74.5 / 93.3", "no-motion-guidance", "75.3 / 93.1",
      "motion-off", "74.7 / 90.1", "ip2p", "72.0 / 90.4", "base", "75.2 / 78.3 (DiT-4B)", "control", "-");

  private MarkdownSummary() {}

  /**
   * Markdown tables: the summary (after the ablation table when {@code ablations}) of all categories.
   *
   * @param ablations whether the configurations are {@link Configurations#ablations}: adds the Table 3 analogue (with truth)
   */
  public static String of(Statistics stats, boolean ablations) {
    PromptSuite suite = stats.suite();
    boolean truth = stats.truth();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "Suite %s: %d prompts x %d seeds per configuration. Mean (standard error).%n%n",
        suite.name(), suite.prompts().size(), stats.seedCount()));
    if (truth && ablations) {
      b.append(ablationTable(stats));
      b.append('\n');
    }
    List<String> cols = new ArrayList<>(truth ? List.of("appearance", "motion", "motion_pass") : List.of());
    cols.addAll(List.of("dynamic_degree", "smoothness", "warping_error"));
    b.append("| configuration | n |");
    cols.forEach(c -> b.append(' ').append(c.replace('_', ' ')).append(" |"));
    if (truth) {
      b.append(" motion vs opposite | vs other category | shuffled |");
    }
    b.append("\n|---|---|").append("---|".repeat(cols.size() + (truth ? 3 : 0))).append('\n');
    for (Configuration c : stats.configurations()) {
      b.append("| ").append(c.label()).append(" | ").append(stats.stat(c.key(), "ALL", cols.get(0)).n()).append(" |");
      for (String m : cols) {
        b.append(' ').append(stats.stat(c.key(), "ALL", m).text()).append(" |");
      }
      if (truth) {
        for (String v : List.of("opposite", "other", "shuffled")) {
          b.append(' ').append(stats.stat(c.key(), "ALL", r -> Statistics.summary(r, v, "motion")).text()).append(" |");
        }
      }
      b.append('\n');
    }
    return b.toString();
  }

  /** The Table 3 analogue: each configuration's appearance and motion, and its paired difference to the first. */
  public static String ablationTable(Statistics stats) {
    List<Configuration> ms = stats.models();
    String ref = ms.get(0).key();
    StringBuilder b = new StringBuilder();
    b.append("| configuration | prompts x seeds | appearance | motion | motion pass | appearance - VideoJAM | motion - VideoJAM | paper (VBench app. / motion) |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (Configuration c : ms) {
      b.append("| ").append(c.label()).append(" | ").append(stats.suite().prompts().size()).append(" x ").append(stats.seedCount());
      for (String m : Statistics.SUMMARY) {
        Stat s = stats.stat(c.key(), "ALL", m);
        b.append(" | ").append(String.format(Locale.ROOT, "%.3f", s.mean())).append(Statistics.spreadText(stats.seedSpread(c.key(), m)));
      }
      for (String m : List.of("appearance", "motion")) {
        b.append(" | ").append(c.key().equals(ref) ? "-" : stats.differenceText(c.key(), ref, m));
      }
      b.append(" | ").append(PAPER.getOrDefault(c.key(), "-")).append(" |\n");
    }
    b.append("\nValues: mean over all clips (+/- seed-to-seed spread: standard deviation of the per-seed means). Differences are paired by prompt and seed,"
        + " mean (standard error); `~` marks a difference smaller than the seed-to-seed spread of either configuration.\n");
    return b.toString();
  }
}
