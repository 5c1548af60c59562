package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.model.TestModels;
import io.videojam.sampling.Schedules;
import io.videojam.sampling.VpSchedule;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator's schedule: auto follows a vp model's own timesteps, a flow model's shifted schedule. */
class ScheduleChoiceTest {
  @TempDir
  Path tmp;

  static final Map<String, Object> SD_TIME = Map.of("convention", "vp", "betas", "scaled_linear", "beta-start", 0.00085, "beta-end", 0.012,
      "spacing", "leading", "steps-offset", 1);

  @Test
  void autoUsesTheVpModelsTimestepsAndShiftedForFlow() {
    Path vp = TestModels.linear(tmp.resolve("vp"), "BCTHW", true, Map.of("time", SD_TIME, "prediction", "epsilon"));
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(vp))) {
      Generation g = jam.generate(GenerationRequest.of("red ball", 1).withSteps(5).withGuidance("none", Settings.empty("g")), StepListener.NONE);
      double[] times = (double[]) g.settings().get("times");
      VpSchedule sd = VpSchedule.of("scaled_linear", 0.00085, 0.012, 1000);
      int[] ks = {801, 601, 401, 201, 1}; // leading, 5 steps, offset 1
      assertThat(sd.timesteps(5, "leading", 1)).containsExactly(ks);
      assertThat(times).hasSize(6);
      assertThat(times[0]).isEqualTo(0.0);
      for (int i = 1; i < 5; i++) {
        assertThat(times[i]).isCloseTo(sd.time(ks[i]), within(1e-15));
      }
      assertThat(times[5]).isEqualTo(1.0);
      // an explicit flow schedule is still honoured
      Generation u = jam.generate(GenerationRequest.of("red ball", 1).withSteps(4).withGuidance("none", Settings.empty("g"))
          .withSchedule("uniform", Settings.empty("s")), StepListener.NONE);
      assertThat((double[]) u.settings().get("times")).containsExactly(0, 0.25, 0.5, 0.75, 1);
    }
    Path flow = TestModels.linear(tmp.resolve("flow"), "BCTHW", false, Map.of());
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(flow))) {
      Generation g = jam.generate(GenerationRequest.of("red ball", 1).withSteps(4).withGuidance("none", Settings.empty("g")), StepListener.NONE);
      assertThat((double[]) g.settings().get("times")).containsExactly(Schedules.shifted(3).times(4));
      assertThatThrownBy(() -> jam.generate(GenerationRequest.of("red ball", 1).withSchedule("model", Settings.empty("s")), StepListener.NONE))
          .isInstanceOf(VideoJamException.class).hasMessageContaining("--schedule model");
    }
  }
}
