package io.videojam.onnx;

import static io.videojam.api.TensorInfo.ElementType.FLOAT;
import static io.videojam.onnx.ExtenderGraphs.D;
import static io.videojam.onnx.ExtenderGraphs.L;
import static io.videojam.onnx.ExtenderGraphs.body;
import static io.videojam.onnx.ExtenderGraphs.cond;
import static io.videojam.onnx.ExtenderGraphs.gauss;
import static io.videojam.onnx.ExtenderGraphs.w;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The export patterns of real video transformers, rebuilt small: sizes computed from Shape nodes
 * (every PyTorch export with a dynamic batch), CogVideoX's [B, T, C, H, W] latent with a per-frame
 * Conv2d and text tokens concatenated into the sequence, LTX's [B, N, C] token sequence with Gemm
 * projections, and Squeeze/Unsqueeze around the projections. Extended, each must compute exactly
 * what the base computed for any motion input, at batch 2 and 1, in ONNX Runtime.
 */
class ExportPatternsTest {
  static final int C = 4;

  /** A graph and how its latent is laid out. */
  record Pattern(String label, OnnxMl.ModelProto model, LatentLayout layout, int t, int h, int w) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<Pattern> patterns() {
    return Stream.of(dynamicPatchify(), cogvideoxLike(), ltxTokens(), squeezedConv3d());
  }

  /** Shape(x)[i] as a [1] int64 tensor. */
  static String size(GraphBuilder g, String x, int axis) {
    return g.op("Gather", g.op("Shape", x), g.constant("ax" + axis + "_" + x.hashCode() + "_" + Math.abs(new Random().nextInt()),
        new long[] {axis}, 1));
  }

  static String cat(GraphBuilder g, String... parts) {
    return g.op("Concat", Map.of("axis", 0L), parts);
  }

  static String k(GraphBuilder g, long v) {
    return g.constant("k" + v + "_" + Math.abs(new Random().nextLong()), new long[] {v}, 1);
  }

  static String inputs(GraphBuilder g, Random r) {
    String t = g.input("timestep", FLOAT, "batch");
    String txt = g.input("encoder_hidden_states", FLOAT, "batch", L, D);
    return cond(g, r, t, txt);
  }

  /** Wan/Hunyuan-style MatMul patchify on [B, C, T, H, W], every size from Shape(x); unpatchify to Shape(x). */
  static Pattern dynamicPatchify() {
    Random r = new Random(21);
    GraphBuilder g = new GraphBuilder("dynamic", 17);
    String x = g.input("hidden_states", FLOAT, "batch", C, 4, 8, 8);
    String cnd = inputs(g, r);
    String b = size(g, x, 0);
    String c = size(g, x, 1);
    String t = size(g, x, 2);
    String hp = g.op("Div", size(g, x, 3), k(g, 2));
    String wp = g.op("Div", size(g, x, 4), k(g, 2));
    String r1 = g.op("Reshape", x, cat(g, b, c, t, hp, k(g, 2), wp, k(g, 2)));
    String tr = g.op("Transpose", Map.of("perm", new long[] {0, 2, 3, 5, 1, 4, 6}), r1);
    String tok = g.op("Reshape", tr, cat(g, b, g.op("Mul", t, g.op("Mul", hp, wp)), g.op("Mul", c, k(g, 4))));
    String h = g.op("Add", g.op("MatMul", tok, w(g, r, "patch.w", C * 4, D)), w(g, r, "patch.b", D));
    h = body(g, r, h, cnd);
    String out = g.op("Add", g.op("MatMul", h, w(g, r, "proj_out.w", D, C * 4)), w(g, r, "proj_out.b", C * 4));
    String o1 = g.op("Reshape", out, cat(g, b, t, hp, wp, c, k(g, 2), k(g, 2)));
    String o2 = g.op("Transpose", Map.of("perm", new long[] {0, 4, 1, 2, 5, 3, 6}), o1);
    g.output("noise_pred", g.op("Reshape", o2, g.op("Shape", x)), FLOAT, "batch", "d1", "d2", "d3", "d4");
    return new Pattern("dynamic-shape patchify (BCTHW)", g.build(), LatentLayout.BCTHW, 4, 8, 8);
  }

  /** CogVideoX-style: [B, T, C, H, W], per-frame Conv2d, text tokens concatenated before the video tokens, sliced off at the end. */
  static Pattern cogvideoxLike() {
    Random r = new Random(22);
    GraphBuilder g = new GraphBuilder("cogvideox", 17);
    String x = g.input("hidden_states", FLOAT, "batch", 3, C, 8, 8); // 3 frames, 4 channels: a T/C mix-up fails
    String t = g.input("timestep", FLOAT, "batch");
    String txt = g.input("encoder_hidden_states", FLOAT, "batch", L, D);
    String cnd = cond(g, r, t, txt);
    String b = size(g, x, 0);
    String f = size(g, x, 1);
    String c = size(g, x, 2);
    String frames = g.op("Reshape", x, cat(g, k(g, -1), c, size(g, x, 3), size(g, x, 4)));
    String pe = g.op("Conv", Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}), frames,
        w(g, r, "patch_embed.proj.weight", D, C, 2, 2), w(g, r, "patch_embed.proj.bias", D));
    String tok = g.op("Reshape", pe, cat(g, b, f, k(g, D), k(g, 16)));
    tok = g.op("Transpose", Map.of("perm", new long[] {0, 1, 3, 2}), tok);
    tok = g.op("Reshape", tok, cat(g, b, k(g, -1), k(g, D)));
    String te = g.op("MatMul", txt, w(g, r, "patch_embed.text_proj.weight", D, D));
    String seq = g.op("Concat", Map.of("axis", 1L), te, tok);
    String h = body(g, r, seq, cnd);
    String vid = g.op("Slice", h, k(g, L), k(g, Long.MAX_VALUE), k(g, 1));
    String out = g.op("Add", g.op("MatMul", vid, w(g, r, "proj_out.weight", D, C * 4)), w(g, r, "proj_out.bias", C * 4));
    String o = g.op("Reshape", out, cat(g, b, f, k(g, 4), k(g, 4), c, k(g, 2), k(g, 2)));
    o = g.op("Transpose", Map.of("perm", new long[] {0, 1, 4, 2, 5, 3, 6}), o);
    o = g.op("Reshape", o, cat(g, b, f, c, size(g, x, 3), size(g, x, 4)));
    g.output("noise_pred", o, FLOAT, "batch", "d1", "d2", "d3", "d4");
    return new Pattern("CogVideoX-style BTCHW, per-frame Conv2d, text tokens in the sequence", g.build(), LatentLayout.BTCHW, 3, 8, 8);
  }

  /** LTX-style [B, N, C] token sequence: Gemm in (transB), Gemm out with bias, back to Shape(x). */
  static Pattern ltxTokens() {
    Random r = new Random(23);
    GraphBuilder g = new GraphBuilder("ltx", 17);
    String x = g.input("hidden_states", FLOAT, "batch", 64, C);
    String cnd = inputs(g, r);
    String b = size(g, x, 0);
    String flat = g.op("Reshape", x, g.constant("flat", new long[] {-1, C}, 2));
    String e = g.op("Gemm", Map.of("transB", 1L), flat, w(g, r, "proj_in.weight", D, C), w(g, r, "proj_in.bias", D));
    String tok = g.op("Reshape", e, cat(g, b, k(g, -1), k(g, D)));
    String h = body(g, r, tok, cnd);
    String hf = g.op("Reshape", h, g.constant("flat2", new long[] {-1, D}, 2));
    String out = g.op("Gemm", Map.of("transB", 1L), hf, w(g, r, "proj_out.weight", C, D), w(g, r, "proj_out.bias", C));
    g.output("noise_pred", g.op("Reshape", out, g.op("Shape", x)), FLOAT, "batch", "n", "c");
    return new Pattern("LTX-style BNC token sequence, Gemm projections", g.build(), LatentLayout.BNC, 4, 4, 4);
  }

  /** Squeeze/Unsqueeze before the Conv3d patch embedding and after the ConvTranspose3d head. */
  static Pattern squeezedConv3d() {
    Random r = new Random(24);
    GraphBuilder g = new GraphBuilder("squeezed", 17);
    String x = g.input("hidden_states", FLOAT, "batch", C, 4, 8, 8);
    String cnd = inputs(g, r);
    String u = g.op("Unsqueeze", x, g.constant("ax1", new long[] {1}, 1));
    String s = g.op("Squeeze", u, g.constant("ax1b", new long[] {1}, 1));
    String pe = g.op("Conv", Map.of("kernel_shape", new long[] {2, 2, 2}, "strides", new long[] {2, 2, 2}), s,
        w(g, r, "pe.w", D, C, 2, 2, 2), w(g, r, "pe.b", D));
    String tok = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), g.op("Reshape", pe, g.constant("ts", new long[] {0, D, -1}, 3)));
    String h = body(g, r, tok, cnd);
    String o = g.op("Reshape", g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), h), g.constant("gs", new long[] {0, D, 2, 4, 4}, 5));
    o = g.op("ConvTranspose", Map.of("kernel_shape", new long[] {2, 2, 2}, "strides", new long[] {2, 2, 2}), o,
        w(g, r, "out.w", D, C, 2, 2, 2), w(g, r, "out.b", C));
    o = g.op("Squeeze", g.op("Unsqueeze", o, g.constant("ax0", new long[] {0}, 1)), g.constant("ax0b", new long[] {0}, 1));
    g.output("noise_pred", o, FLOAT, "batch", C, 4, 8, 8);
    return new Pattern("Squeeze/Unsqueeze around Conv3d and ConvTranspose3d", g.build(), LatentLayout.BCTHW, 4, 8, 8);
  }

  static float[] run(OnnxMl.ModelProto m, float[] latent, long[] shape, int b) throws Exception {
    Random r = new Random(5);
    Map<String, Ort.In> in = new HashMap<>();
    in.put("hidden_states", new Ort.In(latent, shape));
    in.put("timestep", new Ort.In(b == 2 ? new float[] {0.3f, 0.9f} : new float[] {0.6f}, b));
    in.put("encoder_hidden_states", new Ort.In(gauss(r, b * L * D), b, L, D));
    try (Ort ort = new Ort(m)) {
      Ort.Out o = ort.run(in).get("noise_pred");
      assertThat(o.shape()).containsExactly(shape);
      return o.data();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("patterns")
  void extendedEqualsTheBaseForAnyMotionAtEveryBatch(Pattern p) throws Exception {
    ExtendResult r = ModelExtender.extend(p.model(), ExtendOptions.defaults().withLayout(p.layout()));
    assertThat(r.appearanceChannels()).isEqualTo(C);
    int inner = p.h() * p.w();
    int n = C * p.t() * inner;
    for (int b : new int[] {2, 1}) {
      Random rnd = new Random(b);
      float[] x = gauss(rnd, b * n);
      long[] baseShape = p.layout().dims(b, C, p.t(), p.h(), p.w());
      float[] base = p.layout().convert(run(p.model(), p.layout().convert(x, b, C, p.t(), inner, true), baseShape, b), b, C, p.t(), inner,
          false);
      float[] other = p.layout().convert(run(p.model(), p.layout().convert(gauss(rnd, b * n), b, C, p.t(), inner, true), baseShape, b),
          b, C, p.t(), inner, false);
      assertThat(ModelExtenderTest.maxAbsDiff(base, other)).as("the base output depends on x").isGreaterThan(1e-3);
      for (float[] d : List.of(new float[b * n], gauss(rnd, b * n))) {
        float[] joint = new float[2 * b * n];
        for (int i = 0; i < b; i++) {
          System.arraycopy(x, i * n, joint, 2 * i * n, n);
          System.arraycopy(d, i * n, joint, (2 * i + 1) * n, n);
        }
        long[] shape = p.layout().dims(b, 2 * C, p.t(), p.h(), p.w());
        float[] out = p.layout().convert(run(r.model(), p.layout().convert(joint, b, 2 * C, p.t(), inner, true), shape, b), b, 2 * C,
            p.t(), inner, false);
        float[] app = new float[b * n];
        float[] mot = new float[b * n];
        for (int i = 0; i < b; i++) {
          System.arraycopy(out, 2 * i * n, app, i * n, n);
          System.arraycopy(out, (2 * i + 1) * n, mot, i * n, n);
        }
        assertThat(ModelExtenderTest.maxAbsDiff(app, base)).as(p.label() + " appearance, batch " + b).isLessThanOrEqualTo(1e-5);
        // the copied motion head predicts what the appearance head predicts
        assertThat(ModelExtenderTest.maxAbsDiff(mot, base)).as(p.label() + " motion head, batch " + b).isLessThanOrEqualTo(1e-5);
      }
    }
  }
}
