package io.videojam.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.WeightSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The DiT of {@link DitBuilder}, written with DJL's PyTorch NDArrays so it can be trained. The
 * forward pass mirrors the ONNX graph op for op (same weight names, {@code [in, out]} layout,
 * patch order {@code (c, dt, dy, dx)}, LayerNorm without affine and eps 1e-6, GELU as {@code x *
 * sigmoid(1.702 x)}, mean-pooled text embeddings), so {@link #weights()} exported through {@link
 * DitBuilder#build(DitConfig, Map)} computes the same function in ONNX Runtime.
 *
 * <p>Parameters live in the manager given at creation; every intermediate of {@link #forward}
 * belongs to the manager of its input {@code x}, so callers scope a step with a sub-manager or an
 * {@code NDScope}.
 */
public final class DitTorch implements AutoCloseable {
  private static final float LN_EPS = 1e-6f;

  private final DitConfig cfg;
  private final NDManager manager;
  private final Map<String, NDArray> params = new LinkedHashMap<>();
  private final NDArray freqs;
  private final NDArray textMask;
  private final Shape lnShape;
  private final NDArray lnOnes;
  private final NDArray lnZeros;

  private DitTorch(DitConfig cfg, NDManager manager, Map<String, float[]> weights) {
    this.cfg = cfg;
    this.manager = manager;
    for (WeightSpec w : DitBuilder.weightSpecs(cfg)) {
      float[] v = weights.get(w.name());
      if (v == null || v.length != w.size()) {
        throw new VideoJamException("DiT weights: '" + w + "' missing or of the wrong size");
      }
      NDArray a = manager.create(v, new Shape(w.shape()));
      a.setRequiresGradient(true);
      params.put(w.name(), a);
    }
    int half = cfg.hiddenSize() / 2;
    float[] f = new float[half];
    for (int k = 0; k < half; k++) {
      // the graph computes Exp(k * (-ln(10000) / half)) in float
      f[k] = (float) StrictMath.exp((float) k * (float) (-StrictMath.log(10000.0) / half));
    }
    freqs = manager.create(f, new Shape(1, half));
    float[] mask = new float[cfg.vocabSize()];
    java.util.Arrays.fill(mask, 1f);
    mask[0] = 0f; // token 0 (padding) never reads or trains its (zero) embedding row
    textMask = manager.create(mask, new Shape(1, 1, cfg.vocabSize()));
    lnShape = new Shape(cfg.hiddenSize());
    lnOnes = manager.ones(lnShape);
    lnZeros = manager.zeros(lnShape);
  }

  /** A trainable model holding copies of {@code weights} (every name of {@code weightSpecs}). */
  public static DitTorch create(NDManager manager, DitConfig cfg, Map<String, float[]> weights) {
    return new DitTorch(cfg, manager, weights);
  }

  /**
   * DiT training initialisation (adaLN-Zero): every block starts as the identity (adaLN weights
   * and biases zero, so gates are zero) and the output projection is zero, so the first
   * prediction is the zero velocity; the positional table is {@link #positions3d} (frame, row and
   * column each in their own part, as in Latte and most video DiTs: a token sees which tokens share
   * its place in space or time, where a 1-D index over the flattened tokens hides it); other weights
   * are {@link DitBuilder#initialWeights} for the seed (fan-in scaled Gaussians; the text table at
   * std 1, since the graph averages it over all token slots, padding included: at std 0.02 the
   * prompt reached the adaLN modulations about 50 times weaker than the time embedding and a small
   * model took thousands of steps to read its colour).
   */
  public static Map<String, float[]> trainingInit(DitConfig cfg) {
    Map<String, float[]> w = DitBuilder.initialWeights(cfg);
    w.put(DitBuilder.POS_EMBED, positions3d(cfg));
    for (Map.Entry<String, float[]> e : w.entrySet()) {
      String n = e.getKey();
      if (n.contains("adaLN") || n.startsWith("final.proj")) {
        java.util.Arrays.fill(e.getValue(), 0f);
      } else if (n.endsWith(".bias")) {
        java.util.Arrays.fill(e.getValue(), 0f);
      }
    }
    return w;
  }

  /**
   * Factorised sinusoidal positions {@code [N, D]}: the first {@code D / 4} features encode the
   * token's frame, the next {@code 3D / 8} its patch row and the last {@code 3D / 8} its patch
   * column (each part rounded to an even size, sin in its first half and cos in its second, at
   * frequencies {@code 10000^(-k / half)}). Token order is (frame, row, column), as the patchify
   * of {@link #forward}.
   */
  public static float[] positions3d(DitConfig cfg) {
    int d = cfg.hiddenSize();
    int dt = (d / 4) & ~1;
    int dy = ((d - dt) / 2) & ~1;
    int dx = d - dt - dy;
    int tp = cfg.frames() / cfg.temporalPatchSize(), hp = cfg.height() / cfg.patchSize(), wp = cfg.width() / cfg.patchSize();
    float[] v = new float[tp * hp * wp * d];
    for (int t = 0; t < tp; t++) {
      for (int y = 0; y < hp; y++) {
        for (int x = 0; x < wp; x++) {
          int row = ((t * hp + y) * wp + x) * d;
          sinusoid(v, row, dt, t);
          sinusoid(v, row + dt, dy, y);
          sinusoid(v, row + dt + dy, dx, x);
        }
      }
    }
    return v;
  }

  private static void sinusoid(float[] v, int from, int size, int pos) {
    int half = size / 2;
    for (int k = 0; k < half; k++) {
      double a = pos * StrictMath.exp(-StrictMath.log(10000.0) * k / half);
      v[from + k] = (float) StrictMath.sin(a);
      v[from + half + k] = (float) StrictMath.cos(a);
    }
  }

  public DitConfig config() {
    return cfg;
  }

  /** The parameters by name, in {@link DitBuilder#weightSpecs} order (live arrays). */
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** A copy of the current weights by name, ready for {@link DitBuilder#build(DitConfig, Map)}. */
  public Map<String, float[]> weights() {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /**
   * The velocity {@code v [B, C, T, H, W]} for latent {@code x [B, C, T, H, W]}, time {@code t
   * [B]} (1 = data) and token ids {@code text [B, L]} (int64).
   */
  public NDArray forward(NDArray x, NDArray t, NDArray text) {
    int ch = cfg.channels(), p = cfg.patchSize(), pt = cfg.temporalPatchSize(), d = cfg.hiddenSize();
    long b = x.getShape().get(0);
    int tp = cfg.frames() / pt, hp = cfg.height() / p, wp = cfg.width() / p;

    NDArray arg = t.reshape(b, 1).mul(1000f).mul(freqs);
    NDArray feat = arg.sin().concat(arg.cos(), 1);
    NDArray temb = linear(silu(linear(feat, "time_embed.fc1")), "time_embed.fc2");
    NDArray oneHot = text.oneHot(cfg.vocabSize(), DataType.FLOAT32).mul(textMask);
    NDArray textEmb = oneHot.matMul(params.get(DitBuilder.TEXT_EMBED)).mean(new int[] {1});
    NDArray cond = silu(temb.add(textEmb));

    NDArray h = x.reshape(b, ch, tp, pt, hp, p, wp, p)
        .transpose(0, 2, 4, 6, 1, 3, 5, 7)
        .reshape(b, cfg.tokens(), cfg.patchDim());
    h = linear(h, "patch_embed").add(params.get(DitBuilder.POS_EMBED));

    int heads = cfg.heads(), dh = d / heads;
    float attnScale = (float) (1.0 / StrictMath.sqrt((double) d / heads));
    for (int i = 0; i < cfg.depth(); i++) {
      String pre = "blocks." + i + ".";
      NDList m = modulation(cond, pre + "adaLN", 6);
      NDArray a = modulate(h, m.get(0), m.get(1));
      NDArray q = linear(a, pre + "attn.q").reshape(b, -1, heads, dh).transpose(0, 2, 1, 3);
      NDArray k = linear(a, pre + "attn.k").reshape(b, -1, heads, dh).transpose(0, 2, 3, 1);
      NDArray v = linear(a, pre + "attn.v").reshape(b, -1, heads, dh).transpose(0, 2, 1, 3);
      NDArray s = q.matMul(k).mul(attnScale).softmax(-1);
      NDArray o = s.matMul(v).transpose(0, 2, 1, 3).reshape(b, -1, d);
      h = h.add(m.get(2).mul(linear(o, pre + "attn.out")));
      NDArray f = linear(modulate(h, m.get(3), m.get(4)), pre + "mlp.fc1");
      f = f.mul(Activation.sigmoid(f.mul(1.702f)));
      h = h.add(m.get(5).mul(linear(f, pre + "mlp.fc2")));
    }
    NDList m = modulation(cond, "final.adaLN", 2);
    NDArray out = linear(modulate(h, m.get(0), m.get(1)), "final.proj");
    return out.reshape(b, tp, hp, wp, ch, pt, p, p)
        .transpose(0, 4, 1, 5, 2, 6, 3, 7)
        .reshape(b, ch, cfg.frames(), cfg.height(), cfg.width());
  }

  private NDArray linear(NDArray x, String prefix) {
    return x.matMul(params.get(prefix + ".weight")).add(params.get(prefix + ".bias"));
  }

  private static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  private NDList modulation(NDArray cond, String prefix, int parts) {
    NDList chunks = linear(cond, prefix).split(parts, 1);
    NDList out = new NDList(parts);
    for (NDArray c : chunks) {
      out.add(c.expandDims(1));
    }
    return out;
  }

  private NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    // torch's fused layer_norm: biased variance and eps inside the square root, as ONNX's
    // LayerNormalization
    NDArray n = x.getNDArrayInternal().layerNorm(x, lnShape, lnOnes, lnZeros, LN_EPS).singletonOrThrow();
    return n.mul(scale.add(1f)).add(shift);
  }

  /** Frees the parameters. */
  @Override
  public void close() {
    params.values().forEach(NDArray::close);
    freqs.close();
    textMask.close();
    lnOnes.close();
    lnZeros.close();
  }

  /** Seeded Gaussian noise for tests. */
  static float[] gaussian(long seed, int n) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
