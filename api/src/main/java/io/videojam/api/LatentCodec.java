package io.videojam.api;

/**
 * Maps videos to latents and back (identity for pixel-space models, a VAE/TAE otherwise).
 * Videos are {@code [B, 3, T, H, W]} in [-1, 1]; latents are {@code [B, C, T', H', W']}. The
 * motion video is encoded by the same codec as the video (spec section 4).
 */
public interface LatentCodec extends AutoCloseable {
  FloatTensor encode(FloatTensor video);

  FloatTensor decode(FloatTensor latent);

  @Override
  default void close() {}
}
