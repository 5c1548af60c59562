package io.videojam.onnx;

import io.videojam.api.VideoJamException;

/**
 * Options of {@link ModelExtender#extend}.
 *
 * @param latentInput the graph input carrying the noisy latent {@code [B, C, T, H, W]}; {@code
 *     null}: the first rank-5 float input
 * @param velocityOutput the graph output carrying the velocity {@code [B, C, T, H, W]}; {@code
 *     null}: the first rank-5 float output with C channels
 * @param motionChannels C_m, motion channels to add; 0: as many as the appearance channels
 * @param headInit how the motion head is initialised ({@code null}: {@link MotionHeadInit#COPY})
 * @param seed seed of {@link MotionHeadInit#RANDOM}
 * @param layout how the graph lays out the latent and the velocity (null: {@link LatentLayout#BCTHW});
 *     the motion channels are appended on its channel axis
 * @param inputSizes sizes of graph inputs to fold the graph's shape arithmetic against (input ->
 *     dims, -1 for the batch), for graphs exported with dynamic frames or resolution; empty: the
 *     declared sizes
 */
public record ExtendOptions(String latentInput, String velocityOutput, int motionChannels, MotionHeadInit headInit, long seed,
    LatentLayout layout, java.util.Map<String, long[]> inputSizes) {

  public ExtendOptions(String latentInput, String velocityOutput, int motionChannels, MotionHeadInit headInit, long seed) {
    this(latentInput, velocityOutput, motionChannels, headInit, seed, LatentLayout.BCTHW, java.util.Map.of());
  }

  public ExtendOptions {
    if (motionChannels < 0) {
      throw new VideoJamException("extend: motion channels must be >= 0 (0 = as many as the appearance"
          + " channels), got " + motionChannels);
    }
    if (headInit == null) {
      headInit = MotionHeadInit.COPY;
    }
    if (layout == null) {
      layout = LatentLayout.BCTHW;
    }
    inputSizes = inputSizes == null ? java.util.Map.of() : java.util.Map.copyOf(inputSizes);
  }

  /** Automatic input and output, C_m = C_a, a copied motion head, seed 0. */
  public static ExtendOptions defaults() {
    return new ExtendOptions(null, null, 0, MotionHeadInit.COPY, 0L);
  }

  public ExtendOptions withLatentInput(String name) {
    return new ExtendOptions(name, velocityOutput, motionChannels, headInit, seed, layout, inputSizes);
  }

  public ExtendOptions withVelocityOutput(String name) {
    return new ExtendOptions(latentInput, name, motionChannels, headInit, seed, layout, inputSizes);
  }

  public ExtendOptions withMotionChannels(int c) {
    return new ExtendOptions(latentInput, velocityOutput, c, headInit, seed, layout, inputSizes);
  }

  public ExtendOptions withHeadInit(MotionHeadInit init, long s) {
    return new ExtendOptions(latentInput, velocityOutput, motionChannels, init, s, layout, inputSizes);
  }

  public ExtendOptions withLayout(LatentLayout l) {
    return new ExtendOptions(latentInput, velocityOutput, motionChannels, headInit, seed, l, inputSizes);
  }

  public ExtendOptions withInputSizes(java.util.Map<String, long[]> sizes) {
    return new ExtendOptions(latentInput, velocityOutput, motionChannels, headInit, seed, layout, sizes);
  }
}
