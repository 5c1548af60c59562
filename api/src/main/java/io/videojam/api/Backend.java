package io.videojam.api;

import java.nio.file.Path;

/** Runs ONNX graphs: ONNX Runtime on CPU, CUDA or TensorRT, or another engine. */
public interface Backend extends Named {
  /** Whether this backend can run here; when false, {@link #unavailableReason()} says why. */
  boolean available();

  /** One line: what is missing and how to get it. */
  String unavailableReason();

  /**
   * Whether one run of batch P * B is faster than P runs of batch B on this backend. GPUs batch
   * well; on CPU the sequential passes measured faster (see README, speed).
   */
  default boolean prefersBatching() {
    return false;
  }

  /**
   * Whether graphs run only up to the batch they were built for ({@link BackendOptions#maxBatch()}):
   * TensorRT engines. Automatic pass batching then batches only passes that fit.
   */
  default boolean batchLimited() {
    return false;
  }

  /** Opens a graph file; errors name the file and the fix. */
  GraphSession open(Path onnxFile, BackendOptions options);
}
