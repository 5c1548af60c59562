package io.videojam.api;

/** The times a sampler visits, from t = 0 (noise) to t = 1 (data). */
public interface TimeSchedule {
  /** {@code steps + 1} increasing times with {@code times[0] = 0} and {@code times[steps] = 1}. */
  double[] times(int steps);
}
