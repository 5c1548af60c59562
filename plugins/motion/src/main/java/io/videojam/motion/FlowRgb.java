package io.videojam.motion;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.FlowField;
import io.videojam.api.MotionRepresentation;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The motion representation of the paper (spec section 4): optical flow between consecutive
 * frames, rendered as RGB by Eq. 5 ({@link FlowRgbCodec}): hue = flow direction, brightness =
 * min(1, |flow| / (sigma * diagonal)). The motion video is already RGB, so showing it is the
 * identity.
 *
 * <p>{@link #encode} estimates the T - 1 flows of a T-frame video in parallel on {@code threads}
 * worker threads, each with its own {@link FlowEstimator} (estimators are not thread-safe), puts
 * each flow at its index (so the result does not depend on the number of threads or the order in
 * which they finish), maps flows to the T motion frames by a {@link FlowAlignment} and encodes
 * each with Eq. 5. Estimators are made by the estimator plugin's factory when first needed and
 * kept for the next call: a worker takes an idle estimator or makes one, so a call makes at most
 * {@code min(threads, T - 1)} of them and never lets two threads use one at the same time. An
 * estimator that failed is closed, not kept. {@link #close()} closes the kept ones.
 *
 * <p>Settings (model.json {@code "motion"} object, or CLI options):
 *
 * <pre>
 *   sigma       0.15              Eq. 5's sigma, 0 &lt; sigma &lt;= 1 (a fraction of the frame diagonal)
 *   estimator   "dis:medium"      flow estimator plugin NAME[:ARG] ({@link FlowEstimatorProvider})
 *   alignment   "duplicate-first" duplicate-first | duplicate-last | zero-first ({@link FlowAlignment})
 *   threads     all cores         worker threads for flow estimation (&gt;= 1)
 * </pre>
 */
public final class FlowRgb implements MotionRepresentation, AutoCloseable {
  /** The default estimator, {@code NAME[:ARG]}. */
  public static final String DEFAULT_ESTIMATOR = "dis:medium";

  private final FlowRgbCodec codec;
  private final String estimator;
  private final Supplier<FlowEstimator> estimators;
  private final FlowAlignment alignment;
  private final int threads;
  private final ConcurrentLinkedDeque<FlowEstimator> idle = new ConcurrentLinkedDeque<>();

  /**
   * @param codec Eq. 5 with its sigma
   * @param estimator the estimator's {@code NAME[:ARG]}, for messages
   * @param estimators makes one estimator per worker thread
   * @param alignment how T - 1 flows become T motion frames
   * @param threads worker threads, at least 1
   */
  public FlowRgb(FlowRgbCodec codec, String estimator, Supplier<FlowEstimator> estimators, FlowAlignment alignment,
      int threads) {
    if (threads < 1) {
      throw new VideoJamException("flow-rgb threads must be >= 1, got " + threads);
    }
    this.codec = codec;
    this.estimator = estimator;
    this.estimators = estimators;
    this.alignment = alignment;
    this.threads = threads;
  }

  public FlowRgbCodec codec() {
    return codec;
  }

  public double sigma() {
    return codec.sigma();
  }

  public String estimator() {
    return estimator;
  }

  public FlowAlignment alignment() {
    return alignment;
  }

  public int threads() {
    return threads;
  }

  @Override
  public String name() {
    return "flow-rgb";
  }

  @Override
  public int channels() {
    return 3;
  }

  /**
   * The motion video {@code [3, T, H, W]} in [-1, 1] of RGB frames {@code [3, T, H, W]} in [-1, 1].
   *
   * @param progress told after each frame pair, {@code (pairs done, T - 1)}, from one thread at a time
   * @throws VideoJamException when the video has fewer than two frames or is not RGB, or the
   *     estimator fails or returns a field of the wrong size or with a NaN
   */
  @Override
  public FloatTensor encode(FloatTensor video, StepListener progress) {
    long[] shape = checkVideo(video);
    int frames = (int) shape[1];
    int height = (int) shape[2];
    int width = (int) shape[3];
    int pixels = height * width;
    float[] out = new float[3 * frames * pixels];
    int channelStride = frames * pixels;
    int[] flowOf = new int[frames];
    for (int t = 0; t < frames; t++) {
      flowOf[t] = alignment.flowIndex(t, frames);
      if (flowOf[t] < 0) { // the zero flow is black: every channel -1
        for (int c = 0; c < 3; c++) {
          Arrays.fill(out, c * channelStride + t * pixels, c * channelStride + (t + 1) * pixels, -1f);
        }
      }
    }
    // Each worker encodes the motion frames of the flow it has just estimated: disjoint parts of out.
    run(video, progress, (index, flow) -> {
      for (int t = 0; t < frames; t++) {
        if (flowOf[t] == index) {
          codec.encodeInto(flow, out, t * pixels, channelStride);
        }
      }
    });
    return new FloatTensor(new long[] {3, frames, height, width}, out);
  }

  /**
   * The motion video {@code [3, T, H, W]} in [-1, 1] of T - 1 flows already estimated (for
   * example by {@link #flows}): aligned by {@link #alignment()} and encoded by Eq. 5, exactly as
   * {@link #encode} does.
   *
   * @throws VideoJamException when there are no flows, or they differ in size, or have a NaN
   */
  public FloatTensor encodeFlows(List<FlowField> flows) {
    if (flows.isEmpty()) {
      throw new VideoJamException("flow needs at least two frames, got no flows (a video of one frame)");
    }
    int frames = flows.size() + 1;
    int height = flows.get(0).height();
    int width = flows.get(0).width();
    for (int i = 0; i < flows.size(); i++) {
      if (flows.get(i).height() != height || flows.get(i).width() != width) {
        throw new VideoJamException("flow " + i + " is " + flows.get(i).width() + "x" + flows.get(i).height()
            + " but flow 0 is " + width + "x" + height + "; all flows of a video must have the frame size");
      }
    }
    int pixels = height * width;
    int channelStride = frames * pixels;
    float[] out = new float[3 * channelStride];
    for (int t = 0; t < frames; t++) {
      int index = alignment.flowIndex(t, frames);
      if (index < 0) {
        for (int c = 0; c < 3; c++) {
          Arrays.fill(out, c * channelStride + t * pixels, c * channelStride + (t + 1) * pixels, -1f);
        }
      } else {
        codec.encodeInto(flows.get(index), out, t * pixels, channelStride);
      }
    }
    return new FloatTensor(new long[] {3, frames, height, width}, out);
  }

  /**
   * The T - 1 flows of a video {@code [3, T, H, W]}: flow i goes from frame i to frame i + 1.
   * Estimated in parallel like {@link #encode}.
   */
  public List<FlowField> flows(FloatTensor video, StepListener progress) {
    long[] shape = checkVideo(video);
    FlowField[] flows = new FlowField[(int) shape[1] - 1];
    run(video, progress, (index, flow) -> flows[index] = flow);
    return List.of(flows);
  }

  /**
   * Flow {@code index}: from frame {@code first} to frame {@code second}, both RGB {@code [3, H, W]}
   * in [-1, 1]. Safe to call from several threads at once (each call borrows its own estimator),
   * so a caller can stream a video's frame pairs through it; the field is checked as
   * {@link #flows} checks it.
   */
  public FlowField flow(int index, FloatTensor first, FloatTensor second) {
    long[] s = first.shape();
    if (s.length != 3 || s[0] != 3) {
      throw new VideoJamException("flow-rgb needs RGB frames [3, H, W], got " + Arrays.toString(s));
    }
    FlowEstimator own = borrow();
    boolean healthy = false;
    try {
      FlowField flow = own.estimate(first, second);
      check(flow, index, (int) s[1], (int) s[2]);
      healthy = true;
      return flow;
    } finally {
      if (healthy) {
        idle.push(own);
      } else {
        own.close(); // an estimator that failed is not reused
      }
    }
  }

  /**
   * Makes one estimator now (loading what the estimator plugin needs, e.g. native libraries) and
   * keeps it for the next call, so a caller can do this on another thread while it reads frames.
   */
  public void prepare() {
    idle.push(borrow());
  }

  /** Shows a motion video {@code [3, T, H, W]}: it is RGB already, so it is returned as it is. */
  @Override
  public FloatTensor visualize(FloatTensor motionVideo) {
    if (motionVideo.shape().length != 4 || motionVideo.shape()[0] != 3) {
      throw new IllegalArgumentException("flow-rgb motion video must be [3, T, H, W], got " + motionVideo);
    }
    return motionVideo;
  }

  /** Closes the estimators kept for later calls. */
  @Override
  public void close() {
    for (FlowEstimator e = idle.poll(); e != null; e = idle.poll()) {
      e.close();
    }
  }

  /** What a worker does with flow {@code index} once estimated (called on the worker's thread). */
  @FunctionalInterface
  private interface FlowSink {
    void accept(int index, FlowField flow);
  }

  private static long[] checkVideo(FloatTensor video) {
    long[] shape = video.shape();
    if (shape.length != 4 || shape[0] != 3) {
      throw new VideoJamException("flow-rgb needs an RGB video [3, T, H, W], got " + Arrays.toString(shape));
    }
    if (shape[1] < 2) {
      throw new VideoJamException("flow needs at least two frames, got " + shape[1]);
    }
    if (shape[2] < 1 || shape[3] < 1) {
      throw new VideoJamException("flow-rgb needs frames of at least 1x1 pixels, got " + shape[3] + "x" + shape[2]);
    }
    return shape;
  }

  /** Estimates every flow of the video on up to {@code threads} workers and hands each to {@code sink}. */
  private void run(FloatTensor video, StepListener progress, FlowSink sink) {
    int frames = (int) video.shape()[1];
    int height = (int) video.shape()[2];
    int width = (int) video.shape()[3];
    int pairs = frames - 1;
    int workers = Math.min(threads, pairs);
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    int[] done = {0};
    Runnable worker = () -> {
      FlowEstimator own = null;
      boolean healthy = false;
      try {
        own = borrow();
        for (int i = next.getAndIncrement(); i < pairs && !failed.get(); i = next.getAndIncrement()) {
          FlowField flow = own.estimate(frame(video, i), frame(video, i + 1));
          check(flow, i, height, width);
          sink.accept(i, flow);
          synchronized (done) {
            done[0]++;
            progress.step(done[0], pairs);
          }
        }
        healthy = true;
      } catch (RuntimeException | Error e) {
        failed.set(true);
        throw e;
      } finally {
        if (own != null && healthy) {
          idle.push(own);
        } else if (own != null) {
          own.close(); // an estimator that failed is not reused
        }
      }
    };
    if (workers == 1) {
      worker.run();
      return;
    }
    AtomicInteger threadNumber = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "videojam-flow-" + threadNumber.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<?>> futures = new ArrayList<>(workers);
      for (int k = 0; k < workers; k++) {
        futures.add(pool.submit(worker));
      }
      RuntimeException first = null;
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof Error err) {
            throw err;
          }
          if (first == null || (cause instanceof VideoJamException && !(first instanceof VideoJamException))) {
            first = cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    } catch (InterruptedException e) {
      failed.set(true);
      Thread.currentThread().interrupt();
      throw new VideoJamException("flow estimation was interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }

  private FlowEstimator borrow() {
    FlowEstimator e = idle.poll();
    return e != null ? e : estimators.get();
  }

  private void check(FlowField flow, int index, int height, int width) {
    if (flow == null || flow.height() != height || flow.width() != width) {
      throw new VideoJamException("flow estimator '" + estimator + "' returned "
          + (flow == null ? "nothing" : "a " + flow.width() + "x" + flow.height() + " field")
          + " for the " + width + "x" + height + " frames " + index + " and " + (index + 1) + "; the estimator is broken");
    }
    float[] u = flow.u();
    float[] v = flow.v();
    for (int p = 0; p < u.length; p++) {
      if (!Float.isFinite(u[p]) || !Float.isFinite(v[p])) {
        throw new VideoJamException("flow estimator '" + estimator + "' returned a non-finite flow (" + u[p] + ", "
            + v[p] + ") at x = " + p % width + ", y = " + p / width + " between frames " + index + " and " + (index + 1)
            + "; try another estimator (setting \"estimator\")");
      }
    }
  }

  /** Frame t of {@code [3, T, H, W]} as {@code [3, H, W]} (a copy). */
  static FloatTensor frame(FloatTensor video, int t) {
    long[] s = video.shape();
    int frames = (int) s[1];
    int pixels = (int) (s[2] * s[3]);
    float[] out = new float[3 * pixels];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(video.data(), (c * frames + t) * pixels, out, c * pixels, pixels);
    }
    return new FloatTensor(new long[] {3, s[2], s[3]}, out);
  }

  /** ServiceLoader entry, model.json {@code "motion": {"representation": "flow-rgb", "sigma": 0.15, ...}}. */
  public static final class Provider implements MotionRepresentationProvider {
    @Override
    public String name() {
      return "flow-rgb";
    }

    @Override
    public String description() {
      return "optical flow as RGB (Eq. 5), sigma relative to the frame diagonal";
    }

    /**
     * Reads the settings (see {@link FlowRgb}) and finds the estimator plugin; estimators are made
     * when first needed.
     *
     * @throws VideoJamException naming the setting at fault, or the estimator plugins available
     */
    @Override
    public MotionRepresentation create(Settings settings, Backend backend, BackendOptions options) {
      String origin = settings.origin();
      double sigma = settings.number("sigma", FlowRgbCodec.DEFAULT_SIGMA);
      if (!(sigma > 0) || sigma > 1) {
        throw new VideoJamException(origin + ": \"sigma\" must be in (0, 1] (a fraction of the frame diagonal; the paper uses "
            + FlowRgbCodec.DEFAULT_SIGMA + "), got " + sigma);
      }
      String spec = settings.string("estimator", DEFAULT_ESTIMATOR).trim();
      int colon = spec.indexOf(':');
      String name = colon < 0 ? spec : spec.substring(0, colon);
      String argument = colon < 0 || colon == spec.length() - 1 ? null : spec.substring(colon + 1);
      if (name.isEmpty()) {
        throw new VideoJamException(origin + ": \"estimator\" must be NAME[:ARG] (for example " + DEFAULT_ESTIMATOR
            + "), got '" + spec + "'");
      }
      FlowAlignment alignment = FlowAlignment.parse(settings.string("alignment", FlowAlignment.DUPLICATE_FIRST.label()),
          origin + " \"alignment\"");
      int threads = settings.integer("threads", Runtime.getRuntime().availableProcessors());
      if (threads < 1) {
        throw new VideoJamException(origin + ": \"threads\" must be at least 1, got " + threads);
      }
      FlowEstimatorProvider provider = Plugins.find(FlowEstimatorProvider.class, name, "estimator");
      // the estimator's factory (which may load native libraries or open a graph) is made on first
      // use: generating from a model with motion channels never estimates flow
      Supplier<FlowEstimator> factory = new Supplier<>() {
        private Supplier<FlowEstimator> made;

        @Override
        public synchronized FlowEstimator get() {
          if (made == null) {
            made = provider.factory(argument, settings, backend, options);
          }
          return made.get();
        }
      };
      return new FlowRgb(new FlowRgbCodec(sigma), spec, factory, alignment, threads);
    }
  }
}
