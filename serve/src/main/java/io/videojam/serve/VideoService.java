package io.videojam.serve;

import io.videojam.api.ModelInfo;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.SamplingSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation service behind the HTTP API: a bounded queue of accepted requests and workers, each
 * with its own model session loaded once, that take them in arrival order. Accepted requests stay
 * (queued, running, then finished with their outputs) until the retention time after they finished;
 * a full queue refuses new ones with an estimate of when to retry.
 *
 * <p>{@link #close()}: new requests are refused, queued ones cancelled, running ones get the grace
 * time of the configuration to finish and are cancelled after it; nothing staged is left behind.
 */
public final class VideoService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VideoService.class);
  /** The folder-name prefix of a request's outputs (and its id's). */
  public static final String ID_PREFIX = "video_";

  private final ServeConfig config;
  private final Clock clock;
  private final List<Render> renders;
  private final ArrayBlockingQueue<Job> queue;
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger running = new AtomicInteger();
  private final Metrics metrics;
  private final ScheduledExecutorService sweeper;
  private final SecureRandom random = new SecureRandom();
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean stopping;
  /** Recent run time, seconds, as an exponentially weighted mean (for Retry-After). */
  private double recentRunSeconds = -1;

  /** The service on real model sessions: {@code config.workers()} of them, opened now. */
  public static VideoService start(ServeConfig config) {
    return new VideoService(config, () -> JamRender.open(config.runtime()), Clock.systemUTC());
  }

  /**
   * A service whose workers run on the sessions {@code open} gives (called once per worker, now);
   * {@code clock} decides retention.
   */
  public VideoService(ServeConfig config, Supplier<Render> open, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(config.queue(), true);
    this.metrics = new Metrics(queue::size, running::get, config.queue(), config.workers());
    List<Render> opened = new ArrayList<>();
    try {
      Files.createDirectories(config.outputs());
      for (int i = 0; i < config.workers(); i++) {
        opened.add(open.get());
      }
    } catch (IOException e) {
      opened.forEach(Render::close);
      throw new VideoJamException("cannot create the outputs folder " + config.outputs() + ": " + e.getMessage()
          + "; choose a writable folder");
    } catch (RuntimeException e) {
      opened.forEach(Render::close);
      throw e;
    }
    this.renders = List.copyOf(opened);
    for (int i = 0; i < renders.size(); i++) {
      Render r = renders.get(i);
      Thread t = new Thread(() -> work(r), "videojam-worker-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "videojam-retention");
      t.setDaemon(true);
      return t;
    });
    long every = Math.max(1, Math.min(60, config.retention().toSeconds() / 4));
    sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.SECONDS);
  }

  public ServeConfig config() {
    return config;
  }

  /** The served model. */
  public ModelInfo model() {
    return renders.get(0).model();
  }

  /** The backend the model runs on. */
  public String backend() {
    return renders.get(0).backend();
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Requests waiting for a worker. */
  public int queued() {
    return queue.size();
  }

  /** Whether {@link #close()} has begun (new requests are refused). */
  public boolean stopping() {
    return stopping;
  }

  /**
   * Accepts a request: checks its settings (a bad one throws the library's one-line {@link
   * VideoJamException}, with settings named through {@code names}), then queues it.
   *
   * @param settings what the request asked for, as the API shows it back
   * @throws QueueFullException when the queue is full
   * @throws UnavailableException while the service shuts down
   */
  public Job submit(String prompt, SamplingSettings sampling, Integer scale, Map<String, Object> settings, UnaryOperator<String> names) {
    if (stopping) {
      throw new UnavailableException("the service is shutting down and accepts no new requests; send it to another instance");
    }
    GenerationRequest request;
    try {
      request = sampling.request(prompt, names);
      renders.get(0).check(request);
      if (scale != null && (scale < 1 || scale > 64)) {
        throw new VideoJamException(names.apply("scale") + " must be in [1, 64], got " + scale);
      }
    } catch (VideoJamException e) {
      metrics.badRequests.incrementAndGet();
      throw e;
    }
    String id = newId();
    Job job = new Job(id, request, scale, settings, config.outputs().resolve(id), clock.instant());
    jobs.put(id, job);
    if (!queue.offer(job)) {
      jobs.remove(id);
      metrics.rejectedFull.incrementAndGet();
      throw new QueueFullException(retryAfterSeconds());
    }
    metrics.accepted.incrementAndGet();
    return job;
  }

  /** Seconds until the queue has room again, estimated from recent run times and the queue's length; at least 1. */
  public synchronized int retryAfterSeconds() {
    double run = recentRunSeconds > 0 ? recentRunSeconds : 1.0;
    return (int) Math.max(1, Math.ceil(run * Math.max(1, queue.size()) / config.workers()));
  }

  public Optional<Job> get(String id) {
    return Optional.ofNullable(id == null ? null : jobs.get(id));
  }

  /**
   * What DELETE does: a queued request is cancelled at once; a running one is cancelled at its next
   * step (or before its outputs are committed) and this waits up to {@code wait} for it; a finished
   * one is forgotten and its outputs deleted.
   *
   * @return the request's view after, and whether it was deleted; empty for an unknown id
   */
  public Optional<Cancel> cancel(String id, Duration wait) throws InterruptedException {
    Job job = jobs.get(id);
    if (job == null) {
      return Optional.empty();
    }
    Job.View before = job.view();
    if (before.status().finished()) {
      jobs.remove(id);
      deleteTree(job.out());
      return Optional.of(new Cancel(before, true));
    }
    if (job.cancel(clock.instant()) == Status.QUEUED) {
      queue.remove(job);
      metrics.cancelled.incrementAndGet();
      return Optional.of(new Cancel(job.view(), false));
    }
    long deadline = System.nanoTime() + wait.toNanos();
    Job.View v = job.view();
    while (!v.status().finished() && System.nanoTime() < deadline) {
      v = job.awaitChange(v.version(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
    }
    return Optional.of(new Cancel(v, false));
  }

  /**
   * @param view the request after the call
   * @param deleted whether a finished request was forgotten and its outputs deleted
   */
  public record Cancel(Job.View view, boolean deleted) {}

  private String newId() {
    byte[] b = new byte[8];
    random.nextBytes(b);
    return ID_PREFIX + HexFormat.of().formatHex(b);
  }

  private void work(Render render) {
    while (true) {
      Job job;
      try {
        job = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (job == null) {
        if (stopping) {
          return;
        }
        continue;
      }
      if (!job.start(clock.instant())) {
        continue; // cancelled while it waited
      }
      running.incrementAndGet();
      try {
        run(render, job);
      } finally {
        running.decrementAndGet();
      }
    }
  }

  private void run(Render render, Job job) {
    long start = System.nanoTime();
    long[] last = {start};
    StepListener progress = (done, total) -> {
      long now = System.nanoTime();
      metrics.step((now - last[0]) / 1e9);
      last[0] = now;
      if (job.cancelRequested()) {
        throw new CancellationException("cancelled");
      }
      job.progress(done, total);
    };
    try {
      Render.Result r = render.render(job.request(), job.scale(), progress, job::cancelRequested, job.out());
      double seconds = (System.nanoTime() - start) / 1e9;
      metrics.run(seconds);
      synchronized (this) {
        recentRunSeconds = recentRunSeconds < 0 ? seconds : 0.8 * recentRunSeconds + 0.2 * seconds;
      }
      // counted before the status changes, so that whoever sees the status sees the count
      metrics.succeeded.incrementAndGet();
      job.succeed(r, clock.instant());
    } catch (CancellationException e) {
      metrics.cancelled.incrementAndGet();
      job.cancelled(clock.instant());
    } catch (VideoJamException e) {
      metrics.failed.incrementAndGet();
      job.fail(e.getMessage(), clock.instant());
    } catch (OutOfMemoryError e) {
      metrics.failed.incrementAndGet();
      job.fail("out of memory (this JVM may use " + io.videojam.api.Memory.human(Runtime.getRuntime().maxMemory())
          + "): ask for fewer steps, or give the service more memory (JAVA_OPTS=-Xmx16g)", clock.instant());
    } catch (RuntimeException e) {
      LOG.error("request {} failed", job.id(), e);
      metrics.failed.incrementAndGet();
      job.fail("internal error: " + e + " (the service log has the stack trace; report it)", clock.instant());
    }
  }

  /**
   * Forgets requests that finished longer than the retention time ago and deletes their outputs,
   * and output folders of earlier processes older than that; returns how many were deleted.
   */
  public int sweep() {
    Instant cutoff = clock.instant().minus(config.retention());
    int n = 0;
    for (Job job : List.copyOf(jobs.values())) {
      Job.View v = job.view();
      if (v.status().finished() && v.finished().isBefore(cutoff)) {
        jobs.remove(job.id());
        deleteTree(job.out());
        n++;
      }
    }
    try (Stream<Path> s = Files.list(config.outputs())) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(ID_PREFIX) && !jobs.containsKey(name) && Files.isDirectory(p)
            && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
          deleteTree(p);
          n++;
        }
      }
    } catch (IOException e) {
      LOG.warn("cannot list the outputs folder {}: {}", config.outputs(), e.toString());
    }
    return n;
  }

  private void sweepQuietly() {
    try {
      sweep();
    } catch (RuntimeException e) {
      LOG.warn("retention sweep failed: {}", e.toString());
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("cannot delete {}: {}", root, e.toString());
    }
  }

  /**
   * Refuses new requests, cancels the queued ones, gives running ones the configured grace time to
   * finish, cancels them after it, then frees the model sessions. Idempotent.
   */
  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      awaitWorkers(Long.MAX_VALUE);
      return;
    }
    stopping = true;
    List<Job> drained = new ArrayList<>();
    queue.drainTo(drained);
    for (Job j : drained) {
      if (j.cancel(clock.instant()) == Status.QUEUED) {
        metrics.cancelled.incrementAndGet();
      }
    }
    awaitWorkers(System.nanoTime() + config.grace().toNanos());
    for (Job j : jobs.values()) {
      j.cancel(clock.instant()); // running ones stop at their next step, or before they commit
    }
    awaitWorkers(Long.MAX_VALUE);
    sweeper.shutdownNow();
    renders.forEach(Render::close);
  }

  private void awaitWorkers(long deadlineNanos) {
    for (Thread t : workers) {
      try {
        if (deadlineNanos == Long.MAX_VALUE) {
          t.join();
        } else {
          long left = deadlineNanos - System.nanoTime();
          if (left > 0) {
            t.join(Math.max(1, left / 1_000_000L));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** The queue is full; retry after {@link #retryAfterSeconds()}. */
  public static final class QueueFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int retryAfterSeconds;

    QueueFullException(int retryAfterSeconds) {
      super("the queue is full; retry after " + retryAfterSeconds + " s");
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** The service is shutting down. */
  public static final class UnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnavailableException(String message) {
      super(message);
    }
  }
}
