package io.videojam.model;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;

/**
 * A model's own conventions (model.json "denoiser") and their exact conversion to the framework's:
 * t = 0 noise, t = 1 data, x_t = t x1 + (1 - t) x0, u = dx/dt = x1 - x0, layout BCTHW.
 *
 * @param noiseAt1 {@code "time": {"convention": "noise_at_1"}}: the model's time is sigma = 1 - t
 *     (SD3, Wan); {@code data_at_1} (default) uses t itself
 * @param timeScale the model's time input is (t or sigma) * scale (1000 for many exports)
 * @param prediction what the output is
 * @param btchw {@code "layout": "BTCHW"} (frames before channels) instead of BCTHW
 * @param eps the clamp of the epsilon and sample conversions ({@code "prediction-eps"}, default 0.05)
 */
public record Conventions(boolean noiseAt1, double timeScale, Prediction prediction, boolean btchw, double eps) {
  /** The model's output. */
  public enum Prediction {
    /** dx/d(model time): x1 - x0 under data_at_1, x0 - x1 (noise - data) under noise_at_1. */
    VELOCITY,
    /** The noise x0. */
    EPSILON,
    /** The clean clip x1. */
    SAMPLE
  }

  public static Conventions from(Settings denoiser) {
    String layout = denoiser.string("layout", "BCTHW");
    if (!layout.equals("BCTHW") && !layout.equals("BTCHW") && !layout.equals("BNC")) {
      throw new VideoJamException(denoiser.origin() + ": \"layout\" must be BCTHW, BTCHW or BNC, got " + layout);
    }
    String convention = "data_at_1";
    double scale = 1.0;
    if (denoiser.has("time")) {
      Settings time = denoiser.child("time");
      convention = time.string("convention", convention);
      scale = time.number("scale", scale);
    }
    if (!convention.equals("data_at_1") && !convention.equals("noise_at_1")) {
      throw new VideoJamException(denoiser.origin() + ": time \"convention\" must be data_at_1 or noise_at_1, got " + convention);
    }
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new VideoJamException(denoiser.origin() + ": time \"scale\" must be > 0, got " + scale);
    }
    String p = denoiser.string("prediction", "velocity");
    Prediction prediction = switch (p) {
      case "velocity" -> Prediction.VELOCITY;
      case "epsilon" -> Prediction.EPSILON;
      case "sample" -> Prediction.SAMPLE;
      default -> throw new VideoJamException(denoiser.origin() + ": \"prediction\" must be velocity, epsilon or sample, got " + p);
    };
    double eps = denoiser.number("prediction-eps", 0.05);
    if (!(eps > 0) || eps >= 1) {
      throw new VideoJamException(denoiser.origin() + ": \"prediction-eps\" must be in (0, 1), got " + eps);
    }
    return new Conventions(convention.equals("noise_at_1"), scale, prediction, layout.equals("BTCHW"), eps);
  }

  /**
   * The factor the framework state x (x_t = t x1 + (1 - t) x0) is multiplied by before the model
   * sees it: 1 for flow-matching models; other conventions (variance-preserving diffusion, EDM)
   * feed the model its own scaling of the same point.
   */
  public double inputScale(double t) {
    return 1.0;
  }

  /** The model's time input for framework time t. */
  public double modelTime(double t) {
    return (noiseAt1 ? 1.0 - t : t) * timeScale;
  }

  /**
   * Converts the model output (already in BCTHW) to the framework velocity, in place.
   *
   * @param out the model output
   * @param x the framework state x_t (BCTHW), before {@link #inputScale}
   * @param t framework time
   */
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
    }
  }

  /** Swaps axes 1 and 2 of a 5-d array: BCTHW to BTCHW and back (the same permutation). */
  public static float[] swapAxes12(float[] in, int b, int d1, int d2, int inner) {
    float[] out = new float[in.length];
    for (int n = 0; n < b; n++) {
      int base = n * d1 * d2 * inner;
      for (int i = 0; i < d1; i++) {
        for (int j = 0; j < d2; j++) {
          System.arraycopy(in, base + (i * d2 + j) * inner, out, base + (j * d1 + i) * inner, inner);
        }
      }
    }
    return out;
  }
}
