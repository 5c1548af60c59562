package io.videojam.onnx;

import io.videojam.api.VideoJamException;
import java.util.Locale;

/**
 * How a denoiser graph lays out the video latent (model.json {@code "denoiser": {"layout": ...}}).
 * The framework's own tensors are always {@code [B, C, T, H, W]}; the model adapter converts.
 */
public enum LatentLayout {
  /** {@code [B, C, T, H, W]}: Wan, HunyuanVideo, Mochi, LTX's 5-D form, the project's own DiT. */
  BCTHW(5, 1),
  /** {@code [B, T, C, H, W]}: frames before channels (CogVideoX). */
  BTCHW(5, 2),
  /**
   * {@code [B, N, C]} with N = T * H * W tokens in (t, h, w) order and the channels last: a
   * token-sequence input (LTX-Video's transformer), the sizes given as extra inputs.
   */
  BNC(3, 2);

  private final int rank;
  private final int channelAxis;

  LatentLayout(int rank, int channelAxis) {
    this.rank = rank;
    this.channelAxis = channelAxis;
  }

  public int rank() {
    return rank;
  }

  /** The axis that holds the channels, where VideoJAM's motion channels are appended. */
  public int channelAxis() {
    return channelAxis;
  }

  /** The layout's dims for a latent of batch b, c channels, t frames, h x w. */
  public long[] dims(long b, long c, long t, long h, long w) {
    return switch (this) {
      case BCTHW -> new long[] {b, c, t, h, w};
      case BTCHW -> new long[] {b, t, c, h, w};
      case BNC -> new long[] {b, t * h * w, c};
    };
  }

  /** Parses {@code BCTHW}, {@code BTCHW} or {@code BNC}; {@code where} names the setting in errors. */
  public static LatentLayout parse(String s, String where) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new VideoJamException(where + " must be BCTHW, BTCHW or BNC, got " + io.videojam.api.Settings.describe(s));
    }
  }

  /**
   * Converts between the framework's {@code [B, C, T, H, W]} and this layout. {@code toModel}: from
   * BCTHW to this layout, else back. {@code inner} is H * W.
   */
  public float[] convert(float[] in, int b, int c, int t, int inner, boolean toModel) {
    return switch (this) {
      case BCTHW -> in;
      case BTCHW -> toModel ? swap(in, b, c, t, inner) : swap(in, b, t, c, inner);
      case BNC -> toModel ? swap(in, b, c, t * inner, 1) : swap(in, b, t * inner, c, 1);
    };
  }

  /** Swaps axes 1 and 2 of a {@code [b, d1, d2, inner]} array. */
  static float[] swap(float[] in, int b, int d1, int d2, int inner) {
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
