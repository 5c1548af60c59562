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
    float[][] src = outputs.toArray(new float[0][]);
    split(src, new int[src.length], shape, appearance, motion, out);
  }

  /** {@link #split(List, LatentShape, double[], double[], float[])} with pass k's output at {@code src[k][off[k] + i]}. */
  static void split(float[][] src, int[] off, LatentShape shape, double[] appearance, double[] motion, float[] out) {
    if (shape.motionChannels() == 0 || java.util.Arrays.equals(appearance, motion)) {
      mix(src, off, appearance, out, 0, out.length);
      return;
    }
    int plane = shape.planeSize();
    int split = shape.appearanceChannels() * plane;
    for (int b = 0; b < shape.batch(); b++) {
      int base = b * shape.sampleSize();
      mix(src, off, appearance, out, base, base + split);
      mix(src, off, motion, out, base + split, base + shape.sampleSize());
    }
  }

  /** out[i] = sum_k coef[k] * outputs[k][i] for i in [from, to), in one pass for up to three outputs. */
  static void mix(List<float[]> outputs, double[] coef, float[] out, int from, int to) {
    float[][] src = outputs.toArray(new float[0][]);
    mix(src, new int[src.length], coef, out, from, to);
  }

  /** out[i] = sum_k coef[k] * src[k][off[k] + i] for i in [from, to), in one pass for up to three outputs. */
  static void mix(float[][] src, int[] off, double[] coef, float[] out, int from, int to) {
    float c0 = (float) coef[0];
    float[] o0 = src[0];
    int f0 = off[0];
    switch (coef.length) {
      case 1 -> {
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[f0 + i];
        }
      }
      case 2 -> {
        float c1 = (float) coef[1];
        float[] o1 = src[1];
        int f1 = off[1];
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[f0 + i] + c1 * o1[f1 + i];
        }
      }
      case 3 -> {
        float c1 = (float) coef[1];
        float c2 = (float) coef[2];
        float[] o1 = src[1];
        float[] o2 = src[2];
        int f1 = off[1];
        int f2 = off[2];
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[f0 + i] + c1 * o1[f1 + i] + c2 * o2[f2 + i];
        }
      }
      default -> {
        for (int i = from; i < to; i++) {
          out[i] = c0 * o0[f0 + i];
        }
        for (int k = 1; k < coef.length; k++) {
          float c = (float) coef[k];
          float[] o = src[k];
          int f = off[k];
          for (int i = from; i < to; i++) {
            out[i] += c * o[f + i];
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
