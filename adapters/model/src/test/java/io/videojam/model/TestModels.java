package io.videojam.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small analytic ONNX models whose outputs the tests compute by hand. Latent: 2 appearance + 1
 * motion channels, T = 2, H = 1, W = 2 unless said otherwise; text: 4 int64 token ids.
 */
public final class TestModels {
  public static final int CA = 2;
  public static final int CM = 1;
  public static final int C = CA + CM;
  public static final int T = 2;
  public static final int H = 1;
  public static final int W = 2;
  public static final int L = 4;
  public static final float BETA = 0.5f;
  public static final float GAMMA = 0.01f;

  private TestModels() {}

  /** K[c][t] = 1 + c + 0.25 t: a distinct factor per channel and frame. */
  public static float k(int c, int t) {
    return 1f + c + 0.25f * t;
  }

  /** The channel mixing matrix of {@link #mixing}: M[o][i]. */
  public static final float[][] MIX = {{1f, 0.5f, -1f}, {0f, 2f, 0.25f}, {-0.5f, 0f, 1.5f}};

  /**
   * out = x * K + BETA * time + GAMMA * sum(text), with K indexed by (c, t); in layout BCTHW or
   * BTCHW; time input float [B] (or int64 [B] when {@code intTime}).
   */
  public static Path linear(Path dir, String layout, boolean intTime, Map<String, Object> denoiserExtra) {
    boolean btchw = layout.equals("BTCHW");
    GraphBuilder g = new GraphBuilder("linear", 17);
    String x = btchw ? g.input("x", ElementType.FLOAT, "B", T, C, H, W) : g.input("x", ElementType.FLOAT, "B", C, T, H, W);
    String t = g.input("t", intTime ? ElementType.INT64 : ElementType.FLOAT, "B");
    String text = g.input("text", ElementType.INT64, "B", L);
    float[] kv = new float[C * T];
    for (int c = 0; c < C; c++) {
      for (int f = 0; f < T; f++) {
        kv[btchw ? f * C + c : c * T + f] = k(c, f);
      }
    }
    String kc = btchw ? g.constant("K", kv, 1, T, C, 1, 1) : g.constant("K", kv, 1, C, T, 1, 1);
    String tf = intTime ? g.op("Cast", Map.of("to", 1L), t) : t;
    String t5 = g.op("Reshape", tf, g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5));
    String s = g.op("ReduceSum", Map.of("keepdims", 0L), g.op("Cast", Map.of("to", 1L), text), g.constant("axis1", new long[] {1}, 1));
    String s5 = g.op("Reshape", s, "shape5");
    String out = g.op("Add", g.op("Add", g.op("Mul", x, kc), g.op("Mul", t5, g.scalar(BETA))), g.op("Mul", s5, g.scalar(GAMMA)));
    if (btchw) {
      g.output("v", out, ElementType.FLOAT, "B", T, C, H, W);
    } else {
      g.output("v", out, ElementType.FLOAT, "B", C, T, H, W);
    }
    return write(dir, g, layout, denoiserExtra);
  }

  /** out[b, o] = sum_i MIX[o][i] x[b, i] + GAMMA * sum(text): mixes motion into appearance and back. */
  public static Path mixing(Path dir) {
    GraphBuilder g = new GraphBuilder("mixing", 17);
    String x = g.input("x", ElementType.FLOAT, "B", C, T, H, W);
    g.input("t", ElementType.FLOAT, "B");
    String text = g.input("text", ElementType.INT64, "B", L);
    float[] mt = new float[C * C];
    for (int o = 0; o < C; o++) {
      for (int i = 0; i < C; i++) {
        mt[i * C + o] = MIX[o][i];
      }
    }
    String last = g.op("Transpose", Map.of("perm", new long[] {0, 2, 3, 4, 1}), x);
    String mixed = g.op("Transpose", Map.of("perm", new long[] {0, 4, 1, 2, 3}), g.op("MatMul", last, g.constant("Mt", mt, C, C)));
    String s = g.op("ReduceSum", Map.of("keepdims", 0L), g.op("Cast", Map.of("to", 1L), text), g.constant("axis1", new long[] {1}, 1));
    String s5 = g.op("Reshape", s, g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5));
    g.output("v", g.op("Add", mixed, g.op("Mul", s5, g.scalar(GAMMA))), ElementType.FLOAT, "B", C, T, H, W);
    return write(dir, g, "BCTHW", Map.of());
  }

  /** out = x * 0 + 1 / (t - 0.5): Inf when t = 0.5 exactly. */
  public static Path infAtHalf(Path dir) {
    GraphBuilder g = new GraphBuilder("inf", 17);
    String x = g.input("x", ElementType.FLOAT, "B", C, T, H, W);
    String t = g.input("t", ElementType.FLOAT, "B");
    g.input("text", ElementType.INT64, "B", L);
    String r = g.op("Reciprocal", g.op("Sub", t, g.scalar(0.5f)));
    String r5 = g.op("Reshape", r, g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5));
    g.output("v", g.op("Add", g.op("Mul", x, g.scalar(0f)), r5), ElementType.FLOAT, "B", C, T, H, W);
    return write(dir, g, "BCTHW", Map.of());
  }

  /** The clip of {@link #pointMass}, BCTHW for batch 1: C * T * H * W = 12 values. */
  public static final float[] MU = {0.75f, -0.5f, 1.25f, 0.1f, -1f, 0.3f, 0.6f, -0.2f, 0.9f, -0.8f, 0.05f, 0.4f};

  /**
   * out = (MU - x) / (1 - t): the exact flow-matching velocity of data that is always the one clip MU
   * (x_t = t MU + (1 - t) x0, so x1 - x0 = (MU - x_t) / (1 - t)). Its flow from any noise ends at
   * exactly MU, and so does every solver that never evaluates at t = 1 (Euler's last step has
   * dt = 1 - t). A model fed 1 - t instead of t divides by zero at the first step.
   */
  public static Path pointMass(Path dir) {
    GraphBuilder g = new GraphBuilder("point-mass", 17);
    String x = g.input("x", ElementType.FLOAT, "B", C, T, H, W);
    String t = g.input("t", ElementType.FLOAT, "B");
    g.input("text", ElementType.INT64, "B", L);
    String mu = g.constant("MU", MU, 1, C, T, H, W);
    String t5 = g.op("Reshape", t, g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5));
    String out = g.op("Div", g.op("Sub", mu, x), g.op("Sub", g.scalar(1f), t5));
    g.output("v", out, ElementType.FLOAT, "B", C, T, H, W);
    return write(dir, g, "BCTHW", Map.of());
  }

  /**
   * out = x * 0 + 2 t: the flow moves every element by exactly 1 from t = 0 to 1; Euler on n
   * uniform steps moves it by sum_i (1 / n) 2 (i / n) = (n - 1) / n.
   */
  public static Path timeRamp(Path dir) {
    GraphBuilder g = new GraphBuilder("time-ramp", 17);
    String x = g.input("x", ElementType.FLOAT, "B", C, T, H, W);
    String t = g.input("t", ElementType.FLOAT, "B");
    g.input("text", ElementType.INT64, "B", L);
    String t5 = g.op("Reshape", t, g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5));
    String out = g.op("Add", g.op("Mul", x, g.scalar(0f)), g.op("Mul", t5, g.scalar(2f)));
    g.output("v", out, ElementType.FLOAT, "B", C, T, H, W);
    return write(dir, g, "BCTHW", Map.of());
  }

  static Path write(Path dir, GraphBuilder g, String layout, Map<String, Object> denoiserExtra) {
    try {
      Files.createDirectories(dir);
      OnnxModels.write(g.build(), dir.resolve("denoiser.onnx"));
      Files.write(dir.resolve("vocab.txt"), List.of("<pad>", "<unk>", "red", "ball", "moving", "left"));
      Map<String, Object> den = new LinkedHashMap<>();
      den.put("onnx", "denoiser.onnx");
      den.put("inputs", Map.of("latent", "x", "time", "t", "text", "text"));
      den.put("outputs", Map.of("velocity", "v"));
      den.put("layout", layout);
      den.putAll(denoiserExtra);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("format", 1);
      m.put("name", "analytic");
      m.put("denoiser", den);
      m.put("channels", Map.of("appearance", CA, "motion", CM));
      m.put("video", Map.of("frames", T, "height", H, "width", W, "fps", 4));
      m.put("codec", Map.of("type", "identity"));
      m.put("text", Map.of("type", "word-vocab", "vocab", "vocab.txt", "max-tokens", L));
      m.put("motion", Map.of("representation", "flow-rgb", "sigma", 0.15));
      new ObjectMapper().writeValue(dir.resolve("model.json").toFile(), m);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Edits model.json with {@code edit} applied to the parsed map. */
  @SuppressWarnings("unchecked")
  public static void editJson(Path dir, java.util.function.Consumer<Map<String, Object>> edit) {
    try {
      ObjectMapper om = new ObjectMapper();
      Map<String, Object> m = om.readValue(dir.resolve("model.json").toFile(), Map.class);
      edit.accept(m);
      om.writeValue(dir.resolve("model.json").toFile(), m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
