package io.videojam.conditioning;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.LatentCodec;
import io.videojam.api.LatentCodecProvider;
import io.videojam.api.Settings;
import java.nio.file.Path;

/** Pixel-space models: the latent is the video itself, {@code [B, 3, T, H, W]} in [-1, 1]. */
public final class IdentityCodec implements LatentCodec {
  @Override
  public FloatTensor encode(FloatTensor video) {
    return video;
  }

  @Override
  public FloatTensor decode(FloatTensor latent) {
    return latent;
  }

  /** ServiceLoader entry, {@code "codec": {"type": "identity"}}. */
  public static final class Provider implements LatentCodecProvider {
    @Override
    public String name() {
      return "identity";
    }

    @Override
    public String description() {
      return "pixel space: latent = video in [-1, 1]";
    }

    @Override
    public LatentCodec create(Path modelDir, Settings settings, Backend backend, BackendOptions options) {
      return new IdentityCodec();
    }
  }
}
