package io.videojam.sampling;

import io.videojam.api.TimeSchedule;
import io.videojam.api.VideoJamException;
import java.util.Arrays;

/**
 * A variance-preserving diffusion schedule (DDPM): z = alpha x1 + sigma eps with alpha = sqrt(alphabar_k),
 * sigma = sqrt(1 - alphabar_k) at the discrete timestep k = 0 .. T - 1 (k = T - 1 the noisiest), betas and
 * timestep spacings as diffusers' DDPMScheduler and DDIMScheduler define them.
 *
 * <p>The same point in the framework's space (x_t = t x1 + (1 - t) x0) is x = z / (alpha + sigma) at
 * t = alpha / (alpha + sigma); conversely at framework time t, alpha = t / n and sigma = (1 - t) / n with
 * n = sqrt(t^2 + (1 - t)^2), so alphabar(t) = t^2 / (t^2 + (1 - t)^2).
 *
 * @param alphaBar the cumulative products of 1 - beta, index = timestep
 */
public record VpSchedule(double[] alphaBar) {
  /** The beta schedules by their diffusers names. */
  public static final String BETAS = "linear, scaled_linear or squaredcos_cap_v2";

  /** The timestep spacings by their diffusers names. */
  public static final String SPACINGS = "leading, trailing or linspace";

  public VpSchedule {
    alphaBar = alphaBar.clone();
    for (int k = 1; k < alphaBar.length; k++) {
      if (!(alphaBar[k] < alphaBar[k - 1]) || !(alphaBar[k] > 0)) {
        throw new VideoJamException("alphabar must decrease and stay > 0, fails at timestep " + k);
      }
    }
  }

  /**
   * @param betas {@code linear} (linspace(start, end)), {@code scaled_linear} (linspace(sqrt(start), sqrt(end))^2)
   *     or {@code squaredcos_cap_v2} (Nichol and Dhariwal's cosine, betas capped at 0.999; start and end unused)
   * @param trainSteps T, the number of training timesteps (1000 for most models)
   */
  public static VpSchedule of(String betas, double start, double end, int trainSteps) {
    if (trainSteps < 2) {
      throw new VideoJamException("train-steps must be >= 2, got " + trainSteps);
    }
    double[] beta = new double[trainSteps];
    switch (betas) {
      case "linear" -> {
        for (int k = 0; k < trainSteps; k++) {
          beta[k] = start + (end - start) * k / (trainSteps - 1);
        }
      }
      case "scaled_linear" -> {
        double a = Math.sqrt(start);
        double b = Math.sqrt(end);
        for (int k = 0; k < trainSteps; k++) {
          double r = a + (b - a) * k / (trainSteps - 1);
          beta[k] = r * r;
        }
      }
      case "squaredcos_cap_v2" -> {
        for (int k = 0; k < trainSteps; k++) {
          beta[k] = Math.min(1 - cosine((k + 1.0) / trainSteps) / cosine((double) k / trainSteps), 0.999);
        }
      }
      default -> throw new VideoJamException("betas must be " + BETAS + ", got " + betas);
    }
    double[] ab = new double[trainSteps];
    double prod = 1;
    for (int k = 0; k < trainSteps; k++) {
      if (!(beta[k] > 0) || !(beta[k] < 1)) {
        throw new VideoJamException("beta at timestep " + k + " is " + beta[k] + "; beta-start and beta-end must give betas in (0, 1)");
      }
      prod *= 1 - beta[k];
      ab[k] = prod;
    }
    return new VpSchedule(ab);
  }

  private static double cosine(double s) {
    double c = Math.cos((s + 0.008) / 1.008 * Math.PI / 2);
    return c * c;
  }

  public int trainSteps() {
    return alphaBar.length;
  }

  public double alphaBar(int k) {
    return alphaBar[k];
  }

  /** Framework time of timestep k: alpha / (alpha + sigma). */
  public double time(int k) {
    double a = Math.sqrt(alphaBar[k]);
    double s = Math.sqrt(1 - alphaBar[k]);
    return a / (a + s);
  }

  /** alphabar at framework time t: t^2 / (t^2 + (1 - t)^2). */
  public static double alphaBarAt(double t) {
    return t * t / (t * t + (1 - t) * (1 - t));
  }

  /**
   * The continuous timestep whose alphabar is {@code ab} (log alphabar interpolated linearly between
   * integer timesteps), clamped to [0, T - 1]; an integer timestep's own alphabar gives that integer.
   */
  public double timestep(double ab) {
    int n = alphaBar.length;
    if (ab >= alphaBar[0]) {
      return 0;
    }
    if (ab <= alphaBar[n - 1]) {
      return n - 1;
    }
    int lo = 0;
    int hi = n - 1; // alphaBar[lo] > ab > alphaBar[hi]
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (alphaBar[mid] == ab) {
        return mid;
      }
      if (alphaBar[mid] > ab) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double l0 = Math.log(alphaBar[lo]);
    double l1 = Math.log(alphaBar[hi]);
    return lo + (l0 - Math.log(ab)) / (l0 - l1);
  }

  /**
   * The {@code steps} timesteps diffusers' DDIMScheduler.set_timesteps visits, noisiest first.
   *
   * @param spacing {@code leading} (arange(n) * (T // n) + offset), {@code trailing}
   *     (round(arange(T, 0, -T / n)) - 1) or {@code linspace} (round(linspace(0, T - 1, n)))
   * @param offset diffusers' steps_offset (leading only)
   */
  public int[] timesteps(int steps, String spacing, int offset) {
    int n = alphaBar.length;
    if (steps < 1 || steps > n) {
      throw new VideoJamException("steps must be between 1 and train-steps (" + n + "), got " + steps);
    }
    int[] ts = new int[steps];
    for (int i = 0; i < steps; i++) {
      ts[i] = switch (spacing) {
        case "leading" -> (steps - 1 - i) * (n / steps) + offset;
        case "trailing" -> (int) Math.rint(n - i * ((double) n / steps)) - 1;
        case "linspace" -> (int) Math.rint((double) (n - 1) * (steps - 1 - i) / Math.max(steps - 1, 1));
        default -> throw new VideoJamException("spacing must be " + SPACINGS + ", got " + spacing);
      };
      if (ts[i] < 0 || ts[i] >= n || (i > 0 && ts[i] >= ts[i - 1])) {
        throw new VideoJamException("timestep spacing " + spacing + " with steps-offset " + offset + " gives timesteps "
            + Arrays.toString(Arrays.copyOf(ts, i + 1)) + " for " + steps + " steps; they must decrease within [0, " + (n - 1) + "]");
      }
    }
    return ts;
  }

  /**
   * The framework times of the model's own discrete schedule: t_0 = 0 (pure noise; the model sees it at
   * its noisiest timestep T - 1), t_i = time(k_i) for the spaced timesteps k_1 .. k_{n-1}, t_n = 1
   * (diffusers' final alphabar of 1: the last step lands on the clean prediction). Every model
   * evaluation after the first is at an exact integer timestep, so Euler on these times is
   * deterministic DDIM.
   */
  public TimeSchedule schedule(String spacing, int offset) {
    timesteps(1, spacing, offset); // validates the spacing name now
    return steps -> {
      int[] ts = timesteps(steps, spacing, offset);
      double[] t = new double[steps + 1];
      for (int i = 1; i < steps; i++) {
        t[i] = time(ts[i]);
      }
      t[steps] = 1;
      return t;
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VpSchedule v && Arrays.equals(alphaBar, v.alphaBar);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(alphaBar);
  }

  @Override
  public String toString() {
    return "VpSchedule[T=" + alphaBar.length + "]";
  }
}
