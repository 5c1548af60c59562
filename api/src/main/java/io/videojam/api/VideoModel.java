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

  /** Nanoseconds spent inside backend graph runs so far. */
  long backendNanos();

  /** What loading found that a user should know (for example a graph that runs only at one batch size). */
  default java.util.List<String> notes() {
    return java.util.List.of();
  }

  @Override
  void close();
}
