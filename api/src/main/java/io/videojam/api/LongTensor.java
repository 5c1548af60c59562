package io.videojam.api;

import java.util.Arrays;

/** An int64 tensor, row-major (token ids, integer timesteps). */
public record LongTensor(long[] shape, long[] data) implements Tensor {
  public LongTensor {
    if (Shapes.count(shape) != data.length) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " needs " + Shapes.count(shape) + " values, got " + data.length);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LongTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
  }

  @Override
  public String toString() {
    return "LongTensor" + Arrays.toString(shape);
  }
}
