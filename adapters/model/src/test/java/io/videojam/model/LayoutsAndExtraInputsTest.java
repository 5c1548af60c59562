package io.videojam.model;

import static io.videojam.model.TestModels.C;
import static io.videojam.model.TestModels.H;
import static io.videojam.model.TestModels.L;
import static io.videojam.model.TestModels.T;
import static io.videojam.model.TestModels.W;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.onnx.GraphBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Token-sequence layouts, extra graph inputs and graphs limited to one batch size, checked against formulas. */
@SuppressWarnings("unchecked")
class LayoutsAndExtraInputsTest {
  @TempDir Path dir;
  static final int N = T * H * W;

  /** K for token n and channel c: distinct for every (t, h, w, c), so a token-order or channel mix-up changes the result. */
  static float k(int n, int c) {
    return 1f + c + 0.25f * n;
  }

  static float[] latent(int b) {
    float[] x = new float[b * C * N];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(0.7 * i + 0.3);
    }
    return x;
  }

  static VideoModelCheck open(Path m) {
    return new VideoModelCheck(OnnxVideoModel.open(ModelDirectory.open(m), new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults()));
  }

  record VideoModelCheck(OnnxVideoModel model) implements AutoCloseable {
    float[] velocity(int b, double t) {
      Tensor text = model.textEncoder().encode(java.util.Collections.nCopies(b, "red ball"));
      return model.velocity(new FloatTensor(new long[] {b, C, T, H, W}, latent(b)), t, text).data();
    }

    @Override
    public void close() {
      model.close();
    }
  }

  /** out[b, n, c] = x[b, n, c] * K(n, c) + extra, on a [B, N, C] token sequence. */
  static GraphBuilder tokens(String name) {
    GraphBuilder g = new GraphBuilder(name, 17);
    g.input("x", ElementType.FLOAT, "B", N, C);
    g.input("t", ElementType.FLOAT, "B");
    g.input("text", ElementType.INT64, "B", L);
    return g;
  }

  static String kTimesX(GraphBuilder g) {
    float[] kv = new float[N * C];
    for (int n = 0; n < N; n++) {
      for (int c = 0; c < C; c++) {
        kv[n * C + c] = k(n, c);
      }
    }
    return g.op("Mul", "x", g.constant("K", kv, 1, N, C));
  }

  @Test
  void bncTokenSequenceIsPackedInTimeHeightWidthOrderWithChannelsLast() {
    GraphBuilder g = tokens("bnc");
    g.output("v", kTimesX(g), ElementType.FLOAT, "B", N, C);
    Path m = TestModels.write(dir, g, "BNC", Map.of());
    try (VideoModelCheck v = open(m)) {
      float[] u = v.velocity(2, 0.5);
      float[] x = latent(2);
      for (int b = 0; b < 2; b++) {
        for (int c = 0; c < C; c++) {
          for (int n = 0; n < N; n++) { // framework [B, C, T, H, W]: token n = t * H * W + h * W + w
            int i = (b * C + c) * N + n;
            assertThat(u[i]).isCloseTo(x[i] * k(n, c), within(1e-5f));
          }
        }
      }
    }
  }

  @Test
  void anUnknownLayoutIsNamed() {
    GraphBuilder g = tokens("bad");
    g.output("v", kTimesX(g), ElementType.FLOAT, "B", N, C);
    Path m = TestModels.write(dir, g, "BTHWC", Map.of());
    assertThatThrownBy(() -> open(m)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("\"layout\" must be BCTHW, BTCHW or BNC, got BTHWC");
  }

  @Test
  void extraInputsAreFedAsDescribed() throws Exception {
    GraphBuilder g = tokens("extras");
    g.input("encoder_attention_mask", ElementType.FLOAT, "B", L);
    g.input("num_frames", ElementType.INT64, "B");
    g.input("guidance", ElementType.FLOAT, "B");
    g.input("pooled", ElementType.FLOAT, "B", 2);
    String axis = g.constant("ax1", new long[] {1}, 1);
    String mask = g.op("ReduceSum", Map.of("keepdims", 1L), "encoder_attention_mask", axis); // L
    String frames = g.op("Unsqueeze", g.op("Cast", Map.of("to", 1L), "num_frames"), axis); // T
    String guid = g.op("Unsqueeze", "guidance", axis); // 6000
    String pooled = g.op("ReduceSum", Map.of("keepdims", 1L), g.op("Mul", "pooled", g.constant("pw", new float[] {1f, 10f}, 2)), axis);
    String extra = g.op("Add", g.op("Add", g.op("Mul", mask, g.scalar(1f)), g.op("Mul", frames, g.scalar(0.1f))),
        g.op("Add", g.op("Mul", guid, g.scalar(1e-4f)), g.op("Mul", pooled, g.scalar(0.01f))));
    String e3 = g.op("Unsqueeze", extra, g.constant("ax2", new long[] {2}, 1)); // [B, 1, 1]
    g.output("v", g.op("Add", kTimesX(g), e3), ElementType.FLOAT, "B", N, C);
    Path m = TestModels.write(dir, g, "BNC", Map.of("extra-inputs", Map.of(
        "encoder_attention_mask", Map.of("value", "text-mask"),
        "num_frames", Map.of("value", "frames"),
        "guidance", Map.of("value", 6000),
        "pooled", Map.of("npy", "pooled.npy"))));
    Npy.write(new FloatTensor(new long[] {1, 2}, new float[] {0.5f, -2f}), m.resolve("pooled.npy"));
    double expectedExtra = L * 1.0 + T * 0.1 + 6000 * 1e-4 + (0.5 - 20) * 0.01;
    try (VideoModelCheck v = open(m)) {
      float[] u = v.velocity(3, 0.5);
      float[] x = latent(3);
      for (int i = 0; i < u.length; i++) {
        int n = i % N;
        int c = (i / N) % C;
        assertThat((double) u[i]).isCloseTo(x[i] * k(n, c) + expectedExtra, within(1e-4));
      }
    }
    // an input model.json does not describe is named, with the key to add
    TestModels.editJson(m, j -> ((Map<String, Object>) j.get("denoiser")).remove("extra-inputs"));
    assertThatThrownBy(() -> open(m)).isInstanceOf(VideoJamException.class).hasMessageContaining("encoder_attention_mask")
        .hasMessageContaining("extra-inputs");
  }

  @Test
  void aGraphThatRunsOnlyAtItsTracedBatchRunsTwoPassesAtATime() {
    // like an export that loops over its traced batch of 2: rows 0 and 1 picked by constant indices
    GraphBuilder g = tokens("traced");
    String kx = kTimesX(g);
    String r0 = g.op("Gather", Map.of("axis", 0L), kx, g.constant("i0", new long[] {0}, 1));
    String r1 = g.op("Gather", Map.of("axis", 0L), kx, g.constant("i1", new long[] {1}, 1));
    g.output("v", g.op("Concat", Map.of("axis", 0L), r0, r1), ElementType.FLOAT, "B", N, C);
    Path m = TestModels.write(dir, g, "BNC", Map.of());
    try (VideoModelCheck v = open(m)) {
      assertThat(v.model().notes()).singleElement().asString().contains("runs only at batch 2");
      for (int b : new int[] {1, 2, 3}) {
        float[] u = v.velocity(b, 0.5);
        float[] x = latent(b);
        for (int i = 0; i < u.length; i++) {
          assertThat(u[i]).as("batch %d element %d", b, i).isCloseTo(x[i] * k(i % N, (i / N) % C), within(1e-5f));
        }
      }
    }
    TestModels.editJson(m, j -> ((Map<String, Object>) j.get("denoiser")).put("batch", 2));
    try (VideoModelCheck v = open(m)) {
      assertThat(v.model().notes()).singleElement().asString().contains("model.json");
      assertThat(v.velocity(3, 0.5)).hasSize(3 * C * N);
    }
  }

  @Test
  void aFreeBatchGraphHasNoNotes() {
    GraphBuilder g = tokens("free");
    g.output("v", kTimesX(g), ElementType.FLOAT, "B", N, C);
    try (VideoModelCheck v = open(TestModels.write(dir, g, "BNC", Map.of()))) {
      assertThat(v.model().notes()).isEmpty();
      assertThat(List.of(v.velocity(3, 0.5).length)).containsExactly(3 * C * N);
    }
  }

  @Test
  void inspectFindsTheTokenLayoutAndDescribesAGraphWithoutAVideoLatent() throws Exception {
    GraphBuilder g = tokens("bnc");
    String proj = g.op("MatMul", "x", g.constant("proj_in.weight", new float[C * 8], C, 8));
    g.output("v", g.op("MatMul", g.op("Tanh", proj), g.constant("proj_out.weight", new float[8 * C], 8, C)), ElementType.FLOAT, "B", N, C);
    Path m = TestModels.write(dir, g, "BNC", Map.of());
    ModelInspector.Inspection i = ModelInspector.inspect(m.resolve("denoiser.onnx"));
    assertThat(i.videoDenoiser()).isTrue();
    assertThat(i.pattern().get(0)).startsWith("layout BNC: linear projection of a [B, N, C] token sequence");
    assertThat(((Map<String, Object>) i.proposal().get("denoiser")).get("layout")).isEqualTo("BNC");

    GraphBuilder img = new GraphBuilder("classifier", 17);
    String x = img.input("image", ElementType.FLOAT, "B", 3, 8, 8);
    img.output("logits", img.op("ReduceMean", Map.of("keepdims", 0L), x, img.constant("ax", new long[] {2, 3}, 2)), ElementType.FLOAT, "B", 3);
    Path f = dir.resolve("classifier.onnx");
    io.videojam.onnx.OnnxModels.write(img.build(), f);
    ModelInspector.Inspection c = ModelInspector.inspect(f);
    assertThat(c.videoDenoiser()).isFalse();
    assertThat(c.signature()).startsWith("not a video denoiser: no float input of rank 5").contains("image:float[-1, 3, 8, 8]")
        .doesNotContain("\n");
  }
}
