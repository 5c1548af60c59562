package io.videojam.training;

/**
 * Where a training run gets its clips. Implementations are deterministic in {@code step}, so a
 * resumed run sees the same batches as an uninterrupted one.
 */
public interface TrainingData {
  /**
   * Fills one batch.
   *
   * @param step the optimiser step the batch is for
   * @param x1 clean joint latents {@code [B, C, T, H, W]}: appearance channels, then motion
   *     channels when the model has them, in [-1, 1]
   * @param text token ids {@code [B, L]}, 0 = padding
   */
  void batch(long step, float[] x1, long[] text);
}
