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
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {BenchFlowCommand.class, BenchSolversCommand.class, BenchSoakCommand.class, BenchServeCommand.class},
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

  @Option(names = "--warmup", defaultValue = "3", description = "untimed runs per mode first (default: ${DEFAULT-VALUE})")
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
        PassMode auto = jam.generator().resolve(base.withPassMode(PassMode.AUTO), passes);
        double bw = median(batched.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
        double sw = median(sequential.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
        double bStep = median(batched.stream().mapToDouble(t -> t.samplingNanos() / 1e6 / base.steps()).toArray());
        double sStep = median(sequential.stream().mapToDouble(t -> t.samplingNanos() / 1e6 / base.steps()).toArray());
        row("batched", batched);
        row("sequential", sequential);
        System.out.printf(Locale.ROOT, "batched / sequential time ratio: %.3f (%s is faster; auto picks %s)%n", bw / sw,
            bw <= sw ? "batched" : "sequential", auto.key());
        System.out.printf(Locale.ROOT, "per sampling step: batched %.2f ms, sequential %.2f ms%n", bStep, sStep);
        List<Generation.Timings> chosen = auto == PassMode.BATCHED ? batched : sequential;
        double overhead = median(chosen.stream().mapToDouble(Generation.Timings::overhead).toArray());
        System.out.printf(Locale.ROOT, "framework overhead at %d steps (%s, the default): %.2f%% (goal <= 3%%)%n", base.steps(),
            auto.key(), 100 * overhead);
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
