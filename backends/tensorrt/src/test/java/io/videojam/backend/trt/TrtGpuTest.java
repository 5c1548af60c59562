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
import io.videojam.api.VideoJamException;
import io.videojam.onnx.GpuTestGraph;
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

  @BeforeEach
  void needsTheGpu() {
    assumeTrue(backend.available(), backend.unavailableReason());
  }

  /** fp32 may run as TF32 on Ampere and later (10-bit mantissa in the products); fp16 and bf16 have 10 and 7 bits. */
  @ParameterizedTest
  @CsvSource({"fp32, 0.02", "fp16, 0.05", "bf16, 0.3"})
  void enginesMatchTheFormulaAtBatchOneAndThree(String precision, float tolerance) {
    Path f = GpuTestGraph.write(tmp.resolve("trt.onnx"));
    BackendOptions o = new BackendOptions(0, 0, "all", 0, precision, tmp.resolve("engines"), 3);
    try (GraphSession s = backend.open(f, o)) {
      for (int batch : new int[] {1, 3, 2, 1}) {
        Map<String, Tensor> in = GpuTestGraph.feed(batch, 17L * batch);
        float[] got = new float[batch * 32];
        s.runInto(in, "y", new long[] {batch, 32}, got);
        float[] want = GpuTestGraph.reference(in);
        for (int i = 0; i < got.length; i++) {
          assertThat(got[i]).as("%s y[%d] batch %d", precision, i, batch).isCloseTo(want[i], offset(tolerance * (1 + Math.abs(want[i]))));
        }
        // the same input instances again: nothing is copied up, the result is the same
        float[] again = new float[batch * 32];
        s.runInto(in, "y", new long[] {batch, 32}, again);
        assertThat(again).containsExactly(got);
      }
      assertThatThrownBy(() -> s.run(GpuTestGraph.feed(4, 1), List.of("y"))).isInstanceOf(VideoJamException.class).hasMessageContaining("--max-batch");
    }
  }

  @Test
  void enginesAndTimingCachesAreKeptOnDiskAndReloaded() throws Exception {
    Path f = GpuTestGraph.write(tmp.resolve("trt.onnx"));
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
