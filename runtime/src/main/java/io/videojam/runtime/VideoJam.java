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
 *
 * <p>Thread-safe: one instance runs one generation at a time (its model session and buffers are
 * shared), so concurrent {@link #generate} calls queue in arrival order and each gives the same
 * video as when run alone; for parallel generations open one instance per thread. {@link #close()}
 * is idempotent: it refuses new generations at once (those already waiting fail with the same
 * message), waits for the running one to finish, then frees the native session.
 */
public final class VideoJam implements AutoCloseable {
  private final VideoModel model;
  private final Generator generator;
  private final BackendChoice backend;
  /** Held by a running generation and by close(); fair, so callers run in arrival order. */
  private final java.util.concurrent.locks.ReentrantLock running = new java.util.concurrent.locks.ReentrantLock(true);
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private final RuntimeConfig config;

  @Inject
  VideoJam(VideoModel model, Generator generator, BackendChoice backend, RuntimeConfig config) {
    this.model = model;
    this.generator = generator;
    this.backend = backend;
    this.config = config;
  }

  /** The configuration this instance was opened with. */
  public RuntimeConfig config() {
    return config;
  }

  /** run.json's record of {@code g}, a generation of this instance, with what its writer adds. */
  public java.util.Map<String, Object> runRecord(Generation g, RunRecord.Extras extras) {
    return RunRecord.of(g, model.info(), config, backend, extras);
  }

  /** The backend the model runs on, and how it was chosen ({@code --backend auto}). */
  public BackendChoice backend() {
    return backend;
  }

  /** Loads the model; a {@link VideoJamException} says what is wrong with the configuration. */
  public static VideoJam open(RuntimeConfig config) {
    if (config == null) {
      throw new VideoJamException("config is null; pass RuntimeConfig.cpu(modelDirectory) or another RuntimeConfig");
    }
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

  /**
   * Generates one video. {@code progress} may be null (no progress reports). Waits while another
   * thread's generation on this instance runs.
   *
   * @throws VideoJamException for a bad request, or when this instance is closed
   */
  public Generation generate(GenerationRequest request, StepListener progress) {
    if (request == null) {
      throw new VideoJamException("request is null; pass GenerationRequest.of(prompt, seed) or another request");
    }
    running.lock();
    try {
      if (closed.get()) {
        throw new VideoJamException("this VideoJam is closed; open a new one with VideoJam.open");
      }
      return generator.generate(request, progress == null ? StepListener.NONE : progress);
    } finally {
      running.unlock();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** Refuses new and waiting generations, waits for the running one, then frees the model; a second call does nothing. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    running.lock();
    try {
      model.close();
    } finally {
      running.unlock();
    }
  }
}
