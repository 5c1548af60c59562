package io.videojam.api;

/**
 * Shape of a joint latent {@code [B, C_a + C_m, T, H, W]}: appearance channels first, motion
 * channels last (design.md, tensor convention).
 */
public record LatentShape(int batch, int appearanceChannels, int motionChannels, int frames, int height, int width) {
  /** The most values one latent may hold: the longest Java array. */
  public static final long MAX_VALUES = Integer.MAX_VALUE - 8;

  public LatentShape {
    if (batch < 1 || appearanceChannels < 1 || motionChannels < 0 || frames < 1 || height < 1 || width < 1) {
      throw new VideoJamException("invalid latent shape " + batch + "x" + appearanceChannels + "+"
          + motionChannels + "x" + frames + "x" + height + "x" + width + "; every size must be >= 1 (motion channels >= 0)");
    }
    long values = Memory.product(batch, (long) appearanceChannels + motionChannels, frames, height, width);
    if (values < 0 || values > MAX_VALUES) {
      throw new VideoJamException("a latent of " + batch + " x " + ((long) appearanceChannels + motionChannels) + " x " + frames + " x "
          + height + " x " + width + " holds " + (values < 0 ? "more than 2^63" : values) + " values, over the limit of " + MAX_VALUES
          + " (one Java array); reduce frames, height or width");
    }
  }

  public int channels() {
    return appearanceChannels + motionChannels;
  }

  /** Elements in one channel of one sample: T * H * W. */
  public int planeSize() {
    return frames * height * width;
  }

  /** Elements in one sample: C * T * H * W. */
  public int sampleSize() {
    return channels() * planeSize();
  }

  public int size() {
    return batch * sampleSize();
  }

  public long[] dims() {
    return new long[] {batch, channels(), frames, height, width};
  }

  public LatentShape withBatch(int b) {
    return new LatentShape(b, appearanceChannels, motionChannels, frames, height, width);
  }

  /** True where flat index {@code i} of a {@code [B, C, T, H, W]} array is a motion channel. */
  public boolean isMotion(int i) {
    return (i % sampleSize()) / planeSize() >= appearanceChannels;
  }
}
