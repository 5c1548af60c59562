package io.videojam.runtime;

import static io.videojam.model.TestModels.C;
import static io.videojam.model.TestModels.H;
import static io.videojam.model.TestModels.MU;
import static io.videojam.model.TestModels.T;
import static io.videojam.model.TestModels.W;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.model.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator hands the model the solver's time t (t = 0 noise, t = 1 data), on analytic models
 * whose sampled result is known in closed form: a model fed 1 - t, or a fixed t, lands elsewhere.
 */
class TimeInputTest {
  @TempDir
  Path tmp;

  static GenerationRequest request(int steps, String solver) {
    return GenerationRequest.of("red ball", 7).withSteps(steps).withSolver(solver).withSchedule("uniform", Settings.empty("s"))
        .withGuidance("none", Settings.empty("g"));
  }

  @Test
  void everySolverLandsOnThePointMassTheVelocityPointsAt() {
    // u = (MU - x) / (1 - t) is the exact velocity towards the clip MU: x(1) = MU from any noise
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(TestModels.pointMass(tmp.resolve("point"))))) {
      for (String solver : List.of("euler", "heun", "dpm++2m", "unipc")) {
        for (int steps : new int[] {1, 3, 6}) {
          float[] x1 = jam.generate(request(steps, solver), StepListener.NONE).latent().data();
          assertThat(x1).hasSize(C * T * H * W);
          for (int i = 0; i < x1.length; i++) {
            assertThat((double) x1[i]).as("%s %d steps, element %d", solver, steps, i).isCloseTo(MU[i], within(1e-4));
          }
        }
      }
    }
  }

  @Test
  void eulerOnAVelocityLinearInTimeMatchesItsSum() {
    // u = 2 t: Euler on 4 uniform steps moves each element by 0.25 * 2 * (0 + 0.25 + 0.5 + 0.75) = 0.75
    // (the model fed 1 - t would move it by 1.25); Heun: trapezoid on [0, 0.75] (0.5625, exact) plus
    // the final Euler step 0.25 * 2 * 0.75 = 0.375, so 0.9375
    float[] noise = new float[C * T * H * W];
    SplittableRandom random = new SplittableRandom(7); // the documented noise: SplittableRandom(seed).nextGaussian()
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(TestModels.timeRamp(tmp.resolve("ramp"))))) {
      float[] euler = jam.generate(request(4, "euler"), StepListener.NONE).latent().data();
      float[] heun = jam.generate(request(4, "heun"), StepListener.NONE).latent().data();
      for (int i = 0; i < noise.length; i++) {
        assertThat((double) euler[i]).as("euler %d", i).isCloseTo(noise[i] + 0.75, within(1e-5));
        assertThat((double) heun[i]).as("heun %d", i).isCloseTo(noise[i] + 0.9375, within(1e-5));
      }
    }
  }
}
