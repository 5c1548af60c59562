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

  /** The provider named by {@code spec} ({@code NAME[:ARG]}); {@code option} names the setting in errors. */
  static FlowEstimatorProvider find(String spec, String option) {
    int colon = spec.indexOf(':');
    return Plugins.find(FlowEstimatorProvider.class, colon < 0 ? spec : spec.substring(0, colon), option);
  }

  /** The part of {@code spec} ({@code NAME[:ARG]}) after the colon, or null without one. */
  static String argument(String spec) {
    int colon = spec.indexOf(':');
    return colon < 0 ? null : spec.substring(colon + 1);
  }

  /** Estimators for {@code spec} on the CPU backend with no further settings (flow for metrics and benches). */
  static java.util.function.Supplier<FlowEstimator> onCpu(String spec, String option) {
    return find(spec, option).factory(argument(spec), Settings.empty(option),
        Plugins.find(BackendProvider.class, "cpu", "backend").create(), BackendOptions.defaults());
  }
}
