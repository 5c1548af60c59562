package io.videojam.flow;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code --estimator raft:FILE.onnx}: RAFT, or any flow network exported to ONNX, run on the
 * given backend. Settings: {@code input1} ("image1"), {@code input2} ("image2"), {@code output}
 * ("flow", or the graph's last output), {@code input-range} ("0-255", "0-1" or "-1-1"),
 * {@code layout} ("[1,2,H,W]" or "[1,H,W,2]"), {@code pad-to} (8), {@code flow-scale} (1.0).
 * See {@link OnnxFlowEstimator}.
 *
 * <p>The factory opens the graph once to check it against the settings (so a wrong name or
 * shape is reported before any frame is processed) and closes it; each estimator then opens its
 * own session.
 */
public final class OnnxFlowProvider implements FlowEstimatorProvider {
  @Override
  public String name() {
    return "raft";
  }

  @Override
  public String description() {
    return "a flow network exported to ONNX (RAFT or other), raft:FILE.onnx; settings input1, input2, output, input-range, layout, pad-to, flow-scale";
  }

  @Override
  public Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options) {
    if (argument == null || argument.isBlank()) {
      throw new VideoJamException("estimator raft needs the ONNX file of the flow network: --estimator raft:PATH.onnx");
    }
    Path file;
    try {
      file = Path.of(argument.strip());
    } catch (InvalidPathException e) {
      throw new VideoJamException("estimator raft:" + argument + ": not a valid path (" + e.getReason() + "); give the ONNX file's path");
    }
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException("estimator raft:" + argument + ": ONNX file " + file.toAbsolutePath()
          + " not found; give the path of a flow network exported to ONNX (for example RAFT)");
    }
    if (backend == null) {
      throw new VideoJamException("estimator raft:" + argument + " runs an ONNX graph and needs a backend; choose one with --backend");
    }
    OnnxFlowEstimator.Config config = OnnxFlowEstimator.Config.from(file, settings == null ? Settings.empty("raft settings") : settings);
    BackendOptions opts = options == null ? BackendOptions.defaults() : options;
    new OnnxFlowEstimator(backend.open(file, opts), config).close(); // checks names and shapes now
    return () -> new OnnxFlowEstimator(backend.open(file, opts), config);
  }
}
