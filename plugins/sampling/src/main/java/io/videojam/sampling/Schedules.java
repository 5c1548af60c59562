package io.videojam.sampling;

import io.videojam.api.Settings;
import io.videojam.api.TimeSchedule;
import io.videojam.api.TimeScheduleProvider;
import io.videojam.api.VideoJamException;

/** The built-in time schedules. */
public final class Schedules {
  private Schedules() {}

  /** t_i = i / n. */
  public static TimeSchedule uniform() {
    return steps -> {
      checkSteps(steps);
      double[] t = new double[steps + 1];
      for (int i = 0; i <= steps; i++) {
        t[i] = (double) i / steps;
      }
      return t;
    };
  }

  /**
   * The shifted schedule of SD3 and Wan: with the noise level sigma = 1 - t taken uniformly from 1
   * to 0, sigma' = s sigma / (1 + (s - 1) sigma) and t = 1 - sigma'. A shift s > 1 spends more
   * steps at high noise (where coarse motion is decided); s = 1 is the uniform schedule.
   */
  public static TimeSchedule shifted(double shift) {
    if (!(shift > 0) || Double.isInfinite(shift)) {
      throw new VideoJamException("--shift must be a finite number > 0, got " + shift);
    }
    return steps -> {
      checkSteps(steps);
      double[] t = new double[steps + 1];
      for (int i = 0; i <= steps; i++) {
        double sigma = 1.0 - (double) i / steps;
        t[i] = 1.0 - shift * sigma / (1.0 + (shift - 1.0) * sigma);
      }
      t[0] = 0.0;
      t[steps] = 1.0;
      return t;
    };
  }

  private static void checkSteps(int steps) {
    if (steps < 1) {
      throw new VideoJamException("--steps must be >= 1, got " + steps);
    }
  }

  /** {@code --schedule uniform}. */
  public static final class Uniform implements TimeScheduleProvider {
    @Override
    public String name() {
      return "uniform";
    }

    @Override
    public String description() {
      return "uniform: t_i = i/n";
    }

    @Override
    public TimeSchedule create(Settings settings) {
      return uniform();
    }
  }

  /** {@code --schedule shifted --shift S} (default S = 3). */
  public static final class Shifted implements TimeScheduleProvider {
    @Override
    public String name() {
      return "shifted";
    }

    @Override
    public String description() {
      return "SD3/Wan shift: sigma' = s sigma / (1 + (s-1) sigma), shift=3";
    }

    @Override
    public TimeSchedule create(Settings settings) {
      return shifted(settings.number("shift", 3.0));
    }
  }
}
