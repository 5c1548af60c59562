package io.videojam.model;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.Plugins;
import io.videojam.api.VideoModel;
import io.videojam.api.VideoModelProvider;
import java.nio.file.Path;

/** Opens model directories with the provider their model.json names (default {@code onnx}). */
public final class Models {
  private Models() {}

  public static VideoModel open(Path dir, Backend backend, BackendOptions options) {
    return open(ModelDirectory.open(dir), backend, options);
  }

  /** Opens an already read model directory. */
  public static VideoModel open(ModelDirectory md, Backend backend, BackendOptions options) {
    String provider = md.json().child("denoiser").string("provider", "onnx");
    return Plugins.find(VideoModelProvider.class, provider, "denoiser provider in " + md.json().origin())
        .open(md.dir(), md.json(), backend, options);
  }
}
