package io.videojam.cli;

import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.flow.FlowEstimators;
import io.videojam.motion.FlowRgbCodec;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code videojam bench flow}: flow estimation and Eq. 5 encoding speed, measured in one run. */
@Command(name = "flow", mixinStandardHelpOptions = true,
    description = "Measure optical-flow estimation (frame pairs per second) and the Eq. 5 encoder (megapixels per second), "
        + "on one thread and on all cores, in one run.")
final class BenchFlowCommand implements Callable<Integer> {
  @Option(names = "--size", defaultValue = "256", description = "frame side in pixels (default: ${DEFAULT-VALUE})")
  int size;

  @Option(names = "--pairs", defaultValue = "120", description = "frame pairs timed per estimator and thread count (default: ${DEFAULT-VALUE})")
  int pairs;

  @Option(names = "--estimators", split = ",", defaultValue = "dis:ultrafast,dis:fast,dis:medium,farneback",
      description = "estimators to time (default: ${DEFAULT-VALUE})")
  List<String> estimators;

  @Override
  public Integer call() {
    Checks.range("--size", size, 16, 4096);
    Checks.range("--pairs", pairs, 1, 1_000_000);
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(Locale.ROOT, "%dx%d frames, %d pairs per figure, %d cores%n", size, size, pairs, cores);
    for (String spec : estimators) {
      Supplier<FlowEstimator> factory = FlowEstimatorProvider.onCpu(spec, "--estimators");
      FlowEstimators.framesPerSecond(factory, size, Math.max(4, pairs / 10), 1); // warm-up
      double one = FlowEstimators.framesPerSecond(factory, size, pairs, 1);
      // several workers: one OpenCV thread each (OpenCV's own pool only competes with them)
      int before = FlowEstimators.openCvThreads();
      FlowEstimators.openCvThreads(1);
      double all;
      try {
        all = FlowEstimators.framesPerSecond(factory, size, pairs, cores);
      } finally {
        FlowEstimators.openCvThreads(before);
      }
      System.out.printf(Locale.ROOT, "  %-14s %7.1f pairs/s on 1 thread, %7.1f on %d (speed-up %.2fx)%s%n", spec, one, all, cores,
          all / one, spec.equals("dis:ultrafast") ? String.format(Locale.ROOT, "   goal >= 100: %s", all >= 100 ? "met" : "NOT met") : "");
    }
    FlowRgbCodec.encodeMegapixelsPerSecond(size, 8, 1); // warm-up
    double one = FlowRgbCodec.encodeMegapixelsPerSecond(size, 64, 1);
    double all = FlowRgbCodec.encodeMegapixelsPerSecond(size, 64, cores);
    System.out.printf(Locale.ROOT, "  %-14s %7.1f Mpixel/s on 1 thread, %7.1f on %d (speed-up %.2fx, %.1f per core)   goal >= 100 per core: %s%n",
        "Eq. 5 encoder", one, all, cores, all / one, all / cores, one >= 100 ? "met" : "NOT met");
    return 0;
  }
}
