package io.videojam.flow;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.function.Supplier;

/**
 * {@code --estimator farneback}: OpenCV's Farneback optical flow. No argument; the settings may
 * override {@code pyr-scale} (0.5), {@code levels} (4), {@code winsize} (15), {@code iterations}
 * (3), {@code poly-n} (5), {@code poly-sigma} (1.2) and {@code gaussian} (false). See
 * {@link FarnebackFlowEstimator.Parameters}.
 */
public final class FarnebackFlowProvider implements FlowEstimatorProvider {
  @Override
  public String name() {
    return "farneback";
  }

  @Override
  public String description() {
    return "OpenCV Farneback optical flow on the CPU; settings pyr-scale, levels, winsize, iterations, poly-n, poly-sigma, gaussian";
  }

  @Override
  public Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options) {
    if (argument != null && !argument.isBlank()) {
      throw new VideoJamException("estimator farneback:" + argument + ": farneback takes no argument; set its parameters ("
          + String.join(", ", FarnebackFlowEstimator.Parameters.KEYS) + ") in the settings instead");
    }
    FarnebackFlowEstimator.Parameters p =
        settings == null ? FarnebackFlowEstimator.Parameters.defaults() : FarnebackFlowEstimator.Parameters.from(settings);
    OpenCv.load();
    return () -> new FarnebackFlowEstimator(p);
  }
}
