package io.videojam.api;

import java.util.Arrays;

/** A float32 tensor, row-major. The array is owned by the tensor; callers copy when they keep it. */
public record FloatTensor(long[] shape, float[] data) implements Tensor {
  public FloatTensor {
    if (Shapes.count(shape) != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + Shapes.count(shape) + " values, got " + data.length);
    }
  }

  public static FloatTensor zeros(long... shape) {
    return new FloatTensor(shape.clone(), new float[Math.toIntExact(Shapes.count(shape))]);
  }

  public FloatTensor copy() {
    return new FloatTensor(shape.clone(), data.clone());
  }

  /** Index of the first non-finite value, or -1. */
  public int firstNonFinite() {
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "FloatTensor" + Arrays.toString(shape);
  }
}
