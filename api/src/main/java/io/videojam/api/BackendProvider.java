package io.videojam.api;

/** ServiceLoader entry for backends, selected by {@code --backend NAME}. */
public interface BackendProvider extends Named {
  Backend create();
}
