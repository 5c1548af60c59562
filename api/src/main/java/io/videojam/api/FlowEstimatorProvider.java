package io.videojam.api;

/**
 * ServiceLoader entry for flow estimators, selected by {@code --estimator NAME[:ARG]} or model.json
 * {@code "motion": {"estimator": "NAME[:ARG]"}} (for example {@code dis:ultrafast},
 * {@code farneback}, {@code raft:model.onnx}).
 */
public interface FlowEstimatorProvider extends Named {
  /**
   * A factory of estimators (one per worker thread).
   *
   * @param argument the part after the colon, or null
   * @param settings further options (for ONNX estimators: input and output names, scaling)
   * @param backend runs graphs, for estimators that are networks
   */
  java.util.function.Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options);
}
