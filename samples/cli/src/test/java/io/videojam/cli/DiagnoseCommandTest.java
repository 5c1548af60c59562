package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.api.TensorInfo.ElementType;
import io.videojam.jamworld.JamWorld;
import io.videojam.model.FixtureModel;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code videojam diagnose permutation}: zero for a frame-independent model, positive for the trained base. */
class DiagnoseCommandTest {
  @TempDir
  Path tmp;

  /** A model folder whose denoiser is v = 0.5 x, pixel by pixel: it cannot see frame order. */
  Path frameIndependentModel() throws Exception {
    Path dir = tmp.resolve("per-pixel");
    Files.createDirectories(dir);
    DitConfig cfg = io.videojam.training.recipe.Recipe.base(false);
    GraphBuilder g = new GraphBuilder("per_pixel", 17);
    String x = g.input("x", ElementType.FLOAT, "B", 3, 8, 16, 16);
    g.input("t", ElementType.FLOAT, "B");
    g.input("text", ElementType.INT64, "B", cfg.maxTextTokens());
    g.output("v", g.op("Mul", x, g.scalar(0.5f)), ElementType.FLOAT, "B", 3, 8, 16, 16);
    OnnxModels.write(g.build(), dir.resolve("denoiser.onnx"));
    Files.writeString(dir.resolve("vocab.txt"), String.join("\n", JamWorld.vocabulary()) + "\n");
    Files.write(dir.resolve("model.json"), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsBytes(
        FixtureModel.modelJson("per-pixel", cfg)));
    return dir;
  }

  @Test
  void aModelThatIgnoresFrameOrderGivesAFlatZeroCurveAndTheBaseDoesNot() throws Exception {
    Path out = tmp.resolve("out");
    Cli c = Cli.run("diagnose", "permutation", "--model", frameIndependentModel().toString(), "--model",
        BuiltinModelTest.REPO.resolve("models/jamworld-base").toString(), "--clips", "8", "--bins", "10", "--no-progress",
        "--out", out.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    List<String> rows = Files.readAllLines(out.resolve("permutation.csv"));
    assertThat(rows.get(0)).isEqualTo("bin,t,per-pixel_gap,per-pixel_se,jamworld-base_gap,jamworld-base_se");
    assertThat(rows).hasSize(11);
    double baseEarly = 0;
    for (String r : rows.subList(1, 11)) {
      String[] f = r.split(",");
      assertThat(Math.abs(Double.parseDouble(f[2]))).as("frame-independent model, t = " + f[1]).isLessThan(1e-6);
      if (Double.parseDouble(f[1]) < 0.6) {
        baseEarly += Double.parseDouble(f[4]);
      }
    }
    assertThat(baseEarly / 6).as("the trained base uses frame order at the noisier times").isGreaterThan(0.005);
    assertThat(out.resolve("permutation.png")).isRegularFile();
  }

  @Test
  void aModelOfAnotherShapeIsOneLine() {
    Cli c = Cli.run("diagnose", "permutation", "--model", BuiltinModelTest.REPO.resolve("models/jamworld-fixture").toString(),
        "--clips", "2", "--bins", "2", "--no-progress", "--out", tmp.resolve("o").toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).contains("synthetic world's clips").doesNotContain("\tat ");
    assertThat(tmp.resolve("o")).doesNotExist();
  }
}
