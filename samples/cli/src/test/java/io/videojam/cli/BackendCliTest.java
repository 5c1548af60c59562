package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.BackendProvider;
import io.videojam.api.Plugins;
import io.videojam.model.FixtureModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --backend} on the command line: auto, GPU backends on a machine without a GPU, and the backend comparison. */
class BackendCliTest {
  @TempDir
  static Path tmp;

  static Path model;

  @BeforeAll
  static void fixture() {
    model = tmp.resolve("model");
    FixtureModel.write(model, "fixture", FixtureModel.config());
  }

  static boolean anyGpu() {
    return Plugins.all(BackendProvider.class).stream().filter(p -> !p.name().equals("cpu")).anyMatch(p -> p.create().available());
  }

  @Test
  void autoRecordsWhatItChoseAndWhyInRunJson() throws Exception {
    assumeFalse(anyGpu(), "a GPU backend is available here: auto picks it");
    Path out = tmp.resolve("auto");
    Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a red square", "--steps", "2", "--backend", "auto",
        "--no-progress", "--out", out.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    JsonNode b = new ObjectMapper().readTree(out.resolve("run.json").toFile()).at("/backend");
    assertThat(b.at("/name").asText()).isEqualTo("cpu");
    assertThat(b.at("/requested").asText()).isEqualTo("auto");
    assertThat(b.at("/auto-passed-over").size()).isEqualTo(3);
    assertThat(b.at("/auto-passed-over/0").asText()).startsWith("trt-native: --backend trt-native: ");
    assertThat(b.at("/precision").asText()).isEqualTo("fp32");
    assertThat(b.at("/max-batch").asInt()).isEqualTo(3);
  }

  @Test
  void gpuBackendsWithoutAGpuFailInOneLineAndWriteNothing() {
    assumeFalse(anyGpu(), "a GPU backend is available here");
    for (String backend : new String[] {"trt-native", "cuda", "tensorrt"}) {
      Path out = tmp.resolve("gpu-" + backend);
      Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a red square", "--steps", "2", "--backend", backend,
          "--no-progress", "--out", out.toString());
      assertThat(c.exit()).isEqualTo(2);
      assertThat(c.err().strip()).startsWith("videojam: error: --backend " + backend + ": ").doesNotContain("\n").doesNotContain("Exception")
          .contains("--backend cpu");
      assertThat(Files.exists(out)).isFalse();
    }
  }

  @Test
  void severalBackendsAreOnlyForBench() {
    Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a red square", "--backend", "cpu", "--backend", "cpu",
        "--no-progress", "--out", tmp.resolve("two").toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err()).contains("only videojam bench compares");
    Cli bad = Cli.run("bench", "--model", model.toString(), "--backend", "cpu:speed=9");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("unknown setting 'speed'");
  }

  @Test
  void benchComparesBackendsInOneRunAndListsTheOnesThatCannotRun() {
    Cli c = Cli.run("bench", "--model", model.toString(), "--steps", "2", "--repeats", "1", "--warmup", "0", "--backend", "cpu",
        "--backend", "cpu:threads=1,optimization=basic", "--backend", "trt-native");
    String out = c.out();
    assertThat(out).contains("== cpu\n", "== cpu:threads=1,optimization=basic\n", "comparison (2 steps");
    String table = out.substring(out.indexOf("comparison"));
    assertThat(table.lines().filter(l -> l.startsWith("cpu")).toList()).hasSize(2)
        .allSatisfy(l -> assertThat(l).matches(".*\\d+\\.\\d+x\\s+\\d+ MiB process peak RSS|.*\\d+\\.\\d+x\\s+n/a.*"));
    assertThat(table.lines().filter(l -> l.startsWith("cpu ")).findFirst().orElseThrow()).contains("1.00x");
    if (anyGpu()) {
      assertThat(c.exit()).isEqualTo(0);
    } else {
      assertThat(c.exit()).isEqualTo(2);
      assertThat(table).contains("trt-native").contains("skipped: --backend trt-native: ");
    }
  }
}
