package io.videojam.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DitBuilderTest {
  static final DitConfig CFG = DitConfig.fixture();
  static final int C = CFG.channels(), T = CFG.frames(), H = CFG.height(), W = CFG.width();
  static final int SAMPLE = C * T * H * W;
  static final int L = CFG.maxTextTokens();

  static float[][] xs = new float[3][];
  static float[] ts = {0.1f, 0.5f, 0.9f};
  static long[][] texts = new long[3][];

  @TempDir Path dir;

  @BeforeAll
  static void inputs() {
    Random r = new Random(42);
    for (int i = 0; i < 3; i++) {
      xs[i] = gaussian(r, SAMPLE);
      texts[i] = new long[L];
      for (int j = 0; j < 5 + 3 * i && i > 0; j++) {
        texts[i][j] = 1 + r.nextInt(CFG.vocabSize() - 1); // sample 0: the null prompt (all zero)
      }
    }
  }

  static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** Runs one batch; returns v. */
  static Ort.Out run(Ort ort, float[][] x, float[] t, long[][] text) throws Exception {
    int b = x.length;
    float[] xb = new float[b * SAMPLE];
    long[] tb = new long[b * L];
    for (int i = 0; i < b; i++) {
      System.arraycopy(x[i], 0, xb, i * SAMPLE, SAMPLE);
      System.arraycopy(text[i], 0, tb, i * L, L);
    }
    return ort.run(Map.of(
            "x", new Ort.In(xb, b, C, T, H, W),
            "t", new Ort.In(t.clone(), b),
            "text", new Ort.In(tb, b, L)))
        .get("v");
  }

  static float[] run1(Ort ort, float[] x, float t, long[] text) throws Exception {
    return run(ort, new float[][] {x}, new float[] {t}, new long[][] {text}).data();
  }

  static double maxAbsDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  static float[] withMotionReplaced(float[] x, int motionChannels, long seed) {
    float[] y = x.clone();
    int per = T * H * W;
    float[] noise = gaussian(new Random(seed), motionChannels * per);
    System.arraycopy(noise, 0, y, (C - motionChannels) * per, noise.length);
    return y;
  }

  @Test
  void contractInputsAndOutputs() {
    OnnxMl.ModelProto m = DitBuilder.build(CFG);
    assertThat(OnnxModels.inputs(m)).extracting(TensorInfo::toString)
        .containsExactly("x:float[-1, 6, 16, 32, 32]", "t:float[-1]", "text:int64[-1, 16]");
    assertThat(OnnxModels.outputs(m)).extracting(TensorInfo::toString)
        .containsExactly("v:float[-1, 6, 16, 32, 32]");
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
    Map<String, List<Long>> init = new java.util.HashMap<>();
    m.getGraph().getInitializerList().forEach(t -> init.put(t.getName(), t.getDimsList()));
    assertThat(init.get(DitBuilder.W_IN)).containsExactly(192L, 64L); // (3+3)*2*4*4 rows
    assertThat(init.get(DitBuilder.W_OUT)).containsExactly(64L, 192L);
    assertThat(init).containsKeys("blocks.0.attn.q.weight", "blocks.1.mlp.fc2.bias", "pos_embed");
  }

  @Test
  void batchSamplesDoNotInteractAndOutputIsSane() throws Exception {
    try (Ort ort = new Ort(DitBuilder.build(CFG))) {
      Ort.Out batch = run(ort, xs, ts, texts);
      assertThat(batch.shape()).containsExactly(3, C, T, H, W);
      for (int i = 0; i < 3; i++) {
        float[] single = run1(ort, xs[i], ts[i], texts[i]);
        float[] row = Arrays.copyOfRange(batch.data(), i * SAMPLE, (i + 1) * SAMPLE);
        assertThat(maxAbsDiff(row, single)).as("sample %d", i).isLessThanOrEqualTo(1e-5);
      }
      double sum = 0, sq = 0;
      for (float f : batch.data()) {
        assertThat(Float.isFinite(f)).isTrue();
        sum += f;
        sq += (double) f * f;
      }
      double n = batch.data().length;
      double std = Math.sqrt(sq / n - (sum / n) * (sum / n));
      assertThat(std).isBetween(0.05, 20.0);
      assertThat(Math.abs(sum / n)).isLessThan(5.0);
    }
  }

  @Test
  void outputDependsOnTimeTextAndMotionChannels() throws Exception {
    try (Ort ort = new Ort(DitBuilder.build(CFG))) {
      float[] base = run1(ort, xs[1], 0.3f, texts[1]);
      assertThat(maxAbsDiff(base, run1(ort, xs[1], 0.3f, texts[1]))).isZero(); // deterministic
      assertThat(maxAbsDiff(base, run1(ort, xs[1], 0.7f, texts[1]))).isGreaterThan(1e-2);
      assertThat(maxAbsDiff(base, run1(ort, xs[1], 0.3f, texts[2]))).isGreaterThan(1e-2);
      assertThat(maxAbsDiff(base, run1(ort, xs[1], 0.3f, texts[0]))).isGreaterThan(1e-2);
      float[] motionChanged = withMotionReplaced(xs[1], CFG.motionChannels(), 5);
      assertThat(maxAbsDiff(base, run1(ort, motionChanged, 0.3f, texts[1]))).isGreaterThan(1e-2);
    }
  }

  @Test
  void zeroMotionRowsMakeOutputIndependentOfMotionInput() throws Exception {
    DitConfig zero = CFG.withMotionInit(DitConfig.MotionInit.ZERO);
    try (Ort ort = new Ort(DitBuilder.build(zero))) {
      float[] base = run1(ort, xs[2], 0.4f, texts[2]);
      float[] motionChanged = withMotionReplaced(xs[2], zero.motionChannels(), 9);
      float[] motionZero = xs[2].clone();
      Arrays.fill(motionZero, zero.appearanceChannels() * T * H * W, SAMPLE, 0f);
      assertThat(maxAbsDiff(base, run1(ort, motionChanged, 0.4f, texts[2]))).isLessThanOrEqualTo(1e-6);
      assertThat(maxAbsDiff(base, run1(ort, motionZero, 0.4f, texts[2]))).isLessThanOrEqualTo(1e-6);
      // ... but it still reads the appearance channels
      float[] appearanceChanged = xs[2].clone();
      appearanceChanged[0] += 3f;
      assertThat(maxAbsDiff(base, run1(ort, appearanceChanged, 0.4f, texts[2]))).isGreaterThan(1e-3);
    }
  }

  @Test
  void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
    Path a = dir.resolve("a.onnx"), b = dir.resolve("b.onnx"), c = dir.resolve("c.onnx");
    DitBuilder.write(CFG, a);
    DitBuilder.write(CFG, b);
    DitBuilder.write(CFG.withSeed(1), c);
    assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    assertThat(io.videojam.api.Hashing.sha256Hex(a)).isEqualTo(io.videojam.api.Hashing.sha256Hex(b)).isNotEqualTo(io.videojam.api.Hashing.sha256Hex(c));
    float[] w0 = initializer(OnnxModels.read(a), DitBuilder.W_IN);
    float[] w1 = initializer(OnnxModels.read(c), DitBuilder.W_IN);
    assertThat(maxAbsDiff(w0, w1)).isGreaterThan(0.1);
  }

  @Test
  void parameterCountMatchesWeightSpecs() {
    List<WeightSpec> specs = DitBuilder.weightSpecs(CFG);
    long sum = specs.stream().mapToLong(WeightSpec::size).sum();
    assertThat(OnnxModels.parameterCount(DitBuilder.build(CFG))).isEqualTo(sum);
    // hand count for D=64, P=192, N=512, V=64, depth 2, mlp 256
    long d = 64, p = 192, mlp = 256;
    long block = (d * 6 * d + 6 * d) + 4 * (d * d + d) + (d * mlp + mlp) + (mlp * d + d);
    long expected = (p * d + d) + 512 * d + 2 * (d * d + d) + 64 * d + 2 * block + (d * 2 * d + 2 * d)
        + (d * p + p);
    assertThat(sum).isEqualTo(expected);
    assertThat(specs).extracting(WeightSpec::name).doesNotHaveDuplicates();
  }

  @Test
  void textTableRowZeroIsZeroAndMotionRowsAreLastRowsOfWin() {
    OnnxMl.ModelProto m = DitBuilder.build(CFG.withMotionInit(DitConfig.MotionInit.ZERO));
    float[] table = initializer(m, DitBuilder.TEXT_EMBED);
    assertThat(Arrays.copyOfRange(table, 0, 64)).containsOnly(0f);
    assertThat(maxAbsDiff(Arrays.copyOfRange(table, 64, 128), new float[64])).isGreaterThan(0.5);
    float[] win = initializer(m, DitBuilder.W_IN);
    int firstMotionRow = 3 * 2 * 4 * 4;
    assertThat(Arrays.copyOfRange(win, firstMotionRow * 64, win.length)).containsOnly(0f);
    double sq = 0;
    for (int i = 0; i < firstMotionRow * 64; i++) {
      sq += win[i] * win[i];
    }
    assertThat(Math.sqrt(sq / (firstMotionRow * 64))).isBetween(0.06, 0.09); // ~ 1/sqrt(192)
  }

  @Test
  void explicitWeightsAreUsedAndUnpatchifyOrderIsCtHw() throws Exception {
    int p = CFG.patchDim();
    float[] bias = new float[p];
    for (int j = 0; j < p; j++) {
      bias[j] = j;
    }
    OnnxMl.ModelProto m = DitBuilder.build(CFG, Map.of(DitBuilder.W_OUT, new float[64 * p], DitBuilder.W_OUT_BIAS, bias));
    // the other weights stay the seeded defaults
    assertThat(initializer(m, "blocks.0.attn.q.weight")).isEqualTo(initializer(DitBuilder.build(CFG), "blocks.0.attn.q.weight"));
    try (Ort ort = new Ort(m)) {
      float[] v = run1(ort, xs[0], 0.5f, texts[0]);
      // v[c,t,h,w] = bias[(c, t % pt, h % p, w % p)] with patch values ordered (c, dt, dy, dx)
      for (int c = 0; c < C; c++) {
        for (int t = 0; t < T; t++) {
          for (int h = 0; h < H; h++) {
            for (int w = 0; w < W; w++) {
              float expected = c * 32 + (t % 2) * 16 + (h % 4) * 4 + (w % 4);
              assertThat(v[((c * T + t) * H + h) * W + w]).isEqualTo(expected);
            }
          }
        }
      }
    }
  }

  @Test
  void badExplicitWeightsAreRejected() {
    assertThatThrownBy(() -> DitBuilder.build(CFG, Map.of("nope.weight", new float[1])))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("nope.weight");
    assertThatThrownBy(() -> DitBuilder.build(CFG, Map.of(DitBuilder.W_IN, new float[3])))
        .isInstanceOf(VideoJamException.class).hasMessageContaining(DitBuilder.W_IN);
    float[] table = new float[64 * 64];
    table[5] = 1f;
    assertThatThrownBy(() -> DitBuilder.build(CFG, Map.of(DitBuilder.TEXT_EMBED, table)))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("row 0");
    assertThatThrownBy(() -> CFG.withVideo(15, 32, 32)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("frames");
  }

  @Test
  void plainBaseModelHasOnlyAppearanceChannels() throws Exception {
    DitConfig base = CFG.withChannels(3, 0);
    OnnxMl.ModelProto m = DitBuilder.build(base);
    assertThat(OnnxModels.inputs(m).get(0).shape()).containsExactly(-1, 3, 16, 32, 32);
    int n = 3 * T * H * W;
    try (Ort ort = new Ort(m)) {
      Ort.Out v = ort.run(Map.of(
              "x", new Ort.In(Arrays.copyOf(xs[0], n), 1, 3, T, H, W),
              "t", new Ort.In(new float[] {0.5f}, 1),
              "text", new Ort.In(texts[1].clone(), 1, L)))
          .get("v");
      assertThat(v.shape()).containsExactly(1, 3, T, H, W);
      assertThat(maxAbsDiff(v.data(), new float[n])).isGreaterThan(0.1);
    }
  }

  static float[] initializer(OnnxMl.ModelProto m, String name) {
    OnnxMl.TensorProto t = m.getGraph().getInitializerList().stream()
        .filter(i -> i.getName().equals(name)).findFirst().orElseThrow();
    ByteBuffer bb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[bb.remaining() / 4];
    bb.asFloatBuffer().get(v);
    return v;
  }
}
