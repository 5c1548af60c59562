package io.videojam.guidance;

import io.videojam.api.LatentShape;
import io.videojam.api.ModelInfo;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.List;

/** Shared arithmetic of the built-in rules. */
final class Rules {
  private Rules() {}

  /** out[i] = sum_k coef[k] * outputs[k][i], over all channels. */
  static float[] linear(List<float[]> outputs, double... coef) {
    int n = outputs.get(0).length;
    float[] out = new float[n];
    for (int k = 0; k < coef.length; k++) {
      float[] o = outputs.get(k);
      float c = (float) coef[k];
      if (c == 0f) {
        continue;
      }
      for (int i = 0; i < n; i++) {
        out[i] += c * o[i];
      }
    }
    return out;
  }

  /**
   * Per-channel-kind combination: appearance channels use {@code appearance} coefficients, motion
   * channels {@code motion} coefficients (both over the same pass outputs).
   */
  static float[] split(List<float[]> outputs, LatentShape shape, double[] appearance, double[] motion) {
    float[] out = linear(outputs, appearance);
    if (shape.motionChannels() == 0) {
      return out;
    }
    int plane = shape.planeSize();
    int from = shape.appearanceChannels() * plane;
    int to = shape.channels() * plane;
    for (int b = 0; b < shape.batch(); b++) {
      int base = b * shape.sampleSize();
      for (int i = base + from; i < base + to; i++) {
        float s = 0f;
        for (int k = 0; k < motion.length; k++) {
          s += (float) motion[k] * outputs.get(k)[i];
        }
        out[i] = s;
      }
    }
    return out;
  }

  static double nonNegative(Settings s, String key, double fallback) {
    double v = s.number(key, fallback);
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new VideoJamException(s.origin() + ": " + key + " must be a finite number >= 0, got " + v);
    }
    return v;
  }

  static void requireMotion(ModelInfo model, String rule) {
    if (!model.hasMotion()) {
      throw new VideoJamException("--guidance " + rule + " needs a model with motion channels, but model '"
          + model.name() + "' has none (\"motion\": 0 in model.json); use --guidance cfg, or widen it with videojam extend");
    }
  }
}
