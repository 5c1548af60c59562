package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.List;

/**
 * The outcome of {@link ModelExtender#extend}.
 *
 * @param model the extended model: latent input and velocity output have C_a + C_m channels
 *     (appearance first)
 * @param inputProjection name of the widened input projection node (W+_in)
 * @param outputProjection name of the widened output projection node (W+_out)
 * @param appearanceChannels C_a
 * @param motionChannels C_m
 * @param notes one line per change made (weights widened, reshape shapes rewritten)
 */
public record ExtendResult(
    OnnxMl.ModelProto model,
    String inputProjection,
    String outputProjection,
    int appearanceChannels,
    int motionChannels,
    List<String> notes) {
  public ExtendResult {
    notes = List.copyOf(notes);
  }
}
