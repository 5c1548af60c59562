package io.videojam.flow;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Flows of whole videos: the T - 1 flows between consecutive frames, computed by several
 * estimators in parallel, and a timing helper for benchmarks.
 *
 * <p>Each worker thread has its own estimator (estimators need not be thread-safe) and takes the
 * next pair not yet taken; flow {@code i} is always the flow from frame {@code i} to frame
 * {@code i + 1}, so the result is in frame order and, for estimators whose result depends on the
 * pair alone (all of this module's), the same whatever the number of threads.
 */
public final class FlowEstimators {
  private FlowEstimators() {}

  /**
   * The flows between consecutive frames.
   *
   * @param factory makes one estimator per worker; the estimators are closed before returning
   * @param frames RGB frames {@code [3, H, W]} in [-1, 1], all of one size
   * @param threads worker threads (at most one per pair is used); 0 means one per available
   *     processor
   * @param progress told {@code (done, T - 1)} after each flow, from one thread at a time, with
   *     {@code done} increasing by one each call
   * @return flow {@code i} from frame {@code i} to frame {@code i + 1}, {@code T - 1} of them
   *     (none for fewer than two frames)
   */
  public static List<FlowField> estimateAll(Supplier<FlowEstimator> factory, List<FloatTensor> frames, int threads, StepListener progress) {
    Objects.requireNonNull(factory, "factory");
    Objects.requireNonNull(frames, "frames");
    int pairs = Math.max(0, frames.size() - 1);
    if (pairs == 0) {
      return List.of();
    }
    int workers = Math.min(workers(threads), pairs);
    List<FlowEstimator> estimators = new ArrayList<>(workers);
    List<FlowField> flows;
    try {
      for (int i = 0; i < workers; i++) {
        estimators.add(Objects.requireNonNull(factory.get(), "the estimator factory returned null"));
      }
      flows = run(estimators, frames, progress == null ? StepListener.NONE : progress);
    } catch (RuntimeException | Error e) {
      closeAll(estimators, e);
      throw e;
    }
    closeAll(estimators, null);
    return flows;
  }

  /**
   * The flows between consecutive frames of a video tensor.
   *
   * @param video RGB video {@code [3, T, H, W]} in [-1, 1]
   * @see #estimateAll(Supplier, List, int, StepListener)
   */
  public static List<FlowField> estimateAll(Supplier<FlowEstimator> factory, FloatTensor video, int threads, StepListener progress) {
    return estimateAll(factory, frames(video), threads, progress);
  }

  /**
   * Splits an RGB video {@code [3, T, H, W]} into its T frames {@code [3, H, W]} (copies).
   */
  public static List<FloatTensor> frames(FloatTensor video) {
    long[] s = video.shape();
    if (s.length != 4 || s[0] != 3) {
      throw new VideoJamException("flow estimation: the video has shape " + Arrays.toString(s)
          + "; it must be RGB [3, T, H, W] with values in [-1, 1]");
    }
    int t = Math.toIntExact(s[1]);
    int hw = Math.toIntExact(s[2] * s[3]);
    float[] d = video.data();
    List<FloatTensor> out = new ArrayList<>(t);
    for (int f = 0; f < t; f++) {
      float[] frame = new float[3 * hw];
      for (int c = 0; c < 3; c++) {
        System.arraycopy(d, (c * t + f) * hw, frame, c * hw, hw);
      }
      out.add(new FloatTensor(new long[] {3, s[2], s[3]}, frame));
    }
    return out;
  }

  /**
   * Throughput of an estimator: frame pairs per second over a synthetic texture (a sum of
   * sinusoids with wavelengths of 8 to 40 pixels, fixed seed) that moves by 1.5 pixels right and
   * 0.75 up per frame. At most 17 distinct frames are rendered; longer runs go back and forth
   * over them, so the motion reverses every 16 pairs. The estimators are made and warmed up (one
   * pair each) before the clock starts; the timed part is {@code pairs} flows spread over
   * {@code threads} workers as in {@link #estimateAll}.
   *
   * @param size frame width and height, pixels
   * @param pairs frame pairs timed
   * @param threads worker threads (0: one per available processor)
   * @return pairs per second
   */
  public static double framesPerSecond(Supplier<FlowEstimator> factory, int size, int pairs, int threads) {
    if (size < 1 || pairs < 1) {
      throw new IllegalArgumentException("size and pairs must be positive, got " + size + " and " + pairs);
    }
    int distinct = Math.min(pairs, 16) + 1;
    List<FloatTensor> rendered = movingTexture(size, distinct, 1.5, -0.75, 20240607L);
    List<FloatTensor> frames = new ArrayList<>(pairs + 1);
    int period = 2 * (distinct - 1);
    for (int i = 0; i <= pairs; i++) {
      int k = i % period;
      frames.add(rendered.get(k < distinct ? k : period - k));
    }
    int workers = Math.min(workers(threads), pairs);
    List<FlowEstimator> estimators = new ArrayList<>(workers);
    long nanos;
    try {
      for (int i = 0; i < workers; i++) {
        FlowEstimator e = Objects.requireNonNull(factory.get(), "the estimator factory returned null");
        estimators.add(e);
        e.estimate(frames.get(0), frames.get(1));
      }
      long start = System.nanoTime();
      run(estimators, frames, StepListener.NONE);
      nanos = System.nanoTime() - start;
    } catch (RuntimeException | Error e) {
      closeAll(estimators, e);
      throw e;
    }
    closeAll(estimators, null);
    return pairs / (nanos / 1e9);
  }

  /**
   * OpenCV's own worker-thread count (process-wide), used inside one DIS or Farneback call. The
   * flows do not depend on it (checked for 1 and 2), only the speed does.
   */
  public static int openCvThreads() {
    return OpenCv.threads();
  }

  /**
   * Sets OpenCV's own worker-thread count for the whole process (1: each call runs on its
   * caller's thread; 0 also means that; negative: OpenCV's default, one per processor). When
   * {@link #estimateAll} already spreads frames over all cores, 1 avoids running more busy
   * threads than cores.
   */
  public static void openCvThreads(int threads) {
    OpenCv.threads(threads);
  }

  /** Whether an estimator of this process has loaded OpenCV (so {@link #openCvThreads(int)} costs no loading). */
  public static boolean openCvLoaded() {
    return OpenCv.loaded();
  }

  /**
   * Frames of a smooth random texture, in [-1, 1]: per channel a sum of 48 sinusoids with
   * wavelengths of 8 to 40 pixels in random directions (seeded), translated by {@code (dx, dy)}
   * pixels per frame (frame f is {@code T(x - f dx, y - f dy)}).
   */
  static List<FloatTensor> movingTexture(int size, int count, double dx, double dy, long seed) {
    java.util.Random r = new java.util.Random(seed);
    int waves = 48;
    double[] kx = new double[waves];
    double[] ky = new double[waves];
    double[] phase = new double[waves];
    double[] amp = new double[3 * waves];
    for (int k = 0; k < waves; k++) {
      double wavelength = 8 + 32 * r.nextDouble();
      double angle = 2 * Math.PI * r.nextDouble();
      kx[k] = 2 * Math.PI / wavelength * Math.cos(angle);
      ky[k] = 2 * Math.PI / wavelength * Math.sin(angle);
      phase[k] = 2 * Math.PI * r.nextDouble();
      for (int c = 0; c < 3; c++) {
        amp[c * waves + k] = (0.5 + r.nextDouble()) * 2.2 / Math.sqrt(waves * 3.0);
      }
    }
    List<FloatTensor> out = new ArrayList<>(count);
    int n = size * size;
    // sin(a + b) = sin a cos b + cos a sin b with a along x and b along y: tables of size*waves.
    double[] sx = new double[waves * size];
    double[] cx = new double[waves * size];
    double[] sy = new double[waves * size];
    double[] cy = new double[waves * size];
    double[] acc = new double[3];
    for (int f = 0; f < count; f++) {
      for (int k = 0; k < waves; k++) {
        for (int i = 0; i < size; i++) {
          double a = kx[k] * (i - f * dx) + phase[k];
          double b = ky[k] * (i - f * dy);
          sx[k * size + i] = Math.sin(a);
          cx[k * size + i] = Math.cos(a);
          sy[k * size + i] = Math.sin(b);
          cy[k * size + i] = Math.cos(b);
        }
      }
      float[] d = new float[3 * n];
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          acc[0] = acc[1] = acc[2] = 0;
          for (int k = 0; k < waves; k++) {
            double w = sx[k * size + x] * cy[k * size + y] + cx[k * size + x] * sy[k * size + y];
            acc[0] += amp[k] * w;
            acc[1] += amp[waves + k] * w;
            acc[2] += amp[2 * waves + k] * w;
          }
          for (int c = 0; c < 3; c++) {
            d[c * n + y * size + x] = (float) Math.max(-1, Math.min(1, acc[c]));
          }
        }
      }
      out.add(new FloatTensor(new long[] {3, size, size}, d));
    }
    return out;
  }

  private static int workers(int threads) {
    if (threads < 0) {
      throw new VideoJamException("flow estimation: threads must be >= 0 (0 = one per processor), got " + threads);
    }
    return threads == 0 ? Runtime.getRuntime().availableProcessors() : threads;
  }

  /** Runs pair i = (frame i, frame i + 1) for all i on one thread per estimator. */
  private static List<FlowField> run(List<FlowEstimator> estimators, List<FloatTensor> frames, StepListener progress) {
    int pairs = frames.size() - 1;
    FlowField[] out = new FlowField[pairs];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Object progressLock = new Object();
    int[] done = {0};
    List<Runnable> jobs = new ArrayList<>();
    for (FlowEstimator estimator : estimators) {
      jobs.add(() -> {
        try {
          for (int i = next.getAndIncrement(); i < pairs && failure.get() == null; i = next.getAndIncrement()) {
            out[i] = estimator.estimate(frames.get(i), frames.get(i + 1));
            synchronized (progressLock) {
              progress.step(++done[0], pairs);
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
    }
    if (jobs.size() == 1) {
      jobs.get(0).run();
    } else {
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < jobs.size(); w++) {
        Thread t = new Thread(jobs.get(w), "videojam-flow-" + w);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
      boolean interrupted = false;
      for (Thread t : threads) {
        while (true) {
          try {
            t.join();
            break;
          } catch (InterruptedException e) {
            // Stop handing out pairs, wait for the running ones (their estimators are closed after).
            interrupted = true;
            failure.compareAndSet(null, e);
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    Throwable e = failure.get();
    if (e instanceof RuntimeException re) {
      throw re;
    }
    if (e instanceof Error er) {
      throw er;
    }
    if (e != null) {
      throw new VideoJamException("flow estimation was interrupted", e);
    }
    return List.of(out);
  }

  /** Closes all; a failure is added to {@code pending} if there is one, else the first is thrown. */
  private static void closeAll(List<FlowEstimator> estimators, Throwable pending) {
    RuntimeException first = null;
    for (FlowEstimator e : estimators) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        if (pending != null) {
          pending.addSuppressed(ex);
        } else if (first == null) {
          first = ex;
        } else {
          first.addSuppressed(ex);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
