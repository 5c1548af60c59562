package io.videojam.onnx;

import java.util.Arrays;

/**
 * A named weight tensor of a built graph: its initializer name and shape. Matrices are stored
 * {@code [in, out]} (the graph computes {@code x @ W}); a PyTorch {@code nn.Linear.weight} is the
 * transpose.
 *
 * @param name initializer name, e.g. {@code "blocks.0.attn.q.weight"}
 * @param shape dimensions
 */
public record WeightSpec(String name, long[] shape) {
  public WeightSpec {
    shape = shape.clone();
  }

  /** Number of elements. */
  public long size() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WeightSpec w && w.name.equals(name) && Arrays.equals(w.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
