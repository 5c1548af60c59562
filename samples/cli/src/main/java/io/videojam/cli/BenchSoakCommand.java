package io.videojam.cli;

import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.Soak;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code videojam bench soak}: resident memory over many generations and many open/close cycles. */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = {"Resident memory (RSS) over --generations generations on one loaded model, then over --cycles open/generate/close cycles,",
        "sampled every --every; prints the series and the growth after warm-up (the first tenth of each phase). Goal: under 5%."})
final class BenchSoakCommand implements Callable<Integer> {
  @Option(names = "--generations", defaultValue = "1000", description = "generations on one instance (default: ${DEFAULT-VALUE})")
  int generations;

  @Option(names = "--cycles", defaultValue = "200", description = "open/generate/close cycles (default: ${DEFAULT-VALUE})")
  int cycles;

  @Option(names = "--every", defaultValue = "50", description = "sample every N generations; cycles every N/5 (default: ${DEFAULT-VALUE})")
  int every;

  @Option(names = "--prompt", defaultValue = "a red square moving to the right", description = "prompt (default: ${DEFAULT-VALUE})")
  String prompt;

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Mixin
  ModelOptions model = new ModelOptions();

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  @Override
  public Integer call() {
    Checks.range("--generations", generations, 1, 1_000_000);
    Checks.range("--cycles", cycles, 1, 1_000_000);
    Checks.range("--every", every, 1, 1_000_000);
    GenerationRequest request = sampling.request(prompt);
    if (!spec.commandLine().getParseResult().hasMatchedOption("--steps")) {
      request = request.withSteps(10);
    }
    RuntimeConfig config = model.config();
    System.out.printf(Locale.ROOT, "soak: %d generations of %d steps on one instance, then %d open/generate/close cycles; max heap %d MB%n",
        generations, request.steps(), cycles, Runtime.getRuntime().maxMemory() >> 20);
    long start = System.nanoTime();
    Soak.Phase gen = Soak.generations(config, request, generations, every, BenchSoakCommand::print);
    Soak.Phase cyc = Soak.openClose(config, request, cycles, Math.max(1, every / 5), BenchSoakCommand::print);
    for (Soak.Phase p : new Soak.Phase[] {gen, cyc}) {
      System.out.printf(Locale.ROOT, "%-10s RSS %d MB after %d (warm-up) -> %d MB after %d: growth %+.1f%% (Java heap committed %d -> %d MB; "
          + "outside the heap %+.1f%%)%n", p.name(), p.warmUp().residentBytes() >> 20, p.warmUp().count(), p.last().residentBytes() >> 20,
          p.last().count(), 100 * p.growth(), p.warmUp().heapCommittedBytes() >> 20, p.last().heapCommittedBytes() >> 20, 100 * p.nativeGrowth());
    }
    System.out.printf(Locale.ROOT, "took %.0f s%n", (System.nanoTime() - start) / 1e9);
    return 0;
  }

  private static void print(Soak.Sample s) {
    System.out.printf(Locale.ROOT, "  %-10s %6d  RSS %5d MB  heap committed %5d MB  outside the heap %5d MB%n", s.phase(), s.count(),
        s.residentBytes() >> 20, s.heapCommittedBytes() >> 20, s.nativeBytes() >> 20);
  }
}
