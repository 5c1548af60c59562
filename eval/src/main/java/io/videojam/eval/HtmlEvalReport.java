package io.videojam.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * report.html of an evaluation: the configurations, the Table 3 analogue (for the ablations), the
 * summary with its charts, the scores beside their nulls, the paired differences, a table per
 * category, the contact sheets of every prompt and the definitions; one self-contained file.
 */
public final class HtmlEvalReport {
  private final Statistics stats;
  private final boolean ablations;
  private final Path out;

  /**
   * @param ablations whether the configurations are {@link Configurations#ablations} (adds the Table 3 analogue)
   * @param out the evaluation's output folder (its {@code clips/} give the contact sheets)
   */
  public HtmlEvalReport(Statistics stats, boolean ablations, Path out) {
    this.stats = stats;
    this.ablations = ablations;
    this.out = out;
  }

  /** The report of an evaluation with this plan (its steps, solver, schedule and estimator are named at the top). */
  public HtmlReport build(ObjectNode plan) {
    PromptSuite suite = stats.suite();
    boolean truth = stats.truth();
    List<Configuration> configs = stats.configurations();
    HtmlReport h = new HtmlReport("videojam eval: " + suite.name());
    h.paragraph(String.format(Locale.ROOT, "%d prompts x %d seeds (%s) per configuration; %d sampling steps (%s, %s); flow estimator %s.",
        suite.prompts().size(), stats.seedCount(), stats.seedText(), plan.get("steps").asInt(), plan.get("solver").asText(), plan.get("schedule").asText(),
        plan.get("estimator").asText()));
    List<List<HtmlReport.Cell>> cfgRows = new ArrayList<>();
    for (Configuration c : configs) {
      cfgRows.add(List.of(HtmlReport.Cell.of(c.key()), HtmlReport.Cell.of(c.label()), HtmlReport.Cell.of(c.model() == null ? "(no model)" : c.model().toString()),
          HtmlReport.Cell.of(c.guidance() == null ? (c.reference() ? "-" : "model default") : c.guidance() + " " + c.settings())));
    }
    h.table("configurations", List.of("key", "label", "model", "guidance"), cfgRows);
    if (truth && ablations) {
      h.heading("Ablations (Table 3 analogue)");
      h.table("each configuration against VideoJAM with Inner-Guidance, paired by prompt and seed", ablationHeader(), ablationRows());
      h.paragraph("Values: mean over all clips +/- the seed-to-seed spread (standard deviation of the per-seed means). Differences: paired mean (standard error);"
          + " greyed when smaller than the seed-to-seed spread. The paper's column is VBench on VideoJAM-4B, for orientation only: other model, other metrics.");
    }
    h.heading("Summary");
    h.table("all categories; mean (standard error)", summaryHeader(), summaryRows("ALL"));
    if (truth) {
      CategoryCharts.of(stats).forEach((m, chart) -> h.image(m.replace('_', ' ') + " per category; ref-truth is the rendered clip (the ceiling),"
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
      for (Configuration c : configs) {
        List<HtmlReport.Cell> r = new ArrayList<>(List.of(HtmlReport.Cell.of(c.key())));
        for (String m : List.of("motion", "motion_pass")) {
          for (String v : List.of("prompt_scores", "opposite", "other", "shuffled")) {
            r.add(HtmlReport.Cell.of(stats.stat(c.key(), "ALL", row -> Statistics.summary(row, v, m)).text()));
          }
        }
        nullRows.add(r);
      }
      h.table("all categories; mean (standard error)", hdr, nullRows);
      List<Configuration> models = stats.models();
      if (models.size() > 1) {
        h.heading("Paired differences");
        List<List<HtmlReport.Cell>> dr = new ArrayList<>();
        String ref = models.get(0).key();
        for (Configuration c : models.subList(1, models.size())) {
          List<HtmlReport.Cell> r = new ArrayList<>(List.of(HtmlReport.Cell.of(c.key() + " - " + ref)));
          for (String m : Statistics.SUMMARY) {
            Stat d = stats.difference(c.key(), ref, m);
            double sp = stats.spreadOf(c.key(), ref, m);
            String t = String.format(Locale.ROOT, "%+.3f (%.3f)", d.mean(), d.se());
            r.add(Math.abs(d.mean()) >= sp ? HtmlReport.Cell.of(t) : HtmlReport.Cell.muted(t, String.format(Locale.ROOT, "within the seed-to-seed spread %.3f", sp)));
          }
          dr.add(r);
        }
        h.table("same prompt and seed; mean (standard error); greyed: smaller than the seed-to-seed spread",
            List.of("difference", "appearance", "motion", "motion pass"), dr);
      }
    }
    for (String cat : stats.categories()) {
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
        BufferedImage sheet = ContactSheets.sheet(out, configs, p);
        if (sheet != null) {
          body.image(p.id() + ": " + p.prompt(), sheet);
        }
      }
    });
    h.heading("Definitions");
    h.preformatted(definitions());
    return h;
  }

  private List<String> ablationHeader() {
    return List.of("configuration", "prompts x seeds", "appearance", "motion", "motion pass", "appearance - VideoJAM", "motion - VideoJAM", "paper (VBench app. / motion)");
  }

  private List<List<HtmlReport.Cell>> ablationRows() {
    List<List<HtmlReport.Cell>> rows = new ArrayList<>();
    String ref = stats.models().get(0).key();
    for (Configuration c : stats.models()) {
      List<HtmlReport.Cell> r = new ArrayList<>();
      r.add(HtmlReport.Cell.of(c.label()));
      r.add(HtmlReport.Cell.of(stats.suite().prompts().size() + " x " + stats.seedCount()));
      for (String m : Statistics.SUMMARY) {
        r.add(HtmlReport.Cell.of(String.format(Locale.ROOT, "%.3f", stats.stat(c.key(), "ALL", m).mean()) + Statistics.spreadText(stats.seedSpread(c.key(), m))));
      }
      for (String m : List.of("appearance", "motion")) {
        if (c.key().equals(ref)) {
          r.add(HtmlReport.Cell.of("-"));
        } else {
          String t = stats.differenceText(c.key(), ref, m);
          r.add(t.endsWith("~") ? HtmlReport.Cell.muted(t, "smaller than the seed-to-seed spread") : HtmlReport.Cell.of(t));
        }
      }
      r.add(HtmlReport.Cell.of(MarkdownSummary.PAPER.getOrDefault(c.key(), "-")));
      rows.add(r);
    }
    return rows;
  }

  private List<String> summaryHeader() {
    List<String> h = new ArrayList<>(List.of("configuration", "n"));
    stats.metricsShown().forEach(m -> h.add(m.replace('_', ' ')));
    return h;
  }

  private List<List<HtmlReport.Cell>> summaryRows(String cat) {
    List<List<HtmlReport.Cell>> rows = new ArrayList<>();
    for (Configuration c : stats.configurations()) {
      List<HtmlReport.Cell> r = new ArrayList<>();
      r.add(HtmlReport.Cell.of(c.key()));
      r.add(HtmlReport.Cell.of(Integer.toString(stats.rowsOf(c.key(), cat).size())));
      for (String m : stats.metricsShown()) {
        r.add(HtmlReport.Cell.of(stats.stat(c.key(), cat, m).text()));
      }
      rows.add(r);
    }
    return rows;
  }

  /** The definitions of the metrics, as the report's last section shows them. */
  public static String definitions() {
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
