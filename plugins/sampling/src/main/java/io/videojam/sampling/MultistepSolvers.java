package io.videojam.sampling;

import io.videojam.api.Settings;
import io.videojam.api.Solver;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.VelocityField;

/**
 * Multistep exponential integrators in data-prediction form, written in the framework's own time: the
 * state x_t = alpha_t x1 + sigma_t x0 with alpha_t = t, sigma_t = 1 - t, half log-SNR
 * lambda_t = log(t / (1 - t)), and the data prediction D(x, t) = x + (1 - t) u(x, t) (the clean clip the
 * velocity points at). This is diffusers' DPMSolverMultistepScheduler and UniPCMultistepScheduler with
 * flow sigmas (sigma = 1 - t); since every model convention is converted exactly to u(x, t), they serve
 * variance-preserving and EDM models as well. One model evaluation per step; the first step (from pure
 * noise, lambda = -infinity) and the last (onto t = 1, lambda = +infinity) are first order, as diffusers
 * does with {@code lower_order_final} and a final sigma of zero. A history point at t = 0 has
 * lambda = -infinity; its finite-difference term then vanishes (the limit of the published formulas).
 */
public final class MultistepSolvers {
  private MultistepSolvers() {}

  static double lambda(double t) {
    return Math.log(t / (1 - t));
  }

  /** expm1(-h) for h = lambda_t - lambda_s, exact at the infinite ends. */
  static double expm1NegH(double h) {
    return Math.expm1(-h);
  }

  /** The data prediction D = x + (1 - t) u, copied (the field may reuse its array). */
  static float[] data(VelocityField field, float[] x, double t, int step) {
    float[] u = field.velocity(x, t, step);
    float[] d = new float[x.length];
    float s = (float) (1 - t);
    for (int k = 0; k < d.length; k++) {
      d[k] = x[k] + s * u[k];
    }
    return d;
  }

  /**
   * DPM-Solver++(2M) (Lu et al. 2022, diffusers' {@code dpmsolver++}, solver_order 2, midpoint): with
   * h = lambda_t - lambda_s0, r0 = (lambda_s0 - lambda_s1) / h, D1 = (D_s0 - D_s1) / r0,
   * x_t = (sigma_t / sigma_s0) x - alpha_t (e^-h - 1) (D_s0 + D1 / 2).
   */
  public static Solver dpmSolver2m() {
    return new Solver() {
      @Override
      public float[] integrate(VelocityField field, float[] x0, double[] times, StepListener progress) {
        float[] x = x0.clone();
        int steps = times.length - 1;
        float[] prev = null;
        for (int i = 0; i < steps; i++) {
          double s0 = times[i];
          double t = times[i + 1];
          float[] d0 = data(field, x, s0, i);
          double h = lambda(t) - lambda(s0);
          double ratio = (1 - t) / (1 - s0);
          double c = -t * expm1NegH(h); // -alpha_t (e^-h - 1)
          double half = 0;
          if (prev != null && i < steps - 1) {
            double r0 = (lambda(s0) - lambda(times[i - 1])) / h;
            half = Double.isInfinite(r0) ? 0 : 0.5 / r0;
          }
          for (int k = 0; k < x.length; k++) {
            double d1 = half == 0 ? 0 : (d0[k] - prev[k]) * half;
            x[k] = (float) (ratio * x[k] + c * (d0[k] + d1));
          }
          prev = d0;
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
   * UniPC (Zhao et al. 2023) as diffusers' UniPCMultistepScheduler with predict_x0, solver_type bh2
   * (B(h) = e^-h - 1), solver_order 2 and lower_order_final: a predictor UniP (of order 2 the same
   * update as DPM-Solver++(2M)) and, at every new point, the corrector UniC, which reuses the model
   * evaluation made there (so no extra evaluation) to correct the point before the next prediction:
   * x_t = (sigma_t / sigma_s0) x_s0 - alpha_t (e^-h - 1) D_s0 - alpha_t B(h) (rho_0 D1 + rho_1 (D_t - D_s0)),
   * rho solving [[1, 1], [r1, 1]] rho = b (order 2) or rho = 1/2 (order 1).
   */
  public static Solver uniPc() {
    return new Solver() {
      @Override
      public float[] integrate(VelocityField field, float[] x0, double[] times, StepListener progress) {
        float[] x = x0.clone();
        int steps = times.length - 1;
        float[] last = null; // the sample the last prediction started from
        float[] m0 = null; // D at times[i - 1]
        float[] m1 = null; // D at times[i - 2]
        int order = 1; // of the last prediction
        for (int i = 0; i < steps; i++) {
          double s = times[i];
          float[] m = data(field, x, s, i);
          if (i > 0) {
            correct(x, last, m, m0, order == 2 ? m1 : null, times[i - 1], s, order == 2 ? times[i - 2] : Double.NaN);
          }
          m1 = m0;
          m0 = m;
          order = Math.min(Math.min(2, steps - i), i + 1);
          last = x.clone();
          predict(x, m0, order == 2 ? m1 : null, s, times[i + 1], order == 2 ? times[i - 1] : Double.NaN);
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

  /** UniP-bh2 in place: x at s0 becomes the prediction at t. */
  static void predict(float[] x, float[] m0, float[] m1, double s0, double t, double s1) {
    double h = lambda(t) - lambda(s0);
    double phi1 = expm1NegH(h);
    double ratio = (1 - t) / (1 - s0);
    double half = 0; // rho_p = 1/2 times B(h) applied to D1 = (m1 - m0) / r1
    if (m1 != null) {
      double r1 = (lambda(s1) - lambda(s0)) / h;
      half = Double.isInfinite(r1) ? 0 : 0.5 / r1;
    }
    double at = t;
    for (int k = 0; k < x.length; k++) {
      double d1 = half == 0 ? 0 : (m1[k] - m0[k]) * half;
      x[k] = (float) (ratio * x[k] - at * phi1 * m0[k] - at * phi1 * d1);
    }
  }

  /** UniC-bh2 in place: the predicted x at t (where mt was evaluated) becomes the corrected point. */
  static void correct(float[] x, float[] last, float[] mt, float[] m0, float[] m1, double s0, double t, double s1) {
    double h = lambda(t) - lambda(s0);
    double hh = -h;
    double phi1 = Math.expm1(hh);
    double bh = phi1;
    double phiK = phi1 / hh - 1;
    double b1 = phiK / bh;
    phiK = phiK / hh - 0.5;
    double b2 = phiK * 2 / bh;
    double rho0;
    double rho1;
    double r1 = Double.NaN;
    if (m1 == null) {
      rho0 = 0;
      rho1 = 0.5;
    } else {
      r1 = (lambda(s1) - lambda(s0)) / h;
      if (Double.isInfinite(r1)) {
        rho0 = 0;
        rho1 = b1;
      } else {
        rho0 = (b1 - b2) / (1 - r1);
        rho1 = b1 - rho0;
      }
    }
    double ratio = (1 - t) / (1 - s0);
    double at = t;
    for (int k = 0; k < x.length; k++) {
      double d1 = rho0 == 0 ? 0 : (m1[k] - m0[k]) / r1;
      double corr = rho0 * d1 + rho1 * (mt[k] - m0[k]);
      x[k] = (float) (ratio * last[k] - at * phi1 * m0[k] - at * bh * corr);
    }
  }

  /** {@code --solver dpm++2m}. */
  public static final class Dpm2m implements SolverProvider {
    @Override
    public String name() {
      return "dpm++2m";
    }

    @Override
    public String description() {
      return "DPM-Solver++(2M), data prediction, 1 evaluation per step";
    }

    @Override
    public Solver create(Settings settings) {
      return dpmSolver2m();
    }
  }

  /** {@code --solver unipc}. */
  public static final class UniPc implements SolverProvider {
    @Override
    public String name() {
      return "unipc";
    }

    @Override
    public String description() {
      return "UniPC bh2 order 2 with the UniC corrector (Wan's default), 1 evaluation per step";
    }

    @Override
    public Solver create(Settings settings) {
      return uniPc();
    }
  }
}
