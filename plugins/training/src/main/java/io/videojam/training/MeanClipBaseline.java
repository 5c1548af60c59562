package io.videojam.training;

/**
 * The loss a model must beat to have learned anything from its input: the flow-matching loss of
 * the best constant predictor, which outputs the mean of the target over the data whatever x_t, t
 * and the prompt are. For a velocity target v = x1 - x0 (x0 ~ N(0, 1) independent of x1) that
 * constant is the mean clip, and the loss per value is Var x1 + 1; for a clean-clip target x1 it is
 * Var x1. The baseline averages that over the values of a clip (variances over the clips).
 */
public final class MeanClipBaseline {
  private MeanClipBaseline() {}

  /**
   * The baseline over {@code clips} ({@code n} clips of {@code per} values each: the channels the
   * loss covers).
   *
   * @param sampleTarget the loss is on the clean clip x1 rather than on the velocity
   */
  public static double loss(float[] clips, int n, int per, boolean sampleTarget) {
    if (n < 2 || clips.length != (long) n * per) {
      throw new IllegalArgumentException("need at least 2 clips of " + per + " values, got " + clips.length + " values");
    }
    double total = 0;
    for (int i = 0; i < per; i++) {
      double mean = 0;
      for (int k = 0; k < n; k++) {
        mean += clips[k * per + i];
      }
      mean /= n;
      double var = 0;
      for (int k = 0; k < n; k++) {
        double d = clips[k * per + i] - mean;
        var += d * d;
      }
      total += var / n;
    }
    return total / per + (sampleTarget ? 0 : 1);
  }
}
