package io.videojam.flow;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.Settings;
import java.util.function.Supplier;

/**
 * {@code --estimator dis[:PRESET]}: OpenCV's DIS optical flow, PRESET {@code ultrafast},
 * {@code fast} or {@code medium} (default). No settings. See {@link DisFlowEstimator}.
 */
public final class DisFlowProvider implements FlowEstimatorProvider {
  @Override
  public String name() {
    return "dis";
  }

  @Override
  public String description() {
    return "OpenCV DIS optical flow on the CPU; dis:ultrafast, dis:fast or dis:medium (default)";
  }

  @Override
  public Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options) {
    DisFlowEstimator.Preset preset = DisFlowEstimator.Preset.parse(argument);
    OpenCv.load(); // fail here, once, rather than in each worker
    return () -> new DisFlowEstimator(preset);
  }
}
