package io.videojam.serve;

import io.videojam.runtime.GenerationRequest;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * One accepted request: what it asks for, where its outputs go, and where it stands. Its state
 * changes under its own lock, and each change wakes those waiting in {@link #awaitChange}.
 */
public final class Job {
  private final String id;
  private final GenerationRequest request;
  private final Integer scale;
  private final Map<String, Object> settings;
  private final Path out;
  private final Instant created;

  private Status status = Status.QUEUED;
  private Instant started;
  private Instant finished;
  private int done;
  private int total;
  private String error;
  private Render.Result result;
  private long version;
  private volatile boolean cancelRequested;

  Job(String id, GenerationRequest request, Integer scale, Map<String, Object> settings, Path out, Instant created) {
    this.id = id;
    this.request = request;
    this.scale = scale;
    this.settings = settings;
    this.out = out;
    this.created = created;
    this.total = request.steps();
  }

  public String id() {
    return id;
  }

  public GenerationRequest request() {
    return request;
  }

  Integer scale() {
    return scale;
  }

  /** The output folder (it exists once the request succeeded). */
  public Path out() {
    return out;
  }

  boolean cancelRequested() {
    return cancelRequested;
  }

  /** Queued -> running; false when the request was cancelled before a worker took it. */
  synchronized boolean start(Instant now) {
    if (status != Status.QUEUED) {
      return false;
    }
    status = Status.RUNNING;
    started = now;
    changed();
    return true;
  }

  synchronized void progress(int stepsDone, int stepsTotal) {
    done = stepsDone;
    total = stepsTotal;
    changed();
  }

  synchronized void succeed(Render.Result r, Instant now) {
    result = r;
    done = total;
    finish(Status.SUCCEEDED, now);
  }

  synchronized void fail(String message, Instant now) {
    error = message;
    finish(Status.FAILED, now);
  }

  /**
   * A queued request is cancelled at once; a running one is asked to stop (its worker finishes it as
   * cancelled). Returns the status before the call.
   */
  synchronized Status cancel(Instant now) {
    Status before = status;
    if (status == Status.QUEUED) {
      finish(Status.CANCELLED, now);
    } else if (status == Status.RUNNING) {
      cancelRequested = true;
    }
    return before;
  }

  synchronized void cancelled(Instant now) {
    finish(Status.CANCELLED, now);
  }

  private void finish(Status s, Instant now) {
    status = s;
    finished = now;
    changed();
  }

  private void changed() {
    version++;
    notifyAll();
  }

  /** What the API shows now. */
  public synchronized View view() {
    return new View(id, status, done, total, settings, created, started, finished, error, result, version);
  }

  /** The view once it differs from version {@code seen}, or the current one after {@code timeoutMillis}. */
  public synchronized View awaitChange(long seen, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (version == seen) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        break;
      }
      wait(left);
    }
    return view();
  }

  /**
   * A request as the API shows it.
   *
   * @param result sampling and writing times and whether a motion video was written; null until succeeded
   * @param version increases with every change (progress events use it)
   */
  public record View(String id, Status status, int done, int total, Map<String, Object> settings, Instant created, Instant started,
      Instant finished, String error, Render.Result result, long version) {}
}
