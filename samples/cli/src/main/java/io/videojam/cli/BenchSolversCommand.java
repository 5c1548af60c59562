package io.videojam.cli;

import io.videojam.api.Settings;
import io.videojam.sampling.SolverBench;
import io.videojam.sampling.Schedules;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code videojam bench solvers}: solver error against the exact answer of an analytic model. */
@Command(name = "solvers", mixinStandardHelpOptions = true,
    description = {"Solver accuracy on an analytic model (Gaussian data, whose exact sampling result is known): for each budget of model "
        + "evaluations, the largest error of euler, heun, dpm++2m and unipc against the exact result and against Euler's 100-step answer.",
        "No model files and no backend are needed; the figures are the same on every machine."})
final class BenchSolversCommand implements Callable<Integer> {
  @Option(names = "--schedule", defaultValue = "uniform", description = "uniform, shifted or karras (default: ${DEFAULT-VALUE})")
  String schedule;

  @Option(names = "--shift", defaultValue = "3", description = "shift of the shifted schedule (default: ${DEFAULT-VALUE})")
  double shift;

  @Option(names = "--evaluations", split = ",", defaultValue = "5,10,15,20", description = "evaluation budgets (default: ${DEFAULT-VALUE})")
  List<Integer> budgets;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the analytic model's means and noise (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  public Integer call() {
    var times = Schedules.resolve(schedule, new Settings(Map.of("shift", shift), "--shift"), java.util.Optional.empty());
    System.out.println("analytic model: 256 elements of N(mu, s^2), s in {0.1, 0.3, 0.7, 1.5}; schedule " + schedule
        + (schedule.equals("shifted") ? " " + shift : "") + "; max |error|");
    System.out.println(SolverBench.HEADER);
    for (SolverBench.Row r : SolverBench.table(SolverBench.Gaussian.of(seed), times, budgets.stream().mapToInt(Integer::intValue).toArray())) {
      System.out.println(r.format());
    }
    return 0;
  }
}
