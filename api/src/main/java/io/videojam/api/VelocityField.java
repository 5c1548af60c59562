package io.videojam.api;

/** The guided velocity the solver integrates: u(x, t) on a flat {@code [B, C, T, H, W]} array. */
@FunctionalInterface
public interface VelocityField {
  /**
   * @param x the state (not modified)
   * @param t framework time
   * @param step index of the sampling step, for error messages and progress
   * @return the velocity; the field may reuse the array, so it is valid until the next call
   */
  float[] velocity(float[] x, double t, int step);
}
