package io.videojam.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GuidanceRule;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.onnx.GraphBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxVideoModel#linearGuidance}, which fills the session's input buffer and combines the
 * passes from its output buffer with the prediction's conversion folded into the coefficients,
 * against the general path written out separately: each pass's latent stacked by hand, {@link
 * VideoModel#velocity}, then sum_k c_k v_k in double.
 */
class LinearGuidanceTest {
  @TempDir
  Path dir;

  /** 2 appearance + 1 motion channels; T x H x W = 3 x 19 x 23, so the appearance/motion cut (2622) and the end (3933) fall inside blocks of 1024. */
  static final int T = 3;
  static final int H = 19;
  static final int W = 23;
  static final int PLANE = T * H * W;
  static final int N = TestModels.C * PLANE;

  /**
   * out[b, o] = sum_i MIX[o][i] x[b, i] + BETA t + GAMMA sum(text[b]): appearance outputs depend on
   * the motion channel, so a pass that drops motion must see it zeroed; the time and text terms tell
   * the passes' rows apart.
   */
  Path mixing(String name, Map<String, Object> denoiser) {
    int c = TestModels.C;
    GraphBuilder g = new GraphBuilder("mixing", 17);
    String x = g.input("x", ElementType.FLOAT, "B", c, T, H, W);
    String t = g.input("t", ElementType.FLOAT, "B");
    String text = g.input("text", ElementType.INT64, "B", TestModels.L);
    float[] mt = new float[c * c];
    for (int o = 0; o < c; o++) {
      for (int i = 0; i < c; i++) {
        mt[i * c + o] = TestModels.MIX[o][i];
      }
    }
    String last = g.op("Transpose", Map.of("perm", new long[] {0, 2, 3, 4, 1}), x);
    String mixed = g.op("Transpose", Map.of("perm", new long[] {0, 4, 1, 2, 3}), g.op("MatMul", last, g.constant("Mt", mt, c, c)));
    String shape5 = g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5);
    String s = g.op("ReduceSum", Map.of("keepdims", 0L), g.op("Cast", Map.of("to", 1L), text), g.constant("axis1", new long[] {1}, 1));
    String conditions = g.op("Add", g.op("Mul", g.op("Reshape", t, shape5), g.scalar(TestModels.BETA)),
        g.op("Mul", g.op("Reshape", s, shape5), g.scalar(TestModels.GAMMA)));
    g.output("v", g.op("Add", mixed, conditions), ElementType.FLOAT, "B", c, T, H, W);
    Path model = TestModels.write(dir.resolve(name), g, "BCTHW", denoiser);
    TestModels.editJson(model, m -> m.put("video", Map.of("frames", T, "height", H, "width", W, "fps", 4)));
    return model;
  }

  static VideoModel open(Path model) {
    return Models.open(model, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults());
  }

  static float[] latent(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[N];
    for (int i = 0; i < N; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }

  /** sum_k c_k v_k by the general path: pass k's latent (motion zeroed where it drops motion) stacked, one velocity run, combined in double. */
  static float[] reference(VideoModel m, float[] x, double t, boolean[] drop, Tensor text, double[] ca, double[] cm) {
    int p = drop.length;
    float[] stacked = new float[p * N];
    for (int k = 0; k < p; k++) {
      System.arraycopy(x, 0, stacked, k * N, drop[k] ? TestModels.CA * PLANE : N);
    }
    float[] v = m.velocity(new FloatTensor(new long[] {p, TestModels.C, T, H, W}, stacked), t, text).data();
    float[] guided = new float[N];
    for (int i = 0; i < N; i++) {
      boolean motion = i >= TestModels.CA * PLANE;
      double sum = 0;
      for (int k = 0; k < p; k++) {
        sum += (motion ? cm[k] : ca[k]) * v[k * N + i];
      }
      guided[i] = (float) sum;
    }
    return guided;
  }

  /** The passes' prompts: a different token sum per row. */
  static final List<String> PROMPTS = List.of("red ball", "", "moving left red", "ball ball");

  @Test
  void equalsStackedVelocitiesThenTheCombinationForEveryPassCountAndConvention() {
    Map<String, Map<String, Object>> conventions = new java.util.LinkedHashMap<>();
    conventions.put("velocity", Map.of());
    conventions.put("noise_at_1", Map.of("time", Map.of("convention", "noise_at_1")));
    conventions.put("epsilon", Map.of("prediction", "epsilon"));
    conventions.put("sample", Map.of("prediction", "sample"));
    conventions.put("vp-v", Map.of("prediction", "v", "time", Map.of("convention", "vp", "betas", "squaredcos_cap_v2")));
    conventions.put("edm", Map.of("prediction", "edm", "time", Map.of("convention", "edm")));
    // pass count 1..4 (4: the general loop), with motion dropped in some passes and unequal appearance and motion weights
    boolean[][] drops = {{false}, {false, true}, {false, true, false}, {false, true, true, false}};
    double[][] appearance = {{1.5}, {2.0, -1.0}, {1.75, -0.5, -0.25}, {1.2, 0.3, -0.4, -0.1}};
    double[][] motion = {{0.5}, {0.25, 0.75}, {1.5, 0.0, -0.5}, {2.0, -1.0, 0.5, -0.5}};
    float[] x = latent(7);
    for (var c : conventions.entrySet()) {
      Path model = mixing(c.getKey(), c.getValue());
      // the reference runs on an instance of its own: a session's buffers must not hand one path the other's input
      try (VideoModel m = open(model); VideoModel ref = open(model)) {
        for (double t : new double[] {0.02, 0.37, 0.5, 0.81}) {
          for (int q = 0; q < drops.length; q++) {
            int p = drops[q].length;
            Tensor text = m.textEncoder().encode(PROMPTS.subList(0, p));
            float[] expected = reference(ref, x, t, drops[q], text, appearance[q], motion[q]);
            float[] guided = new float[N];
            assertThat(m.linearGuidance(x, t, drops[q], text, new GuidanceRule.Coefficients(appearance[q], motion[q]), guided)).isTrue();
            double scale = 0;
            for (float e : expected) {
              scale = Math.max(scale, Math.abs(e));
            }
            for (int i = 0; i < N; i++) {
              assertThat((double) guided[i]).as("%s t %.2f, %d passes, value %d", c.getKey(), t, p, i)
                  .isCloseTo(expected[i], within(2e-6 * Math.max(1, scale)));
            }
          }
        }
      }
    }
  }

  /** The session's input buffer is reused: a pass that drops motion sees zeros even right after a run in which it did not. */
  @Test
  void aPassThatDropsMotionSeesZerosAfterARunThatKeptIt() {
    double[] ca = {1.5, -0.5};
    double[] cm = {1.0, 0.25};
    float[] x = latent(5);
    Path model = mixing("reuse", Map.of());
    try (VideoModel m = open(model); VideoModel ref = open(model)) {
      Tensor text = m.textEncoder().encode(PROMPTS.subList(0, 2));
      boolean[] drop = {false, true};
      float[] expected = reference(ref, x, 0.4, drop, text, ca, cm);
      float[] guided = new float[N];
      m.linearGuidance(x, 0.4, new boolean[] {false, false}, text, new GuidanceRule.Coefficients(ca, cm), guided);
      m.linearGuidance(x, 0.4, drop, text, new GuidanceRule.Coefficients(ca, cm), guided);
      for (int i = 0; i < N; i++) {
        assertThat((double) guided[i]).as("value %d", i).isCloseTo(expected[i], within(1e-5));
      }
    }
  }

  /** A graph limited to the passes' own batch runs them as one batch like a free one. */
  @Test
  void aGraphLimitedToThePassCountCombinesToo() {
    double[] ca = {2.0, -1.0};
    double[] cm = {0.5, 0.5};
    boolean[] drop = {false, true};
    float[] x = latent(9);
    try (VideoModel m = open(mixing("batch2", Map.of("batch", 2))); VideoModel ref = open(mixing("free", Map.of()))) {
      Tensor text = m.textEncoder().encode(PROMPTS.subList(1, 3));
      float[] expected = reference(ref, x, 0.6, drop, text, ca, cm);
      float[] guided = new float[N];
      assertThat(m.linearGuidance(x, 0.6, drop, text, new GuidanceRule.Coefficients(ca, cm), guided)).isTrue();
      for (int i = 0; i < N; i++) {
        assertThat((double) guided[i]).as("value %d", i).isCloseTo(expected[i], within(1e-5));
      }
    }
  }

  @Test
  void sizesThatDoNotMatchAreRefusedNamingThem() {
    double[] two = {1, 1};
    try (VideoModel m = open(mixing("sizes", Map.of()))) {
      Tensor text2 = m.textEncoder().encode(PROMPTS.subList(0, 2));
      Tensor text3 = m.textEncoder().encode(PROMPTS.subList(0, 3));
      GuidanceRule.Coefficients c = new GuidanceRule.Coefficients(two, two);
      boolean[] drop = {false, true};
      assertThatThrownBy(() -> m.linearGuidance(new float[N - 1], 0.5, drop, text2, c, new float[N]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got a latent of " + (N - 1));
      assertThatThrownBy(() -> m.linearGuidance(new float[N], 0.5, drop, text2, c, new float[N + 1]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a result of " + (N + 1));
      assertThatThrownBy(() -> m.linearGuidance(new float[N], 0.5, new boolean[3], text3, c, new float[N]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 coefficients");
      assertThatThrownBy(() -> m.linearGuidance(new float[N], 0.5, drop, text3, c, new float[N]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a text batch of 3");
    }
  }

  @Test
  void anotherLayoutOrABatchLimitedGraphLeavesItToTheCaller() {
    double[] ones = {1, 1};
    boolean[] drop = {false, true};
    try (VideoModel m = open(TestModels.linear(dir.resolve("btchw"), "BTCHW", false, Map.of()))) {
      int n = TestModels.C * TestModels.T * TestModels.H * TestModels.W;
      Tensor text = m.textEncoder().encode(PROMPTS.subList(0, 2));
      assertThat(m.linearGuidance(new float[n], 0.5, drop, text, new GuidanceRule.Coefficients(ones, ones), new float[n])).isFalse();
    }
    try (VideoModel m = open(mixing("batch1", Map.of("batch", 1)))) {
      Tensor text = m.textEncoder().encode(PROMPTS.subList(0, 2));
      assertThat(m.linearGuidance(new float[N], 0.5, drop, text, new GuidanceRule.Coefficients(ones, ones), new float[N])).isFalse();
    }
  }

  /** Every convention's conversion is affine in (output, state) with coefficients of t alone: what the fused path relies on. */
  @Test
  void affineCoefficientsReproduceEveryConversion() {
    List<Conventions> all = new ArrayList<>();
    for (String prediction : List.of("velocity", "epsilon", "sample")) {
      all.add(ConventionsUnitTest.of(Map.of("convention", "data_at_1"), "prediction", prediction));
      all.add(ConventionsUnitTest.of(Map.of("convention", "noise_at_1"), "prediction", prediction));
    }
    for (String prediction : List.of("epsilon", "v", "sample")) {
      all.add(ConventionsUnitTest.of(Map.of("convention", "vp", "betas", "squaredcos_cap_v2"), "prediction", prediction));
    }
    all.add(ConventionsUnitTest.of(Map.of("convention", "edm"), "prediction", "edm"));
    all.add(ConventionsUnitTest.of(Map.of("convention", "edm"), "prediction", "sample"));
    SplittableRandom r = new SplittableRandom(3);
    for (Conventions c : all) {
      for (double t : new double[] {0, 0.01, 0.3, 0.5, 0.5001, 0.9, 0.999, 1}) {
        float[] ab = c.affine(t);
        float[] out = new float[64];
        float[] x = new float[64];
        for (int i = 0; i < out.length; i++) {
          out[i] = (float) r.nextGaussian();
          x[i] = (float) r.nextGaussian();
        }
        float[] v = out.clone();
        c.toVelocity(v, x, t);
        for (int i = 0; i < out.length; i++) {
          double expected = v[i];
          double tol = 1e-5 * (Math.abs(ab[0] * out[i]) + Math.abs(ab[1] * x[i]) + 1);
          assertThat((double) ab[0] * out[i] + (double) ab[1] * x[i]).as("%s at t %s", c, t).isCloseTo(expected, within(tol));
        }
      }
    }
  }

  /** The graph session's own default (through heap arrays) and ONNX Runtime's pinned buffers give the same run. */
  @Test
  void theDefaultInPlaceRunEqualsTheBackendsOwn() {
    Path model = mixing("plain", Map.of());
    io.videojam.api.GraphSession ort = new OrtBackend(OrtBackend.Device.CPU).open(model.resolve("denoiser.onnx"), BackendOptions.defaults());
    try (ort) {
      io.videojam.api.GraphSession general = new io.videojam.api.GraphSession() {
        @Override
        public List<io.videojam.api.TensorInfo> inputs() {
          return ort.inputs();
        }

        @Override
        public List<io.videojam.api.TensorInfo> outputs() {
          return ort.outputs();
        }

        @Override
        public Map<String, Tensor> run(Map<String, Tensor> inputs, List<String> outputNames) {
          return ort.run(inputs, outputNames);
        }

        @Override
        public long runNanos() {
          return 0;
        }

        @Override
        public long runCount() {
          return 0;
        }

        @Override
        public void close() {}
      };
      long[] shape = {2, TestModels.C, T, H, W};
      float[] x = latent(11);
      Map<String, Tensor> other = new HashMap<>();
      other.put("t", new FloatTensor(new long[] {2}, new float[] {0.25f, 0.75f}));
      other.put("text", new io.videojam.api.LongTensor(new long[] {2, TestModels.L}, new long[] {2, 3, 0, 0, 4, 5, 2, 0}));
      float[][] results = new float[2][];
      int i = 0;
      for (io.videojam.api.GraphSession s : List.of(general, ort)) {
        int which = i++;
        s.runInPlace(other, "x", shape, in -> {
          in.put(0, x, 0, N);
          in.put(N, x, 0, N);
        }, "v", shape, out -> {
          results[which] = new float[2 * N];
          out.get(0, results[which]);
        });
      }
      assertThat(results[1]).containsExactly(results[0]);
      // and the rows differ by the time and text terms only: BETA (0.75 - 0.25) + GAMMA (4 + 5 + 2 - 2 - 3)
      assertThat((double) (results[1][N + 5] - results[1][5])).isCloseTo(TestModels.BETA * 0.5 + TestModels.GAMMA * 6, within(1e-5));
    }
  }
}
