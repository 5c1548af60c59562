package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.media.VideoReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short smoke training CI runs: the recipe end to end on a tiny model; the loss must fall. */
class TrainCommandTest {
  @TempDir
  Path tmp;

  @Test
  void smokeTrainingLowersTheLossAndExportsThreeModelsThatGenerate() throws Exception {
    Path work = tmp.resolve("work");
    Path models = tmp.resolve("models");
    Cli c = Cli.run("train", "--smoke", "--no-progress", "--work", work.toString(), "--out", models.toString());
    assertThat(c.exit()).as(c.err() + c.out()).isEqualTo(0);

    List<String> lines = Files.readAllLines(work.resolve("base-loss.csv"));
    assertThat(lines).hasSize(301); // header + 300 steps
    double first = mean(lines.subList(1, 11)), last = mean(lines.subList(291, 301));
    assertThat(last).as("base loss, last 10 steps vs first 10").isLessThan(0.8 * first);
    // the last checkpoint's probe (held-out clips the run never trained on): the base beats the best
    // model of each pixel's mean and variance, and loses more with every clip given another's prompt
    String[] probe = last(work.resolve("base-milestones.csv"));
    double right = Double.parseDouble(probe[4]), shuffled = Double.parseDouble(probe[5]), baseline = Double.parseDouble(probe[6]);
    assertThat(last).as("base training loss vs the mean-clip baseline").isLessThan(baseline);
    assertThat(right).as("held-out loss vs the mean-clip baseline").isLessThan(baseline);
    assertThat(shuffled).as("held-out loss with shuffled prompts").isGreaterThan(right);
    List<String> vj = Files.readAllLines(work.resolve("videojam-loss.csv"));
    assertThat(vj).hasSize(41);
    for (String row : vj.subList(1, vj.size())) {
      String[] f = row.split(",");
      assertThat(Double.parseDouble(f[1])).as("VideoJAM total loss, row %s", row).isFinite();
      assertThat(Double.parseDouble(f[3])).as("VideoJAM motion loss, row %s", row).isFinite();
    }
    assertThat(column(vj.subList(31, 41), 1)).as("VideoJAM total loss falls").isLessThan(0.9 * column(vj.subList(1, 11), 1));
    assertThat(column(vj.subList(31, 41), 3)).as("VideoJAM motion loss falls").isLessThan(0.9 * column(vj.subList(1, 11), 3));
    assertThat(Files.readAllLines(work.resolve("control-loss.csv")).get(1).split(",")[3]).isEqualTo("NaN");
    assertThat(work.resolve("base-loss.png")).isRegularFile();
    assertThat(work.resolve("base-permutation.csv")).isRegularFile();

    for (String m : List.of("jamworld-base", "jamworld-videojam", "jamworld-control")) {
      assertThat(models.resolve(m).resolve("denoiser.onnx")).isRegularFile();
      assertThat(Files.readString(models.resolve(m).resolve("model.json"))).contains("SMOKE TEST");
    }
    Path out = tmp.resolve("gen");
    Cli g = Cli.run("generate", "--model", models.resolve("jamworld-videojam").toString(), "--prompt", "a red square moving right",
        "--steps", "2", "--no-progress", "--out", out.toString());
    assertThat(g.exit()).as(g.err()).isEqualTo(0);
    assertThat(VideoReader.read(out.resolve("motion.mp4")).shape()).containsExactly(3, 8, 256, 256);

    // a second run finds every stage done and only exports again
    Cli again = Cli.run("train", "--smoke", "--no-progress", "--work", work.toString(), "--out", models.toString());
    assertThat(again.exit()).as(again.err()).isEqualTo(0);
    assertThat(Files.readAllLines(work.resolve("base-loss.csv"))).hasSize(301);
  }

  @Test
  void helpDocumentsTheRecipeAndItsMeasuredTime() {
    Cli c = Cli.run("train", "--help");
    assertThat(c.exit()).isEqualTo(0);
    assertThat(c.out()).contains("motion", "dropout 20%", "text dropout 30%", "Measured", "42 min", "milestones").doesNotContain("%%");
    assertThat(c.err()).doesNotContain("WARN");
  }

  private static double mean(List<String> rows) {
    return column(rows, 1);
  }

  private static double column(List<String> rows, int k) {
    return rows.stream().mapToDouble(r -> Double.parseDouble(r.split(",")[k])).average().orElseThrow();
  }

  private static String[] last(Path csv) throws java.io.IOException {
    List<String> lines = Files.readAllLines(csv);
    return lines.get(lines.size() - 1).split(",");
  }
}
