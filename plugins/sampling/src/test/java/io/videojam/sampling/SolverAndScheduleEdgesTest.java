package io.videojam.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.Solver;
import io.videojam.api.SolverProvider;
import io.videojam.api.TimeSchedule;
import io.videojam.api.TimeScheduleProvider;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Progress reports, evaluation counts counted on a fake field, the schedules' validation and
 * boundaries, and the bench table's step budget: the edges the accuracy tests do not reach.
 */
class SolverAndScheduleEdgesTest {
  static Solver solver(String name) {
    return Plugins.find(SolverProvider.class, name, "--solver").create(Settings.empty("--solver"));
  }

  @Test
  void everySolverReportsEachStepOnceInOrder() {
    for (String name : List.of("euler", "heun", "dpm++2m", "unipc")) {
      List<String> seen = new ArrayList<>();
      solver(name).integrate((x, t, i) -> new float[] {0.5f}, new float[] {0f}, Schedules.uniform().times(4),
          (done, total) -> seen.add(done + "/" + total));
      assertThat(seen).as(name).containsExactly("1/4", "2/4", "3/4", "4/4");
    }
  }

  @Test
  void evaluationCountsMatchCallsCountedOnAFakeField() {
    // counted by hand: Euler and the multistep solvers call the field once per step; Heun twice per
    // step except the last (an Euler step into t = 1): 1 -> 1, 2 -> 3, 5 -> 9
    int[][] expected = {{1, 1, 1, 1}, {2, 3, 2, 2}, {5, 9, 5, 5}};
    int[] steps = {1, 2, 5};
    List<String> names = List.of("euler", "heun", "dpm++2m", "unipc");
    for (int s = 0; s < steps.length; s++) {
      for (int k = 0; k < names.size(); k++) {
        int[] calls = {0};
        List<Double> times = new ArrayList<>();
        Solver solver = solver(names.get(k));
        solver.integrate((x, t, i) -> {
          calls[0]++;
          times.add(t);
          return new float[] {1f};
        }, new float[] {0f}, Schedules.uniform().times(steps[s]), (d, n) -> {});
        assertThat(calls[0]).as("%s, %d steps", names.get(k), steps[s]).isEqualTo(expected[s][k]);
        assertThat(solver.evaluations(steps[s])).as("%s.evaluations(%d)", names.get(k), steps[s]).isEqualTo(expected[s][k]);
        assertThat(times).as("%s never evaluates at t = 1", names.get(k)).doesNotContain(1.0);
      }
    }
  }

  @Test
  void heunEvaluatesAtTheStepStartsAndTheirEnds() {
    List<Double> times = new ArrayList<>();
    Solvers.heun().integrate((x, t, i) -> {
      times.add(t);
      return new float[] {0f};
    }, new float[] {0f}, new double[] {0, 0.25, 0.5, 1}, (d, n) -> {});
    assertThat(times).containsExactly(0.0, 0.25, 0.25, 0.5, 0.5);
  }

  @Test
  void benchHeunRowsUseTheMostStepsWithinTheBudget() {
    // Heun with n steps costs 2n - 1 evaluations: budget 10 -> 5 steps (9), budget 15 -> 8 (15), budget 1 -> 1
    List<SolverBench.Row> rows = SolverBench.table(SolverBench.Gaussian.of(3), Schedules.uniform(), new int[] {10, 15, 1});
    assertThat(rows).hasSize(13);
    assertThat(rows.get(2).solver()).isEqualTo("heun");
    assertThat(rows.get(2).steps()).isEqualTo(5);
    assertThat(rows.get(2).evaluations()).isEqualTo(9);
    assertThat(rows.get(6).steps()).isEqualTo(8);
    assertThat(rows.get(6).evaluations()).isEqualTo(15);
    assertThat(rows.get(10).steps()).isEqualTo(1);
    assertThat(rows.get(10).evaluations()).isEqualTo(1);
    assertThat(rows.get(0).format()).startsWith("| euler    |   100 |         100 |");
    assertThat(SolverBench.HEADER.split("\n")[0]).contains("solver", "steps", "evaluations");
  }

  @Test
  void shiftedScheduleRefusesBadShiftsAndSteps() {
    assertThatThrownBy(() -> Schedules.shifted(Double.POSITIVE_INFINITY)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("shift must");
    assertThatThrownBy(() -> Schedules.shifted(Double.NaN)).isInstanceOf(VideoJamException.class);
    assertThatThrownBy(() -> Schedules.shifted(-1)).isInstanceOf(VideoJamException.class);
    assertThatThrownBy(() -> Schedules.shifted(3).times(0)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("steps must");
    assertThat(Schedules.shifted(3).times(1)).containsExactly(0, 1);
    assertThat(Schedules.uniform().times(1)).containsExactly(0, 1);
  }

  @Test
  void karrasScheduleByNameAndItsValidation() {
    TimeSchedule k = Plugins.find(TimeScheduleProvider.class, "karras", "--schedule")
        .create(new Settings(Map.of("sigma-min", 0.5, "sigma-max", 4.0, "rho", 1.0), "t"));
    // rho = 1: sigmas linear from 4 to 0.5 in 3 steps: 4, 2.25, 0.5; times 0, 1/(1 + 2.25), 1/(1 + 0.5), 1
    assertThat(k.times(3)).containsExactly(new double[] {0, 1 / 3.25, 1 / 1.5, 1}, within(1e-12));
    // one step: the ramp is 0, so the single sigma is sigma-max
    assertThat(new KarrasSchedule(0.5, 4, 1).sigmas(1)).containsExactly(4.0);
    assertThat(new KarrasSchedule(0.5, 4, 1).times(1)).containsExactly(0, 1);
    assertThatThrownBy(() -> new KarrasSchedule(0.5, 4, 1).sigmas(0)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("steps must");
    assertThatThrownBy(() -> new KarrasSchedule(0, 4, 7)).isInstanceOf(VideoJamException.class).hasMessageContaining("sigma-min");
    assertThatThrownBy(() -> new KarrasSchedule(-1, 4, 7)).isInstanceOf(VideoJamException.class);
    assertThatThrownBy(() -> new KarrasSchedule(4, 4, 7)).isInstanceOf(VideoJamException.class).hasMessageContaining("sigma-max");
    assertThatThrownBy(() -> new KarrasSchedule(0.5, Double.POSITIVE_INFINITY, 7)).isInstanceOf(VideoJamException.class);
    assertThatThrownBy(() -> new KarrasSchedule(0.5, 4, 0)).isInstanceOf(VideoJamException.class).hasMessageContaining("rho");
    assertThatThrownBy(() -> new KarrasSchedule(0.5, 4, Double.POSITIVE_INFINITY)).isInstanceOf(VideoJamException.class).hasMessageContaining("rho");
    assertThatThrownBy(() -> new KarrasSchedule(0.5, 4, Double.NaN)).isInstanceOf(VideoJamException.class).hasMessageContaining("rho");
  }

  @Test
  void vpScheduleRefusesTablesThatDoNotDecreaseOrReachZero() {
    assertThat(new VpSchedule(new double[] {0.9, 0.5, 0.1}).trainSteps()).isEqualTo(3);
    assertThatThrownBy(() -> new VpSchedule(new double[] {0.9, 0.9})).isInstanceOf(VideoJamException.class).hasMessageContaining("timestep 1");
    assertThatThrownBy(() -> new VpSchedule(new double[] {0.9, 0.5, 0.6})).isInstanceOf(VideoJamException.class).hasMessageContaining("timestep 2");
    assertThatThrownBy(() -> new VpSchedule(new double[] {0.9, 0.0})).isInstanceOf(VideoJamException.class).hasMessageContaining("timestep 1");
    // the table is copied: changing the caller's array later changes nothing
    double[] table = {0.9, 0.5};
    VpSchedule s = new VpSchedule(table);
    table[1] = 0.95;
    assertThat(s.alphaBar(1)).isEqualTo(0.5);
    assertThat(s).isEqualTo(new VpSchedule(new double[] {0.9, 0.5})).hasSameHashCodeAs(new VpSchedule(new double[] {0.9, 0.5}));
    assertThat(s).isNotEqualTo(new VpSchedule(new double[] {0.9, 0.4})).isNotEqualTo("VpSchedule");
    assertThat(s.toString()).isEqualTo("VpSchedule[T=2]");
  }

  @Test
  void betaTablesRefuseFewStepsAndBetasOutsideZeroOne() {
    assertThat(VpSchedule.of("linear", 0.1, 0.2, 2).alphaBar(1)).isCloseTo(0.9 * 0.8, within(1e-15));
    assertThatThrownBy(() -> VpSchedule.of("linear", 0.1, 0.2, 1)).isInstanceOf(VideoJamException.class).hasMessageContaining("train-steps");
    assertThatThrownBy(() -> VpSchedule.of("linear", 0, 0.02, 10)).isInstanceOf(VideoJamException.class).hasMessageContaining("beta at timestep 0 is 0.0");
    assertThatThrownBy(() -> VpSchedule.of("linear", 0.5, 1, 10)).isInstanceOf(VideoJamException.class).hasMessageContaining("beta at timestep 9 is 1.0");
    assertThatThrownBy(() -> VpSchedule.of("scaled_linear", 0.01, 1.21, 3)).isInstanceOf(VideoJamException.class).hasMessageContaining("timestep 2");
  }

  @Test
  void continuousTimestepAtAndBeyondTheTableEnds() {
    VpSchedule s = VpSchedule.of("linear", 0.1, 0.3, 3); // betas .1, .2, .3: alphabar .9, .72, .504
    assertThat(s.alphaBar(2)).isCloseTo(0.504, within(1e-15));
    assertThat(s.timestep(0.9)).isEqualTo(0.0);
    assertThat(s.timestep(0.95)).isEqualTo(0.0);
    assertThat(s.timestep(s.alphaBar(2))).isEqualTo(2.0);
    assertThat(s.timestep(0.1)).isEqualTo(2.0);
    assertThat(s.timestep(s.alphaBar(1))).isCloseTo(1.0, within(1e-12));
    // between 1 and 2, log-linear: 1 + ln(.72 / ab) / ln(.72 / .504)
    for (double ab : new double[] {0.7, 0.6, 0.51}) {
      assertThat(s.timestep(ab)).as("ab %s", ab).isCloseTo(1 + Math.log(0.72 / ab) / Math.log(0.72 / 0.504), within(1e-12));
    }
    // between 0 and 1
    assertThat(s.timestep(0.8)).isCloseTo(Math.log(0.9 / 0.8) / Math.log(0.9 / 0.72), within(1e-12));
  }

  @Test
  void timestepSpacingsAtTheirLimits() {
    VpSchedule s = VpSchedule.of("linear", 1e-4, 0.02, 1000);
    int[] all = s.timesteps(1000, "trailing", 0);
    assertThat(all).hasSize(1000);
    assertThat(all[0]).isEqualTo(999);
    assertThat(all[999]).isEqualTo(0);
    assertThat(s.timesteps(1, "leading", 0)).containsExactly(0);
    assertThat(s.timesteps(1, "linspace", 0)).containsExactly(0); // np.linspace(0, 999, 1) = [0]
    assertThatThrownBy(() -> s.timesteps(0, "leading", 0)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("steps must");
    // leading with offset 100 over 10 steps reaches 9 * 100 + 100 = 1000, one past the last timestep
    assertThatThrownBy(() -> s.timesteps(10, "leading", 100)).isInstanceOf(VideoJamException.class).hasMessageContaining("[1000]")
        .hasMessageContaining("they must decrease within [0, 999]");
    assertThat(s.timesteps(10, "leading", 99)[0]).isEqualTo(999);
    assertThatThrownBy(() -> s.timesteps(10, "leading", -1)).isInstanceOf(VideoJamException.class).hasMessageContaining("-1]");
    assertThatThrownBy(() -> s.schedule("even", 0)).isInstanceOf(VideoJamException.class).hasMessageContaining("leading, trailing or linspace");
  }

  @Test
  void providersAreFoundByNameWithDescriptions() {
    for (String name : List.of("euler", "heun", "dpm++2m", "unipc")) {
      SolverProvider p = Plugins.find(SolverProvider.class, name, "--solver");
      assertThat(p.name()).isEqualTo(name);
      assertThat(p.description()).isNotBlank();
    }
    assertThat(Plugins.find(SolverProvider.class, "heun", "--solver").description()).contains("2 evaluations per step");
    for (String name : List.of("karras", "uniform", "shifted")) {
      TimeScheduleProvider p = Plugins.find(TimeScheduleProvider.class, name, "--schedule");
      assertThat(p.name()).isEqualTo(name);
      assertThat(p.description()).isNotBlank();
    }
    assertThat(Plugins.find(TimeScheduleProvider.class, "shifted", "--schedule").description()).contains("shift=3");
    assertThat(Plugins.find(TimeScheduleProvider.class, "karras", "--schedule").description()).contains("sigma-min=0.002", "sigma-max=80", "rho=7");
  }
}
