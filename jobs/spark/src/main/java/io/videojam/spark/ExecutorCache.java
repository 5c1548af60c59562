package io.videojam.spark;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.eval.PromptSuite;
import io.videojam.motion.FlowRgb;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What an executor JVM makes once and shares between its tasks: plugins (and with them the native
 * libraries of OpenCV, FFmpeg and ONNX Runtime, which load on first use), motion representations
 * and model sessions. Spark runs several tasks of one executor in threads of the same JVM, so
 * these live in static maps; the counters let tests check that nothing is made per record.
 */
final class ExecutorCache {
  /** How many motion representations and model sessions this JVM has made. */
  static final AtomicInteger REPRESENTATIONS = new AtomicInteger();
  static final AtomicInteger SESSIONS = new AtomicInteger();

  private static final Map<String, ThreadLocal<FlowRgb>> FLOW = new ConcurrentHashMap<>();
  private static final Map<String, VideoJam> MODELS = new ConcurrentHashMap<>();
  private static final Map<String, Supplier<FlowEstimator>> ESTIMATORS = new ConcurrentHashMap<>();
  private static final Map<String, PromptSuite> SUITES = new ConcurrentHashMap<>();
  /** Every representation made, for closing when the executor JVM ends (they hold OpenCV estimators). */
  private static final List<FlowRgb> MADE = new java.util.concurrent.CopyOnWriteArrayList<>();

  static {
    // the caches live as long as the executor; their native memory is freed when it stops
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      MADE.forEach(FlowRgb::close);
      MODELS.values().forEach(VideoJam::close);
    }, "videojam-executor-cache"));
  }

  private ExecutorCache() {}

  /**
   * The flow-rgb motion representation for these settings, one per task thread (an estimator holds
   * per-call state); the plugin lookup and native loading happen once per JVM.
   */
  static FlowRgb flowRgb(String estimator, double sigma, String alignment) {
    String key = estimator + "|" + sigma + "|" + alignment;
    return FLOW.computeIfAbsent(key, k -> ThreadLocal.withInitial(() -> {
      REPRESENTATIONS.incrementAndGet();
      Backend cpu = Plugins.find(BackendProvider.class, "cpu", "backend").create();
      Map<String, Object> s = Map.of("estimator", estimator, "sigma", sigma, "alignment", alignment, "threads", 1);
      FlowRgb rep = (FlowRgb) Plugins.find(MotionRepresentationProvider.class, "flow-rgb", "motion representation")
          .create(new Settings(s, "videojam-spark motion settings"), cpu, BackendOptions.defaults());
      MADE.add(rep);
      return rep;
    })).get();
  }

  /**
   * The model session of a model folder on a backend, shared by the executor's tasks. Generation of one clip
   * holds the session's lock (ONNX Runtime already uses every core for one run).
   */
  static VideoJam model(String dir, String backend) {
    return MODELS.computeIfAbsent(dir + "|" + backend, k -> {
      SESSIONS.incrementAndGet();
      return VideoJam.open(new RuntimeConfig(java.nio.file.Path.of(dir), backend, BackendOptions.defaults()));
    });
  }

  /** Flow estimators for the generic metrics. */
  static Supplier<FlowEstimator> estimators(String name) {
    return ESTIMATORS.computeIfAbsent(name, n -> FlowEstimatorProvider.onCpu(n, "estimator"));
  }

  /** A prompt suite sent to the executors as its file's lines. */
  static PromptSuite suite(String file, List<String> lines) {
    return SUITES.computeIfAbsent(file + "\n" + lines.hashCode(), k -> PromptSuite.parse(file, lines));
  }
}
