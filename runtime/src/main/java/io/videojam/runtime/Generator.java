package io.videojam.runtime;

import io.videojam.api.Backend;
import io.videojam.api.FloatTensor;
import io.videojam.api.GuidanceProvider;
import io.videojam.api.GuidanceRule;
import io.videojam.api.LatentShape;
import io.videojam.api.LongTensor;
import io.videojam.api.Memory;
import io.videojam.api.ModelInfo;
import io.videojam.api.MotionRepresentation;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.Solver;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.Tensor;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import io.videojam.model.OnnxVideoModel;
import io.videojam.sampling.Schedules;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The generation pipeline: prompt -> text encoder -> sampler (guidance rule -> passes -> model)
 * -> joint latent -> codec -> frames.
 */
public final class Generator {
  /** Activation memory of one model run, in multiples of the latent's bytes, when model.json gives no figure. */
  static final int ACTIVATION_FACTOR = 64;

  private final VideoModel model;
  private final Backend backend;
  private final Optional<MotionRepresentation> motion;

  private final GuidanceDefaults defaults;
  private final int maxBatch;
  /**
   * What repeats from one generation to the next, kept so that a step loop costs little more than
   * its model runs: rules by name and settings, solver providers by name, sampling times by
   * schedule and steps, text conditions by prompt (encoders are deterministic; tensors are never
   * modified once made), and a pass runner's buffers.
   */
  private final Map<List<Object>, GuidanceRule> rules = lru(8);
  private final Map<List<Object>, double[]> schedules = lru(8);
  private final Map<String, Tensor> texts = lru(16);
  private final Map<String, SolverProvider> solvers = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile Tensor nullText;
  /** Idle pass runners: [0] one without batched buffers, [1] one with them (batched or auto). */
  private final java.util.concurrent.atomic.AtomicReferenceArray<PassRunner> idleRunners = new java.util.concurrent.atomic.AtomicReferenceArray<>(2);
  /**
   * Auto pass mode's measurements, for the whole process: by model (its hash), backend and number of
   * passes. Every generator of the same model and backend in one process (Spark's executor threads,
   * the service's workers, a test and its reference) then runs the same mode and gives the same bits.
   */
  private static final Map<List<Object>, PassChooser> CHOOSERS = new java.util.concurrent.ConcurrentHashMap<>();

  /** A generator whose default guidance is the rule's own (inner with motion channels, cfg without). */
  public Generator(VideoModel model, Backend backend, Optional<MotionRepresentation> motion) {
    this(model, backend, motion, GuidanceDefaults.NONE, RuntimeConfig.cpu(java.nio.file.Path.of(".")));
  }

  @Inject
  public Generator(VideoModel model, Backend backend, Optional<MotionRepresentation> motion, GuidanceDefaults defaults,
      RuntimeConfig config) {
    this.model = model;
    this.backend = backend;
    this.motion = motion;
    this.defaults = defaults;
    this.maxBatch = config.options().maxBatch();
  }

  public ModelInfo info() {
    return model.info();
  }

  /**
   * The rule {@code request} asks for; without one, the model's recommended rule and weights
   * (model.json's {@code "guidance"}, overridden by any weight the request sets), else inner for
   * models with motion channels and cfg without.
   */
  public GuidanceRule rule(GenerationRequest request) {
    List<Object> key = java.util.Arrays.asList(request.guidance(), request.guidanceSettings().values());
    GuidanceRule known = rules.get(key);
    if (known != null) {
      return known;
    }
    GuidanceRule made = makeRule(request);
    rules.put(key, made);
    return made;
  }

  private GuidanceRule makeRule(GenerationRequest request) {
    Settings settings = request.guidanceSettings();
    String name = request.guidance();
    if (name == null && defaults.rule() != null) {
      name = defaults.rule();
      Map<String, Object> merged = new java.util.LinkedHashMap<>(defaults.settings());
      merged.putAll(settings.values());
      settings = new Settings(merged, settings.origin() + " and model.json \"guidance\"");
    }
    if (name == null) {
      name = model.info().hasMotion() ? "inner" : "cfg";
    }
    return Plugins.find(GuidanceProvider.class, name, "guidance").create(settings, model.info());
  }

  /**
   * The pass mode {@code request} resolves to for {@code passes} passes: {@link PassMode#AUTO}
   * batches when the backend batches faster, the estimated memory of a batched run fits the
   * budget, and (TensorRT) the passes fit the batch the engine was built for.
   */
  public PassMode resolve(GenerationRequest request, int passes) {
    if (request.passMode() != PassMode.AUTO) {
      return request.passMode();
    }
    if (!batchable(request, passes)) {
      return PassMode.SEQUENTIAL;
    }
    PassChooser chooser = CHOOSERS.get(chooserKey(passes));
    Boolean chosen = chooser == null ? null : chooser.chosen();
    if (chosen != null) {
      return chosen ? PassMode.BATCHED : PassMode.SEQUENTIAL;
    }
    return backend.prefersBatching() ? PassMode.BATCHED : PassMode.SEQUENTIAL;
  }

  /**
   * What auto pass mode measured for {@code passes} passes, e.g. "batched 6.21 ms, sequential 7.30
   * ms per step: batched", or empty before any auto generation with that many passes.
   */
  public Optional<String> passModeMeasurement(int passes) {
    PassChooser c = CHOOSERS.get(chooserKey(passes));
    return c == null ? Optional.empty() : Optional.of(c.describe());
  }

  private List<Object> chooserKey(int passes) {
    return java.util.Arrays.asList(model.info().hash(), backend.name(), maxBatch, passes);
  }

  /** Whether a batched run of the passes may be tried: more than one, its memory fits, and (TensorRT) the engine's batch holds them. */
  private boolean batchable(GenerationRequest request, int passes) {
    return passes > 1 && batchedBytes(passes) <= request.memoryBudgetBytes() && (!backend.batchLimited() || passes <= maxBatch);
  }

  /** Estimated memory of one batched run of {@code passes} passes. */
  public long batchedBytes(int passes) {
    return (long) passes * model.info().latent().sampleSize() * Float.BYTES * ACTIVATION_FACTOR;
  }

  /**
   * Generates one clip: {@link #prepare} (rule, solver, schedule, noise, text), sampling with a
   * {@link PassRunner} (the rule's passes, batched or sequential, NaN-checked), then {@link #decode}
   * (video and motion visualisation) and the {@link GenerationRecord}.
   */
  public Generation generate(GenerationRequest request, StepListener listener) {
    StepListener progress = listener == null ? StepListener.NONE : listener;
    long start = System.nanoTime();
    long backendStart = model.backendNanos();
    Plan plan = prepare(request);
    PassRunner runner = runner(plan, request);
    long samplingStart = System.nanoTime();
    float[] x1;
    PassMode used;
    long runs;
    try {
      x1 = plan.solver().integrate(runner::velocity, plan.noise().data().clone(), plan.times(), progress);
      used = runner.mode();
      runs = runner.runs();
    } finally {
      idleRunners.set(runner.batchedBuffers() ? 1 : 0, runner); // its buffers serve the next generation of the same kind
    }
    long samplingNanos = System.nanoTime() - samplingStart;
    Decoded out = decode(x1);
    long total = System.nanoTime() - start;
    ModelInfo info = model.info();
    GenerationRecord record = new GenerationRecord(request.prompt(), request.seed(), request.initialNoise() != null, request.steps(),
        request.solver(), request.schedule(), request.scheduleSettings().values(), plan.times(), plan.rule().name(), plan.rule().settings(),
        request.guidanceWindow(), used, request.passMode(), request.memoryBudgetBytes(), batchedBytes(plan.rule().passes().size()), runs,
        out.motionNote(), info.name(), info.hash(), backend.name());
    return new Generation(out.video(), out.motion(), new FloatTensor(info.latent().dims(), x1), record,
        new Generation.Timings(total, samplingNanos, model.backendNanos() - backendStart, runs), plan.noise());
  }

  /** A pass runner for the plan: the idle one when it fits, else a new one. */
  private PassRunner runner(Plan plan, GenerationRequest request) {
    boolean batched = plan.mode() == PassMode.BATCHED;
    PassChooser chooser = plan.chooser();
    PassRunner idle = idleRunners.getAndSet(PassRunner.batchedBuffers(batched, chooser, plan.rule().passes().size()) ? 1 : 0, null);
    if (idle != null && idle.fits(plan.rule(), plan.text(), plan.nullText(), batched, chooser, request.guidanceWindow(), request.steps())) {
      idle.reset();
      return idle;
    }
    return new PassRunner(model, plan.rule(), plan.text(), plan.nullText(), batched, chooser, request.guidanceWindow(), request.steps());
  }

  private static <K, V> Map<K, V> lru(int size) {
    return java.util.Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > size;
      }
    });
  }

  /** What sampling needs, resolved from a request. */
  private record Plan(GuidanceRule rule, Solver solver, double[] times, PassMode mode, PassChooser chooser, Tensor text, Tensor nullText,
      FloatTensor noise) {}

  /** Resolves the rule, solver, schedule and pass mode, checks the memory, encodes the text and draws the noise. */
  private Plan prepare(GenerationRequest request) {
    LatentShape shape = model.info().latent();
    GuidanceRule rule = rule(request);
    Solver solver = solvers.computeIfAbsent(request.solver(), name -> Plugins.find(SolverProvider.class, name, "solver"))
        .create(Settings.empty("solver"));
    // "auto" and "model" pick the model's own schedule (vp timesteps, edm Karras sigmas) where it has one
    List<Object> scheduleKey = java.util.Arrays.asList(request.schedule(), request.scheduleSettings().values(), request.steps());
    double[] times = schedules.get(scheduleKey);
    if (times == null) {
      times = Schedules.resolve(request.schedule(), request.scheduleSettings(),
          model instanceof OnnxVideoModel onnx ? onnx.nativeSchedule() : Optional.empty()).times(request.steps());
      schedules.put(scheduleKey, times);
    }
    times = times.clone();
    int p = rule.passes().size();
    PassMode mode = resolve(request, p);
    // auto, undecided: the steps measure both modes (the memory check below then counts the batched buffers)
    PassChooser chooser = request.passMode() == PassMode.AUTO && batchable(request, p)
        ? CHOOSERS.computeIfAbsent(chooserKey(p), k -> new PassChooser(backend.prefersBatching())) : null;
    if (chooser != null && chooser.chosen() != null) {
      chooser = null; // measured: the mode is fixed
    }
    boolean batched = PassRunner.batchedBuffers(mode == PassMode.BATCHED, chooser, p);
    long n = shape.size();
    if (batched && n * p > LatentShape.MAX_VALUES) {
      throw new VideoJamException("a batched run of " + p + " passes over a latent of " + text(shape) + " holds " + n * p
          + " values, over the limit of " + LatentShape.MAX_VALUES + " (one Java array); use pass mode sequential or a smaller latent");
    }
    // the step loop's buffers (passes, guided, scratch, batched in and out) and about four more for the
    // solver's state, the initial noise and the result
    long bytes = Memory.product(n, p + 6L + (batched ? 2L * p : 0), Float.BYTES);
    if (!Memory.fits(bytes)) { // the message only when it is needed: this runs once per generation, mostly uncompiled
      Memory.require(bytes, "sampling a latent of " + text(shape) + " with " + p + " passes" + (batched ? " batched" : ""),
          "reduce the model's frames, height or width" + (batched ? ", or use pass mode sequential" : ""));
    }
    Tensor text = texts.get(request.prompt());
    if (text == null) {
      text = model.textEncoder().encode(List.of(request.prompt()));
      texts.put(request.prompt(), text);
    }
    Tensor nullText = this.nullText;
    if (nullText == null) {
      nullText = model.textEncoder().nullCondition(1);
      this.nullText = nullText;
    }
    // the request's initial noise, else drawn from the seed; kept for the result (a solver may work in place)
    FloatTensor noise = new FloatTensor(shape.dims(), request.noise(shape));
    return new Plan(rule, solver, times, mode, chooser, text, nullText, noise);
  }

  /** "1 x 6 x 8 x 16 x 16". */
  private static String text(LatentShape shape) {
    return java.util.Arrays.stream(shape.dims()).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining(" x "));
  }

  /** The decoded video, the motion visualisation (or why there is none). */
  private record Decoded(FloatTensor video, FloatTensor motion, String motionNote) {}

  /** Decodes the appearance channels to the video and the motion channels to their visualisation. */
  private Decoded decode(float[] x1) {
    LatentShape shape = model.info().latent();
    FloatTensor video = decode(x1, shape, 0, shape.appearanceChannels());
    if (!model.info().hasMotion() || motion.isEmpty()) {
      return new Decoded(video, null, null);
    }
    FloatTensor decoded = decode(x1, shape, shape.appearanceChannels(), shape.motionChannels());
    if (decoded.shape()[0] != motion.get().channels()) {
      return new Decoded(video, null, "skipped: the motion channels decode to " + decoded.shape()[0] + " channels, "
          + motion.get().name() + " shows " + motion.get().channels());
    }
    return new Decoded(video, motion.get().visualize(decoded), null);
  }

  /** True when every value is finite: x * 0 is 0 for finite x and NaN otherwise (eight lanes, so it vectorises). */
  static boolean finite(float[] v) {
    float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, a4 = 0f, a5 = 0f, a6 = 0f, a7 = 0f;
    int i = 0;
    for (; i + 8 <= v.length; i += 8) {
      a0 += v[i] * 0f;
      a1 += v[i + 1] * 0f;
      a2 += v[i + 2] * 0f;
      a3 += v[i + 3] * 0f;
      a4 += v[i + 4] * 0f;
      a5 += v[i + 5] * 0f;
      a6 += v[i + 6] * 0f;
      a7 += v[i + 7] * 0f;
    }
    for (; i < v.length; i++) {
      a0 += v[i] * 0f;
    }
    return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 == 0f;
  }

  /** Channels [from, from + count) of a batch-1 joint latent, decoded by the model's codec to {@code [3, T, H, W]}. */
  private FloatTensor decode(float[] x, LatentShape shape, int from, int count) {
    int plane = shape.planeSize();
    float[] part = new float[count * plane];
    System.arraycopy(x, from * plane, part, 0, part.length);
    FloatTensor decoded = model.codec().decode(new FloatTensor(
        new long[] {1, count, shape.frames(), shape.height(), shape.width()}, part));
    long[] s = decoded.shape();
    return new FloatTensor(new long[] {s[1], s[2], s[3], s[4]}, decoded.data());
  }

  static void zeroMotion(float[] x, int offset, LatentShape shape) {
    int plane = shape.planeSize();
    java.util.Arrays.fill(x, offset + shape.appearanceChannels() * plane, offset + shape.channels() * plane, 0f);
  }

  /** Concatenates same-typed tensors on the first axis. */
  static Tensor concat(List<Tensor> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    long[] shape = parts.get(0).shape().clone();
    shape[0] = 0;
    for (Tensor p : parts) {
      shape[0] += p.shape()[0];
    }
    if (parts.get(0) instanceof FloatTensor) {
      float[] data = new float[Math.toIntExact(io.videojam.api.Shapes.count(shape))];
      int at = 0;
      for (Tensor p : parts) {
        float[] d = ((FloatTensor) p).data();
        System.arraycopy(d, 0, data, at, d.length);
        at += d.length;
      }
      return new FloatTensor(shape, data);
    }
    long[] data = new long[Math.toIntExact(io.videojam.api.Shapes.count(shape))];
    int at = 0;
    for (Tensor p : parts) {
      long[] d = ((LongTensor) p).data();
      System.arraycopy(d, 0, data, at, d.length);
      at += d.length;
    }
    return new LongTensor(shape, data);
  }
}
