package io.videojam.api;

/**
 * Seam 1, the base video model: a denoiser that maps a noisy joint latent, a time and a text
 * condition to a joint velocity, in the framework's convention (t = 0 noise, t = 1 data,
 * velocity = data - noise, layout {@code [B, C_a + C_m, T, H, W]}). Adapters convert a model's
 * own convention to this one.
 */
public interface VideoModel extends AutoCloseable {
  ModelInfo info();

  /** The text encoder and latent codec the model was trained with. */
  TextEncoder textEncoder();

  LatentCodec codec();

  /**
   * The joint velocity for a batch.
   *
   * @param latent {@code [B, C, T, H, W]} joint latent (motion channels already zeroed where a pass drops motion);
   *     its data must not change afterwards (a backend may skip copying a tensor instance it saw in the last run)
   * @param t framework time in [0, 1], the same for the whole batch
   * @param text text condition with batch B
   */
  FloatTensor velocity(FloatTensor latent, double t, Tensor text);

  /**
   * The joint velocity written into {@code out} (length of the latent); the sampler's hot path,
   * which lets a model avoid allocating per step.
   */
  default void velocity(FloatTensor latent, double t, Tensor text, float[] out) {
    float[] v = velocity(latent, t, text).data();
    System.arraycopy(v, 0, out, 0, out.length);
  }

  /**
   * A linear guidance rule's guided velocity from one batched run of its passes, written into
   * {@code guided}: {@code sum_k c_k v_k}, where pass k's velocity v_k is that of {@code x} with its
   * motion channels zeroed if {@code dropMotion[k]}, at row k of {@code text}, and c_k is the
   * appearance or the motion coefficient by channel. Equal, up to rounding, to {@link #velocity} of
   * the passes' latents stacked, then {@link GuidanceRule#combineBatched}; a model may compute it
   * where its backend leaves the outputs, without copying them. Returns false where the model does
   * not (the default): the caller then does those two steps.
   *
   * @param x the joint latent, batch 1
   * @param text the passes' text conditions, batch {@code dropMotion.length}
   */
  default boolean linearGuidance(float[] x, double t, boolean[] dropMotion, Tensor text, GuidanceRule.Coefficients coefficients,
      float[] guided) {
    return false;
  }

  /** Nanoseconds spent inside backend graph runs so far. */
  long backendNanos();

  /** What loading found that a user should know (for example a graph that runs only at one batch size). */
  default java.util.List<String> notes() {
    return java.util.List.of();
  }

  @Override
  void close();
}
