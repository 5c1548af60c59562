package io.videojam.serve;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/** The service's counters, written in Prometheus' text exposition format (version 0.0.4). */
public final class Metrics {
  /** Upper bounds of the step latency histogram, in seconds. */
  static final double[] STEP_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  final AtomicLong accepted = new AtomicLong();
  final AtomicLong rejectedFull = new AtomicLong();
  final AtomicLong badRequests = new AtomicLong();
  final AtomicLong succeeded = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final AtomicLong cancelled = new AtomicLong();

  private final long[] stepBuckets = new long[STEP_BUCKETS.length];
  private long stepCount;
  private double stepSum;
  private long runCount;
  private double runSum;

  private final IntSupplier queueLength;
  private final IntSupplier running;
  private final int queueCapacity;
  private final int workers;

  Metrics(IntSupplier queueLength, IntSupplier running, int queueCapacity, int workers) {
    this.queueLength = queueLength;
    this.running = running;
    this.queueCapacity = queueCapacity;
    this.workers = workers;
  }

  /** One sampling step took {@code seconds}. */
  synchronized void step(double seconds) {
    for (int i = 0; i < STEP_BUCKETS.length; i++) {
      if (seconds <= STEP_BUCKETS[i]) {
        stepBuckets[i]++;
      }
    }
    stepCount++;
    stepSum += seconds;
  }

  /** A run (generation and writing) that succeeded took {@code seconds}. */
  synchronized void run(double seconds) {
    runCount++;
    runSum += seconds;
  }

  /** Mean seconds of a succeeded run, or {@code fallback} before the first. */
  synchronized double meanRunSeconds(double fallback) {
    return runCount == 0 ? fallback : runSum / runCount;
  }

  /** Every metric, as Prometheus scrapes it. */
  public synchronized String text() {
    StringBuilder b = new StringBuilder();
    gauge(b, "videojam_queue_length", "Accepted requests waiting for a worker.", queueLength.getAsInt());
    gauge(b, "videojam_queue_capacity", "How many requests may wait; one more is answered 429.", queueCapacity);
    gauge(b, "videojam_workers", "Workers, each with its own model session.", workers);
    gauge(b, "videojam_running", "Requests being generated now.", running.getAsInt());
    head(b, "videojam_requests_total", "POST /v1/videos by answer: accepted (202), queue_full (429), bad_request (400).", "counter");
    b.append("videojam_requests_total{result=\"accepted\"} ").append(accepted.get()).append('\n');
    b.append("videojam_requests_total{result=\"queue_full\"} ").append(rejectedFull.get()).append('\n');
    b.append("videojam_requests_total{result=\"bad_request\"} ").append(badRequests.get()).append('\n');
    head(b, "videojam_runs_total", "Finished requests by status.", "counter");
    b.append("videojam_runs_total{status=\"succeeded\"} ").append(succeeded.get()).append('\n');
    b.append("videojam_runs_total{status=\"failed\"} ").append(failed.get()).append('\n');
    b.append("videojam_runs_total{status=\"cancelled\"} ").append(cancelled.get()).append('\n');
    head(b, "videojam_failures_total", "Requests that failed while running.", "counter");
    b.append("videojam_failures_total ").append(failed.get()).append('\n');
    head(b, "videojam_step_seconds", "Latency of one sampling step (all of its model passes).", "histogram");
    for (int i = 0; i < STEP_BUCKETS.length; i++) {
      b.append("videojam_step_seconds_bucket{le=\"").append(num(STEP_BUCKETS[i])).append("\"} ").append(stepBuckets[i]).append('\n');
    }
    b.append("videojam_step_seconds_bucket{le=\"+Inf\"} ").append(stepCount).append('\n');
    b.append("videojam_step_seconds_sum ").append(num(stepSum)).append('\n');
    b.append("videojam_step_seconds_count ").append(stepCount).append('\n');
    head(b, "videojam_run_seconds", "Wall time of a succeeded request on its worker: generation and writing.", "summary");
    b.append("videojam_run_seconds_sum ").append(num(runSum)).append('\n');
    b.append("videojam_run_seconds_count ").append(runCount).append('\n');
    return b.toString();
  }

  private static void gauge(StringBuilder b, String name, String help, long value) {
    head(b, name, help, "gauge");
    b.append(name).append(' ').append(value).append('\n');
  }

  private static void head(StringBuilder b, String name, String help, String type) {
    b.append("# HELP ").append(name).append(' ').append(help).append('\n');
    b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
