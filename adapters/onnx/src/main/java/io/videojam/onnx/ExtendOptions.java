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
 */
public record ExtendOptions(
    String latentInput, String velocityOutput, int motionChannels, MotionHeadInit headInit, long seed) {

  public ExtendOptions {
    if (motionChannels < 0) {
      throw new VideoJamException("extend: motion channels must be >= 0 (0 = as many as the appearance"
          + " channels), got " + motionChannels);
    }
    if (headInit == null) {
      headInit = MotionHeadInit.COPY;
    }
  }

  /** Automatic input and output, C_m = C_a, a copied motion head, seed 0. */
  public static ExtendOptions defaults() {
    return new ExtendOptions(null, null, 0, MotionHeadInit.COPY, 0L);
  }

  public ExtendOptions withLatentInput(String name) {
    return new ExtendOptions(name, velocityOutput, motionChannels, headInit, seed);
  }

  public ExtendOptions withVelocityOutput(String name) {
    return new ExtendOptions(latentInput, name, motionChannels, headInit, seed);
  }

  public ExtendOptions withMotionChannels(int c) {
    return new ExtendOptions(latentInput, velocityOutput, c, headInit, seed);
  }

  public ExtendOptions withHeadInit(MotionHeadInit init, long s) {
    return new ExtendOptions(latentInput, velocityOutput, motionChannels, init, s);
  }
}
