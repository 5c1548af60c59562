package io.videojam.onnx;

import java.nio.file.Path;

/**
 * Where {@link OnnxModels#write(ai.onnx.proto.OnnxMl.ModelProto, Path, ExternalDataPolicy)}
 * puts initializer data: tensors of more than {@code thresholdBytes} bytes go to a sidecar file
 * {@code <model file name>.data} next to the model (ONNX external data: location, offset,
 * length), the rest stays inside the protobuf. Integer tensors and rank-0 scalars of up to
 * {@value #DEFAULT_THRESHOLD} bytes (shapes, axes, constants) always stay inline, whatever the
 * threshold: ONNX Runtime needs them during shape inference.
 *
 * @param thresholdBytes tensors larger than this go to the sidecar; {@code -1}: every non-empty
 *     tensor; {@link Long#MAX_VALUE}: none (everything inline)
 * @param sourceDir the folder that external tensors already in the model are relative to (the
 *     folder of the file it was read from); {@code null} if the model has none
 */
public record ExternalDataPolicy(long thresholdBytes, Path sourceDir) {
  /** The default threshold: tensors over 1 KiB go to the sidecar. */
  public static final long DEFAULT_THRESHOLD = 1024;

  /** Tensors over 1 KiB to the sidecar. */
  public static ExternalDataPolicy defaults() {
    return new ExternalDataPolicy(DEFAULT_THRESHOLD, null);
  }

  /** Every non-empty floating-point initializer of rank >= 1 (and any other over 1 KiB) to the sidecar. */
  public static ExternalDataPolicy all() {
    return new ExternalDataPolicy(-1, null);
  }

  /** Everything inside the protobuf (external tensors of the source are read in). */
  public static ExternalDataPolicy inline() {
    return new ExternalDataPolicy(Long.MAX_VALUE, null);
  }

  /** Tensors over {@code bytes} to the sidecar. */
  public static ExternalDataPolicy largerThan(long bytes) {
    return new ExternalDataPolicy(bytes, null);
  }

  /** This policy, reading the model's existing external tensors relative to {@code dir}. */
  public ExternalDataPolicy from(Path dir) {
    return new ExternalDataPolicy(thresholdBytes, dir);
  }
}
