package io.videojam.runtime;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.videojam.api.Backend;
import io.videojam.api.MotionRepresentation;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.VideoModel;
import io.videojam.model.ModelDirectory;
import io.videojam.model.Models;
import java.util.Optional;

/** Guice wiring: plugins found with ServiceLoader, chosen by the configuration. */
public final class VideoJamModule extends AbstractModule {
  private final RuntimeConfig config;

  public VideoJamModule(RuntimeConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    bind(RuntimeConfig.class).toInstance(config);
  }

  @Provides
  @Singleton
  BackendChoice backendChoice() {
    return BackendChoice.choose(config.backend());
  }

  @Provides
  @Singleton
  Backend backend(BackendChoice choice) {
    return choice.backend();
  }

  @Provides
  @Singleton
  ModelDirectory modelDirectory() {
    return ModelDirectory.open(config.modelDir());
  }

  @Provides
  @Singleton
  GuidanceDefaults guidanceDefaults(ModelDirectory dir) {
    return GuidanceDefaults.of(dir.json());
  }

  @Provides
  @Singleton
  VideoModel model(ModelDirectory dir, Backend backend) {
    return Models.open(dir, backend, config.options());
  }

  @Provides
  @Singleton
  Optional<MotionRepresentation> motion(ModelDirectory dir, VideoModel model, Backend backend) {
    if (!model.info().hasMotion()) {
      return Optional.empty();
    }
    var json = dir.json().child("motion");
    MotionRepresentation m = Plugins.find(MotionRepresentationProvider.class, json.string("representation"),
        "motion representation in " + json.origin()).create(json, backend, config.options());
    return Optional.of(m);
  }
}
