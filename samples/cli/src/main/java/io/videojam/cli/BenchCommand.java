package io.videojam.cli;

import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.media.OutputStaging;
import io.videojam.runtime.BackendChoice;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationFiles;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.PassMode;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code videojam bench}: framework overhead of generation and the batched/sequential ratio of
 * guidance passes, measured in one run on one loaded model.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchFlowCommand.class, BenchSolversCommand.class, BenchSoakCommand.class, BenchCliCommand.class, BenchServeCommand.class},
    description = {"Measure generation speed: framework overhead and batched/sequential guidance passes, in one run.",
        "With --backend given several times (NAME or NAME:KEY=VALUE,..., e.g. cpu:threads=1, trt-native:precision=fp16), the same model "
            + "and prompt run on each and a comparison table follows: load time, ms per sampling step batched and sequential, steps/s, "
            + "peak memory. A backend that cannot run here is listed as skipped with the reason (exit code 2).",
        "Framework overhead = (wall time of generation - time inside backend runs) / wall time, at 20 steps unless --steps is given."})
final class BenchCommand implements Callable<Integer> {
  @Option(names = "--prompt", defaultValue = "a red square moving to the right", description = "prompt (default: ${DEFAULT-VALUE})")
  String prompt;

  @Option(names = "--repeats", defaultValue = "10", description = "timed runs per mode, alternating (default: ${DEFAULT-VALUE})")
  int repeats;

  @Option(names = "--warmup", defaultValue = "20", description = "untimed runs per mode first, so that the JIT has compiled the step loop "
      + "(default: ${DEFAULT-VALUE})")
  int warmup;

  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model = new ModelOptions();

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  /** One backend's figures. */
  private record Result(String label, double loadSeconds, double batchedMsPerStep, double sequentialMsPerStep,
      String auto, double stepsPerSecond, String memory, String skipped) {
  }

  @Override
  public Integer call() throws Exception {
    Checks.range("--repeats", repeats, 1, 100_000);
    Checks.range("--warmup", warmup, 0, 100_000);
    io.videojam.media.WriterWarmUp.start(); // as generate does: the writers load while the model loads
    GenerationRequest base = sampling.request(prompt);
    if (!spec.commandLine().getParseResult().hasMatchedOption("--steps")) {
      base = base.withSteps(20);
    }
    List<BackendSpec> specs = model.backends.stream().map(BackendSpec::parse).toList();
    List<Result> results = new ArrayList<>();
    boolean first = true;
    for (BackendSpec b : specs) {
      RuntimeConfig config = new RuntimeConfig(model.modelDir(), b.name(), b.apply(model.options()));
      System.out.println();
      System.out.println("== " + b.label());
      try {
        results.add(benchOne(b, config, base, first));
        first = false;
      } catch (VideoJamException e) {
        System.out.println("  skipped: " + e.getMessage());
        results.add(new Result(b.label(), 0, 0, 0, "", 0, "", e.getMessage()));
      }
    }
    if (specs.size() > 1) {
      printComparison(results, base);
    }
    return results.stream().anyMatch(r -> r.skipped() != null) ? 2 : 0;
  }

  private Result benchOne(BackendSpec b, RuntimeConfig config, GenerationRequest base, boolean writeOutputs) throws Exception {
    if (b.name().equals("auto")) { // resolve first: the memory probe differs for CPU and GPU
      BackendChoice choice = BackendChoice.choose("auto");
      System.out.println("auto chose " + choice.name() + (choice.passedOver().isEmpty() ? "" : "; passed over " + choice.passedOver()));
      config = new RuntimeConfig(config.modelDir(), choice.name(), config.options());
    }
    boolean gpu = !config.backend().equals("cpu");
    try (MemoryProbe memory = MemoryProbe.start(gpu, config.options().deviceId())) {
      long loadStart = System.nanoTime();
      try (VideoJam jam = VideoJam.open(config)) {
        double load = (System.nanoTime() - loadStart) / 1e9;
        int passes = jam.generator().rule(base).passes().size();
        System.out.printf(Locale.ROOT, "model %s, backend %s (%s), %s, guidance %s (%d passes per step), %d steps, %s, %d cores; "
            + "load %.2f s%n", jam.model().name(), jam.backend().name(), jam.backend().backend().description(), config.options().precision(),
            jam.generator().rule(base).name(), passes, base.steps(), base.solver(), Runtime.getRuntime().availableProcessors(), load);
        for (int w = 0; w < warmup; w++) { // JIT and backend warm-up (TensorRT and CUDA pick kernels on first runs), not timed
          jam.generate(base.withPassMode(PassMode.BATCHED), StepListener.NONE);
          jam.generate(base.withPassMode(PassMode.SEQUENTIAL), StepListener.NONE);
        }
        List<Generation.Timings> batched = new ArrayList<>();
        List<Generation.Timings> sequential = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
          batched.add(jam.generate(base.withPassMode(PassMode.BATCHED), StepListener.NONE).timings());
          sequential.add(jam.generate(base.withPassMode(PassMode.SEQUENTIAL), StepListener.NONE).timings());
        }
        double bw = median(batched.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
        double sw = median(sequential.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
        double bStep = median(batched.stream().mapToDouble(t -> t.samplingNanos() / 1e6 / base.steps()).toArray());
        double sStep = median(sequential.stream().mapToDouble(t -> t.samplingNanos() / 1e6 / base.steps()).toArray());
        row("batched", batched);
        row("sequential", sequential);
        // auto: its first generation times both modes on its first steps, later ones use the faster
        jam.generate(base.withPassMode(PassMode.AUTO), StepListener.NONE);
        PassMode auto = jam.generator().resolve(base.withPassMode(PassMode.AUTO), passes);
        String faster = bw <= sw ? "batched" : "sequential";
        System.out.printf(Locale.ROOT, "batched / sequential time ratio: %.3f (%s is faster)%n", bw / sw, faster);
        System.out.printf(Locale.ROOT, "auto pass mode measured %s -> it picks %s, %s%n",
            jam.generator().passModeMeasurement(passes).orElse("nothing (one pass)"), auto.key(),
            auto.key().equals(faster) ? "the faster here" : "NOT the faster here");
        System.out.printf(Locale.ROOT, "per sampling step: batched %.2f ms, sequential %.2f ms%n", bStep, sStep);
        List<Generation.Timings> chosen = auto == PassMode.BATCHED ? batched : sequential;
        double overhead = median(chosen.stream().mapToDouble(Generation.Timings::overheadPerBackendTime).toArray());
        System.out.printf(Locale.ROOT, "framework overhead at %d steps (%s, auto's choice): %.2f%% of the time inside the backend (goal <= 1%%): %s%n",
            base.steps(), auto.key(), 100 * overhead, overhead <= 0.01 ? "met" : "NOT met");
        if (config.backend().equals("cpu") && jam.videoModel() instanceof io.videojam.model.OnnxVideoModel onnx) {
          bareLoop(onnx, config, base.prompt(), 1);
          if (passes > 1) {
            bareLoop(onnx, config, base.prompt(), passes);
          }
        }
        if (writeOutputs) {
          writeOnce(jam, config, base.withPassMode(auto));
        }
        String mem = memory.result();
        System.out.println("peak memory: " + mem);
        double autoStep = auto == PassMode.BATCHED ? bStep : sStep;
        return new Result(b.label(), load, bStep, sStep, auto.key(), 1000 / autoStep, mem, null);
      }
    }
  }

  /**
   * One graph run through the framework (the model adapter and its pinned session) against a loop
   * a user would write with ONNX Runtime's Java API alone, on the same graph, inputs and threads:
   * blocks of runs alternate, and the medians of the blocks are compared.
   */
  private static void bareLoop(io.videojam.model.OnnxVideoModel model, RuntimeConfig config, String prompt, int batch) {
    io.videojam.api.LatentShape shape = model.info().latent();
    long[] dims = shape.withBatch(batch).dims();
    float[] x = new float[Math.toIntExact(io.videojam.api.Shapes.count(dims))];
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    io.videojam.api.Tensor text = model.textEncoder().encode(java.util.Collections.nCopies(batch, prompt));
    io.videojam.model.OnnxVideoModel.GraphRun run = model.graphRun(new io.videojam.api.FloatTensor(dims, x), 0.5, text);
    float[] out = new float[x.length];
    int block = 20;
    int rounds = 7;
    double[] ours = new double[rounds];
    double[] oursInside = new double[rounds];
    double[] bare = new double[rounds];
    double[] bareInside = new double[rounds];
    try (io.videojam.backend.ort.BareOrtLoop loop = new io.videojam.backend.ort.BareOrtLoop(run.graph(), config.options().intraOpThreads(),
        config.options().interOpThreads())) {
      for (int r = -1; r < rounds; r++) { // round -1 warms both up
        long b0 = model.backendNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < block; i++) {
          model.velocity(new io.videojam.api.FloatTensor(dims, x), 0.5, text, out); // a new instance: copied in, as in a step
        }
        long t1 = System.nanoTime();
        long l0 = loop.runNanos();
        for (int i = 0; i < block; i++) {
          loop.run(run.inputs(), run.output());
        }
        long t2 = System.nanoTime();
        if (r >= 0) {
          ours[r] = (t1 - t0) / 1e6 / block;
          oursInside[r] = (model.backendNanos() - b0) / 1e6 / block;
          bare[r] = (t2 - t1) / 1e6 / block;
          bareInside[r] = (loop.runNanos() - l0) / 1e6 / block;
        }
      }
    }
    double o = median(ours);
    double b = median(bare);
    System.out.printf(Locale.ROOT, "one graph run at batch %d (%d x %d runs, alternating): a bare ONNX Runtime Java loop %.3f ms (%.3f in session.run); "
        + "videojam %.3f ms (%.3f in session.run); ratio videojam / bare %.3f%n", batch, rounds, block, b, median(bareInside), o,
        median(oursInside), o / b);
  }

  /** The generate command's body once, with its outputs written to a temporary folder. */
  private static void writeOnce(VideoJam jam, RuntimeConfig config, GenerationRequest request) throws Exception {
    Path tmp = Files.createTempDirectory("videojam-bench");
    long start = System.nanoTime();
    Generation g = jam.generate(request, StepListener.NONE);
    try (OutputStaging staging = OutputStaging.begin(tmp.resolve("out"))) {
      long writing = GenerationFiles.write(staging, g, jam.model(), config, jam.backend(), null, start);
      staging.commit();
      double wall = (System.nanoTime() - start) / 1e9;
      System.out.printf(Locale.ROOT, "whole generate command body: %.3f s, of which backend %.3f s, writing outputs %.3f s "
          + "(overhead including writing: %.2f%%)%n", wall, g.timings().backendNanos() / 1e9, writing / 1e9,
          100 * (wall - g.timings().backendNanos() / 1e9) / wall);
    } finally {
      try (var files = Files.walk(tmp)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void printComparison(List<Result> results, GenerationRequest base) {
    System.out.println();
    System.out.printf(Locale.ROOT, "comparison (%d steps, medians; speed-up = steps/s over the first backend's, each in its auto pass mode)%n",
        base.steps());
    System.out.printf(Locale.ROOT, "%-28s %8s %14s %14s %10s %9s %9s  %s%n", "backend", "load s", "batched ms/st", "sequent. ms/st",
        "auto", "steps/s", "speed-up", "peak memory");
    Result ref = results.stream().filter(r -> r.skipped() == null).findFirst().orElse(null);
    for (Result r : results) {
      if (r.skipped() != null) {
        System.out.printf(Locale.ROOT, "%-28s skipped: %s%n", r.label(), r.skipped());
        continue;
      }
      System.out.printf(Locale.ROOT, "%-28s %8.2f %14.2f %14.2f %10s %9.1f %8.2fx  %s%n", r.label(), r.loadSeconds(), r.batchedMsPerStep(),
          r.sequentialMsPerStep(), r.auto(), r.stepsPerSecond(), r.stepsPerSecond() / ref.stepsPerSecond(), r.memory());
    }
  }

  private static void row(String name, List<Generation.Timings> ts) {
    double wall = median(ts.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
    double backend = median(ts.stream().mapToDouble(t -> t.backendNanos() / 1e9).toArray());
    double overhead = median(ts.stream().mapToDouble(Generation.Timings::overhead).toArray());
    double setup = median(ts.stream().mapToDouble(t -> (t.totalNanos() - t.samplingNanos()) / 1e6).toArray());
    double loop = median(ts.stream().mapToDouble(t -> (t.samplingNanos() - t.backendNanos()) / 1e6).toArray());
    System.out.printf(Locale.ROOT, "  %-10s wall %.3f s (median of %d), backend %.3f s, runs %d, overhead %.2f%% "
        + "(%.1f ms in the step loop, %.1f ms in text, noise and decoding)%n", name, wall, ts.size(), backend, ts.get(0).modelRuns(),
        100 * overhead, loop, setup);
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
