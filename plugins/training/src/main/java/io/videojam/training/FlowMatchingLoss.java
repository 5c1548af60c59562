package io.videojam.training;

import ai.djl.ndarray.NDArray;

/**
 * The flow-matching objective of one training batch (spec section 2, Eq. 1 to 3) and its joint
 * VideoJAM form (Eq. 6), as {@link Trainer} computes it. Latents are {@code [B, C, T, H, W]} with
 * the C_a appearance channels first; the mask {@code [B, C, 1, 1, 1]} is 1 where a channel counts
 * and 0 on the motion channels of a sample whose motion was dropped (motion dropout, section 3):
 * that sample's motion input is all zeros and its loss covers the appearance channels only.
 */
final class FlowMatchingLoss {
  private FlowMatchingLoss() {}

  /**
   * The mask of {@code keepMotion.length} samples into {@code mask} ({@code [B * C]}): 1 on every
   * appearance channel, and on the motion channels of the samples that keep their motion; 0 else.
   */
  static void motionMask(boolean[] keepMotion, int appearanceChannels, int channels, float[] mask) {
    for (int i = 0; i < keepMotion.length; i++) {
      for (int ch = 0; ch < channels; ch++) {
        mask[i * channels + ch] = ch < appearanceChannels || keepMotion[i] ? 1f : 0f;
      }
    }
  }

  /**
   * Eq. 1 (and d_t of Eq. 6, same t): x_t = t x1 + (1 - t) x0 with one t per sample ({@code t} is
   * {@code [B]}), times the mask, so that a dropped motion input is zero.
   */
  static NDArray interpolate(NDArray x1, NDArray x0, NDArray t, NDArray mask) {
    NDArray tb = t.reshape(t.size(), 1, 1, 1, 1);
    return x1.mul(tb).add(x0.mul(tb.neg().add(1f))).mul(mask);
  }

  /** Eq. 2: the velocity x1 - x0; a clean-clip head ({@code predictSample}) is trained on x1 itself. */
  static NDArray target(NDArray x1, NDArray x0, boolean predictSample) {
    return predictSample ? x1 : x1.sub(x0);
  }

  /** (u - target)^2 per element, 0 where the mask is 0. */
  static NDArray squaredError(NDArray u, NDArray target, NDArray mask) {
    return u.sub(target).square().mul(mask);
  }

  /**
   * Eq. 3 / Eq. 6: the mean of {@code err} over the elements the mask keeps, {@code perChannel}
   * (T H W) elements per kept channel of each sample.
   */
  static NDArray mean(NDArray err, NDArray mask, int perChannel) {
    return err.sum().div(mask.sum().mul((float) perChannel));
  }

  /**
   * The step's figures: {loss, mean squared error over the appearance channels, over the motion
   * channels of the samples that kept motion (NaN when none did, or the model has no motion)}.
   */
  static double[] stats(NDArray loss, NDArray err, NDArray mask, int perChannel, int appearanceChannels, int channels,
      boolean anyMotionKept) {
    float[] sums = err.sum(new int[] {0, 2, 3, 4}).toFloatArray();
    float[] weights = mask.sum(new int[] {0, 2, 3, 4}).mul((float) perChannel).toFloatArray();
    return new double[] {loss.getFloat(), groupMean(sums, weights, 0, appearanceChannels),
        anyMotionKept ? groupMean(sums, weights, appearanceChannels, channels) : Double.NaN};
  }

  /** sum(sums[from, to)) / sum(weights[from, to)), NaN when the weights are 0. */
  static double groupMean(float[] sums, float[] weights, int from, int to) {
    double s = 0, w = 0;
    for (int i = from; i < to; i++) {
      s += sums[i];
      w += weights[i];
    }
    return w > 0 ? s / w : Double.NaN;
  }
}
