package io.videojam.guidance;

import io.videojam.api.LatentShape;
import io.videojam.api.ModelInfo;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.List;

/** Shared arithmetic of the built-in rules. */
final class Rules {
  private Rules() {}

  /**
   * Per-channel-kind combination: appearance channels use {@code appearance} coefficients, motion
   * channels {@code motion} coefficients (both over the same pass outputs).
   */
  static void split(List<float[]> outputs, LatentShape shape, double[] appearance, double[] motion, float[] out) {
    if (shape.motionChannels() == 0 || java.util.Arrays.equals(appearance, motion)) {
      mix(outputs, appearance, out, 0, out.length);
      return;
    }
    int plane = shape.planeSize();
    int split = shape.appearanceChannels() * plane;
    for (int b = 0; b < shape.batch(); b++) {
      int base = b * shape.sampleSize();
      mix(outputs, appearance, out, base, base + split);
      mix(outputs, motion, out, base + split, base + shape.sampleSize());
    }
  }

  /** out[i] = sum_k coef[k] * outputs[k][i] for i in [from, to), in one pass for up to three outputs. */
  static void mix(List<float[]> outputs, double[] coef, float[] out, int from, int to) {
    float c0 = (float) coef[0];
    float[] o0 = outputs.get(0);
    switch (coef.length) {
      case 1 -> {
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[i];
        }
      }
      case 2 -> {
        float c1 = (float) coef[1];
        float[] o1 = outputs.get(1);
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[i] + c1 * o1[i];
        }
      }
      case 3 -> {
        float c1 = (float) coef[1];
        float c2 = (float) coef[2];
        float[] o1 = outputs.get(1);
        float[] o2 = outputs.get(2);
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[i] + c1 * o1[i] + c2 * o2[i];
        }
      }
      default -> {
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[i];
        }
        for (int k = 1; k < coef.length; k++) {
          float c = (float) coef[k];
          float[] o = outputs.get(k);
          for (int i = from; i < to; i++) {
            out[i] += c * o[i];
          }
        }
      }
    }
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
      throw new VideoJamException("guidance " + rule + " needs a model with motion channels, but model '"
          + model.name() + "' has none (\"motion\": 0 in model.json); use --guidance cfg, or widen it with videojam extend");
    }
  }
}
