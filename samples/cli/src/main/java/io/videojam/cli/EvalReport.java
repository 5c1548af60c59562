package io.videojam.cli;

import java.util.List;

/**
 * What is left here of the evaluation's statistics, for {@link TrainCompare} until it moves with
 * training: the statistics and reports are in the eval library ({@link io.videojam.eval.Statistics},
 * {@link io.videojam.eval.Stat}). Delete this class once nothing in this package uses it.
 */
final class EvalReport {
  private EvalReport() {}

  /** Mean, standard error and count of the finite values: {@link io.videojam.eval.Stat}. */
  record Stat(double mean, double se, int n) {
    static Stat of(List<Double> values) {
      io.videojam.eval.Stat s = io.videojam.eval.Stat.of(values);
      return new Stat(s.mean(), s.se(), s.n());
    }
  }
}
