package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.runtime.GenerationRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluation as a library call: progress, typed results, files, and continuing a run. */
class EvaluationTest {
  @TempDir
  Path tmp;

  /** Counts the steps and the continuing notice. */
  static final class Recorder implements Evaluation.Listener {
    final List<int[]> steps = new ArrayList<>();
    int continued = -1;

    @Override
    public void step(int done, int total) {
      steps.add(new int[] {done, total});
    }

    @Override
    public void continuing(Path out, int clipsDone) {
      continued = clipsDone;
    }
  }

  @Test
  void runsScoresReportsAndContinues() throws Exception {
    PromptSuite suite = PromptSuite.read(PromptSuiteTest.REPO.resolve("suites/jamworld-bench.jsonl")).limit(1);
    List<Configuration> configs = Configurations.forModels(List.of(PromptSuiteTest.REPO.resolve("models/jamworld-videojam")), "inner",
        Map.of("w1", 1.0, "w2", 3.0), Map.of());
    Path out = tmp.resolve("eval");
    EvaluationConfig config = EvaluationConfig.builder(suite, configs, out).sampling(GenerationRequest.of("", 0).withSteps(2)).seeds(0, 1).build();
    Recorder first = new Recorder();
    EvaluationResult r = Evaluation.run(config, first);
    // one model and the four reference nulls, four prompts (one per category), one seed
    int clips = (1 + Evaluation.REFERENCES.size()) * 4;
    assertThat(r.made()).isEqualTo(clips);
    assertThat(r.reused()).isZero();
    assertThat(first.continued).isEqualTo(-1);
    assertThat(first.steps).hasSize(clips);
    assertThat(first.steps.get(clips - 1)).containsExactly(clips, clips);
    assertThat(r.statistics().configurations()).extracting(Configuration::key)
        .containsExactly("jamworld-videojam", "ref-truth", "ref-static", "ref-shuffled", "ref-noise");
    assertThat(r.statistics().stat("ref-truth", "ALL", "motion_pass").mean()).isEqualTo(1.0);
    assertThat(r.statistics().rows()).hasSize(clips);
    assertThat(r.plan().get("steps").asInt()).isEqualTo(2);
    assertThat(r.summary()).isEqualTo(Files.readString(out.resolve("summary.md"), StandardCharsets.UTF_8))
        .startsWith("Suite jamworld-bench: 4 prompts x 1 seeds per configuration.");
    for (String f : List.of("plan.json", "rows.jsonl", "metrics.json", "metrics.csv", "report.html", "motion-by-category.png",
        "clips/jamworld-videojam/basic-00.png", "sheets/jamworld-videojam-basic.png")) {
      assertThat(out.resolve(f)).as(f).isNotEmptyFile();
    }

    // the same config again: nothing to make, the same figures
    Recorder again = new Recorder();
    EvaluationResult r2 = Evaluation.run(config, again);
    assertThat(again.continued).isEqualTo(clips);
    assertThat(again.steps).isEmpty();
    assertThat(r2.made()).isZero();
    assertThat(r2.reused()).isEqualTo(clips);
    assertThat(r2.summary()).isEqualTo(r.summary());

    // another plan in the same folder: a typed error naming the parameter
    EvaluationConfig other = EvaluationConfig.builder(suite, configs, out).sampling(GenerationRequest.of("", 0).withSteps(3)).seeds(0, 1).build();
    assertThatThrownBy(() -> Evaluation.run(other, Evaluation.Listener.NONE)).isInstanceOf(Evaluation.OtherSettingsException.class)
        .hasMessageContaining("other settings").hasMessageContaining("set fresh").hasMessageNotContaining("--");
  }
}
