package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a small DiT-style dual-IO video denoiser as an ONNX graph (opset 17).
 *
 * <p>Graph contract:
 *
 * <ul>
 *   <li>input {@code x}: float {@code [B, C_a + C_m, T, H, W]}, the noisy joint latent
 *       (appearance channels first, motion last); B is the symbolic dimension {@code "B"}
 *   <li>input {@code t}: float {@code [B]}, time in [0, 1] (t = 0 noise, t = 1 data)
 *   <li>input {@code text}: int64 {@code [B, L]} token ids, 0 = padding; row 0 of the embedding
 *       table is zero, so an all-zero row is the null prompt
 *   <li>output {@code v}: float {@code [B, C_a + C_m, T, H, W]}, the velocity
 * </ul>
 *
 * <p>Body: patchify to tokens {@code [B, N, C*pt*p*p]} (patch values ordered {@code (c, dt, dy,
 * dx)}, so the motion rows of W_in are the last {@code C_m*pt*p*p} rows), W_in ({@value #W_IN})
 * + bias + positional embedding; condition {@code c = MLP(sinusoid(1000 t)) + mean_L
 * text_embed[text]}; {@code depth} blocks of adaLN-modulated (shift, scale, gate from SiLU(c))
 * multi-head self-attention over all tokens and a GELU MLP; final adaLN and W_out ({@value
 * #W_OUT}); unpatchify. Samples in a batch never interact.
 *
 * <p>Weights are stored {@code [in, out]} and named as {@link #weightSpecs} lists. Missing weights
 * are drawn from {@link java.util.Random} seeded by the config seed and the weight's name (std
 * 1/sqrt(fan_in) for matrices, 0.02 for biases, 1 for the text table, sinusoidal for {@code
 * pos_embed}), so the same config always gives a byte-identical file.
 */
public final class DitBuilder {
  /** The input projection W_in, {@code [C*pt*p*p, D]}. */
  public static final String W_IN = "patch_embed.weight";
  /** The bias of W_in, {@code [D]}. */
  public static final String W_IN_BIAS = "patch_embed.bias";
  /** The output projection W_out, {@code [D, C*pt*p*p]}. */
  public static final String W_OUT = "final.proj.weight";
  /** The bias of W_out, {@code [C*pt*p*p]}. */
  public static final String W_OUT_BIAS = "final.proj.bias";
  /** The text token embedding table, {@code [V, D]}; row 0 must be zero. */
  public static final String TEXT_EMBED = "text_embed.weight";
  /** The positional embedding, {@code [N, D]}. */
  public static final String POS_EMBED = "pos_embed";

  /** Graph input and output names. */
  public static final String X = "x", T = "t", TEXT = "text", V = "v";

  /** The opset the graph imports. */
  public static final int OPSET = 17;

  private static final float BIAS_STD = 0.02f;
  private static final float LN_EPS = 1e-6f;

  private DitBuilder() {}

  /** The model with seeded random weights. */
  public static OnnxMl.ModelProto build(DitConfig cfg) {
    return build(cfg, Map.of());
  }

  /** Builds the model and writes it atomically to {@code file}. */
  public static void write(DitConfig cfg, Path file) {
    OnnxModels.write(build(cfg), file);
  }

  /** The weights the graph holds, in graph order, with their shapes. */
  public static List<WeightSpec> weightSpecs(DitConfig cfg) {
    long d = cfg.hiddenSize();
    long p = cfg.patchDim();
    long mlp = d * cfg.mlpRatio();
    List<WeightSpec> s = new ArrayList<>();
    s.add(new WeightSpec(W_IN, new long[] {p, d}));
    s.add(new WeightSpec(W_IN_BIAS, new long[] {d}));
    s.add(new WeightSpec(POS_EMBED, new long[] {cfg.tokens(), d}));
    s.add(new WeightSpec("time_embed.fc1.weight", new long[] {d, d}));
    s.add(new WeightSpec("time_embed.fc1.bias", new long[] {d}));
    s.add(new WeightSpec("time_embed.fc2.weight", new long[] {d, d}));
    s.add(new WeightSpec("time_embed.fc2.bias", new long[] {d}));
    s.add(new WeightSpec(TEXT_EMBED, new long[] {cfg.vocabSize(), d}));
    for (int i = 0; i < cfg.depth(); i++) {
      String b = "blocks." + i + ".";
      s.add(new WeightSpec(b + "adaLN.weight", new long[] {d, 6 * d}));
      s.add(new WeightSpec(b + "adaLN.bias", new long[] {6 * d}));
      for (String proj : new String[] {"q", "k", "v", "out"}) {
        s.add(new WeightSpec(b + "attn." + proj + ".weight", new long[] {d, d}));
        s.add(new WeightSpec(b + "attn." + proj + ".bias", new long[] {d}));
      }
      s.add(new WeightSpec(b + "mlp.fc1.weight", new long[] {d, mlp}));
      s.add(new WeightSpec(b + "mlp.fc1.bias", new long[] {mlp}));
      s.add(new WeightSpec(b + "mlp.fc2.weight", new long[] {mlp, d}));
      s.add(new WeightSpec(b + "mlp.fc2.bias", new long[] {d}));
    }
    s.add(new WeightSpec("final.adaLN.weight", new long[] {d, 2 * d}));
    s.add(new WeightSpec("final.adaLN.bias", new long[] {2 * d}));
    s.add(new WeightSpec(W_OUT, new long[] {d, p}));
    s.add(new WeightSpec(W_OUT_BIAS, new long[] {p}));
    return List.copyOf(s);
  }

  /** The default (seeded) initial weights by name, as {@link #build(DitConfig)} writes them. */
  public static Map<String, float[]> initialWeights(DitConfig cfg) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (WeightSpec w : weightSpecs(cfg)) {
      out.put(w.name(), initial(cfg, w));
    }
    return out;
  }

  /**
   * The model with explicit weights by name (see {@link #weightSpecs}); names not given are
   * seeded random as in {@link #build(DitConfig)}.
   *
   * @throws VideoJamException for an unknown name, a wrong size, or a text table whose row 0 is
   *     not zero
   */
  public static OnnxMl.ModelProto build(DitConfig cfg, Map<String, float[]> weights) {
    List<WeightSpec> specs = weightSpecs(cfg);
    Map<String, WeightSpec> byName = new HashMap<>();
    specs.forEach(w -> byName.put(w.name(), w));
    for (Map.Entry<String, float[]> e : weights.entrySet()) {
      WeightSpec w = byName.get(e.getKey());
      if (w == null) {
        throw new VideoJamException("DiT weights: unknown weight '" + e.getKey()
            + "' (expected one of the names of DitBuilder.weightSpecs)");
      }
      if (e.getValue().length != w.size()) {
        throw new VideoJamException("DiT weights: '" + w + "' needs " + w.size()
            + " values, got " + e.getValue().length);
      }
    }
    float[] table = weights.get(TEXT_EMBED);
    if (table != null) {
      for (int j = 0; j < cfg.hiddenSize(); j++) {
        if (table[j] != 0f) {
          throw new VideoJamException("DiT weights: row 0 of '" + TEXT_EMBED
              + "' must be all zeros (token 0 is padding / the null prompt)");
        }
      }
    }

    GraphBuilder g = new GraphBuilder("videojam_dit", OPSET);
    for (WeightSpec w : specs) {
      float[] v = weights.get(w.name());
      g.constant(w.name(), v != null ? v : initial(cfg, w), w.shape());
    }
    new Graph(cfg, g).body();
    g.docString("VideoJAM DiT-style dual-IO video denoiser: x[B," + cfg.channels() + ","
        + cfg.frames() + "," + cfg.height() + "," + cfg.width() + "] (appearance "
        + cfg.appearanceChannels() + " + motion " + cfg.motionChannels()
        + " channels), t[B] in [0,1] (1 = data), text[B," + cfg.maxTextTokens()
        + "] int64 ids (0 = padding) -> velocity v, same shape as x. Weights are [in, out].");
    OnnxMl.ModelProto model = g.build();
    OnnxMl.ModelProto.Builder mb = model.toBuilder();
    meta(mb, "videojam.appearance_channels", cfg.appearanceChannels());
    meta(mb, "videojam.motion_channels", cfg.motionChannels());
    meta(mb, "videojam.patch", cfg.temporalPatchSize() + "x" + cfg.patchSize() + "x" + cfg.patchSize());
    meta(mb, "videojam.w_in", W_IN);
    meta(mb, "videojam.w_out", W_OUT);
    return mb.build();
  }

  // ---------------------------------------------------------------------------------------------

  private static void meta(OnnxMl.ModelProto.Builder mb, String key, Object value) {
    mb.addMetadataProps(
        OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(String.valueOf(value)));
  }

  /** The default initial values of one weight, from a Random seeded by (seed, name). */
  private static float[] initial(DitConfig cfg, WeightSpec w) {
    long[] shape = w.shape();
    float[] v = new float[Math.toIntExact(w.size())];
    if (w.name().equals(POS_EMBED)) {
      sinusoidal(v, (int) shape[0], (int) shape[1]);
      return v;
    }
    Random rnd = new Random(mix(cfg.seed(), w.name()));
    double std =
        w.name().equals(TEXT_EMBED) ? 1.0
            : shape.length == 1 ? BIAS_STD
            : 1.0 / StrictMath.sqrt(shape[0]);
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextGaussian() * std);
    }
    int cols = (int) shape[shape.length - 1];
    if (w.name().equals(TEXT_EMBED)) {
      java.util.Arrays.fill(v, 0, cols, 0f); // row 0: padding / null prompt
    }
    if (w.name().equals(W_IN) && cfg.motionInit() == DitConfig.MotionInit.ZERO) {
      int firstMotionRow = cfg.appearanceChannels() * cfg.temporalPatchSize() * cfg.patchSize()
          * cfg.patchSize();
      java.util.Arrays.fill(v, firstMotionRow * cols, v.length, 0f);
    }
    return v;
  }

  /** Standard 1-D sinusoidal embedding over the token index: sin in the first half, cos after. */
  private static void sinusoidal(float[] v, int n, int d) {
    int half = d / 2;
    for (int pos = 0; pos < n; pos++) {
      for (int k = 0; k < half; k++) {
        double a = pos * StrictMath.exp(-StrictMath.log(10000.0) * k / half);
        v[pos * d + k] = (float) StrictMath.sin(a);
        v[pos * d + half + k] = (float) StrictMath.cos(a);
      }
    }
  }

  private static long mix(long seed, String name) {
    long z = seed * 0x9E3779B97F4A7C15L + name.hashCode();
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The graph body, once the weights are initializers. */
  private static final class Graph {
    private final DitConfig c;
    private final GraphBuilder g;
    private final String axis1;
    private final String one;
    private final String lnScale;

    Graph(DitConfig c, GraphBuilder g) {
      this.c = c;
      this.g = g;
      this.axis1 = g.constant("const.axes_1", new long[] {1}, 1);
      this.one = g.scalar(1f);
      // LayerNormalization without affine: scale = ones[D] built at run time, so the only
      // rank >= 1 float initializers are the learned weights.
      String dShape = g.constant("const.shape_D", new long[] {c.hiddenSize()}, 1);
      this.lnScale = g.op("Expand", one, dShape);
    }

    void body() {
      int ch = c.channels(), p = c.patchSize(), pt = c.temporalPatchSize(), d = c.hiddenSize();
      int tp = c.frames() / pt, hp = c.height() / p, wp = c.width() / p;
      String x = g.input(X, ElementType.FLOAT, "B", ch, c.frames(), c.height(), c.width());
      String t = g.input(T, ElementType.FLOAT, "B");
      String text = g.input(TEXT, ElementType.INT64, "B", c.maxTextTokens());

      // condition c = MLP(sinusoid(1000 t)) + mean over L of text_embed[text]
      int half = d / 2;
      String k = g.op("Range", g.scalar(0f), g.scalar(half), one);
      String freqs = g.op("Exp", g.op("Mul", k, g.scalar((float) (-StrictMath.log(10000.0) / half))));
      String arg = g.op("Mul", g.op("Mul", g.op("Unsqueeze", t, axis1), g.scalar(1000f)), freqs);
      String feat = g.op("Concat", Map.of("axis", 1L), g.op("Sin", arg), g.op("Cos", arg));
      String temb = linear(silu(linear(feat, "time_embed.fc1")), "time_embed.fc2");
      String tokensEmb = g.op("Gather", Map.of("axis", 0L), TEXT_EMBED, text);
      String textEmb = g.op("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 0L), tokensEmb);
      String cond = silu(g.op("Add", temb, textEmb));

      // patchify [B,C,T,H,W] -> [B,N,C*pt*p*p] -> W_in + bias + pos
      String r = g.op("Reshape", x, shape("patchify", 0, ch, tp, pt, hp, p, wp, p));
      String tr = g.op("Transpose", Map.of("perm", new long[] {0, 2, 4, 6, 1, 3, 5, 7}), r);
      String tokens = g.op("Reshape", tr, shape("tokens", 0, c.tokens(), c.patchDim()));
      String h = g.op("Add", linear(tokens, "patch_embed"), POS_EMBED);

      String headShape = shape("heads", 0, 0, c.heads(), d / c.heads());
      String mergeShape = shape("merge_heads", 0, 0, d);
      String attnScale = g.scalar((float) (1.0 / StrictMath.sqrt((double) d / c.heads())));
      String geluScale = g.scalar(1.702f);
      for (int i = 0; i < c.depth(); i++) {
        String b = "blocks." + i + ".";
        List<String> m = modulation(cond, b + "adaLN", 6);
        // attention
        String a = modulate(h, m.get(0), m.get(1));
        String q = heads(linear(a, b + "attn.q"), headShape, 0, 2, 1, 3);
        String kk = heads(linear(a, b + "attn.k"), headShape, 0, 2, 3, 1);
        String v = heads(linear(a, b + "attn.v"), headShape, 0, 2, 1, 3);
        String s = g.op("Mul", g.op("MatMul", q, kk), attnScale);
        String o = g.op("MatMul", g.op("Softmax", Map.of("axis", -1L), s), v);
        o = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3}), o);
        o = linear(g.op("Reshape", o, mergeShape), b + "attn.out");
        h = g.op("Add", h, g.op("Mul", m.get(2), o));
        // MLP with GELU ~ x * sigmoid(1.702 x)
        String f = linear(modulate(h, m.get(3), m.get(4)), b + "mlp.fc1");
        f = g.op("Mul", f, g.op("Sigmoid", g.op("Mul", f, geluScale)));
        f = linear(f, b + "mlp.fc2");
        h = g.op("Add", h, g.op("Mul", m.get(5), f));
      }

      // final adaLN, W_out, unpatchify [B,N,C*pt*p*p] -> [B,C,T,H,W]
      List<String> m = modulation(cond, "final.adaLN", 2);
      String out = linear(modulate(h, m.get(0), m.get(1)), "final.proj");
      out = g.op("Reshape", out, shape("unpatchify", 0, tp, hp, wp, ch, pt, p, p));
      out = g.op("Transpose", Map.of("perm", new long[] {0, 4, 1, 5, 2, 6, 3, 7}), out);
      out = g.op("Reshape", out, shape("video", 0, ch, c.frames(), c.height(), c.width()));
      g.output(V, out, ElementType.FLOAT, "B", ch, c.frames(), c.height(), c.width());
    }

    /** {@code x @ prefix.weight + prefix.bias}. */
    private String linear(String x, String prefix) {
      return g.op("Add", g.op("MatMul", x, prefix + ".weight"), prefix + ".bias");
    }

    private String silu(String x) {
      return g.op("Mul", x, g.op("Sigmoid", x));
    }

    /** {@code parts} chunks of {@code linear(cond)}, each unsqueezed to [B, 1, D]. */
    private List<String> modulation(String cond, String prefix, int parts) {
      List<String> chunks = g.ops("Split", parts, Map.of("axis", 1L), linear(cond, prefix));
      return chunks.stream().map(s -> g.op("Unsqueeze", s, axis1)).toList();
    }

    /** {@code LayerNorm(x) * (1 + scale) + shift}. */
    private String modulate(String x, String shift, String scale) {
      String n = g.op("LayerNormalization", Map.of("axis", -1L, "epsilon", LN_EPS), x, lnScale);
      return g.op("Add", g.op("Mul", n, g.op("Add", scale, one)), shift);
    }

    /** [B, N, D] -> [B, N, heads, Dh] -> transposed by {@code perm}. */
    private String heads(String x, String headShape, long... perm) {
      return g.op("Transpose", Map.of("perm", perm), g.op("Reshape", x, headShape));
    }

    private String shape(String name, long... dims) {
      return g.constant("const.shape_" + name, dims, dims.length);
    }
  }
}
