package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import io.videojam.model.FixtureModel;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Guidance gated by sampling time: outside the window the fully conditioned pass alone decides the step. */
class GuidanceWindowTest {
  @TempDir
  static Path tmp;

  static Path fixture;

  @BeforeAll
  static void writeFixture() {
    fixture = tmp.resolve("fixture");
    FixtureModel.write(fixture, "fixture", FixtureModel.config());
  }

  static GenerationRequest request(String guidance) {
    // uniform schedule, 4 Euler steps: the model is evaluated at t = 0, 0.25, 0.5, 0.75
    return GenerationRequest.builder("a red ball bouncing").seed(3).steps(4).schedule("uniform", Settings.empty("s"))
        .guidance(guidance, new Settings(Map.of(), "test")).passMode(PassMode.SEQUENTIAL).build();
  }

  @Test
  void aWindowThatHoldsNoStepIsTheUnguidedModelAndTheWholeWindowIsTheDefault() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      float[] unguided = jam.generate(request("none"), null).latent().data();
      Generation gated = jam.generate(request("inner").withGuidanceWindow(new GuidanceWindow(0.9, 1.0)), null);
      assertThat(gated.latent().data()).containsExactly(unguided);
      assertThat(gated.record().modelRuns()).isEqualTo(4); // one pass per step
      float[] guided = jam.generate(request("inner"), null).latent().data();
      assertThat(jam.generate(request("inner").withGuidanceWindow(GuidanceWindow.ALWAYS), null).latent().data()).containsExactly(guided);
      assertThat(guided).isNotEqualTo(unguided);
    }
  }

  @Test
  void aPartialWindowGuidesOnlyItsSteps() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      Generation half = jam.generate(request("inner").withGuidanceWindow(new GuidanceWindow(0.5, 1.0)), null);
      // t = 0 and 0.25 run the full pass only; t = 0.5 and 0.75 run Inner-Guidance's three passes
      assertThat(half.record().modelRuns()).isEqualTo(2 + 2 * 3);
      assertThat(half.latent().data()).isNotEqualTo(jam.generate(request("inner"), null).latent().data())
          .isNotEqualTo(jam.generate(request("none"), null).latent().data());
      // the late window differs from the early one: t is read, not the step count
      Generation early = jam.generate(request("inner").withGuidanceWindow(new GuidanceWindow(0.0, 0.4)), null);
      assertThat(early.record().modelRuns()).isEqualTo(2 * 3 + 2);
      assertThat(early.latent().data()).isNotEqualTo(half.latent().data());
    }
  }

  @Test
  void badWindowsAreNamed() {
    assertThatThrownBy(() -> new GuidanceWindow(0.6, 0.4)).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith("guidance window [0.6, 0.4] must satisfy 0 <= start <= stop <= 1");
    assertThatThrownBy(() -> new GuidanceWindow(-0.1, 1)).isInstanceOf(VideoJamException.class);
    assertThatThrownBy(() -> new GuidanceWindow(0, Double.NaN)).isInstanceOf(VideoJamException.class);
  }
}
