package io.videojam.backend.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LongTensor;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs only with CUDA, a GPU and TensorRT; skipped elsewhere with the backend's own one-line reason. */
class TrtGpuTest {
  @TempDir
  Path tmp;

  final TrtBackend backend = new TrtBackend();
  float[] w;

  @BeforeEach
  void needsTheGpu() {
    assumeTrue(backend.available(), backend.unavailableReason());
  }

  /** y = x @ W + t + sum(ids), with the batch the only free size. */
  Path graph() {
    GraphBuilder g = new GraphBuilder("trt", 17);
    String x = g.input("x", ElementType.FLOAT, "B", 32);
    String t = g.input("t", ElementType.FLOAT, "B", 1);
    String ids = g.input("ids", ElementType.INT64, "B", 2);
    w = new float[32 * 32];
    Random r = new Random(5);
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) r.nextGaussian() * 0.2f;
    }
    String s = g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Cast", Map.of("to", 1L), ids), g.constant("axes", new long[] {1}, 1));
    g.output("y", g.op("Add", g.op("Add", g.op("MatMul", x, g.constant("w", w, 32, 32)), t), s), ElementType.FLOAT, "B", 32);
    Path f = tmp.resolve("trt.onnx");
    OnnxModels.write(g.build(), f);
    return f;
  }

  /** The same formula in Java, in double. */
  float[] reference(Map<String, Tensor> in, int batch) {
    float[] x = ((FloatTensor) in.get("x")).data();
    float[] t = ((FloatTensor) in.get("t")).data();
    long[] ids = ((LongTensor) in.get("ids")).data();
    float[] y = new float[batch * 32];
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < 32; j++) {
        double acc = t[b] + ids[2 * b] + ids[2 * b + 1];
        for (int k = 0; k < 32; k++) {
          acc += (double) x[b * 32 + k] * w[k * 32 + j];
        }
        y[b * 32 + j] = (float) acc;
      }
    }
    return y;
  }

  static Map<String, Tensor> feed(int batch, long seed) {
    Random r = new Random(seed);
    float[] x = new float[batch * 32];
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
    return Map.of("x", new FloatTensor(new long[] {batch, 32}, x), "t", new FloatTensor(new long[] {batch, 1}, t),
        "ids", new LongTensor(new long[] {batch, 2}, ids));
  }

  /** fp32 may run as TF32 on Ampere and later (10-bit mantissa in the products); fp16 and bf16 have 10 and 7 bits. */
  @ParameterizedTest
  @CsvSource({"fp32, 0.02", "fp16, 0.05", "bf16, 0.3"})
  void enginesMatchTheFormulaAtBatchOneAndThree(String precision, float tolerance) {
    Path f = graph();
    BackendOptions o = new BackendOptions(0, 0, "all", 0, precision, tmp.resolve("engines"), 3);
    try (GraphSession s = backend.open(f, o)) {
      for (int batch : new int[] {1, 3, 2, 1}) {
        Map<String, Tensor> in = feed(batch, 17L * batch);
        float[] got = new float[batch * 32];
        s.runInto(in, "y", new long[] {batch, 32}, got);
        float[] want = reference(in, batch);
        for (int i = 0; i < got.length; i++) {
          assertThat(got[i]).as("%s y[%d] batch %d", precision, i, batch).isCloseTo(want[i], offset(tolerance * (1 + Math.abs(want[i]))));
        }
        // the same input instances again: nothing is copied up, the result is the same
        float[] again = new float[batch * 32];
        s.runInto(in, "y", new long[] {batch, 32}, again);
        assertThat(again).containsExactly(got);
      }
      assertThatThrownBy(() -> s.run(feed(4, 1), List.of("y"))).isInstanceOf(VideoJamException.class).hasMessageContaining("--max-batch");
    }
  }

  @Test
  void enginesAndTimingCachesAreKeptOnDiskAndReloaded() throws Exception {
    Path f = graph();
    Path cache = tmp.resolve("engines");
    BackendOptions o = new BackendOptions(0, 0, "all", 0, "fp32", cache, 3);
    TrtEngines.Loaded first = TrtEngines.load(f, o);
    assertThat(first.built).isTrue();
    try (var files = Files.list(cache)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).anyMatch(n -> n.endsWith(".engine"))
          .anyMatch(n -> n.endsWith(".json")).anyMatch(n -> n.startsWith("timing-"));
    }
    TrtEngines.forgetLoaded();
    TrtEngines.Loaded again = TrtEngines.load(f, o);
    assertThat(again.built).isFalse();
    assertThat(again.file).isEqualTo(first.file);
    // another precision is another engine
    assertThat(TrtEngines.load(f, o.withPrecision("fp16")).file).isNotEqualTo(first.file);
  }

  @Test
  void builtInDenoiserAgreesWithOnnxRuntimeOnCpu() {
    Path denoiser = Path.of("../../models/jamworld-videojam/denoiser.onnx");
    assumeTrue(Files.isRegularFile(denoiser), "the built-in model is not at " + denoiser.toAbsolutePath());
    Random r = new Random(3);
    float[] x = new float[3 * 6 * 8 * 16 * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    long[] text = new long[3 * 12];
    for (int i = 0; i < text.length; i++) {
      text[i] = i % 7;
    }
    Map<String, Tensor> in = Map.of("x", new FloatTensor(new long[] {3, 6, 8, 16, 16}, x), "t", new FloatTensor(new long[] {3},
        new float[] {0.1f, 0.5f, 0.9f}), "text", new LongTensor(new long[] {3, 12}, text));
    float[] want;
    try (var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        var session = env.createSession(denoiser.toString());
        var xs = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(x), new long[] {3, 6, 8, 16, 16});
        var ts = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(new float[] {0.1f, 0.5f, 0.9f}), new long[] {3});
        var tx = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(text), new long[] {3, 12});
        var res = session.run(Map.of("x", xs, "t", ts, "text", tx))) {
      java.nio.FloatBuffer b = ((ai.onnxruntime.OnnxTensor) res.get(0)).getFloatBuffer();
      want = new float[b.remaining()];
      b.get(want);
    } catch (ai.onnxruntime.OrtException e) {
      throw new AssertionError(e);
    }
    try (GraphSession s = backend.open(denoiser, new BackendOptions(0, 0, "all", 0, "fp32", tmp.resolve("engines"), 3))) {
      float[] got = new float[want.length];
      s.runInto(in, "v", new long[] {3, 6, 8, 16, 16}, got);
      double err = 0;
      double norm = 0;
      for (int i = 0; i < got.length; i++) {
        err += (got[i] - want[i]) * (double) (got[i] - want[i]);
        norm += want[i] * (double) want[i];
      }
      assertThat(Math.sqrt(err / norm)).as("relative L2 error, TensorRT fp32 vs ONNX Runtime CPU").isLessThan(5e-3);
    }
  }
}
