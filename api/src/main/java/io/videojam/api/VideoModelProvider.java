package io.videojam.api;

import java.nio.file.Path;

/**
 * ServiceLoader entry for video models. model.json's {@code "denoiser"} names a provider with
 * {@code "provider": NAME}; without it the ONNX provider ({@code onnx}) is used.
 */
public interface VideoModelProvider extends Named {
  /**
   * @param modelDir the model directory
   * @param modelJson the whole model.json
   */
  VideoModel open(Path modelDir, Settings modelJson, Backend backend, BackendOptions options);
}
