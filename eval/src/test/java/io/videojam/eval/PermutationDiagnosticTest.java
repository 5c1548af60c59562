package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.jamworld.ClipBank;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The permutation diagnostic as a library call. */
class PermutationDiagnosticTest {
  @TempDir
  Path tmp;

  /** Held-out clips as the training recipe makes them (12 text tokens, dis:medium, sigma 0.1). */
  static ClipBank heldOut(int n) {
    return ClipBank.build(WorldConfig.defaults(), Split.HELDOUT, n, 99, "dis:medium", 0.1, 12, 2, null);
  }

  @Test
  void writesOneCurvePerModelAndStepsPerModel() throws Exception {
    Path base = PromptSuiteTest.REPO.resolve("models/jamworld-base");
    Path out = tmp.resolve("out");
    List<int[]> steps = new ArrayList<>();
    PermutationDiagnostic.Result r = PermutationDiagnostic.run(new PermutationDiagnostic.Config(List.of(base), heldOut(3), 4, 0, out),
        (d, t) -> steps.add(new int[] {d, t}));
    assertThat(r.t()).containsExactly(0.125, 0.375, 0.625, 0.875);
    assertThat(r.curves()).singleElement().satisfies(c -> {
      assertThat(c.model()).isEqualTo("jamworld-base");
      assertThat(c.mean()).hasSize(4);
      assertThat(c.se()).hasSize(4);
    });
    assertThat(steps).singleElement().satisfies(s -> assertThat(s).containsExactly(4, 4));
    assertThat(Files.readString(r.csvFile())).isEqualTo(r.csv()).startsWith("bin,t,jamworld-base_gap,jamworld-base_se\n0,0.1250,");
    assertThat(r.csv().lines()).hasSize(5);
    assertThat(r.pngFile()).isNotEmptyFile();
  }

  @Test
  void theConfigAndTheModelShapeAreChecked() {
    Path out = tmp.resolve("o");
    ClipBank bank = heldOut(1);
    assertThatThrownBy(() -> new PermutationDiagnostic.Config(List.of(Path.of("m")), bank, 0, 0, out)).hasMessage("bins must be >= 1, got 0");
    assertThatThrownBy(() -> new PermutationDiagnostic.Config(List.of(), bank, 1, 0, out)).hasMessageStartingWith("models is empty");
    assertThatThrownBy(() -> PermutationDiagnostic.run(new PermutationDiagnostic.Config(List.of(tmp), bank, 1, 0, out), (d, t) -> { }))
        .hasMessageContaining("is not a model folder");
    assertThatThrownBy(() -> PermutationDiagnostic.run(new PermutationDiagnostic.Config(
        List.of(PromptSuiteTest.REPO.resolve("models/jamworld-fixture")), bank, 1, 0, out), (d, t) -> { }))
        .hasMessageContaining("synthetic world's clips");
    assertThat(out).doesNotExist();
  }
}
