package io.videojam.api;

/** Integrates dx/dt = u(x, t) from t = 0 (noise) to t = 1 (data) over a schedule. */
public interface Solver {
  /**
   * @param field the guided velocity
   * @param x0 the initial noise (not modified)
   * @param times the schedule, {@code times[0] = 0}, {@code times[n] = 1}
   * @param progress told after every step
   * @return the sample at t = 1
   */
  float[] integrate(VelocityField field, float[] x0, double[] times, StepListener progress);

  /** Model evaluations (of the guided field) the solver makes for {@code steps} steps. */
  int evaluations(int steps);
}
