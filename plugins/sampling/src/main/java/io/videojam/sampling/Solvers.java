package io.videojam.sampling;

import io.videojam.api.Settings;
import io.videojam.api.Solver;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.VelocityField;

/** Flow-matching ODE solvers: dx/dt = u(x, t) from t = 0 (noise) to t = 1 (data). */
public final class Solvers {
  private Solvers() {}

  /** Euler: x_{i+1} = x_i + (t_{i+1} - t_i) u(x_i, t_i). One evaluation per step. */
  public static Solver euler() {
    return new Solver() {
      @Override
      public float[] integrate(VelocityField field, float[] x0, double[] times, StepListener progress) {
        float[] x = x0.clone();
        int steps = times.length - 1;
        for (int i = 0; i < steps; i++) {
          float[] u = field.velocity(x, times[i], i);
          axpy(x, (float) (times[i + 1] - times[i]), u);
          progress.step(i + 1, steps);
        }
        return x;
      }

      @Override
      public int evaluations(int steps) {
        return steps;
      }
    };
  }

  /**
   * Heun (explicit trapezoid): predict x' = x + dt u(x, t_i), correct with
   * x_{i+1} = x + dt (u(x, t_i) + u(x', t_{i+1})) / 2. As in Karras et al. (2022) and k-diffusion,
   * the last step, which ends at t = 1 (clean data), is an Euler step, so the model is never
   * evaluated at exactly t = 1. 2n - 1 evaluations for n steps.
   */
  public static Solver heun() {
    return new Solver() {
      @Override
      public float[] integrate(VelocityField field, float[] x0, double[] times, StepListener progress) {
        float[] x = x0.clone();
        float[] u = new float[x.length];
        float[] predicted = new float[x.length];
        int steps = times.length - 1;
        for (int i = 0; i < steps; i++) {
          float dt = (float) (times[i + 1] - times[i]);
          float[] v = field.velocity(x, times[i], i);
          if (i == steps - 1) {
            axpy(x, dt, v);
          } else {
            System.arraycopy(v, 0, u, 0, u.length);
            System.arraycopy(x, 0, predicted, 0, x.length);
            axpy(predicted, dt, u);
            float[] u2 = field.velocity(predicted, times[i + 1], i);
            for (int k = 0; k < x.length; k++) {
              x[k] += dt * 0.5f * (u[k] + u2[k]);
            }
          }
          progress.step(i + 1, steps);
        }
        return x;
      }

      @Override
      public int evaluations(int steps) {
        return 2 * steps - 1;
      }
    };
  }

  private static void axpy(float[] x, float a, float[] u) {
    for (int k = 0; k < x.length; k++) {
      x[k] += a * u[k];
    }
  }

  /** {@code --solver euler}. */
  public static final class Euler implements SolverProvider {
    @Override
    public String name() {
      return "euler";
    }

    @Override
    public String description() {
      return "Euler, 1 evaluation per step";
    }

    @Override
    public Solver create(Settings settings) {
      return euler();
    }
  }

  /** {@code --solver heun}. */
  public static final class Heun implements SolverProvider {
    @Override
    public String name() {
      return "heun";
    }

    @Override
    public String description() {
      return "Heun (2nd order), 2 evaluations per step, Euler into t = 1";
    }

    @Override
    public Solver create(Settings settings) {
      return heun();
    }
  }
}
