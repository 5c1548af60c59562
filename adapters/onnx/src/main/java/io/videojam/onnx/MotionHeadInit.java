package io.videojam.onnx;

/** How {@link ModelExtender} initialises the added motion head (the new columns of W+_out). */
public enum MotionHeadInit {
  /**
   * A copy of the appearance head (default): motion channel {@code c} gets the weights and bias
   * of appearance channel {@code c mod C_a}. With the zero motion rows of W+_in, the motion
   * output then equals the appearance output for any motion input.
   */
  COPY,
  /** Zero weights and bias: the motion output starts at exactly zero. */
  ZERO,
  /**
   * Seeded Gaussian weights with the standard deviation of the appearance head's weights, zero
   * bias.
   */
  RANDOM
}
