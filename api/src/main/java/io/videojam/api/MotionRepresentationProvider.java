package io.videojam.api;

/** ServiceLoader entry for motion representations, selected by model.json {@code "motion": {"representation": NAME}}. */
public interface MotionRepresentationProvider extends Named {
  MotionRepresentation create(Settings settings);
}
