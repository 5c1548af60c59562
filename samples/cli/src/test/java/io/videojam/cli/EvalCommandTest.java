package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code videojam eval} on the shipped models: rows, nulls, report, and continuing after an interruption. */
class EvalCommandTest {
  @TempDir
  Path tmp;

  static final Path SUITE = BuiltinModelTest.REPO.resolve("suites/jamworld-bench.jsonl");
  static final ObjectMapper JSON = new ObjectMapper();

  private Cli eval(Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("eval", "--model", BuiltinModelTest.REPO.resolve("models/jamworld-videojam").toString(),
        "--compare", BuiltinModelTest.REPO.resolve("models/jamworld-control").toString(), "--suite", SUITE.toString(),
        "--per-category", "1", "--seeds", "2", "--steps", "4", "--no-progress", "--out", out.toString()));
    args.addAll(List.of(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @Test
  void writesRowsReportAndContinuesExactlyWhereItStopped() throws Exception {
    Path out = tmp.resolve("eval");
    Cli first = eval(out);
    assertThat(first.exit()).as(first.err()).isZero();
    // 2 models + 4 reference nulls, 4 prompts (one per category), 2 seeds
    List<String> rows = Files.readAllLines(out.resolve("rows.jsonl"));
    assertThat(rows).hasSize(6 * 4 * 2);
    assertThat(Files.readAllLines(out.resolve("metrics.csv"))).hasSize(1 + 48);
    String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
    assertThat(html).contains("data:image/png;base64,", "jamworld-control", "basic-00", "Scores against their nulls");
    assertThat(Files.list(out.resolve("clips/jamworld-videojam")).count()).isEqualTo(4);
    JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
    // known answers on the reference clips: the rendered truth passes its own motion test, the static clip has no motion
    JsonNode truth = metrics.at("/summary/ref-truth/ALL");
    assertThat(truth.at("/motion_pass/mean").asDouble()).isEqualTo(1.0);
    assertThat(truth.at("/motion/mean").asDouble()).isGreaterThan(0.9);
    // a straight translation against its time-reversed truth scores exactly minus its score
    assertThat(metrics.at("/summary/ref-truth/BASIC/null_opposite/motion/mean").asDouble())
        .isCloseTo(-metrics.at("/summary/ref-truth/BASIC/motion/mean").asDouble(), within(1e-9)).isLessThan(-0.95);
    assertThat(metrics.at("/summary/ref-static/ALL/motion/mean").asDouble()).isCloseTo(0.0, within(0.05));
    assertThat(metrics.at("/summary/ref-static/ALL/dynamic_degree/mean").asDouble()).isEqualTo(0.0);
    assertThat(metrics.at("/summary/ref-truth/ALL/colour_match/mean").asDouble()).isEqualTo(1.0);
    assertThat(metrics.at("/summary/jamworld-videojam/ALL/motion/n").asInt()).isEqualTo(8);
    assertThat(metrics.at("/differences/reference").asText()).isEqualTo("jamworld-videojam");

    // the same command again does no new work and writes the same figures
    Cli again = eval(out);
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.err()).contains("48 clips already done");
    assertThat(Files.readAllLines(out.resolve("rows.jsonl"))).isEqualTo(rows);

    // an interrupted run (the last rows lost, one cut mid-line) continues and ends with the same rows
    List<String> cut = new ArrayList<>(rows.subList(0, 30));
    Files.write(out.resolve("rows.jsonl"), (String.join("\n", cut) + "\n" + rows.get(30).substring(0, 40)).getBytes(StandardCharsets.UTF_8));
    Cli resumed = eval(out);
    assertThat(resumed.exit()).as(resumed.err()).isZero();
    assertThat(resumed.err()).contains("30 clips already done");
    assertThat(Files.readAllLines(out.resolve("rows.jsonl"))).containsExactlyInAnyOrderElementsOf(rows);
    assertThat(JSON.readTree(out.resolve("metrics.json").toFile())).isEqualTo(metrics);

    // other settings in the same folder: a clear error, not a mix
    Cli other = eval(out, "--seeds", "3");
    assertThat(other.exit()).isEqualTo(2);
    assertThat(other.err()).contains("other settings", "--fresh");
  }

  @Test
  void gridPointsAreEveryCombinationInOptionOrder() {
    java.util.Map<String, String> grid = new java.util.LinkedHashMap<>();
    grid.put("w1", "1,3");
    grid.put("w2", "0, 2,5");
    List<java.util.Map<String, Object>> points = EvalCommand.gridPoints(grid);
    assertThat(points).hasSize(6);
    assertThat(points.get(0)).containsExactly(java.util.Map.entry("w1", 1.0), java.util.Map.entry("w2", 0.0));
    assertThat(points.get(5)).containsExactly(java.util.Map.entry("w1", 3.0), java.util.Map.entry("w2", 5.0));
    assertThat(EvalCommand.gridPoints(new java.util.LinkedHashMap<>())).containsExactly(java.util.Map.of());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EvalCommand.gridPoints(java.util.Map.of("w", "1,x")))
        .hasMessageContaining("--grid w=1,x").hasMessageContaining("'x' is not a number");
  }

  @Test
  void ablationsGiveTheTableThreeAnalogue() throws Exception {
    Path out = tmp.resolve("ablations");
    Cli c = Cli.run("eval", "--ablations", "--models", BuiltinModelTest.REPO.resolve("models").toString(), "--suite", SUITE.toString(),
        "--per-category", "1", "--seeds", "2", "--steps", "3", "--no-progress", "--out", out.toString());
    assertThat(c.exit()).as(c.err()).isZero();
    // each model at the weights its model.json recommends (TrainCommand.Recipe.GUIDANCE)
    assertThat(c.out()).contains("VideoJAM, Inner-Guidance w1 = 1, w2 = 3", "w1 = 0 (no text guidance)", "w2 = 0 (no motion guidance)",
        "motion off (d = 0 every step), text guidance 1", "InstructPix2Pix guidance (s-text 2, s-image 4)", "base model, text guidance 1",
        "control (base fine-tuned without motion), text guidance 3", "4 x 2", "75.1 / 93.7");
    assertThat(out.resolve("sheets").resolve("videojam-basic.png")).isNotEmptyFile();
    JsonNode plan = JSON.readTree(out.resolve("plan.json").toFile());
    assertThat(plan.get("configs")).hasSize(7 + 4);
    JsonNode d = JSON.readTree(out.resolve("metrics.json").toFile()).at("/differences/motion-off/motion");
    assertThat(d.get("within_seed_spread").asBoolean()).isEqualTo(!(Math.abs(d.get("mean").asDouble()) >= d.get("seed_spread").asDouble()));
  }
}
