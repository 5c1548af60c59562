package io.videojam.backend.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LongTensor;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtBackendTest {
  @TempDir
  static Path tmp;

  static Path affine;

  @BeforeAll
  static void writeGraph() {
    affine = writeAffine(tmp.resolve("affine.onnx"));
  }

  /** Writes y = 2 x + sum(ids), x float [B, N], ids int64 [B, 2], to {@code file}. */
  static Path writeAffine(Path file) {
    GraphBuilder g = new GraphBuilder("affine", 17);
    String x = g.input("x", ElementType.FLOAT, "B", "N");
    String ids = g.input("ids", ElementType.INT64, "B", 2);
    String s = g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Cast", Map.of("to", 1L), ids), g.constant("axes", new long[] {1}, 1));
    g.output("y", g.op("Add", g.op("Mul", x, g.scalar(2f)), s), ElementType.FLOAT, "B", "N");
    OnnxModels.write(g.build(), file);
    return file;
  }

  static GraphSession open(BackendOptions options) {
    return new OrtBackend(OrtBackend.Device.CPU).open(affine, options);
  }

  static FloatTensor ramp(int b, int n, float offset) {
    float[] d = new float[b * n];
    for (int i = 0; i < d.length; i++) {
      d[i] = offset + i * 0.5f;
    }
    return new FloatTensor(new long[] {b, n}, d);
  }

  static LongTensor ids(int b) {
    long[] d = new long[2 * b];
    for (int i = 0; i < d.length; i++) {
      d[i] = i + 1;
    }
    return new LongTensor(new long[] {b, 2}, d);
  }

  static void checkAffine(FloatTensor x, float[] y) {
    int n = (int) x.shape()[1];
    for (int i = 0; i < y.length; i++) {
      int b = i / n;
      float idSum = (2 * b + 1) + (2 * b + 2);
      assertThat(y[i]).isEqualTo(2 * x.data()[i] + idSum);
    }
  }

  @Test
  void describesAndRunsAGraph() {
    try (GraphSession s = open(BackendOptions.defaults())) {
      assertThat(s.inputs()).extracting(TensorInfo::toString).containsExactlyInAnyOrder("x:float[-1, -1]", "ids:int64[-1, 2]");
      FloatTensor x = ramp(2, 5, -1f);
      Map<String, Tensor> out = s.run(Map.of("x", x, "ids", ids(2)), List.of("y"));
      checkAffine(x, ((FloatTensor) out.get("y")).data());
      assertThat(out.get("y").shape()).containsExactly(2, 5);
      assertThat(s.runCount()).isEqualTo(1);
      assertThat(s.runNanos()).isPositive();
    }
  }

  @Test
  void pinnedBuffersFollowShapeChangesAndNewData() {
    try (GraphSession s = open(new BackendOptions(1, 1, "none", 0))) {
      float[] shared = new float[3 * 4];
      for (int r = 0; r < 40; r++) {
        int b = r % 2 == 0 ? 1 : 3;
        FloatTensor x = r % 4 == 3 ? new FloatTensor(new long[] {3, 4}, shared) : ramp(b, 4, r);
        if (r % 4 == 3) {
          java.util.Arrays.fill(shared, r); // new data in the same array, passed as a new tensor instance
        }
        float[] y = new float[b * 4];
        s.runInto(Map.of("x", x, "ids", ids(b)), "y", new long[] {b, 4}, y);
        checkAffine(x, y);
      }
    }
  }

  @Test
  void longRunsDoNotGrowNativeMemory() throws Exception {
    try (GraphSession s = open(BackendOptions.defaults())) {
      FloatTensor big = ramp(1, 1 << 18, 0f); // 1 MiB in, 1 MiB out
      float[] y = new float[1 << 18];
      for (int i = 0; i < 20; i++) {
        s.runInto(Map.of("x", ramp(1, 1 << 18, i), "ids", ids(1)), "y", new long[] {1, 1 << 18}, y);
      }
      long before = rssKb();
      for (int i = 0; i < 300; i++) {
        s.runInto(Map.of("x", new FloatTensor(big.shape(), big.data()), "ids", ids(1)), "y", new long[] {1, 1 << 18}, y);
        s.run(Map.of("x", ramp(1, 64, i), "ids", ids(1)), List.of("y"));
      }
      long grownMb = (rssKb() - before) / 1024;
      // a leak of the 2 MiB per run would add 600 MiB
      assertThat(grownMb).isLessThan(64);
      checkAffine(big, y);
    }
  }

  static long rssKb() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  @Test
  void gpuProvidersAreReportedMissingOnTheCpuBuild() {
    for (OrtBackend.Device d : List.of(OrtBackend.Device.CUDA, OrtBackend.Device.TENSORRT)) {
      OrtBackend b = new OrtBackend(d);
      if (b.available()) {
        continue; // a GPU build on a GPU machine
      }
      // the CPU build lacks the provider; the GPU build has it but sees no GPU
      String reason = b.unavailableReason();
      assertThat(reason).contains("--backend " + d.key).containsAnyOf("mvn -Pgpu", "no NVIDIA GPU is visible").doesNotContain("\n");
      assertThatThrownBy(() -> b.open(affine, BackendOptions.defaults())).isInstanceOf(VideoJamException.class).hasMessage(reason);
    }
    assertThat(new OrtBackend(OrtBackend.Device.CPU).available()).isTrue();
    assertThat(new OrtBackend(OrtBackend.Device.CPU).prefersBatching()).isFalse();
  }

  @Test
  void badFilesAndBadFeedsAreOneLineErrors() throws Exception {
    OrtBackend cpu = new OrtBackend(OrtBackend.Device.CPU);
    assertThatThrownBy(() -> cpu.open(tmp.resolve("missing.onnx"), BackendOptions.defaults()))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("missing.onnx not found");
    Path junk = Files.write(tmp.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertThatThrownBy(() -> cpu.open(junk, BackendOptions.defaults())).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("junk.onnx").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    try (GraphSession s = open(BackendOptions.defaults())) {
      assertThatThrownBy(() -> s.run(Map.of("x", ramp(1, 3, 0), "ids", new LongTensor(new long[] {1, 3}, new long[3])), List.of("y")))
          .isInstanceOf(VideoJamException.class).hasMessageContaining("affine.onnx")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }
  /**
   * --precision fp16 on CPU runs the converted graph (float32 in and out): the built-in denoiser
   * then differs from float32 by about fp16's rounding, not by nothing and not by more.
   */
  @Test
  void reducedPrecisionRunsTheConvertedGraph() {
    Path denoiser = Path.of("../../models/jamworld-videojam/denoiser.onnx");
    java.util.Random r = new java.util.Random(8);
    float[] x = new float[2 * 6 * 8 * 16 * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    long[] text = new long[2 * 12];
    for (int i = 0; i < text.length; i++) {
      text[i] = i % 5;
    }
    Map<String, Tensor> in = Map.of("x", new FloatTensor(new long[] {2, 6, 8, 16, 16}, x), "t",
        new FloatTensor(new long[] {2}, new float[] {0.25f, 0.75f}), "text", new LongTensor(new long[] {2, 12}, text));
    OrtBackend cpu = new OrtBackend(OrtBackend.Device.CPU);
    float[] full;
    float[] half;
    try (GraphSession s = cpu.open(denoiser, BackendOptions.defaults())) {
      full = ((FloatTensor) s.run(in, List.of("v")).get("v")).data();
    }
    try (GraphSession s = cpu.open(denoiser, BackendOptions.defaults().withPrecision("fp16"))) {
      assertThat(s.inputs()).extracting(TensorInfo::type).containsExactly(ElementType.FLOAT, ElementType.FLOAT, ElementType.INT64);
      half = ((FloatTensor) s.run(in, List.of("v")).get("v")).data();
    }
    double err = 0;
    double norm = 0;
    for (int i = 0; i < full.length; i++) {
      err += (half[i] - full[i]) * (double) (half[i] - full[i]);
      norm += full[i] * (double) full[i];
    }
    double rel = Math.sqrt(err / norm);
    // fp16 keeps 11 significant bits (2^-11 = 4.9e-4 per rounding); measured about 2e-3 after the whole network
    assertThat(rel).isGreaterThan(1e-5).isLessThan(1e-2);
  }
}
