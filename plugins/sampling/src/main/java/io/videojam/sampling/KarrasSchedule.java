package io.videojam.sampling;

import io.videojam.api.TimeSchedule;
import io.videojam.api.VideoJamException;

/**
 * The noise levels of Karras et al. (2022), sigma_i = (sigma_max^(1/rho) + i / (n - 1) (sigma_min^(1/rho)
 * - sigma_max^(1/rho)))^rho for i = 0 .. n - 1, then 0, in the framework's time: an EDM point
 * z = x1 + sigma eps is x = z / (1 + sigma) at t = 1 / (1 + sigma). The first time is 0 (pure noise;
 * the model sees it at sigma_max), the last 1.
 */
public record KarrasSchedule(double sigmaMin, double sigmaMax, double rho) implements TimeSchedule {
  public KarrasSchedule {
    if (!(sigmaMin > 0) || !(sigmaMax > sigmaMin) || Double.isInfinite(sigmaMax)) {
      throw new VideoJamException("need 0 < sigma-min < sigma-max < infinity, got sigma-min " + sigmaMin + ", sigma-max " + sigmaMax);
    }
    if (!(rho > 0) || Double.isInfinite(rho)) {
      throw new VideoJamException("rho must be a finite number > 0, got " + rho);
    }
  }

  /** sigma_0 .. sigma_{n-1} (without the final 0). */
  public double[] sigmas(int steps) {
    if (steps < 1) {
      throw new VideoJamException("steps must be >= 1, got " + steps);
    }
    double lo = Math.pow(sigmaMin, 1 / rho);
    double hi = Math.pow(sigmaMax, 1 / rho);
    double[] s = new double[steps];
    for (int i = 0; i < steps; i++) {
      double ramp = steps == 1 ? 0 : (double) i / (steps - 1);
      s[i] = Math.pow(hi + ramp * (lo - hi), rho);
    }
    return s;
  }

  @Override
  public double[] times(int steps) {
    double[] s = sigmas(steps);
    double[] t = new double[steps + 1];
    for (int i = 1; i < steps; i++) {
      t[i] = 1 / (1 + s[i]);
    }
    t[steps] = 1;
    return t;
  }
}
