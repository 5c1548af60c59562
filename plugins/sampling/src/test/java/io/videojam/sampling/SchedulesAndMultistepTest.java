package io.videojam.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.Solver;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.TimeSchedule;
import io.videojam.api.VelocityField;
import io.videojam.sampling.SolverBench.Gaussian;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * VP and Karras schedules against diffusers' numbers (computed with NumPy as diffusers does), and the
 * multistep solvers against the exact flow of Gaussian data and against the published update formulas
 * written out separately, the diffusers way (sigma, alpha, lambda, lists of model outputs).
 */
class SchedulesAndMultistepTest {
  @Test
  void betaSchedulesMatchDiffusersAlphasCumprod() {
    VpSchedule lin = VpSchedule.of("linear", 1e-4, 0.02, 1000);
    assertThat(lin.alphaBar(0)).isCloseTo(0.9999, within(1e-15));
    assertThat(lin.alphaBar(499)).isCloseTo(0.07858724288177824, within(1e-12));
    assertThat(lin.alphaBar(999)).isCloseTo(4.035829765375676e-05, within(1e-15));
    VpSchedule sd = VpSchedule.of("scaled_linear", 0.00085, 0.012, 1000);
    assertThat(sd.alphaBar(0)).isCloseTo(0.99915, within(1e-15));
    assertThat(sd.alphaBar(499)).isCloseTo(0.27766965045646763, within(1e-12));
    assertThat(sd.alphaBar(999)).isCloseTo(0.004660098513077238, within(1e-14));
    VpSchedule cos = VpSchedule.of("squaredcos_cap_v2", 0, 0, 1000);
    assertThat(cos.alphaBar(0)).isCloseTo(0.999958715775178, within(1e-13));
    assertThat(cos.alphaBar(499)).isCloseTo(0.4938435904406382, within(1e-12));
    assertThat(cos.alphaBar(999)).isCloseTo(2.4287669070348567e-09, within(1e-15));
    assertThatThrownBy(() -> VpSchedule.of("cosine", 0, 0, 1000)).isInstanceOf(VideoJamException.class).hasMessageContaining("squaredcos_cap_v2");
  }

  @Test
  void timestepSpacingsMatchDdimSetTimesteps() {
    VpSchedule sd = VpSchedule.of("scaled_linear", 0.00085, 0.012, 1000);
    assertThat(sd.timesteps(10, "leading", 1)).containsExactly(901, 801, 701, 601, 501, 401, 301, 201, 101, 1);
    assertThat(sd.timesteps(10, "trailing", 0)).containsExactly(999, 899, 799, 699, 599, 499, 399, 299, 199, 99);
    assertThat(sd.timesteps(10, "linspace", 0)).containsExactly(999, 888, 777, 666, 555, 444, 333, 222, 111, 0);
    assertThat(sd.timesteps(3, "leading", 1)).containsExactly(667, 334, 1);
    assertThat(sd.timesteps(3, "trailing", 0)).containsExactly(999, 666, 332);
    assertThat(sd.timesteps(3, "linspace", 0)).containsExactly(999, 500, 0); // 499.5 rounds half to even, as np.round
    assertThat(sd.timesteps(7, "trailing", 0)).containsExactly(999, 856, 713, 570, 428, 285, 142);
    assertThat(sd.timesteps(7, "linspace", 0)).containsExactly(999, 832, 666, 500, 333, 166, 0);
    assertThatThrownBy(() -> sd.timesteps(10, "even", 0)).hasMessageContaining("leading, trailing or linspace");
    assertThatThrownBy(() -> sd.timesteps(1001, "trailing", 0)).hasMessageStartingWith("steps must");
  }

  @Test
  void vpScheduleTimesAreTheTimestepsInFrameworkTime() {
    VpSchedule sd = VpSchedule.of("scaled_linear", 0.00085, 0.012, 1000);
    double[] t = sd.schedule("leading", 1).times(10);
    assertThat(t).hasSize(11);
    assertThat(t[0]).isEqualTo(0.0);
    assertThat(t[10]).isEqualTo(1.0);
    // t_1 = alpha / (alpha + sigma) at timestep 801 (t_0 = 0 is the model at 999 on pure noise): alphabar written out from the betas
    double ab = 1;
    for (int k = 0; k <= 801; k++) {
      double r = Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) * k / 999.0;
      ab *= 1 - r * r;
    }
    assertThat(t[1]).isCloseTo(Math.sqrt(ab) / (Math.sqrt(ab) + Math.sqrt(1 - ab)), within(1e-13));
    for (int i = 1; i <= 10; i++) {
      assertThat(t[i]).isGreaterThan(t[i - 1]);
    }
    // and back: the continuous timestep of each time is its integer timestep
    int[] ks = sd.timesteps(10, "leading", 1);
    for (int i = 1; i < 10; i++) {
      assertThat(sd.timestep(VpSchedule.alphaBarAt(t[i]))).isCloseTo(ks[i], within(1e-6));
    }
    assertThat(sd.timestep(VpSchedule.alphaBarAt(0))).isEqualTo(999.0);
    assertThat(sd.timestep(VpSchedule.alphaBarAt(1))).isEqualTo(0.0);
  }

  @Test
  void karrasSigmasAndTimes() {
    KarrasSchedule k = new KarrasSchedule(0.002, 80, 7);
    double[] s = k.sigmas(5);
    assertThat(s[0]).isCloseTo(80, within(1e-12));
    assertThat(s[4]).isCloseTo(0.002, within(1e-15));
    double mid = Math.pow((Math.pow(80, 1 / 7.0) + Math.pow(0.002, 1 / 7.0)) / 2, 7);
    assertThat(s[2]).isCloseTo(mid, within(1e-12));
    double[] t = k.times(5);
    assertThat(t).hasSize(6);
    assertThat(t[0]).isEqualTo(0.0);
    assertThat(t[2]).isCloseTo(1 / (1 + mid), within(1e-14));
    assertThat(t[5]).isEqualTo(1.0);
    assertThatThrownBy(() -> new KarrasSchedule(1, 0.5, 7)).hasMessageContaining("sigma-min");
  }

  @Test
  void scheduleNamesModelAndAuto() {
    TimeSchedule own = n -> new double[] {0, 0.7, 1};
    assertThat(Schedules.resolve("model", Settings.empty("s"), Optional.of(own)).times(2)).containsExactly(0, 0.7, 1);
    assertThat(Schedules.resolve("auto", Settings.empty("s"), Optional.of(own)).times(2)).containsExactly(0, 0.7, 1);
    assertThat(Schedules.resolve("auto", Settings.empty("s"), Optional.empty()).times(4)).containsExactly(Schedules.shifted(3).times(4));
    assertThat(Schedules.resolve("uniform", Settings.empty("s"), Optional.of(own)).times(4)).containsExactly(0, 0.25, 0.5, 0.75, 1);
    assertThatThrownBy(() -> Schedules.resolve("model", Settings.empty("s"), Optional.empty())).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("--schedule shifted");
  }

  // ---- solvers ----

  /** Gaussian data N(mu_k, s_k^2) on 8 elements, with a fixed noise: SolverBench's analytic model, small. */
  static Gaussian standard() {
    int n = 8;
    double[] mu = new double[n];
    double[] s = new double[n];
    float[] x0 = new float[n];
    double[] ss = {0.1, 0.3, 0.7, 1.5};
    for (int k = 0; k < n; k++) {
      mu[k] = 0.8 * Math.sin(1.3 * k + 0.4);
      s[k] = ss[k % ss.length];
      x0[k] = (float) (1.1 * Math.cos(2.1 * k + 0.3));
    }
    return new Gaussian(mu, s, x0);
  }

  /** The largest difference from the exact flow's end mu + s x0. */
  static double error(Gaussian g, float[] x1) {
    return SolverBench.maxAbs(x1, g.exact());
  }

  static Solver solver(String name) {
    return Plugins.find(SolverProvider.class, name, "--solver").create(Settings.empty("--solver"));
  }

  @Test
  void registeredWithOneEvaluationPerStep() {
    for (String name : List.of("dpm++2m", "unipc")) {
      Solver s = solver(name);
      Gaussian g = standard();
      int[] calls = {0};
      s.integrate((x, t, i) -> {
        calls[0]++;
        return g.velocity(x, t, i);
      }, g.noise(), Schedules.uniform().times(7), StepListener.NONE);
      assertThat(calls[0]).as(name).isEqualTo(7).isEqualTo(s.evaluations(7));
    }
  }

  @Test
  void pointMassIsExactInAnyNumberOfSteps() {
    // data x1 = mu exactly: D(x, t) = mu everywhere, and an exponential integrator in data prediction lands on it
    double[] mu = {0.5, -1.25, 2.0};
    VelocityField f = (x, t, i) -> {
      float[] u = new float[x.length];
      for (int k = 0; k < x.length; k++) {
        u[k] = (float) ((mu[k] - x[k]) / (1 - t));
      }
      return u;
    };
    for (String name : List.of("dpm++2m", "unipc")) {
      for (int n : new int[] {1, 2, 5}) {
        float[] x1 = solver(name).integrate(f, new float[] {1f, -0.3f, 0.2f}, Schedules.shifted(3).times(n), StepListener.NONE);
        for (int k = 0; k < 3; k++) {
          assertThat((double) x1[k]).as(name + " " + n).isCloseTo(mu[k], within(1e-5));
        }
      }
    }
  }

  @Test
  void secondOrderConvergenceOnGaussianData() {
    Gaussian g = standard();
    float[] x0 = g.noise();
    for (String name : List.of("dpm++2m", "unipc", "heun", "euler")) {
      double e1 = error(g, solver(name).integrate(g, x0, Schedules.uniform().times(20), StepListener.NONE));
      double e2 = error(g, solver(name).integrate(g, x0, Schedules.uniform().times(40), StepListener.NONE));
      double ratio = e1 / e2;
      if (name.equals("euler")) {
        assertThat(ratio).as(name).isBetween(1.6, 2.4);
      } else {
        assertThat(ratio).as(name + " e20=" + e1 + " e40=" + e2).isGreaterThan(3.3);
      }
    }
  }

  @Test
  void multistepBeatsEulerAndHeunAtEqualEvaluations() {
    Gaussian g = standard();
    float[] x0 = g.noise();
    float[] ref = Solvers.euler().integrate(g, x0, Schedules.uniform().times(100), StepListener.NONE);
    double euler100 = error(g, ref);
    for (int n : new int[] {10, 15, 20}) {
      double dpm = error(g, solver("dpm++2m").integrate(g, x0, Schedules.uniform().times(n), StepListener.NONE));
      double uni = error(g, solver("unipc").integrate(g, x0, Schedules.uniform().times(n), StepListener.NONE));
      double euler = error(g, solver("euler").integrate(g, x0, Schedules.uniform().times(n), StepListener.NONE));
      double heun = error(g, solver("heun").integrate(g, x0, Schedules.uniform().times((n + 1) / 2), StepListener.NONE));
      assertThat(dpm).as("dpm %d", n).isLessThan(euler).isLessThan(heun);
      assertThat(uni).as("unipc %d", n).isLessThan(euler).isLessThan(heun);
      if (n == 20) {
        assertThat(uni).as("unipc 20 vs euler 100 (%s)", euler100).isLessThan(euler100);
      }
    }
  }

  /** The README's table (videojam bench solvers): what it claims holds for the default seed. */
  @Test
  void benchTableClaims() {
    List<SolverBench.Row> rows = SolverBench.table(SolverBench.Gaussian.of(0), Schedules.uniform(), new int[] {10, 15, 20});
    double euler100 = rows.get(0).errorExact();
    assertThat(rows.get(0).steps()).isEqualTo(100);
    for (int i = 1; i < rows.size(); i += 4) {
      SolverBench.Row euler = rows.get(i);
      SolverBench.Row heun = rows.get(i + 1);
      assertThat(heun.evaluations()).isLessThanOrEqualTo(euler.evaluations());
      for (SolverBench.Row multi : List.of(rows.get(i + 2), rows.get(i + 3))) {
        assertThat(multi.evaluations()).isEqualTo(euler.evaluations());
        assertThat(multi.errorExact()).as(multi.solver() + " " + multi.steps()).isLessThan(euler.errorExact() / 3).isLessThan(heun.errorExact());
      }
    }
    // 20 steps: both at least as close to the exact answer as Euler with 100
    assertThat(rows.get(11).errorExact()).isLessThan(euler100);
    assertThat(rows.get(12).errorExact()).isLessThan(euler100);
  }

  /**
   * The published updates written out the diffusers way on interior times (no infinite lambda), where
   * every branch of both solvers runs: warm-up first order, second order, the corrector of both orders,
   * the first-order final step.
   */
  @Test
  void matchTheDiffusersFormulasWrittenOutSeparately() {
    Gaussian g = standard();
    float[] x0 = g.noise();
    double[] times = {0.05, 0.2, 0.35, 0.55, 0.8, 0.93};
    float[] dpm = solver("dpm++2m").integrate(g, x0, times, StepListener.NONE);
    float[] uni = solver("unipc").integrate(g, x0, times, StepListener.NONE);
    double[][] ref = reference(g, x0, times);
    for (int k = 0; k < x0.length; k++) {
      assertThat((double) dpm[k]).as("dpm k%d", k).isCloseTo(ref[0][k], within(2e-5));
      assertThat((double) uni[k]).as("unipc k%d", k).isCloseTo(ref[1][k], within(2e-5));
    }
    // and the corrector matters: UniPC differs from DPM-Solver++(2M) by more than rounding
    double diff = 0;
    for (int k = 0; k < x0.length; k++) {
      diff = Math.max(diff, Math.abs(ref[0][k] - ref[1][k]));
    }
    assertThat(diff).isGreaterThan(1e-3);
  }

  /** [dpm++2m, unipc] in double, diffusers' notation: sigma = 1 - t (flow sigmas), alpha = 1 - sigma. */
  static double[][] reference(Gaussian g, float[] x0, double[] times) {
    int n = times.length - 1;
    int dim = x0.length;
    double[] sig = new double[n + 1];
    for (int i = 0; i <= n; i++) {
      sig[i] = 1 - times[i];
    }
    // DPM-Solver++(2M): dpm_solver_first_order_update / multistep_dpm_solver_second_order_update (midpoint)
    double[] sample = toDouble(x0);
    List<double[]> outs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      double[] m = x0Pred(g, sample, sig[i]);
      outs.add(m);
      double st = sig[i + 1];
      double at = 1 - st;
      double s0 = sig[i];
      double lt = Math.log(at) - Math.log(st);
      double l0 = Math.log(1 - s0) - Math.log(s0);
      double h = lt - l0;
      double[] next = new double[dim];
      boolean first = i == 0 || i == n - 1;
      for (int k = 0; k < dim; k++) {
        if (first) {
          next[k] = st / s0 * sample[k] - at * (Math.exp(-h) - 1.0) * m[k];
        } else {
          double s1 = sig[i - 1];
          double l1 = Math.log(1 - s1) - Math.log(s1);
          double h0 = l0 - l1;
          double r0 = h0 / h;
          double d0 = m[k];
          double d1 = (1.0 / r0) * (m[k] - outs.get(i - 1)[k]);
          next[k] = st / s0 * sample[k] - at * (Math.exp(-h) - 1.0) * d0 - 0.5 * at * (Math.exp(-h) - 1.0) * d1;
        }
      }
      sample = next;
    }
    double[] dpm = sample;
    // UniPC bh2: step() with multistep_uni_c_bh_update then multistep_uni_p_bh_update
    sample = toDouble(x0);
    List<double[]> models = new ArrayList<>();
    double[] lastSample = null;
    int thisOrder = 1;
    int lowerOrderNums = 0;
    for (int i = 0; i < n; i++) {
      double[] m = x0Pred(g, sample, sig[i]);
      if (i > 0) {
        sample = uni(models, m, lastSample, sig, i - 1, i, thisOrder, true);
      }
      models.add(m);
      thisOrder = Math.min(2, n - i);
      thisOrder = Math.min(thisOrder, lowerOrderNums + 1);
      lastSample = sample;
      sample = uni(models, null, sample, sig, i, i + 1, thisOrder, false);
      if (lowerOrderNums < 2) {
        lowerOrderNums++;
      }
    }
    return new double[][] {dpm, sample};
  }

  /** One UniP (corrector false) or UniC (corrector true) bh2 update from index s0 to index t. */
  static double[] uni(List<double[]> models, double[] modelT, double[] x, double[] sig, int s0, int t, int order, boolean corrector) {
    double st = sig[t];
    double at = 1 - st;
    double lt = Math.log(at) - Math.log(st);
    double l0 = Math.log(1 - sig[s0]) - Math.log(sig[s0]);
    double h = lt - l0;
    double[] m0 = models.get(s0);
    List<Double> rks = new ArrayList<>();
    List<double[]> d1s = new ArrayList<>();
    for (int i = 1; i < order; i++) {
      int si = s0 - i;
      double[] mi = models.get(si);
      double li = Math.log(1 - sig[si]) - Math.log(sig[si]);
      double rk = (li - l0) / h;
      rks.add(rk);
      double[] d = new double[x.length];
      for (int k = 0; k < x.length; k++) {
        d[k] = (mi[k] - m0[k]) / rk;
      }
      d1s.add(d);
    }
    rks.add(1.0);
    double hh = -h;
    double hPhi1 = Math.expm1(hh);
    double hPhiK = hPhi1 / hh - 1;
    double factorial = 1;
    double bh = Math.expm1(hh);
    double[][] r = new double[order][];
    double[] b = new double[order];
    for (int i = 1; i <= order; i++) {
      r[i - 1] = new double[order];
      for (int j = 0; j < order; j++) {
        r[i - 1][j] = Math.pow(rks.get(j), i - 1);
      }
      b[i - 1] = hPhiK * factorial / bh;
      factorial *= i + 1;
      hPhiK = hPhiK / hh - 1 / factorial;
    }
    double[] rhos;
    if (!corrector) {
      rhos = order == 2 ? new double[] {0.5} : new double[0];
    } else if (order == 1) {
      rhos = new double[] {0.5};
    } else {
      double det = r[0][0] * r[1][1] - r[0][1] * r[1][0];
      rhos = new double[] {(b[0] * r[1][1] - r[0][1] * b[1]) / det, (r[0][0] * b[1] - r[1][0] * b[0]) / det};
    }
    double[] out = new double[x.length];
    for (int k = 0; k < x.length; k++) {
      double base = st / sig[s0] * x[k] - at * hPhi1 * m0[k];
      double res = 0;
      for (int j = 0; j < d1s.size(); j++) {
        res += rhos[j] * d1s.get(j)[k];
      }
      if (corrector) {
        res += rhos[rhos.length - 1] * (modelT[k] - m0[k]);
      }
      out[k] = base - at * bh * res;
    }
    return out;
  }

  /** diffusers' convert_model_output for flow: x0_pred = sample - sigma_t * model_output, model_output = noise - data. */
  static double[] x0Pred(Gaussian g, double[] sample, double sigma) {
    float[] xs = new float[sample.length];
    for (int k = 0; k < xs.length; k++) {
      xs[k] = (float) sample[k];
    }
    float[] u = g.velocity(xs, 1 - sigma, 0);
    double[] d = new double[sample.length];
    for (int k = 0; k < d.length; k++) {
      d[k] = sample[k] - sigma * (-u[k]);
    }
    return d;
  }

  static double[] toDouble(float[] a) {
    double[] d = new double[a.length];
    for (int k = 0; k < a.length; k++) {
      d[k] = a[k];
    }
    return d;
  }
}
