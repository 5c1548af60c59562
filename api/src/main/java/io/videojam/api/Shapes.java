package io.videojam.api;

import java.util.Arrays;

/** Small helpers for tensor shapes. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements of a shape; rejects negative (dynamic) dimensions. */
  public static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("dynamic dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  public static String format(long[] shape) {
    return Arrays.toString(shape);
  }
}
