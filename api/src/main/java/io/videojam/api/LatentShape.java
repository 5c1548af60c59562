package io.videojam.api;

/**
 * Shape of a joint latent {@code [B, C_a + C_m, T, H, W]}: appearance channels first, motion
 * channels last (design.md, tensor convention).
 */
public record LatentShape(int batch, int appearanceChannels, int motionChannels, int frames, int height, int width) {
  public LatentShape {
    if (batch < 1 || appearanceChannels < 1 || motionChannels < 0 || frames < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("invalid latent shape " + batch + "x" + appearanceChannels + "+"
          + motionChannels + "x" + frames + "x" + height + "x" + width);
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
