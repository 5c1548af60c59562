package io.videojam.sampling;

import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.Solver;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.TimeSchedule;
import io.videojam.api.VelocityField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Solver accuracy on an analytic model whose exact answer is known: Gaussian data x1 ~ N(mu_k, s_k^2)
 * per element (s_k from 0.1 to 1.5, so the flow bends differently per element), whose ideal velocity is
 * u = mu + (t s^2 - (1 - t)) / (t^2 s^2 + (1 - t)^2) (x - t mu) and whose flow from noise x0 ends at
 * exactly x1 = mu + s x0. Errors are the largest absolute difference over the elements.
 */
public final class SolverBench {
  private SolverBench() {}

  /** One table row. */
  public record Row(String solver, int steps, int evaluations, double errorExact, double errorEuler100) {
    public String format() {
      return String.format(Locale.ROOT, "| %-8s | %5d | %11d | %9.2e | %13.2e |", solver, steps, evaluations, errorExact, errorEuler100);
    }
  }

  public static final String HEADER = "| solver   | steps | evaluations | vs exact  | vs Euler-100  |\n|----------|------:|------------:|----------:|--------------:|";

  /** The analytic model: 256 elements, mu and s drawn from {@code seed}, with its noise. */
  public record Gaussian(double[] mu, double[] s, float[] noise) implements VelocityField {
    public static Gaussian of(long seed) {
      SplittableRandom r = new SplittableRandom(seed);
      int n = 256;
      double[] mu = new double[n];
      double[] s = new double[n];
      float[] x0 = new float[n];
      double[] spread = {0.1, 0.3, 0.7, 1.5};
      for (int k = 0; k < n; k++) {
        mu[k] = r.nextDouble(-1, 1);
        s[k] = spread[k % spread.length];
        x0[k] = (float) r.nextGaussian();
      }
      return new Gaussian(mu, s, x0);
    }

    @Override
    public float[] velocity(float[] x, double t, int step) {
      float[] u = new float[x.length];
      for (int k = 0; k < x.length; k++) {
        double v = t * t * s[k] * s[k] + (1 - t) * (1 - t);
        u[k] = (float) (mu[k] + (t * s[k] * s[k] - (1 - t)) / v * (x[k] - t * mu[k]));
      }
      return u;
    }

    public float[] exact() {
      float[] x1 = new float[mu.length];
      for (int k = 0; k < x1.length; k++) {
        x1[k] = (float) (mu[k] + s[k] * noise[k]);
      }
      return x1;
    }
  }

  static double maxAbs(float[] a, float[] b) {
    double e = 0;
    for (int k = 0; k < a.length; k++) {
      e = Math.max(e, Math.abs(a[k] - b[k]));
    }
    return e;
  }

  /**
   * The table: Euler with 100 steps first (the reference), then for each evaluation budget Euler, Heun
   * (the most steps within the budget: 2n - 1 evaluations), DPM-Solver++(2M) and UniPC.
   */
  public static List<Row> table(Gaussian model, TimeSchedule schedule, int[] budgets) {
    float[] exact = model.exact();
    float[] euler100 = solver("euler").integrate(model, model.noise(), schedule.times(100), StepListener.NONE);
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("euler", 100, 100, maxAbs(euler100, exact), 0));
    for (int budget : budgets) {
      for (String name : List.of("euler", "heun", "dpm++2m", "unipc")) {
        Solver s = solver(name);
        int steps = name.equals("heun") ? Math.max(1, (budget + 1) / 2) : budget;
        float[] x1 = s.integrate(model, model.noise(), schedule.times(steps), StepListener.NONE);
        rows.add(new Row(name, steps, s.evaluations(steps), maxAbs(x1, exact), maxAbs(x1, euler100)));
      }
    }
    return rows;
  }

  static Solver solver(String name) {
    return Plugins.find(SolverProvider.class, name, "solver").create(Settings.empty("solver"));
  }
}
