package io.videojam.api;

/** A dense row-major host tensor; float32 or int64. */
public sealed interface Tensor permits FloatTensor, LongTensor {
  long[] shape();

  default int size() {
    return Math.toIntExact(Shapes.count(shape()));
  }
}
