package io.videojam.api;

/**
 * What a loaded video model is.
 *
 * @param name model name
 * @param latent latent shape for batch 1 (appearance and motion channels, frames, size)
 * @param video decoded video frames, height, width and frame rate
 * @param hash SHA-256 over the model's files, for run records
 */
public record ModelInfo(String name, LatentShape latent, VideoFormat video, String hash) {
  public boolean hasMotion() {
    return latent.motionChannels() > 0;
  }
}
