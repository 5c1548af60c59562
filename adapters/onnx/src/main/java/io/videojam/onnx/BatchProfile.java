package io.videojam.onnx;

import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape range a TensorRT engine is built for: every graph input with its batch dimension
 * (dimension 0) from 1 to {@code maxBatch}, optimised for {@code maxBatch} (Inner-Guidance's passes
 * run batched on GPUs), and every other dimension fixed.
 *
 * @param min smallest shape per input
 * @param opt the shape TensorRT tunes for, per input
 * @param max largest shape per input
 */
public record BatchProfile(Map<String, long[]> min, Map<String, long[]> opt, Map<String, long[]> max) {
  /** The profile for these graph inputs; a dynamic dimension other than the batch is an error naming the input. */
  public static BatchProfile of(List<TensorInfo> inputs, int maxBatch, String graph) {
    Map<String, long[]> min = new LinkedHashMap<>();
    Map<String, long[]> opt = new LinkedHashMap<>();
    Map<String, long[]> max = new LinkedHashMap<>();
    for (TensorInfo in : inputs) {
      long[] s = in.shape();
      for (int d = 1; d < s.length; d++) {
        if (s[d] < 0) {
          throw new VideoJamException(graph + ": input '" + in.name() + "' has shape " + Arrays.toString(s)
              + " with a dynamic dimension " + d + "; TensorRT engines here fix every size but the batch (dimension 0): "
              + "export the graph with fixed sizes, or use --backend cpu or cuda");
        }
      }
      min.put(in.name(), withBatch(s, 1));
      opt.put(in.name(), withBatch(s, maxBatch));
      max.put(in.name(), withBatch(s, maxBatch));
    }
    return new BatchProfile(min, opt, max);
  }

  private static long[] withBatch(long[] shape, int batch) {
    long[] s = shape.clone();
    if (s.length > 0 && s[0] < 0) {
      s[0] = batch;
    }
    return s;
  }

  /** ONNX Runtime's TensorRT option format: {@code x:1x6x8x16x16,t:1}. */
  public static String ortShapes(Map<String, long[]> shapes) {
    StringBuilder b = new StringBuilder();
    shapes.forEach((name, s) -> {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(name).append(':');
      for (int i = 0; i < s.length; i++) {
        b.append(i == 0 ? "" : "x").append(s[i]);
      }
    });
    return b.toString();
  }

  /** A stable text for cache keys. */
  public String describe() {
    return "min=" + ortShapes(min) + ";opt=" + ortShapes(opt) + ";max=" + ortShapes(max);
  }
}
