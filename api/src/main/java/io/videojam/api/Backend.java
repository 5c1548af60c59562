package io.videojam.api;

import java.nio.file.Path;

/** Runs ONNX graphs: ONNX Runtime on CPU, CUDA or TensorRT, or another engine. */
public interface Backend extends Named {
  /** Whether this backend can run here; when false, {@link #unavailableReason()} says why. */
  boolean available();

  /** One line: what is missing and how to get it. */
  String unavailableReason();

  /** Opens a graph file; errors name the file and the fix. */
  GraphSession open(Path onnxFile, BackendOptions options);
}
