package io.videojam.onnx;

import static io.videojam.api.TensorInfo.ElementType.FLOAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.ExtenderGraphs.Case;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ModelExtenderTest {
  static final int B = 2;

  static Stream<Case> cases() {
    return Stream.of(ExtenderGraphs.conv3d(), ExtenderGraphs.perFrameConv2d(),
        ExtenderGraphs.matmulChannelsLast(), ditCase(DitConfig.fixture().withChannels(3, 0)));
  }

  static Case ditCase(DitConfig cfg) {
    long[] text = new long[B * cfg.maxTextTokens()];
    for (int i = cfg.maxTextTokens(); i < text.length - 4; i++) {
      text[i] = 1 + (i * 7) % (cfg.vocabSize() - 1); // sample 0: null prompt
    }
    return new Case("DitBuilder", DitBuilder.build(cfg), DitBuilder.X, DitBuilder.V,
        Map.of(DitBuilder.T, new Ort.In(new float[] {0.2f, 0.7f}, B),
            DitBuilder.TEXT, new Ort.In(text, B, cfg.maxTextTokens())));
  }

  /** Latent shape [C, T, H, W] of a case (from its input). */
  static long[] latentShape(OnnxMl.ModelProto m, String latent) {
    return OnnxModels.inputs(m).stream().filter(i -> i.name().equals(latent)).findFirst()
        .orElseThrow().shape();
  }

  static float[] concatChannels(float[] x, int cx, float[] d, int cd, int inner) {
    float[] out = new float[B * (cx + cd) * inner];
    for (int b = 0; b < B; b++) {
      System.arraycopy(x, b * cx * inner, out, b * (cx + cd) * inner, cx * inner);
      System.arraycopy(d, b * cd * inner, out, (b * (cx + cd) + cx) * inner, cd * inner);
    }
    return out;
  }

  /** Channels [from, from + n) of [B, C, inner]. */
  static float[] channels(float[] v, int c, int from, int n, int inner) {
    float[] out = new float[B * n * inner];
    for (int b = 0; b < B; b++) {
      System.arraycopy(v, (b * c + from) * inner, out, b * n * inner, n * inner);
    }
    return out;
  }

  static double maxAbsDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float f : a) {
      m = Math.max(m, Math.abs(f));
    }
    return m;
  }

  static Ort.Out run(OnnxMl.ModelProto m, Case c, float[] latent, long... shape) throws Exception {
    try (Ort ort = new Ort(m)) {
      return ort.run(ExtenderGraphs.with(c.others(), c.latent(), new Ort.In(latent, shape)))
          .get(c.output());
    }
  }

  /** Runs base and extended on x and [x, d]; returns {base, extended}. */
  static float[][] both(Case c, OnnxMl.ModelProto ext, int cm, float[] x, float[] d) throws Exception {
    long[] s = latentShape(c.model(), c.latent());
    int ca = (int) s[1];
    int inner = (int) (s[2] * s[3] * s[4]);
    float[] base = run(c.model(), c, x, B, ca, s[2], s[3], s[4]).data();
    Ort.Out out = run(ext, c, concatChannels(x, ca, d, cm, inner), B, ca + cm, s[2], s[3], s[4]);
    assertThat(out.shape()).containsExactly(B, ca + cm, s[2], s[3], s[4]);
    return new float[][] {base, out.data()};
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void appearanceOutputEqualsTheBaseForAnyMotionInput(Case c) throws Exception {
    long[] s = latentShape(c.model(), c.latent());
    int ca = (int) s[1];
    int inner = (int) (s[2] * s[3] * s[4]);
    ExtendResult r = ModelExtender.extend(c.model(), ExtendOptions.defaults());
    assertThat(r.appearanceChannels()).isEqualTo(ca);
    assertThat(r.motionChannels()).isEqualTo(ca);
    assertThat(r.notes()).anyMatch(n -> n.startsWith("W+_in")).anyMatch(n -> n.startsWith("W+_out"));
    assertThat(OnnxModels.inputs(r.model()).stream().filter(i -> i.name().equals(c.latent()))
        .findFirst().orElseThrow().shape()).containsExactly(-1, 2L * ca, s[2], s[3], s[4]);
    assertThat(OnnxModels.outputs(r.model()).stream().filter(i -> i.name().equals(c.output()))
        .findFirst().orElseThrow().shape()).containsExactly(-1, 2L * ca, s[2], s[3], s[4]);
    Random rnd = new Random(11);
    float[] x = ExtenderGraphs.gauss(rnd, B * ca * inner);
    float[] random = ExtenderGraphs.gauss(rnd, B * ca * inner);
    float[] large = ExtenderGraphs.gauss(rnd, B * ca * inner);
    for (int i = 0; i < large.length; i++) {
      large[i] *= 1e4f;
    }
    float[] x2 = ExtenderGraphs.gauss(rnd, B * ca * inner);
    float[] baseX2 = run(c.model(), c, x2, B, ca, s[2], s[3], s[4]).data();
    for (float[] d : List.of(random, new float[B * ca * inner], large, x)) {
      float[][] o = both(c, r.model(), ca, x, d);
      float[] app = channels(o[1], 2 * ca, 0, ca, inner);
      assertThat(maxAbsDiff(app, o[0])).as(c.label()).isLessThanOrEqualTo(1e-5);
      // copy head + zero motion rows: the motion output is the appearance output, for any d
      assertThat(maxAbsDiff(channels(o[1], 2 * ca, ca, ca, inner), o[0])).isLessThanOrEqualTo(1e-5);
      // the base output depends on x (so the comparison is not trivially of constants)
      assertThat(maxAbsDiff(o[0], baseX2)).isGreaterThan(1e-3);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void baseOutputDependsOnEveryInput(Case c) throws Exception {
    long[] s = latentShape(c.model(), c.latent());
    int n = (int) (B * s[1] * s[2] * s[3] * s[4]);
    float[] x = ExtenderGraphs.gauss(new Random(3), n);
    float[] ref = run(c.model(), c, x, B, s[1], s[2], s[3], s[4]).data();
    for (Map.Entry<String, Ort.In> e : c.others().entrySet()) {
      Map<String, Ort.In> changed = new HashMap<>(c.others());
      Object data = e.getValue().data();
      Object other;
      if (data instanceof float[] f) {
        float[] g = f.clone();
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] * 0.5f + 0.3f;
        }
        other = g;
      } else {
        long[] l = ((long[]) data).clone();
        l[0] = 5;
        l[l.length - 1] = 9;
        other = l;
      }
      changed.put(e.getKey(), new Ort.In(other, e.getValue().shape()));
      Case c2 = new Case(c.label(), c.model(), c.latent(), c.output(), changed);
      float[] out = run(c.model(), c2, x, B, s[1], s[2], s[3], s[4]).data();
      assertThat(maxAbsDiff(out, ref)).as(c.label() + " depends on " + e.getKey()).isGreaterThan(1e-4);
    }
  }

  @Test
  void fewerMotionChannelsThanAppearance() throws Exception {
    Case c = ExtenderGraphs.perFrameConv2d();
    for (Case cc : List.of(c, ExtenderGraphs.matmulChannelsLast(), ExtenderGraphs.conv3d())) {
      ExtendResult r = ModelExtender.extend(cc.model(), ExtendOptions.defaults().withMotionChannels(2));
      assertThat(r.motionChannels()).isEqualTo(2);
      int ca = ExtenderGraphs.C;
      int inner = ExtenderGraphs.T * ExtenderGraphs.H * ExtenderGraphs.W;
      Random rnd = new Random(4);
      float[] x = ExtenderGraphs.gauss(rnd, B * ca * inner);
      float[] d = ExtenderGraphs.gauss(rnd, B * 2 * inner);
      float[][] o = both(cc, r.model(), 2, x, d);
      assertThat(maxAbsDiff(channels(o[1], ca + 2, 0, ca, inner), o[0])).as(cc.label()).isLessThanOrEqualTo(1e-5);
      // motion channel c copies appearance channel c
      assertThat(maxAbsDiff(channels(o[1], ca + 2, ca, 2, inner), channels(o[0], ca, 0, 2, inner)))
          .isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void extendedDitBuilderBaseEqualsDitBuilderWithZeroMotionRows() throws Exception {
    DitConfig baseCfg = DitConfig.fixture().withChannels(3, 0);
    DitConfig fullCfg = DitConfig.fixture().withChannels(3, 3).withMotionInit(DitConfig.MotionInit.ZERO);
    Map<String, float[]> w = new HashMap<>(DitBuilder.initialWeights(baseCfg));
    int patch = baseCfg.temporalPatchSize() * baseCfg.patchSize() * baseCfg.patchSize(); // per channel
    int d = baseCfg.hiddenSize();
    float[] win = w.get(DitBuilder.W_IN);
    w.put(DitBuilder.W_IN, Arrays.copyOf(win, win.length * 2)); // (c, dt, dy, dx): motion rows last
    float[] wout = w.get(DitBuilder.W_OUT);
    float[] nout = new float[wout.length * 2];
    for (int row = 0; row < d; row++) {
      for (int rep = 0; rep < 2; rep++) {
        System.arraycopy(wout, row * 3 * patch, nout, row * 6 * patch + rep * 3 * patch, 3 * patch);
      }
    }
    w.put(DitBuilder.W_OUT, nout);
    float[] bout = w.get(DitBuilder.W_OUT_BIAS);
    float[] nb = Arrays.copyOf(bout, bout.length * 2);
    System.arraycopy(bout, 0, nb, bout.length, bout.length);
    w.put(DitBuilder.W_OUT_BIAS, nb);
    OnnxMl.ModelProto expected = DitBuilder.build(fullCfg, w);

    ExtendResult r = ModelExtender.extend(DitBuilder.build(baseCfg), ExtendOptions.defaults());
    assertThat(r.inputProjection()).isNotEmpty();
    Map<String, OnnxMl.TensorProto> got = new HashMap<>();
    r.model().getGraph().getInitializerList().forEach(t -> got.put(t.getName(), t));
    assertThat(got).hasSize(expected.getGraph().getInitializerCount());
    for (OnnxMl.TensorProto t : expected.getGraph().getInitializerList()) {
      assertThat(got.get(t.getName())).as(t.getName()).isEqualTo(t);
    }
    assertThat(r.model().getGraph().getNodeList()).isEqualTo(expected.getGraph().getNodeList());
    assertThat(r.model().getGraph().getInputList()).isEqualTo(expected.getGraph().getInputList());
    assertThat(r.model().getGraph().getOutputList()).isEqualTo(expected.getGraph().getOutputList());
  }

  @Test
  void zeroAndRandomMotionHeads() throws Exception {
    for (Case c : List.of(ExtenderGraphs.matmulChannelsLast(), ExtenderGraphs.perFrameConv2d())) {
      int ca = ExtenderGraphs.C;
      int inner = ExtenderGraphs.T * ExtenderGraphs.H * ExtenderGraphs.W;
      Random rnd = new Random(8);
      float[] x = ExtenderGraphs.gauss(rnd, B * ca * inner);
      float[] d = ExtenderGraphs.gauss(rnd, B * ca * inner);

      OnnxMl.ModelProto zero = ModelExtender.extend(c.model(),
          ExtendOptions.defaults().withHeadInit(MotionHeadInit.ZERO, 0)).model();
      float[][] oz = both(c, zero, ca, x, d);
      assertThat(maxAbsDiff(channels(oz[1], 2 * ca, 0, ca, inner), oz[0])).isLessThanOrEqualTo(1e-5);
      assertThat(maxAbs(channels(oz[1], 2 * ca, ca, ca, inner))).as(c.label()).isEqualTo(0.0);

      OnnxMl.ModelProto rand = ModelExtender.extend(c.model(),
          ExtendOptions.defaults().withHeadInit(MotionHeadInit.RANDOM, 42)).model();
      assertThat(ModelExtender.extend(c.model(),
          ExtendOptions.defaults().withHeadInit(MotionHeadInit.RANDOM, 42)).model()).isEqualTo(rand);
      assertThat(ModelExtender.extend(c.model(),
          ExtendOptions.defaults().withHeadInit(MotionHeadInit.RANDOM, 43)).model()).isNotEqualTo(rand);
      float[][] or = both(c, rand, ca, x, d);
      float[] app = channels(or[1], 2 * ca, 0, ca, inner);
      float[] mot = channels(or[1], 2 * ca, ca, ca, inner);
      assertThat(maxAbsDiff(app, or[0])).isLessThanOrEqualTo(1e-5);
      assertThat(maxAbsDiff(mot, app)).isGreaterThan(0.1);
      assertThat(maxAbs(mot)).isGreaterThan(0.1).isLessThan(1e3);
    }
  }

  @Test
  void latentAndOutputByName() {
    Case c = ExtenderGraphs.conv3d();
    ExtendResult r = ModelExtender.extend(c.model(),
        new ExtendOptions("hidden_states", "noise_pred", 0, null, 0));
    assertThat(r.inputProjection()).startsWith("Conv");
    assertThat(r.outputProjection()).startsWith("ConvTranspose");
    assertThatThrownBy(() -> ModelExtender.extend(c.model(), ExtendOptions.defaults().withLatentInput("nope")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("no input 'nope'")
        .hasMessageContaining("hidden_states");
    assertThatThrownBy(() -> ModelExtender.extend(c.model(), ExtendOptions.defaults().withVelocityOutput("nope")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("no output 'nope'");
    assertThatThrownBy(() -> ModelExtender.extend(c.model(),
        ExtendOptions.defaults().withLatentInput("encoder_hidden_states")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("rank-5");
  }

  @Test
  void noRecognisablePatchEmbedding() {
    GraphBuilder g = new GraphBuilder("odd", 17);
    String x = g.input("x", FLOAT, "B", 4, 2, 4, 4);
    String y = g.op("Mul", x, g.scalar(2f));
    g.output("v", g.op("Tanh", y), FLOAT, "B", 4, 2, 4, 4);
    assertThatThrownBy(() -> ModelExtender.extend(g.build(), ExtendOptions.defaults()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("no Conv or MatMul consumes the latent input 'x' within 1 node")
        .hasMessageContaining("reaches Mul")
        .hasMessageContaining("export the patch embedding as a Conv (kernel = stride = patch)")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void noRecognisableOutputProjection() {
    GraphBuilder g = new GraphBuilder("odd_out", 17);
    String x = g.input("x", FLOAT, "B", 4, 2, 4, 4);
    String y = g.op("Conv", x, g.constant("w", new float[4 * 4], 4, 4, 1, 1, 1));
    g.output("v", g.op("Tanh", y), FLOAT, "B", 4, 2, 4, 4);
    assertThatThrownBy(() -> ModelExtender.extend(g.build(), ExtendOptions.defaults()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("no MatMul, Conv or ConvTranspose produces the velocity output 'v'")
        .hasMessageContaining("Tanh");
  }

  @Test
  void rank4LatentIsRejected() {
    GraphBuilder g = new GraphBuilder("image", 17);
    String x = g.input("image", FLOAT, "B", 4, 8, 8);
    String y = g.op("Conv", Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}),
        x, g.constant("w", new float[8 * 4 * 4], 8, 4, 2, 2));
    g.output("v", y, FLOAT, "B", 8, 4, 4);
    OnnxMl.ModelProto m = g.build();
    assertThatThrownBy(() -> ModelExtender.extend(m, ExtendOptions.defaults()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("no rank-5 float input (layout BCTHW)")
        .hasMessageContaining("image[B,4,8,8]");
    assertThatThrownBy(() -> ModelExtender.extend(m, ExtendOptions.defaults().withLatentInput("image")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("'image' is image[B,4,8,8] float")
        .hasMessageContaining("rank-5");
  }

  @Test
  void computedReshapeShapeIsRejectedClearly() {
    GraphBuilder g = new GraphBuilder("dyn", 17);
    String x = g.input("x", FLOAT, "B", 2, 2, 4, 4);
    String s = g.op("Concat", Map.of("axis", 0L), g.constant("a", new long[] {0, 2}, 2),
        g.constant("b", new long[] {-1}, 1));
    String r = g.op("Reshape", x, s);
    String y = g.op("MatMul", g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), r),
        g.constant("w", new float[16], 2, 8));
    g.output("v", y, FLOAT, "B", 2, 2, 4, 4);
    assertThatThrownBy(() -> ModelExtender.extend(g.build(), ExtendOptions.defaults()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("computed at run time");
  }

  @Test
  void channelMapLayouts() {
    // (c, k) with c = 2 -> 3: rows of channel 2 are motion, copying channel 0
    assertThat(ModelExtender.channelMap(new long[] {2, 3}, 0, 2, 1))
        .containsExactly(0, 1, 2, 3, 4, 5, -1, -2, -3);
    // (k, c): motion interleaves
    assertThat(ModelExtender.channelMap(new long[] {3, 2}, 1, 2, 2))
        .containsExactly(0, 1, -1, -2, 2, 3, -3, -4, 4, 5, -5, -6);
  }
}
