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
    checkNulls(rows, metrics);

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

  /**
   * The shuffled and noise nulls against computations made another way. Shuffled: the ref-shuffled
   * clip is the truth with its frames deranged by the clip's noise seed, which is exactly what each
   * ref-truth row scores as its "shuffled" variant, so the two must agree value for value, and
   * deranging frames changes no frame's appearance. Noise: every value uniform in [-1, 1] and
   * independent, so two frames differ by E|U1 - U2| = 1/3 of the range on average and VBench
   * flickering, (255 - mean |difference| in levels) / 255, is 1 - 1/3 = 2/3; no clip of noise passes
   * a motion test.
   */
  static void checkNulls(List<String> rows, JsonNode metrics) throws Exception {
    java.util.Map<String, JsonNode> byKey = new java.util.HashMap<>();
    for (String line : rows) {
      JsonNode r = JSON.readTree(line);
      byKey.put(r.get("config").asText() + "/" + r.get("id").asText() + "/" + r.get("seed").asText(), r);
    }
    int truthRows = 0;
    int noiseRows = 0;
    for (JsonNode r : byKey.values()) {
      String key = r.get("id").asText() + "/" + r.get("seed").asText();
      switch (r.get("config").asText()) {
        case "ref-truth" -> {
          JsonNode shuffled = byKey.get("ref-shuffled/" + key);
          assertThat(shuffled).as("ref-shuffled row for " + key).isNotNull();
          assertThat(shuffled.get("noise_seed")).isEqualTo(r.get("noise_seed"));
          assertThat(shuffled.get("prompt_scores")).as(key).isEqualTo(r.get("shuffled"));
          assertThat(shuffled.at("/prompt_scores/appearance").asDouble()).as(key).isEqualTo(r.at("/prompt_scores/appearance").asDouble());
          assertThat(shuffled.at("/prompt_scores/colour_match").asDouble()).as(key).isEqualTo(1.0);
          truthRows++;
        }
        case "ref-noise" -> {
          assertThat(r.at("/generic/flickering").asDouble()).as(key).isCloseTo(2 / 3.0, within(0.03));
          assertThat(r.at("/prompt_scores/motion_pass").asDouble()).as(key).isEqualTo(0.0);
          noiseRows++;
        }
        default -> { }
      }
    }
    assertThat(truthRows).isEqualTo(8);
    assertThat(noiseRows).isEqualTo(8);
    // the summary carries them: over 8 clips the noise flickering is within a few thousandths of 2/3
    assertThat(metrics.at("/summary/ref-noise/ALL/flickering/mean").asDouble()).isCloseTo(2 / 3.0, within(0.01));
    assertThat(metrics.at("/summary/ref-noise/ALL/motion_pass/mean").asDouble()).isEqualTo(0.0);
    for (String m : List.of("appearance", "motion", "motion_pass")) {
      assertThat(metrics.at("/summary/ref-shuffled/ALL/" + m + "/mean").asDouble()).as(m)
          .isEqualTo(metrics.at("/summary/ref-truth/ALL/null_shuffled/" + m + "/mean").asDouble());
    }
    assertThat(metrics.at("/summary/ref-shuffled/ALL/motion/mean").asDouble())
        .isLessThan(metrics.at("/summary/ref-truth/ALL/motion/mean").asDouble());
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
    // each model at the weights its model.json recommends (io.videojam.training.recipe.Recipe.GUIDANCE)
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
