package io.videojam.runtime;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.videojam.api.ModelInfo;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import jakarta.inject.Inject;

/**
 * The entry point: a loaded model on a backend, ready to generate.
 *
 * <pre>{@code
 * try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(Path.of("models/jamworld-fixture")))) {
 *   Generation g = jam.generate(GenerationRequest.of("a red ball bouncing", 7), StepListener.NONE);
 * }
 * }</pre>
 */
public final class VideoJam implements AutoCloseable {
  private final VideoModel model;
  private final Generator generator;
  private final BackendChoice backend;

  @Inject
  VideoJam(VideoModel model, Generator generator, BackendChoice backend) {
    this.model = model;
    this.generator = generator;
    this.backend = backend;
  }

  /** The backend the model runs on, and how it was chosen ({@code --backend auto}). */
  public BackendChoice backend() {
    return backend;
  }

  /** Loads the model; a {@link VideoJamException} says what is wrong with the configuration. */
  public static VideoJam open(RuntimeConfig config) {
    Injector injector;
    try {
      injector = Guice.createInjector(new VideoJamModule(config));
      return injector.getInstance(VideoJam.class);
    } catch (ProvisionException | com.google.inject.CreationException e) {
      Throwable c = e.getCause();
      while (c != null && !(c instanceof VideoJamException) && c.getCause() != null) {
        c = c.getCause();
      }
      if (c instanceof VideoJamException v) {
        throw v;
      }
      throw e;
    }
  }

  public ModelInfo model() {
    return model.info();
  }

  /** The loaded denoiser itself, for diagnostics that run it directly (the same instance generation uses). */
  public VideoModel videoModel() {
    return model;
  }

  public Generator generator() {
    return generator;
  }

  public Generation generate(GenerationRequest request, StepListener progress) {
    return generator.generate(request, progress);
  }

  @Override
  public void close() {
    model.close();
  }
}
