package io.videojam.onnx;

import io.videojam.api.FloatTensor;
import io.videojam.api.LongTensor;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo.ElementType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * The GPU backends' test graph: y = x W + t + sum(ids), with x float [B, 32], t float [B, 1], ids
 * int64 [B, 2] and the batch the only free size (as TensorRT wants), and the same formula in Java.
 */
public final class GpuTestGraph {
  public static final int N = 32;

  private GpuTestGraph() {
  }

  /** The weights: Gaussian, SD 0.2, seed 5. */
  public static float[] weights() {
    float[] w = new float[N * N];
    Random r = new Random(5);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian() * 0.2f;
    }
    return w;
  }

  /** Writes the graph to {@code file}. */
  public static Path write(Path file) {
    GraphBuilder g = new GraphBuilder("gpu-test", 17);
    String x = g.input("x", ElementType.FLOAT, "B", N);
    String t = g.input("t", ElementType.FLOAT, "B", 1);
    String ids = g.input("ids", ElementType.INT64, "B", 2);
    String s = g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Cast", Map.of("to", 1L), ids), g.constant("axes", new long[] {1}, 1));
    g.output("y", g.op("Add", g.op("Add", g.op("MatMul", x, g.constant("w", weights(), N, N)), t), s), ElementType.FLOAT, "B", N);
    OnnxModels.write(g.build(), file);
    return file;
  }

  /** Random inputs for a batch. */
  public static Map<String, Tensor> feed(int batch, long seed) {
    Random r = new Random(seed);
    float[] x = new float[batch * N];
    float[] t = new float[batch];
    long[] ids = new long[batch * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < batch; i++) {
      t[i] = r.nextFloat();
      ids[2 * i] = i;
      ids[2 * i + 1] = 2L * i;
    }
    return Map.of("x", new FloatTensor(new long[] {batch, N}, x), "t", new FloatTensor(new long[] {batch, 1}, t),
        "ids", new LongTensor(new long[] {batch, 2}, ids));
  }

  /** The formula in double precision. */
  public static float[] reference(Map<String, Tensor> in) {
    float[] x = ((FloatTensor) in.get("x")).data();
    float[] t = ((FloatTensor) in.get("t")).data();
    long[] ids = ((LongTensor) in.get("ids")).data();
    float[] w = weights();
    int batch = t.length;
    float[] y = new float[batch * N];
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < N; j++) {
        double acc = t[b] + ids[2 * b] + ids[2 * b + 1];
        for (int k = 0; k < N; k++) {
          acc += (double) x[b * N + k] * w[k * N + j];
        }
        y[b * N + j] = (float) acc;
      }
    }
    return y;
  }
}
