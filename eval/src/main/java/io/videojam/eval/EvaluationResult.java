package io.videojam.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * What an {@link Evaluation} made.
 *
 * @param out the output folder (rows.jsonl, plan.json, metrics.json, metrics.csv, summary.md, report.html, charts, clips/, sheets/)
 * @param plan everything that decides the rows (plan.json)
 * @param statistics the statistics of every row, references included
 * @param summary the Markdown summary (summary.md)
 * @param reused clips taken from an earlier run in {@code out}
 * @param made clips made by this run
 * @param seconds time from the first clip to the last file written
 */
public record EvaluationResult(Path out, ObjectNode plan, Statistics statistics, String summary, int reused, int made, double seconds) {}
