package io.videojam.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.TimeScheduleProvider;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplingTest {
  @Test
  void uniformScheduleIsIOverN() {
    assertThat(Schedules.uniform().times(4)).containsExactly(0, 0.25, 0.5, 0.75, 1);
  }

  @Test
  void shiftedScheduleMatchesSd3ValuesWorkedByHand() {
    // shift 3, 4 steps: sigma = 1, .75, .5, .25, 0 -> 3s/(1+2s) = 1, .9, .75, .5, 0 -> t = 1 - sigma'
    double[] t = Plugins.find(TimeScheduleProvider.class, "shifted", "--schedule").create(new Settings(Map.of("shift", 3.0), "t")).times(4);
    assertThat(t[0]).isEqualTo(0.0);
    assertThat(t[1]).isCloseTo(0.1, within(1e-12));
    assertThat(t[2]).isCloseTo(0.25, within(1e-12));
    assertThat(t[3]).isCloseTo(0.5, within(1e-12));
    assertThat(t[4]).isEqualTo(1.0);
    assertThat(Schedules.shifted(1.0).times(5)).containsExactly(Schedules.uniform().times(5), within(1e-15));
  }

  @Test
  void shiftedScheduleInvertsToUniformSigma() {
    // sigma' = s sigma / (1 + (s-1) sigma)  <=>  sigma = sigma' / (s - (s-1) sigma')
    double s = 5;
    double[] t = Schedules.shifted(s).times(10);
    for (int i = 0; i <= 10; i++) {
      double shifted = 1 - t[i];
      assertThat(shifted / (s - (s - 1) * shifted)).isCloseTo(1 - i / 10.0, within(1e-12));
    }
  }

  @Test
  void eulerAndHeunAreExactForConstantVelocity() {
    float[] x0 = {1f, -2f, 0.5f};
    float[] c = {0.25f, 3f, -1f};
    for (String solver : List.of("euler", "heun")) {
      float[] x1 = Plugins.find(SolverProvider.class, solver, "--solver").create(Settings.empty("s"))
          .integrate((x, t, i) -> c.clone(), x0, Schedules.shifted(3).times(7), StepListener.NONE);
      for (int k = 0; k < 3; k++) {
        assertThat(x1[k]).isCloseTo(x0[k] + c[k], within(1e-5f));
      }
    }
  }

  @Test
  void eulerAndHeunOnVelocityLinearInTime() {
    // u = k t: Euler over t = 0, .25, .5, .75 gives k * .25 * (0 + .25 + .5 + .75) = .375 k.
    // Heun: trapezoid (exact) on [0, .75] = .75^2 / 2 = .28125, then Euler into t = 1: .25 * .75 = .1875 -> .46875 k.
    float k = 2f;
    float[] euler = Solvers.euler().integrate((x, t, i) -> new float[] {(float) (k * t)}, new float[] {0f},
        Schedules.uniform().times(4), StepListener.NONE);
    float[] heun = Solvers.heun().integrate((x, t, i) -> new float[] {(float) (k * t)}, new float[] {0f},
        Schedules.uniform().times(4), StepListener.NONE);
    assertThat(euler[0]).isCloseTo(0.375f * k, within(1e-6f));
    assertThat(heun[0]).isCloseTo(0.46875f * k, within(1e-6f));
  }

  @Test
  void heunIsSecondOrderOnALinearOde() {
    // dx/dt = -x from x(0) = 1: exact x(1) = e^-1. Heun's error falls ~4x per halving, Euler's ~2x.
    double e1 = Math.abs(solve(Solvers.heun(), 20) - Math.exp(-1));
    double e2 = Math.abs(solve(Solvers.heun(), 40) - Math.exp(-1));
    double f1 = Math.abs(solve(Solvers.euler(), 20) - Math.exp(-1));
    double f2 = Math.abs(solve(Solvers.euler(), 40) - Math.exp(-1));
    assertThat(f1 / f2).isBetween(1.8, 2.2);
    // the final Euler step keeps a first-order term of size dt^2, so the ratio is between 2 and 4
    assertThat(e1 / e2).isGreaterThan(2.5);
    assertThat(e1).isLessThan(f1 / 5);
  }

  private static double solve(io.videojam.api.Solver s, int n) {
    return s.integrate((x, t, i) -> new float[] {-x[0]}, new float[] {1f}, Schedules.uniform().times(n), StepListener.NONE)[0];
  }

  @Test
  void evaluationCountsAndProgress() {
    List<Double> seen = new ArrayList<>();
    List<Integer> progress = new ArrayList<>();
    Solvers.heun().integrate((x, t, i) -> {
      seen.add(t);
      return new float[] {0f};
    }, new float[] {0f}, Schedules.uniform().times(3), (done, total) -> progress.add(done));
    // counted by hand: steps [0, 1/3] and [1/3, 2/3] evaluate at both ends, the last step only at 2/3
    assertThat(seen).containsExactly(0.0, 1 / 3.0, 1 / 3.0, 2 / 3.0, 2 / 3.0);
    assertThat(Solvers.heun().evaluations(3)).isEqualTo(5);
    assertThat(progress).containsExactly(1, 2, 3);
    assertThat(Solvers.euler().evaluations(3)).isEqualTo(3);
  }

  @Test
  void badStepsAndShift() {
    assertThatThrownBy(() -> Schedules.uniform().times(0)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("steps must");
    assertThatThrownBy(() -> Schedules.shifted(0)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("shift must");
  }
}
