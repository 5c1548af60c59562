package io.videojam.cli;

import io.videojam.api.StepListener;
import io.videojam.media.OutputStaging;
import io.videojam.runtime.Generation;
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
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = BenchFlowCommand.class,
    description = {"Measure generation speed: framework overhead and batched/sequential guidance passes, in one run.",
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

  @Override
  public Integer call() throws Exception {
    GenerationRequest base = sampling.request(prompt);
    if (!spec.commandLine().getParseResult().hasMatchedOption("--steps")) {
      base = base.withSteps(20);
    }
    RuntimeConfig config = model.config();
    try (VideoJam jam = VideoJam.open(config)) {
      int passes = jam.generator().rule(base).passes().size();
      System.out.printf(Locale.ROOT, "model %s, backend %s, guidance %s (%d passes per step), %d steps, %s, %d cores%n",
          jam.model().name(), config.backend(), jam.generator().rule(base).name(), passes, base.steps(), base.solver(),
          Runtime.getRuntime().availableProcessors());
      for (int w = 0; w < warmup; w++) { // JIT and ONNX Runtime warm-up, not timed
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
      double b = median(batched.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
      double s = median(sequential.stream().mapToDouble(t -> t.totalNanos() / 1e9).toArray());
      row("batched", batched);
      row("sequential", sequential);
      System.out.printf(Locale.ROOT, "batched / sequential time ratio: %.3f (%s is faster; auto picks %s)%n", b / s,
          b <= s ? "batched" : "sequential", auto.key());
      List<Generation.Timings> chosen = auto == PassMode.BATCHED ? batched : sequential;
      double overhead = median(chosen.stream().mapToDouble(Generation.Timings::overhead).toArray());
      System.out.printf(Locale.ROOT, "framework overhead at %d steps (%s, the default): %.2f%% (goal <= 3%%)%n", base.steps(),
          auto.key(), 100 * overhead);

      Path tmp = Files.createTempDirectory("videojam-bench");
      long start = System.nanoTime();
      Generation g = jam.generate(base.withPassMode(auto), StepListener.NONE);
      try (OutputStaging staging = OutputStaging.begin(tmp.resolve("out"))) {
        long writing = GenerationWriter.write(staging, g, jam.model(), config, null, start);
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
    return 0;
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
