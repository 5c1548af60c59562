package io.videojam.eval;

import java.util.List;
import java.util.Locale;

/** Mean, standard error and count of the finite values of a sample. */
public record Stat(double mean, double se, int n) {
  /** The statistics of the finite values (NaN and infinities are left out); mean NaN without any, se NaN with fewer than two. */
  public static Stat of(List<Double> values) {
    double s = 0;
    double s2 = 0;
    int n = 0;
    for (double x : values) {
      if (Double.isFinite(x)) {
        s += x;
        s2 += x * x;
        n++;
      }
    }
    double mean = n > 0 ? s / n : Double.NaN;
    double var = n > 1 ? Math.max(0, (s2 - n * mean * mean) / (n - 1)) : Double.NaN;
    return new Stat(mean, n > 1 ? Math.sqrt(var / n) : Double.NaN, n);
  }

  /** {@code 0.123 (0.004)}: mean (standard error), three decimals; {@code n/a} without a mean. */
  public String text() {
    return Double.isFinite(mean) ? String.format(Locale.ROOT, "%.3f", mean) + (Double.isFinite(se) ? String.format(Locale.ROOT, " (%.3f)", se) : "") : "n/a";
  }
}
