package io.videojam.model;

import io.videojam.api.Settings;
import io.videojam.api.TimeSchedule;
import io.videojam.api.VideoJamException;
import io.videojam.sampling.KarrasSchedule;
import io.videojam.sampling.VpSchedule;
import java.util.Optional;

/**
 * A model's own conventions (model.json "denoiser") and their exact conversion to the framework's:
 * t = 0 noise, t = 1 data, x_t = t x1 + (1 - t) x0, u = dx/dt = x1 - x0, layout BCTHW.
 *
 * <p>{@code "time": {"convention": ...}} picks one of three families:
 *
 * <ul>
 *   <li>{@link Flow}: {@code data_at_1} (default) or {@code noise_at_1} flow matching;
 *   <li>{@link Vp}: {@code vp}, variance-preserving diffusion z = alpha x1 + sigma eps on discrete DDPM
 *       timesteps (CogVideoX, AnimateDiff, ModelScope), epsilon, v or sample prediction;
 *   <li>{@link Edm}: {@code edm}, z = x1 + sigma eps with the preconditioning of Karras et al. (2022).
 * </ul>
 *
 * <p>VP and EDM points map to the framework exactly (VP: x = z / (alpha + sigma) at t = alpha / (alpha +
 * sigma); EDM: x = z / (1 + sigma) at t = 1 / (1 + sigma)). Where t lies outside the noise levels the
 * model was trained on (t = 0 is pure noise, which a VP model with nonzero terminal SNR or an EDM model
 * with finite sigma-max never sees) the model is run at its nearest level on the framework's state, and
 * the velocity is taken from its clean prediction, u = (x1_hat - x) / (1 - t) (noise end), or its noise
 * prediction, u = (x - eps_hat) / t (data end), which is exact in the limit; inside they agree with
 * u = x1_hat - eps_hat.
 */
public sealed interface Conventions permits Conventions.Flow, Conventions.Vp, Conventions.Edm {
  /** The model's output. */
  enum Prediction {
    /** dx/d(model time): x1 - x0 under data_at_1, x0 - x1 (noise - data) under noise_at_1. */
    VELOCITY,
    /** The noise x0 (eps). */
    EPSILON,
    /** The clean clip x1. */
    SAMPLE,
    /** diffusers' v_prediction: v = alpha eps - sigma x1. */
    V,
    /** The raw network F of EDM: D = c_skip z + c_out F(c_in z; c_noise). */
    EDM
  }

  /**
   * The factor the framework state x (x_t = t x1 + (1 - t) x0) is multiplied by before the model sees
   * it: 1 for flow-matching models; alpha + sigma (VP), or c_in (1 + sigma) (EDM) at t.
   */
  double inputScale(double t);

  /** The model's time input for framework time t. */
  double modelTime(double t);

  /**
   * Converts the model output (already in BCTHW) to the framework velocity, in place.
   *
   * @param out the model output
   * @param x the framework state x_t (BCTHW), before {@link #inputScale}
   * @param t framework time
   */
  void toVelocity(float[] out, float[] x, double t);

  /**
   * {@link #toVelocity} at t as {@code v = a * out + b * x}: every convention's conversion is affine
   * in the output and the state, value by value, with coefficients that depend on t alone, so they
   * are read off the conversion itself (out = 1, x = 0 gives a; out = 0, x = 1 gives b).
   *
   * @return {a, b}
   */
  default float[] affine(double t) {
    float[] ab = {1, 0};
    toVelocity(ab, new float[] {0, 1}, t);
    return ab;
  }

  /** The model's own time schedule (VP: its discrete timesteps; EDM: Karras sigmas); empty for flow models. */
  default Optional<TimeSchedule> nativeSchedule() {
    return Optional.empty();
  }

  static Conventions from(Settings denoiser) {
    Settings time = denoiser.has("time") ? denoiser.child("time") : new Settings(java.util.Map.of(), denoiser.origin() + " \"time\"");
    String convention = time.string("convention", "data_at_1");
    return switch (convention) {
      case "data_at_1", "noise_at_1" -> Flow.from(denoiser, time, convention.equals("noise_at_1"));
      case "vp" -> Vp.from(denoiser, time);
      case "edm" -> Edm.from(denoiser, time);
      default -> throw new VideoJamException(time.origin() + ": \"convention\" must be data_at_1, noise_at_1, vp or edm, got " + Settings.describe(convention));
    };
  }

  private static double positive(Settings s, String key, double fallback) {
    double v = s.number(key, fallback);
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new VideoJamException(s.origin() + ": \"" + key + "\" must be a finite number > 0, got " + v);
    }
    return v;
  }

  /** The velocity at (x, t) from the clean and noise predictions: the clean one up to t = 1/2, the noise one after. */
  private static float velocity(double x1, double eps, double x, double t) {
    return (float) (t <= 0.5 ? (x1 - x) / (1 - t) : (x - eps) / t);
  }

  /**
   * Flow matching.
   *
   * @param noiseAt1 {@code "time": {"convention": "noise_at_1"}}: the model's time is sigma = 1 - t
   *     (SD3, Wan); {@code data_at_1} (default) uses t itself
   * @param timeScale the model's time input is (t or sigma) * scale (1000 for many exports)
   * @param prediction velocity, epsilon or sample
   * @param eps the clamp of the epsilon and sample conversions ({@code "prediction-eps"}, default 0.05)
   */
  record Flow(boolean noiseAt1, double timeScale, Prediction prediction, double eps) implements Conventions {
    static Flow from(Settings denoiser, Settings time, boolean noiseAt1) {
      double scale = time.number("scale", 1.0);
      if (!(scale > 0) || Double.isInfinite(scale)) {
        throw new VideoJamException(denoiser.origin() + ": time \"scale\" must be > 0, got " + scale);
      }
      String p = denoiser.string("prediction", "velocity");
      Prediction prediction = switch (p) {
        case "velocity" -> Prediction.VELOCITY;
        case "epsilon" -> Prediction.EPSILON;
        case "sample" -> Prediction.SAMPLE;
        default -> throw new VideoJamException(denoiser.origin() + ": \"prediction\" must be velocity, epsilon or sample, got " + Settings.describe(p)
            + (p.equals("v") || p.equals("v_prediction") ? " (v prediction belongs to \"time\": {\"convention\": \"vp\"})" : ""));
      };
      double eps = denoiser.number("prediction-eps", 0.05);
      if (!(eps > 0) || eps >= 1) {
        throw new VideoJamException(denoiser.origin() + ": \"prediction-eps\" must be in (0, 1), got " + eps);
      }
      return new Flow(noiseAt1, scale, prediction, eps);
    }

    @Override
    public double inputScale(double t) {
      return 1.0;
    }

    @Override
    public double modelTime(double t) {
      return (noiseAt1 ? 1.0 - t : t) * timeScale;
    }

    @Override
    public void toVelocity(float[] out, float[] x, double t) {
      switch (prediction) {
        case VELOCITY -> {
          if (noiseAt1) {
            for (int i = 0; i < out.length; i++) {
              out[i] = -out[i];
            }
          }
        }
        case EPSILON -> {
          float inv = (float) (1.0 / Math.max(t, eps));
          for (int i = 0; i < out.length; i++) {
            out[i] = (x[i] - out[i]) * inv;
          }
        }
        case SAMPLE -> {
          float inv = (float) (1.0 / Math.max(1.0 - t, eps));
          for (int i = 0; i < out.length; i++) {
            out[i] = (out[i] - x[i]) * inv;
          }
        }
        default -> throw new IllegalStateException(prediction.toString());
      }
    }
  }

  /**
   * Variance-preserving diffusion: z = alpha x1 + sigma eps, alpha = sqrt(alphabar_k), sigma =
   * sqrt(1 - alphabar_k) at DDPM timestep k. At framework time t the same point has alpha = t / n,
   * sigma = (1 - t) / n, n = sqrt(t^2 + (1 - t)^2), so z = x / n and the timestep is the one whose
   * alphabar is t^2 / n^2 (fractional between integers; an int64 time input rounds it, which is exact
   * on the model's own schedule, {@code --schedule model}).
   *
   * @param schedule the betas' alphabar table
   * @param spacing diffusers' timestep_spacing of the native schedule
   * @param offset diffusers' steps_offset
   * @param timeScale the model's time input is the timestep times this (default 1)
   * @param prediction epsilon, v or sample
   */
  record Vp(VpSchedule schedule, String spacing, int offset, double timeScale, Prediction prediction) implements Conventions {
    /** The most DDPM timesteps read: the schedule holds a table of this many doubles (diffusers' models use 1000). */
    static final int MAX_TRAIN_STEPS = 100_000;

    static Vp from(Settings denoiser, Settings time) {
      String betas = time.string("betas", "linear");
      if (!betas.equals("linear") && !betas.equals("scaled_linear") && !betas.equals("squaredcos_cap_v2")) {
        throw new VideoJamException(time.origin() + ": \"betas\" must be " + VpSchedule.BETAS + " (diffusers' beta_schedule), got " + Settings.describe(betas));
      }
      double start = positive(time, "beta-start", 0.0001);
      double end = positive(time, "beta-end", 0.02);
      if (!(end < 1) || !(start < 1)) {
        throw new VideoJamException(time.origin() + ": \"beta-start\" and \"beta-end\" must be < 1 (e.g. 0.00085 and 0.012), got " + start + " and " + end);
      }
      int steps = time.integer("train-steps", 1000);
      if (steps < 2 || steps > MAX_TRAIN_STEPS) {
        throw new VideoJamException(time.origin() + ": \"train-steps\" must be 2.." + MAX_TRAIN_STEPS
            + " (diffusers' num_train_timesteps, usually 1000), got " + steps);
      }
      String spacing = time.string("spacing", "leading");
      if (!spacing.equals("leading") && !spacing.equals("trailing") && !spacing.equals("linspace")) {
        throw new VideoJamException(time.origin() + ": \"spacing\" must be " + VpSchedule.SPACINGS + " (diffusers' timestep_spacing), got " + Settings.describe(spacing));
      }
      int offset = time.integer("steps-offset", 0);
      if (offset < 0 || offset >= steps) {
        throw new VideoJamException(time.origin() + ": \"steps-offset\" must be in [0, train-steps), usually 0 or 1, got " + offset);
      }
      double scale = positive(time, "scale", 1.0);
      String p = denoiser.string("prediction", "epsilon");
      Prediction prediction = switch (p) {
        case "epsilon" -> Prediction.EPSILON;
        case "v", "v_prediction" -> Prediction.V;
        case "sample" -> Prediction.SAMPLE;
        default -> throw new VideoJamException(denoiser.origin() + ": \"prediction\" must be epsilon, v or sample under \"convention\": \"vp\", got " + Settings.describe(p));
      };
      VpSchedule schedule;
      try {
        schedule = VpSchedule.of(betas, start, end, steps);
      } catch (VideoJamException e) {
        throw new VideoJamException(time.origin() + ": " + e.getMessage());
      }
      return new Vp(schedule, spacing, offset, scale, prediction);
    }

    @Override
    public Optional<TimeSchedule> nativeSchedule() {
      return Optional.of(schedule.schedule(spacing, offset));
    }

    private static double norm(double t) {
      return Math.sqrt(t * t + (1 - t) * (1 - t));
    }

    @Override
    public double inputScale(double t) {
      return 1 / norm(t);
    }

    @Override
    public double modelTime(double t) {
      return schedule.timestep(VpSchedule.alphaBarAt(t)) * timeScale;
    }

    @Override
    public void toVelocity(float[] out, float[] x, double t) {
      double n = norm(t);
      double ab = VpSchedule.alphaBarAt(t);
      double a;
      double s;
      int last = schedule.trainSteps() - 1;
      if (ab <= schedule.alphaBar(last)) { // noisier than the model was trained: its noisiest timestep
        a = Math.sqrt(schedule.alphaBar(last));
        s = Math.sqrt(1 - schedule.alphaBar(last));
      } else if (ab >= schedule.alphaBar(0)) { // cleaner than timestep 0
        a = Math.sqrt(schedule.alphaBar(0));
        s = Math.sqrt(1 - schedule.alphaBar(0));
      } else {
        a = t / n;
        s = (1 - t) / n;
      }
      for (int i = 0; i < out.length; i++) {
        double z = x[i] / n;
        double o = out[i];
        double x1;
        double eps;
        switch (prediction) {
          case EPSILON -> {
            eps = o;
            x1 = (z - s * o) / a;
          }
          case V -> {
            x1 = a * z - s * o;
            eps = s * z + a * o;
          }
          case SAMPLE -> {
            x1 = o;
            eps = (z - a * o) / s;
          }
          default -> throw new IllegalStateException(prediction.toString());
        }
        out[i] = velocity(x1, eps, x[i], t);
      }
    }
  }

  /**
   * EDM (Karras et al. 2022): z = x1 + sigma eps, D(z; sigma) = c_skip z + c_out F(c_in z; c_noise) with
   * c_skip = sd^2 / (sigma^2 + sd^2), c_out = sigma sd / sqrt(sigma^2 + sd^2), c_in = 1 / sqrt(sigma^2 +
   * sd^2), c_noise = ln(sigma) / 4. Framework: t = 1 / (1 + sigma), x = z / (1 + sigma). Sigma is held
   * to [sigma-min, sigma-max] for the model.
   *
   * @param sigmaData sd
   * @param sigmaMin the smallest sigma (Karras schedule and the model's range)
   * @param sigmaMax the largest
   * @param rho the Karras schedule's rho
   * @param prediction {@link Prediction#EDM} (the graph is F: the adapter applies the preconditioning, time
   *     input c_noise) or {@link Prediction#SAMPLE} (the graph is D itself, inputs z and sigma)
   */
  record Edm(double sigmaData, double sigmaMin, double sigmaMax, double rho, Prediction prediction) implements Conventions {
    static Edm from(Settings denoiser, Settings time) {
      double sd = positive(time, "sigma-data", 0.5);
      double min = positive(time, "sigma-min", 0.002);
      double max = positive(time, "sigma-max", 80);
      if (!(max > min)) {
        throw new VideoJamException(time.origin() + ": \"sigma-max\" (" + max + ") must be greater than \"sigma-min\" (" + min + "), e.g. 80 and 0.002");
      }
      double rho = positive(time, "rho", 7);
      String p = denoiser.string("prediction", "edm");
      Prediction prediction = switch (p) {
        case "edm" -> Prediction.EDM;
        case "sample" -> Prediction.SAMPLE;
        default -> throw new VideoJamException(denoiser.origin() + ": \"prediction\" must be edm (the graph is the raw network F) or sample (the graph is D) under \"convention\": \"edm\", got " + Settings.describe(p));
      };
      return new Edm(sd, min, max, rho, prediction);
    }

    @Override
    public Optional<TimeSchedule> nativeSchedule() {
      return Optional.of(new KarrasSchedule(sigmaMin, sigmaMax, rho));
    }

    /** The model's sigma at framework time t: (1 - t) / t held to [sigma-min, sigma-max]. */
    double sigma(double t) {
      double s = t <= 0 ? Double.POSITIVE_INFINITY : (1 - t) / t;
      return Math.min(Math.max(s, sigmaMin), sigmaMax);
    }

    private double cIn(double s) {
      return 1 / Math.sqrt(s * s + sigmaData * sigmaData);
    }

    @Override
    public double inputScale(double t) {
      double s = sigma(t);
      return prediction == Prediction.EDM ? cIn(s) * (1 + s) : 1 + s;
    }

    @Override
    public double modelTime(double t) {
      double s = sigma(t);
      return prediction == Prediction.EDM ? Math.log(s) / 4 : s;
    }

    @Override
    public void toVelocity(float[] out, float[] x, double t) {
      double s = sigma(t);
      double sd2 = sigmaData * sigmaData;
      double cSkip = sd2 / (s * s + sd2);
      double cOut = s * sigmaData / Math.sqrt(s * s + sd2);
      for (int i = 0; i < out.length; i++) {
        double z = x[i] * (1 + s);
        double d = prediction == Prediction.EDM ? cSkip * z + cOut * out[i] : out[i];
        out[i] = velocity(d, (z - d) / s, x[i], t);
      }
    }
  }

}
