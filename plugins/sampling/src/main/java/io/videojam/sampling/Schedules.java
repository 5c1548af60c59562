package io.videojam.sampling;

import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.TimeSchedule;
import io.videojam.api.TimeScheduleProvider;
import io.videojam.api.VideoJamException;
import java.util.Optional;

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
      throw new VideoJamException("shift must be a finite number > 0, got " + shift);
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
      throw new VideoJamException("steps must be >= 1, got " + steps);
    }
  }

  /**
   * The schedule {@code name} asks for: {@code model} is the model's own (the discrete timesteps of a
   * variance-preserving model, the Karras sigmas of an EDM model; an error for a model without one),
   * {@code auto} the model's own where it has one and else the shifted schedule ({@code shift}, default
   * 3), any other name a {@link TimeScheduleProvider}.
   *
   * @param nativeSchedule the model's own schedule, empty for flow-matching models
   */
  public static TimeSchedule resolve(String name, Settings settings, Optional<TimeSchedule> nativeSchedule) {
    return switch (name) {
      case "model" -> nativeSchedule.orElseThrow(() -> new VideoJamException(
          "--schedule model: the model.json \"denoiser\" \"time\" convention has no schedule of its own (vp and edm do); use --schedule shifted or uniform"));
      case "auto" -> nativeSchedule.orElseGet(() -> shifted(settings.number("shift", 3.0)));
      default -> Plugins.find(TimeScheduleProvider.class, name, "schedule").create(settings);
    };
  }

  /** {@code --schedule karras}: Karras sigmas 0.002 .. 80, rho 7 (keys sigma-min, sigma-max, rho). */
  public static final class Karras implements TimeScheduleProvider {
    @Override
    public String name() {
      return "karras";
    }

    @Override
    public String description() {
      return "Karras et al. sigmas at t = 1/(1+sigma), sigma-min=0.002 sigma-max=80 rho=7";
    }

    @Override
    public TimeSchedule create(Settings settings) {
      return new KarrasSchedule(settings.number("sigma-min", 0.002), settings.number("sigma-max", 80), settings.number("rho", 7));
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
