package io.videojam.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videojam.api.AtomicFiles;
import io.videojam.media.PngWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes every file of an evaluation's report from its statistics, each atomically. */
public final class EvalReports {
  private EvalReports() {}

  /**
   * OUT/metrics.json ({@link MetricsJson}), metrics.csv ({@link CsvReport}), summary.md
   * ({@link MarkdownSummary}), *-by-category.png ({@link CategoryCharts}) and report.html
   * ({@link HtmlEvalReport}).
   *
   * @param ablations whether the configurations are the ablations (adds the Table 3 analogue)
   */
  public static void writeAll(Statistics stats, ObjectNode plan, boolean ablations, Path out) {
    byte[] bytes = MetricsJson.bytes(stats, plan);
    AtomicFiles.write(out.resolve("metrics.json"), "metrics JSON", tmp -> Files.write(tmp, bytes));
    String csv = CsvReport.of(stats);
    AtomicFiles.write(out.resolve("metrics.csv"), "metrics CSV", tmp -> Files.writeString(tmp, csv, StandardCharsets.UTF_8));
    String md = MarkdownSummary.of(stats, ablations);
    AtomicFiles.write(out.resolve("summary.md"), "summary", tmp -> Files.writeString(tmp, md, StandardCharsets.UTF_8));
    CategoryCharts.of(stats).forEach((m, chart) -> PngWriter.write(out.resolve(m.replace('_', '-') + "-by-category.png"), chart));
    new HtmlEvalReport(stats, ablations, out).build(plan).write(out.resolve("report.html"));
  }
}
