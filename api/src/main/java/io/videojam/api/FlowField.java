package io.videojam.api;

/**
 * A dense optical flow field between two frames, in pixels: the point at (x, y) in the first frame
 * moves to (x + u, y + v) in the second (x to the right, y downwards, as in image coordinates).
 *
 * @param height rows
 * @param width columns
 * @param u horizontal displacement, row-major {@code [H, W]}
 * @param v vertical displacement, row-major {@code [H, W]}
 */
public record FlowField(int height, int width, float[] u, float[] v) {
  public FlowField {
    if (height < 1 || width < 1 || u.length != height * width || v.length != height * width) {
      throw new IllegalArgumentException("flow field " + width + "x" + height + " needs " + height * width
          + " values per component, got " + u.length + " and " + v.length);
    }
  }

  public static FlowField zeros(int height, int width) {
    return new FlowField(height, width, new float[height * width], new float[height * width]);
  }

  /** The frame diagonal sqrt(H^2 + W^2), the unit of Eq. 5's sigma. */
  public double diagonal() {
    return Math.sqrt((double) height * height + (double) width * width);
  }
}
