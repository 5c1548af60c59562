package io.videojam.api;

/**
 * Estimates optical flow between two frames. An instance need not be thread-safe: callers that
 * work on several frame pairs at once create one estimator per thread.
 */
public interface FlowEstimator extends AutoCloseable {
  /**
   * The flow from {@code first} to {@code second}.
   *
   * @param first RGB frame {@code [3, H, W]} in [-1, 1]
   * @param second RGB frame {@code [3, H, W]} in [-1, 1], the same size
   */
  FlowField estimate(FloatTensor first, FloatTensor second);

  @Override
  default void close() {}
}
