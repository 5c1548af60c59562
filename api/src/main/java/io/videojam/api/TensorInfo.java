package io.videojam.api;

import java.util.Arrays;

/**
 * A graph input or output as the graph declares it.
 *
 * @param name the graph's name for it
 * @param type element type
 * @param shape dimensions; -1 where the graph leaves a dimension free (symbolic or unknown)
 */
public record TensorInfo(String name, ElementType type, long[] shape) {
  public enum ElementType { FLOAT, INT64, OTHER }

  public int rank() {
    return shape.length;
  }

  @Override
  public String toString() {
    return name + ":" + type.name().toLowerCase(java.util.Locale.ROOT) + Arrays.toString(shape);
  }
}
