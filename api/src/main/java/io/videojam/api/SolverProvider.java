package io.videojam.api;

/** ServiceLoader entry for ODE solvers, selected by {@code --solver NAME}. */
public interface SolverProvider extends Named {
  Solver create(Settings settings);
}
