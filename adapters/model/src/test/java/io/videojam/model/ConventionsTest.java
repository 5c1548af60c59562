package io.videojam.model;

import static io.videojam.model.TestModels.BETA;
import static io.videojam.model.TestModels.C;
import static io.videojam.model.TestModels.GAMMA;
import static io.videojam.model.TestModels.H;
import static io.videojam.model.TestModels.T;
import static io.videojam.model.TestModels.W;
import static io.videojam.model.TestModels.k;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.Tensor;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each model.json convention, run through ONNX Runtime on an analytic graph
 * out = x * K[c, t] + BETA * time_in + GAMMA * sum(token ids), against the conversion written out by hand.
 */
class ConventionsTest {
  @TempDir
  Path dir;

  static final int B = 2;

  /** x[b, c, f, h, w] = 0.1 b - 0.3 c + 0.7 f + 0.05 (h * W + w) - 0.2, in BCTHW order. */
  static FloatTensor x() {
    float[] d = new float[B * C * T * H * W];
    int i = 0;
    for (int b = 0; b < B; b++) {
      for (int c = 0; c < C; c++) {
        for (int f = 0; f < T; f++) {
          for (int p = 0; p < H * W; p++) {
            d[i++] = 0.1f * b - 0.3f * c + 0.7f * f + 0.05f * p - 0.2f;
          }
        }
      }
    }
    return new FloatTensor(new long[] {B, C, T, H, W}, d);
  }

  interface Expected {
    double u(double x, double modelOut, double t);
  }

  /** Runs the model at framework time t and checks every element against {@code expected(x, rawOut, t)}. */
  void check(Path model, double t, double modelTime, Expected expected) {
    try (VideoModel m = Models.open(model, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
      Tensor text = m.textEncoder().encode(List.of("red ball", "moving left red"));
      double[] sums = {2 + 3, 4 + 5 + 2};
      FloatTensor x = x();
      FloatTensor u = m.velocity(x, t, text);
      assertThat(u.shape()).containsExactly(B, C, T, H, W);
      int i = 0;
      for (int b = 0; b < B; b++) {
        for (int c = 0; c < C; c++) {
          for (int f = 0; f < T; f++) {
            for (int p = 0; p < H * W; p++, i++) {
              double raw = x.data()[i] * k(c, f) + BETA * modelTime + GAMMA * sums[b];
              assertThat((double) u.data()[i]).as("b%d c%d t%d p%d", b, c, f, p).isCloseTo(expected.u(x.data()[i], raw, t), within(2e-4));
            }
          }
        }
      }
    }
  }

  @Test
  void dataAt1VelocityIsTakenAsIsWithTimeScale() {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of("time", Map.of("convention", "data_at_1", "scale", 1000.0)));
    check(m, 0.3, 300, (x, raw, t) -> raw);
  }

  @Test
  void noiseAt1VelocityIsNegatedAndTimeIsSigma() {
    // SD3/Wan: sigma = 1 - t, the model predicts noise - data = -(data - noise)
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of("time", Map.of("convention", "noise_at_1", "scale", 1.0)));
    check(m, 0.3, 0.7, (x, raw, t) -> -raw);
  }

  @Test
  void noiseAt1WithIntegerTimestepsScaledBy1000() {
    Path m = TestModels.linear(dir, "BCTHW", true, Map.of("time", Map.of("convention", "noise_at_1", "scale", 1000.0)));
    check(m, 0.2504, 750, (x, raw, t) -> -raw); // round((1 - 0.2504) * 1000) = 750
  }

  @Test
  void epsilonPredictionBecomesVelocity() {
    // x_t = t x1 + (1 - t) eps  =>  u = x1 - eps = (x_t - eps) / t
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of("prediction", "epsilon"));
    check(m, 0.4, 0.4, (x, raw, t) -> (x - raw) / 0.4);
  }

  @Test
  void epsilonPredictionIsClampedAtTheNoiseEnd() {
    // u = (x_t - eps_hat) / max(t, prediction-eps): at t = 0 (pure noise, where every sampler starts)
    // the exact conversion divides by zero; below the clamp the divisor is the clamp, above it t
    Path m = TestModels.linear(dir.resolve("default"), "BCTHW", false, Map.of("prediction", "epsilon"));
    check(m, 0.0, 0.0, (x, raw, t) -> (x - raw) / 0.05); // the default clamp, 0.05
    check(m, 0.03, 0.03, (x, raw, t) -> (x - raw) / 0.05);
    check(m, 0.05, 0.05, (x, raw, t) -> (x - raw) / 0.05);
    check(m, 0.07, 0.07, (x, raw, t) -> (x - raw) / 0.07);
    Path wide = TestModels.linear(dir.resolve("wide"), "BCTHW", false, Map.of("prediction", "epsilon", "prediction-eps", 0.2));
    check(wide, 0.0, 0.0, (x, raw, t) -> (x - raw) / 0.2);
    check(wide, 0.1, 0.1, (x, raw, t) -> (x - raw) / 0.2);
    check(wide, 0.5, 0.5, (x, raw, t) -> (x - raw) / 0.5);
  }

  @Test
  void samplePredictionBecomesVelocityWithItsClamp() {
    // u = (x1_hat - x_t) / max(1 - t, eps)
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of("prediction", "sample", "prediction-eps", 0.05));
    check(m, 0.25, 0.25, (x, raw, t) -> (raw - x) / 0.75);
    check(m, 0.99, 0.99, (x, raw, t) -> (raw - x) / 0.05);
  }

  @Test
  void aGraphLimitedToOneSampleRunsEachSampleWithItsOwnPrompt() {
    // "batch": 1 runs the two samples one at a time: each must get its own latent rows and its own
    // prompt's token ids (the text term GAMMA * sum(ids) differs: 5 and 11)
    Path m = TestModels.linear(dir.resolve("one"), "BCTHW", false, Map.of("batch", 1, "time", Map.of("scale", 1000.0)));
    check(m, 0.3, 300, (x, raw, t) -> raw);
  }

  @Test
  void aGraphLimitedToTwoSamplesRunsThreeAsTwoChunksLikeAFreeBatchGraph() {
    Path limited = TestModels.linear(dir.resolve("two"), "BCTHW", false, Map.of("batch", 2, "prediction", "epsilon"));
    Path free = TestModels.linear(dir.resolve("free"), "BCTHW", false, Map.of("batch", "dynamic", "prediction", "epsilon"));
    float[] x = new float[3 * C * T * H * W];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(0.7 * i) - 0.2f;
    }
    FloatTensor latent = new FloatTensor(new long[] {3, C, T, H, W}, x);
    List<String> prompts = List.of("red", "ball moving", "left left red");
    float[][] out = new float[2][];
    int k = 0;
    for (Path m : List.of(limited, free)) {
      try (VideoModel v = Models.open(m, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
        out[k++] = v.velocity(latent, 0.6, v.textEncoder().encode(prompts)).data();
      }
    }
    assertThat(out[0]).containsExactly(out[1]);
    // and the third sample is its own: its prompt sum (5 + 5 + 2 = 12) is in its output, (x - raw) / t
    int per = C * T * H * W;
    double raw = x[2 * per] * k(0, 0) + BETA * 0.6 + GAMMA * 12;
    assertThat((double) out[0][2 * per]).isCloseTo((x[2 * per] - raw) / 0.6, within(2e-4));
  }

  @Test
  void aLatentOfTheWrongShapeIsRefused() {
    Path m = TestModels.linear(dir.resolve("shape"), "BCTHW", false, Map.of());
    try (VideoModel v = Models.open(m, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
      Tensor text = v.textEncoder().encode(List.of("red"));
      for (long[] dims : new long[][] {{1, C + 1, T, H, W}, {1, C, T + 1, H, W}, {1, C, T, H + 1, W}, {1, C, T, H, W + 1}, {1, C, T, H * W}}) {
        FloatTensor bad = new FloatTensor(dims, new float[(int) io.videojam.api.Shapes.count(dims)]);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.velocity(bad, 0.5, text))
            .as(java.util.Arrays.toString(dims)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match model");
      }
      FloatTensor ok = new FloatTensor(new long[] {1, C, T, H, W}, new float[C * T * H * W]);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> v.velocity(ok, 0.5, text, new float[3]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not match model");
    }
  }

  @Test
  void aScalarTimeInputGetsOneTimeForTheWholeBatch() {
    // the linear graph with t of rank 0 (one time for all samples), in float and in int64
    for (boolean intTime : new boolean[] {false, true}) {
      io.videojam.onnx.GraphBuilder g = new io.videojam.onnx.GraphBuilder("scalar-time", 17);
      String x = g.input("x", io.videojam.api.TensorInfo.ElementType.FLOAT, "B", C, T, H, W);
      String t = g.input("t", intTime ? io.videojam.api.TensorInfo.ElementType.INT64 : io.videojam.api.TensorInfo.ElementType.FLOAT);
      String text = g.input("text", io.videojam.api.TensorInfo.ElementType.INT64, "B", TestModels.L);
      float[] kv = new float[C * T];
      for (int c = 0; c < C; c++) {
        for (int f = 0; f < T; f++) {
          kv[c * T + f] = k(c, f);
        }
      }
      String tf = intTime ? g.op("Cast", Map.of("to", 1L), t) : t;
      // the sum of all time values: t for the one scalar the graph declares (n t for a vector of n)
      String t5 = g.op("ReduceSum", Map.of("keepdims", 0L), tf);
      String s = g.op("ReduceSum", Map.of("keepdims", 0L), g.op("Cast", Map.of("to", 1L), text), g.constant("axis1", new long[] {1}, 1));
      String s5 = g.op("Reshape", s, g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5));
      String out = g.op("Add", g.op("Add", g.op("Mul", x, g.constant("K", kv, 1, C, T, 1, 1)), g.op("Mul", t5, g.scalar(BETA))),
          g.op("Mul", s5, g.scalar(GAMMA)));
      g.output("v", out, io.videojam.api.TensorInfo.ElementType.FLOAT, "B", C, T, H, W);
      Path m = TestModels.write(dir.resolve("scalar-" + intTime), g, "BCTHW", Map.of("time", Map.of("scale", 1000.0)));
      check(m, 0.25, 250, (x1, raw, t1) -> raw);
      // one time value at any batch: the load-time probe at batch 2 runs, so passes batch freely
      try (VideoModel v = Models.open(m, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
        assertThat(((OnnxVideoModel) v).notes()).as("int64 %s", intTime).isEmpty();
      }
    }
  }

  @Test
  void btchwLayoutIsTransposedBothWays() {
    // K is stored [1, T, C, 1, 1] in the graph; a wrong transpose would pair x[c, f] with K[f, c]
    Path m = TestModels.linear(dir, "BTCHW", false, Map.of());
    check(m, 0.6, 0.6, (x, raw, t) -> raw);
  }

  @Test
  void swapAxesIsItsOwnInverseAndMovesElementsWhereExpected() {
    float[] in = new float[2 * 3 * 4 * 5];
    for (int i = 0; i < in.length; i++) {
      in[i] = i;
    }
    float[] out = io.videojam.onnx.LatentLayout.BTCHW.convert(in, 2, 3, 4, 5, true);
    // element [b=1, c=2, f=3, p=4] of [2,3,4,5] goes to [1, 3, 2, 4] of [2,4,3,5]
    assertThat(out[((1 * 4 + 3) * 3 + 2) * 5 + 4]).isEqualTo(in[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
    assertThat(io.videojam.onnx.LatentLayout.BTCHW.convert(out, 2, 3, 4, 5, false)).containsExactly(in);
  }
}
