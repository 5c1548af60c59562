package io.videojam.api;

/** Progress callback of long work. */
@FunctionalInterface
public interface StepListener {
  StepListener NONE = (done, total) -> {};

  void step(int done, int total);
}
