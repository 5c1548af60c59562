package io.videojam.api;

/** ServiceLoader entry for motion representations, selected by model.json {@code "motion": {"representation": NAME}}. */
public interface MotionRepresentationProvider extends Named {
  /**
   * @param settings model.json's {@code "motion"} object (or CLI options)
   * @param backend for representations whose estimator is a network
   */
  MotionRepresentation create(Settings settings, Backend backend, BackendOptions options);
}
