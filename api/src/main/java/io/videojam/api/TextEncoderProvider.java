package io.videojam.api;

import java.nio.file.Path;

/** ServiceLoader entry for text encoders, selected by model.json {@code "text": {"type": NAME}}. */
public interface TextEncoderProvider extends Named {
  /**
   * @param modelDir the model directory (relative file names resolve against it)
   * @param settings model.json's {@code "text"} object
   * @param backend for encoders that run a graph
   */
  TextEncoder create(Path modelDir, Settings settings, Backend backend, BackendOptions options);
}
