package io.videojam.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.videojam.onnx.DitConfig;
import java.util.SplittableRandom;

/**
 * Looks inside a model while it trains, in the training framework itself: quick samples and the
 * permutation diagnostic of spec section 1 (the loss on ordered clips against the same clips with
 * their frames permuted, same noise and times).
 */
public final class Previews {
  private Previews() {}

  /**
   * Samples clips with Euler steps from noise (t = 0) to data (t = 1) and text guidance {@code
   * (1 + w) u(y) - w u(null)} on every channel.
   *
   * @param text token ids {@code [B, L]}
   * @return {@code [B, C, T, H, W]}
   */
  public static float[] sample(DitTorch model, long[] text, int steps, double w, long seed, boolean predictsSample) {
    DitConfig c = model.config();
    int l = c.maxTextTokens(), b = text.length / l;
    Shape video = new Shape(b, c.channels(), c.frames(), c.height(), c.width());
    float[] x = new float[(int) video.size()];
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
    }
    long[] both = new long[2 * b * l];
    System.arraycopy(text, 0, both, 0, text.length);
    try (NDManager m = NDManager.newBaseManager(null, "PyTorch")) {
      NDArray cur = m.create(x, video);
      NDArray ids = m.create(both, new Shape(2L * b, l));
      for (int s = 0; s < steps; s++) {
        try (NDScope scope = new NDScope()) {
          float t0 = (float) s / steps;
          NDArray in = cur.concat(cur, 0);
          NDArray t = m.full(new Shape(2L * b), t0);
          NDArray v = model.forward(in, t, ids);
          if (predictsSample) { // clean clip -> velocity
            v = v.sub(in).div(Math.max(1 - t0, (float) TrainConfig.SAMPLE_EPS));
          }
          NDArray cond = v.get("0:" + b);
          NDArray uncond = v.get(b + ":");
          NDArray guided = cond.mul((float) (1 + w)).sub(uncond.mul((float) w));
          NDArray next = cur.add(guided.mul(1f / steps));
          NDScope.unregister(next);
          cur.close();
          cur = next;
        }
      }
      return cur.toFloatArray();
    }
  }

  /**
   * The permutation diagnostic on a fixed batch: for each of {@code bins} times t = (i + 0.5) /
   * bins, the training loss (all channels; on the model's own target) on the clips with their frames in a random order
   * minus the loss on the ordered clips, with the same noise.
   *
   * @param x1 clean clips {@code [B, C, T, H, W]}
   * @param text token ids {@code [B, L]}
   * @return the mean difference per bin
   */
  public static double[] permutationGap(DitTorch model, float[] x1, long[] text, int bins, long seed, boolean predictsSample) {
    DitConfig c = model.config();
    int l = c.maxTextTokens(), b = text.length / l;
    int frames = c.frames(), plane = c.height() * c.width(), ch = c.channels();
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] permuted = new float[x1.length];
    for (int i = 0; i < b; i++) {
      int[] order = io.videojam.api.Permutations.derangement(frames, rnd);
      for (int k = 0; k < ch; k++) {
        for (int f = 0; f < frames; f++) {
          int dst = ((i * ch + k) * frames + f) * plane;
          int src = ((i * ch + k) * frames + order[f]) * plane;
          System.arraycopy(x1, src, permuted, dst, plane);
        }
      }
    }
    float[] noise = new float[x1.length];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) rnd.nextGaussian();
    }
    double[][] pair = pairedLosses(model, x1, text, permuted, text, noise, bins, predictsSample);
    double[] gap = new double[bins];
    for (int bin = 0; bin < bins; bin++) {
      gap[bin] = pair[bin][1] - pair[bin][0];
    }
    return gap;
  }

  /**
   * Whether the model reads its prompt: the training loss (all channels, on the model's own
   * target) on {@code x1} with its own prompts, and with the prompts given to other clips (a
   * derangement of the batch), at the same times (t = (i + 0.5) / bins for each i) and noise.
   *
   * @return {loss with the right prompts, loss with shuffled prompts}, each the mean over the bins
   */
  public static double[] promptGap(DitTorch model, float[] x1, long[] text, int bins, long seed, boolean predictsSample) {
    DitConfig c = model.config();
    int l = c.maxTextTokens(), b = text.length / l;
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] order = io.videojam.api.Permutations.derangement(b, rnd);
    long[] other = new long[text.length];
    for (int i = 0; i < b; i++) {
      System.arraycopy(text, order[i] * l, other, i * l, l);
    }
    float[] noise = new float[x1.length];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) rnd.nextGaussian();
    }
    double right = 0, shuffled = 0;
    for (double[] p : pairedLosses(model, x1, text, x1, other, noise, bins, predictsSample)) {
      right += p[0] / bins;
      shuffled += p[1] / bins;
    }
    return new double[] {right, shuffled};
  }

  /**
   * The training loss of two batches (clips and token ids each) with the same noise, at t = (i +
   * 0.5) / bins: {@code [bin] = {loss of a, loss of b}}.
   */
  private static double[][] pairedLosses(DitTorch model, float[] x1a, long[] textA, float[] x1b, long[] textB, float[] noise,
      int bins, boolean predictsSample) {
    DitConfig c = model.config();
    int l = c.maxTextTokens(), b = textA.length / l;
    Shape video = new Shape(b, c.channels(), c.frames(), c.height(), c.width());
    double[][] out = new double[bins][2];
    try (NDManager m = NDManager.newBaseManager(null, "PyTorch")) {
      NDArray idsA = m.create(textA, new Shape(b, l));
      NDArray idsB = m.create(textB, new Shape(b, l));
      NDArray x0 = m.create(noise, video);
      NDArray a = m.create(x1a, video);
      NDArray bb = m.create(x1b, video);
      for (int bin = 0; bin < bins; bin++) {
        try (NDScope scope = new NDScope()) {
          float t = (bin + 0.5f) / bins;
          NDArray tt = m.full(new Shape(b), t);
          out[bin][0] = loss(model, a, x0, tt, idsA, t, predictsSample);
          out[bin][1] = loss(model, bb, x0, tt, idsB, t, predictsSample);
        }
      }
    }
    return out;
  }

  private static double loss(DitTorch model, NDArray x1, NDArray x0, NDArray tt, NDArray ids, float t, boolean predictsSample) {
    NDArray xt = x1.mul(t).add(x0.mul(1 - t));
    NDArray v = model.forward(xt, tt, ids);
    return v.sub(predictsSample ? x1 : x1.sub(x0)).square().mean().getFloat();
  }

}
