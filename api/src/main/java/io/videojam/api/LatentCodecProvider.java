package io.videojam.api;

import java.nio.file.Path;

/** ServiceLoader entry for latent codecs, selected by model.json {@code "codec": {"type": NAME}}. */
public interface LatentCodecProvider extends Named {
  LatentCodec create(Path modelDir, Settings settings, Backend backend, BackendOptions options);
}
