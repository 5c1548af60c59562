package io.videojam.training;

import io.videojam.api.VideoJamException;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** Weight surgery on {@link DitBuilder} weights. */
public final class DitWeights {
  private DitWeights() {}

  /**
   * VideoJAM's extension (spec section 3) of a base model's weights: W+_in gets zero rows for the
   * motion channels; the motion head of W+_out (and its bias) is a copy of the appearance head,
   * motion channel {@code c} copying appearance channel {@code c mod C_a}, as {@code videojam
   * extend} does by default. Every other weight is shared.
   *
   * @return the weights of {@code base.withChannels(C_a, motionChannels)}
   */
  public static Map<String, float[]> extend(DitConfig base, Map<String, float[]> weights, int motionChannels) {
    if (base.motionChannels() != 0) {
      throw new VideoJamException("extend takes a base model (0 motion channels), got " + base.motionChannels());
    }
    int ca = base.appearanceChannels(), d = base.hiddenSize();
    int block = base.temporalPatchSize() * base.patchSize() * base.patchSize();
    int pIn = ca * block, pOut = (ca + motionChannels) * block;
    Map<String, float[]> out = new LinkedHashMap<>(weights);
    float[] win = weights.get(DitBuilder.W_IN);
    float[] wide = new float[pOut * d];
    System.arraycopy(win, 0, wide, 0, pIn * d); // rows (c, dt, dy, dx): motion rows after, zero
    out.put(DitBuilder.W_IN, wide);
    float[] wout = weights.get(DitBuilder.W_OUT);
    float[] head = new float[d * pOut];
    for (int r = 0; r < d; r++) {
      for (int col = 0; col < pOut; col++) {
        int c = col / block, rest = col % block;
        head[r * pOut + col] = wout[r * pIn + (c % ca) * block + rest];
      }
    }
    out.put(DitBuilder.W_OUT, head);
    float[] bout = weights.get(DitBuilder.W_OUT_BIAS);
    float[] bias = new float[pOut];
    for (int col = 0; col < pOut; col++) {
      bias[col] = bout[(col / block % ca) * block + col % block];
    }
    out.put(DitBuilder.W_OUT_BIAS, bias);
    return out;
  }
}
