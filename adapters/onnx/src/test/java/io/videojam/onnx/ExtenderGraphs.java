package io.videojam.onnx;

import static io.videojam.api.TensorInfo.ElementType.FLOAT;

import ai.onnx.proto.OnnxMl;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Small base video DiTs with different patch embeddings and naming conventions, built with
 * {@link GraphBuilder} for the extender tests. All: latent [B, 4, 4, 8, 8], D = 16, text as float
 * embeddings [B, 5, 16], one attention block and an MLP over tokens with time and text
 * conditioning.
 */
final class ExtenderGraphs {
  static final int C = 4, T = 4, H = 8, W = 8, D = 16, L = 5;

  /** A test case: the model, its latent input, other inputs (batch 2) and velocity output. */
  record Case(String label, OnnxMl.ModelProto model, String latent, String output,
      Map<String, Ort.In> others) {}

  private ExtenderGraphs() {}

  /** (i) Conv3d patch embed (kernel = stride = (2, 2, 2)), ConvTranspose3d unpatchify. */
  static Case conv3d() {
    Random r = new Random(1);
    GraphBuilder g = new GraphBuilder("conv3d_dit", 17);
    String x = g.input("hidden_states", FLOAT, "batch", C, T, H, W);
    String t = g.input("timestep", FLOAT, "batch");
    String txt = g.input("encoder_hidden_states", FLOAT, "batch", L, D);
    String pe = g.op("Conv", Map.of("kernel_shape", new long[] {2, 2, 2}, "strides", new long[] {2, 2, 2}),
        x, w(g, r, "patch_embed.proj.weight", D, C, 2, 2, 2), w(g, r, "patch_embed.proj.bias", D));
    String tok = g.op("Reshape", pe, g.constant("tok_shape", new long[] {0, D, -1}, 3));
    tok = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), tok);
    String h = body(g, r, tok, cond(g, r, t, txt));
    String o = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), h);
    o = g.op("Reshape", o, g.constant("grid_shape", new long[] {0, D, 2, 4, 4}, 5));
    o = g.op("ConvTranspose", Map.of("kernel_shape", new long[] {2, 2, 2}, "strides", new long[] {2, 2, 2}),
        o, w(g, r, "proj_out.weight", D, C, 2, 2, 2), w(g, r, "proj_out.bias", C));
    g.output("noise_pred", o, FLOAT, "batch", C, T, H, W);
    return new Case("conv3d", g.build(), "hidden_states", "noise_pred",
        Map.of("timestep", new Ort.In(new float[] {0.25f, 0.8f}, 2),
            "encoder_hidden_states", new Ort.In(gauss(new Random(5), 2 * L * D), 2, L, D)));
  }

  /** (ii) per-frame Conv2d patch embed on [B*T, C, H, W], per-frame ConvTranspose2d out. */
  static Case perFrameConv2d() {
    Random r = new Random(2);
    GraphBuilder g = new GraphBuilder("frames_dit", 17);
    String x = g.input("sample", FLOAT, "B", C, T, H, W);
    String t = g.input("t", FLOAT, "B");
    String txt = g.input("context", FLOAT, "B", L, D);
    String f = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3, 4}), x);
    f = g.op("Reshape", f, g.constant("frames_shape", new long[] {-1, C, H, W}, 4));
    String pe = g.op("Conv", Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}),
        f, w(g, r, "embed.weight", D, C, 2, 2), w(g, r, "embed.bias", D));
    String tok = g.op("Reshape", pe, g.constant("s1", new long[] {-1, T, D, 16}, 4));
    tok = g.op("Transpose", Map.of("perm", new long[] {0, 1, 3, 2}), tok);
    tok = g.op("Reshape", tok, g.constant("s2", new long[] {0, T * 16, D}, 3));
    String h = body(g, r, tok, cond(g, r, t, txt));
    String o = g.op("Reshape", h, g.constant("s3", new long[] {-1, 16, D}, 3));
    o = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), o);
    o = g.op("Reshape", o, g.constant("s4", new long[] {-1, D, 4, 4}, 4));
    o = g.op("ConvTranspose", Map.of("kernel_shape", new long[] {2, 2}, "strides", new long[] {2, 2}),
        o, w(g, r, "out.weight", D, C, 2, 2), w(g, r, "out.bias", C));
    o = g.op("Reshape", o, g.constant("s5", new long[] {-1, T, C, H, W}, 5));
    o = g.op("Transpose", Map.of("perm", new long[] {0, 2, 1, 3, 4}), o);
    g.output("out", o, FLOAT, "B", C, T, H, W);
    return new Case("per-frame conv2d", g.build(), "sample", "out",
        Map.of("t", new Ort.In(new float[] {0.1f, 0.6f}, 2),
            "context", new Ort.In(gauss(new Random(6), 2 * L * D), 2, L, D)));
  }

  /**
   * (iv) MatMul patchify with the channels LAST in the patch vector: rows (dt, dy, dx, c), and
   * the same layout for the output columns.
   */
  static Case matmulChannelsLast() {
    Random r = new Random(3);
    GraphBuilder g = new GraphBuilder("cl_dit", 17);
    String x = g.input("latents", FLOAT, "n", C, T, H, W);
    String t = g.input("timesteps", FLOAT, "n");
    String txt = g.input("prompt_embeds", FLOAT, "n", L, D);
    String p = g.op("Reshape", x, g.constant("p1", new long[] {0, C, 2, 2, 4, 2, 4, 2}, 8));
    p = g.op("Transpose", Map.of("perm", new long[] {0, 2, 4, 6, 3, 5, 7, 1}), p);
    p = g.op("Reshape", p, g.constant("p2", new long[] {0, 32, 8 * C}, 3));
    String tok = g.op("Add", g.op("MatMul", p, w(g, r, "x_embedder.weight", 8 * C, D)),
        w(g, r, "x_embedder.bias", D));
    String h = body(g, r, tok, cond(g, r, t, txt));
    String o = g.op("Add", g.op("MatMul", h, w(g, r, "proj_out.weight", D, 8 * C)),
        w(g, r, "proj_out.bias", 8 * C));
    o = g.op("Reshape", o, g.constant("u1", new long[] {0, 2, 4, 4, 2, 2, 2, C}, 8));
    o = g.op("Transpose", Map.of("perm", new long[] {0, 7, 1, 4, 2, 5, 3, 6}), o);
    o = g.op("Reshape", o, g.constant("u2", new long[] {0, C, T, H, W}, 5));
    g.output("velocity", o, FLOAT, "n", C, T, H, W);
    return new Case("matmul channels-last", g.build(), "latents", "velocity",
        Map.of("timesteps", new Ort.In(new float[] {0.3f, 0.95f}, 2),
            "prompt_embeds", new Ort.In(gauss(new Random(7), 2 * L * D), 2, L, D)));
  }

  /** cond [B, D] = sin(t * w_t) + mean_L(text) @ W_text. */
  static String cond(GraphBuilder g, Random r, String t, String txt) {
    String tu = g.op("Unsqueeze", t, g.constant(fresh("axes"), new long[] {1}, 1));
    String te = g.op("Sin", g.op("MatMul", tu, w(g, r, "time.weight", 1, D)));
    String xe = g.op("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 0L), txt);
    xe = g.op("MatMul", xe, w(g, r, "text.weight", D, D));
    return g.op("Add", te, xe);
  }

  /** One attention block and an MLP over tokens [B, N, D], conditioned on cond [B, D]. */
  static String body(GraphBuilder g, Random r, String tok, String cond) {
    String c = g.op("Unsqueeze", cond, g.constant(fresh("axes"), new long[] {1}, 1));
    String h = g.op("Add", tok, c);
    String q = g.op("MatMul", h, w(g, r, "attn.q", D, D));
    String k = g.op("MatMul", h, w(g, r, "attn.k", D, D));
    String v = g.op("MatMul", h, w(g, r, "attn.v", D, D));
    String s = g.op("Mul", g.op("MatMul", q, g.op("Transpose", Map.of("perm", new long[] {0, 2, 1}), k)),
        g.scalar(0.25f));
    String a = g.op("MatMul", g.op("Softmax", Map.of("axis", -1L), s), v);
    h = g.op("Add", h, g.op("MatMul", a, w(g, r, "attn.o", D, D)));
    String m = g.op("Tanh", g.op("Add", g.op("MatMul", h, w(g, r, "mlp.fc1", D, 2 * D)), w(g, r, "mlp.b1", 2 * D)));
    return g.op("Add", h, g.op("MatMul", m, w(g, r, "mlp.fc2", 2 * D, D)));
  }

  private static int counter;

  private static String fresh(String p) {
    return p + "_" + counter++;
  }

  static String w(GraphBuilder g, Random r, String name, long... dims) {
    long n = 1;
    for (long d : dims) {
      n *= d;
    }
    long fanIn = dims.length == 1 ? 25 : n / dims[0];
    if (dims.length == 2) {
      fanIn = dims[0];
    }
    float[] v = new float[(int) n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (r.nextGaussian() / Math.sqrt(fanIn));
    }
    return g.constant(name, v, dims);
  }

  static float[] gauss(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  static Map<String, Ort.In> with(Map<String, Ort.In> others, String name, Ort.In in) {
    Map<String, Ort.In> m = new LinkedHashMap<>(others);
    m.put(name, in);
    return m;
  }
}
