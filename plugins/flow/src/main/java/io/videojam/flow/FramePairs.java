package io.videojam.flow;

import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.util.Arrays;

/** Frame checks and conversions shared by the estimators. Frames are RGB {@code [3, H, W]} in [-1, 1]. */
final class FramePairs {
  private FramePairs() {}

  /**
   * Checks that both frames are RGB {@code [3, H, W]} of one size, at least {@code minSide} pixels
   * on each side.
   *
   * @param estimator the estimator's name, for the message
   * @return {@code {H, W}}
   */
  static int[] checkPair(String estimator, FloatTensor first, FloatTensor second, int minSide) {
    int[] a = size(estimator, "first", first);
    int[] b = size(estimator, "second", second);
    if (a[0] != b[0] || a[1] != b[1]) {
      throw new VideoJamException("flow estimator " + estimator + ": the two frames differ in size (" + a[1] + "x" + a[0]
          + " and " + b[1] + "x" + b[0] + "); all frames of a video must have one size");
    }
    if (a[0] < minSide || a[1] < minSide) {
      throw new VideoJamException("flow estimator " + estimator + ": frames of " + a[1] + "x" + a[0] + " are too small, it needs at least "
          + minSide + "x" + minSide + " pixels; use a larger video");
    }
    return a;
  }

  private static int[] size(String estimator, String which, FloatTensor frame) {
    long[] s = frame.shape();
    if (s.length != 3 || s[0] != 3 || s[1] < 1 || s[2] < 1) {
      throw new VideoJamException("flow estimator " + estimator + ": the " + which + " frame has shape " + Arrays.toString(s)
          + "; frames must be RGB [3, H, W] with values in [-1, 1]");
    }
    return new int[] {Math.toIntExact(s[1]), Math.toIntExact(s[2])};
  }

  /**
   * 8-bit BT.601 luma of an RGB frame in [-1, 1]: each channel is first mapped to the level
   * {@code p = (v + 1) * 127.5}, then {@code Y = 0.299 R + 0.587 G + 0.114 B}, rounded to the
   * nearest level and clamped to [0, 255].
   *
   * @param into {@code H * W} bytes, row-major
   */
  static void luma(FloatTensor frame, byte[] into) {
    float[] d = frame.data();
    int n = into.length;
    // p = (v + 1) * 127.5 per channel and the weights sum to 1, so
    // Y + 0.5 = 127.5 (0.299 r + 0.587 g + 0.114 b) + 128; truncating that rounds Y half up.
    final float wr = 0.299f * 127.5f;
    final float wg = 0.587f * 127.5f;
    final float wb = 0.114f * 127.5f;
    for (int i = 0; i < n; i++) {
      float y = wr * d[i] + wg * d[n + i] + wb * d[2 * n + i] + 128f;
      // Clamp to [0, 255] (NaN ends up 0: (int) NaN is 0).
      into[i] = (byte) (int) (y < 0f ? 0f : y > 255.99f ? 255.99f : y);
    }
  }

}
