package io.videojam.serve;

import io.videojam.api.ModelInfo;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.runtime.GenerationRequest;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The real session, with a gate a test can close: a run that reaches its first step then waits
 * until the gate opens or the run is cancelled. A prompt with "explode" fails as a run-time error.
 */
final class GatedRender implements Render {
  private final Render inner;
  volatile CountDownLatch gate = new CountDownLatch(0);
  volatile CountDownLatch reached = new CountDownLatch(1);

  GatedRender(Render inner) {
    this.inner = inner;
  }

  /** Closes the gate (the next runs stop at their first step) or opens it (runs held there go on). */
  void close(boolean closed) {
    if (closed) {
      reached = new CountDownLatch(1);
      gate = new CountDownLatch(1);
    } else {
      gate.countDown();
    }
  }

  @Override
  public ModelInfo model() {
    return inner.model();
  }

  @Override
  public String backend() {
    return inner.backend();
  }

  @Override
  public void check(GenerationRequest request) {
    inner.check(request);
  }

  @Override
  public Result render(GenerationRequest request, Integer scale, StepListener progress, BooleanSupplier cancelled, Path out) {
    if (request.prompt().contains("explode")) {
      throw new VideoJamException("the model exploded (a test's failure)");
    }
    CountDownLatch g = gate;
    CountDownLatch r = reached;
    StepListener gated = (done, total) -> {
      r.countDown();
      try {
        while (!g.await(5, TimeUnit.MILLISECONDS) && !cancelled.getAsBoolean()) {
          // held at the gate
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      progress.step(done, total);
    };
    return inner.render(request, scale, gated, cancelled, out);
  }

  @Override
  public void close() {
    inner.close();
  }
}
