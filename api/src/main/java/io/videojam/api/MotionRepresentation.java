package io.videojam.api;

/**
 * Seam 2, the motion representation: how motion is written as a "motion video" with the model's
 * motion channels, and how such a video is shown to a person.
 */
public interface MotionRepresentation extends Named {
  /** Channels of the motion video (3 for flow-as-RGB). */
  int channels();

  /**
   * The motion video of a video: {@code [channels(), T, H, W]} in [-1, 1] for RGB frames
   * {@code [3, T, H, W]} in [-1, 1] (T frames in, T frames out), as training and inference use it.
   *
   * @param progress told after each frame pair
   */
  FloatTensor encode(FloatTensor video, StepListener progress);

  /**
   * RGB frames {@code [3, T, H, W]} in [-1, 1] that show a decoded motion video
   * {@code [channels(), T, H, W]} to a person.
   */
  FloatTensor visualize(FloatTensor motionVideo);
}
