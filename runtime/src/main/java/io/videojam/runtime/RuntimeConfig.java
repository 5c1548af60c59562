package io.videojam.runtime;

import io.videojam.api.BackendOptions;
import java.nio.file.Path;

/**
 * What to load: a model directory on a backend.
 *
 * @param modelDir the model folder (model.json and its files)
 * @param backend backend name ({@code cpu}, {@code cuda}, {@code tensorrt}, or a plugin)
 * @param options threads, optimisation level, device
 */
public record RuntimeConfig(Path modelDir, String backend, BackendOptions options) {
  public static RuntimeConfig cpu(Path modelDir) {
    return new RuntimeConfig(modelDir, "cpu", BackendOptions.defaults());
  }
}
