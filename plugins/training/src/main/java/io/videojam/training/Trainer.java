package io.videojam.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.DitConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Flow-matching training of a {@link DitTorch} (spec section 2 and Eq. 6): {@code x_t = t x1 + (1 -
 * t) x0}, target {@code x1 - x0} (or the clean clip {@code x1} for a clean-clip head), mean squared error, Adam with warm-up and cosine decay, global
 * gradient clipping and an EMA of the weights. For a model with motion channels each sample's
 * motion input is zeroed with probability {@code motionDropout}, and its loss then covers the
 * appearance channels only; text dropout replaces the prompt with all padding (the null prompt).
 *
 * <p>Noise, times and dropouts come from a generator seeded by (seed, step), and data from {@link
 * TrainingData#batch} for the step, so a run resumed from a checkpoint continues exactly as an
 * uninterrupted one would.
 */
public final class Trainer implements AutoCloseable {
  private static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;

  /** Told after each step. */
  public interface Listener {
    void step(StepStats stats);
  }

  /**
   * One step's figures.
   *
   * @param step steps done (1-based)
   * @param loss the optimised loss
   * @param appearanceLoss mean squared error over the appearance channels
   * @param motionLoss mean squared error over the motion channels of samples that kept motion (NaN
   *     for a model without motion)
   * @param learningRate the rate used
   * @param gradNorm global gradient norm before clipping
   */
  public record StepStats(long step, double loss, double appearanceLoss, double motionLoss, double learningRate, double gradNorm) {}

  private final DitConfig cfg;
  private final TrainConfig recipe;
  private final NDManager manager;
  private final DitTorch model;
  private final Map<String, NDArray> adamM = new LinkedHashMap<>();
  private final Map<String, NDArray> adamV = new LinkedHashMap<>();
  private final Map<String, NDArray> ema = new LinkedHashMap<>();
  private long step;
  private long skipped;
  private int badInARow;

  /** A trainer starting from {@code weights} at step 0. */
  public Trainer(DitConfig cfg, TrainConfig recipe, Map<String, float[]> weights) {
    this.cfg = cfg;
    this.recipe = recipe;
    this.manager = NDManager.newBaseManager(null, "PyTorch");
    this.model = DitTorch.create(manager, cfg, weights);
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      Shape s = e.getValue().getShape();
      adamM.put(e.getKey(), manager.zeros(s));
      adamV.put(e.getKey(), manager.zeros(s));
      if (recipe.emaDecay() > 0) {
        NDArray copy = manager.create(weights.get(e.getKey()), s);
        ema.put(e.getKey(), copy);
      }
    }
  }

  /** Resumes from a checkpoint written by {@link #checkpoint}. */
  public static Trainer resume(DitConfig cfg, TrainConfig recipe, Checkpoint ck) {
    Trainer tr = new Trainer(cfg, recipe, ck.group("w"));
    tr.step = ck.step();
    tr.copyInto(tr.adamM, ck.group("m"));
    tr.copyInto(tr.adamV, ck.group("v"));
    if (!tr.ema.isEmpty()) {
      tr.copyInto(tr.ema, ck.group("ema"));
    }
    return tr;
  }

  private void copyInto(Map<String, NDArray> target, Map<String, float[]> values) {
    for (Map.Entry<String, NDArray> e : target.entrySet()) {
      float[] v = values.get(e.getKey());
      if (v == null || v.length != e.getValue().size()) {
        throw new VideoJamException("checkpoint lacks or mis-sizes '" + e.getKey() + "'; delete it to start over");
      }
      try (NDArray src = manager.create(v, e.getValue().getShape())) {
        e.getValue().set(src.toByteBuffer());
      }
    }
  }

  public long step() {
    return step;
  }

  /** Steps whose update was skipped because the gradient was not finite (since this trainer started). */
  public long skippedSteps() {
    return skipped;
  }

  public DitTorch model() {
    return model;
  }

  /** Trains until {@code recipe.steps()} steps are done or {@code until} is reached. */
  public void train(TrainingData data, long until, Listener listener) {
    long end = Math.min(until, recipe.steps());
    int b = recipe.batch();
    int c = cfg.channels(), ca = cfg.appearanceChannels();
    int per = cfg.frames() * cfg.height() * cfg.width();
    float[] x1 = new float[b * c * per];
    float[] x0 = new float[x1.length];
    long[] text = new long[b * cfg.maxTextTokens()];
    float[] times = new float[b];
    float[] keepMotion = new float[b * c];
    boolean[] keep = new boolean[b];
    Shape video = new Shape(b, c, cfg.frames(), cfg.height(), cfg.width());
    while (step < end) {
      data.batch(step, x1, text);
      SplittableRandom rnd = new SplittableRandom(recipe.seed() * 0x9E3779B97F4A7C15L + step);
      for (int i = 0; i < x0.length; i++) {
        x0[i] = (float) rnd.nextGaussian();
      }
      boolean anyMotionKept = false;
      for (int i = 0; i < b; i++) {
        times[i] = (float) recipe.times().draw(rnd);
        if (rnd.nextDouble() < recipe.textDropout()) {
          java.util.Arrays.fill(text, i * cfg.maxTextTokens(), (i + 1) * cfg.maxTextTokens(), 0L);
        }
        keep[i] = cfg.motionChannels() == 0 || rnd.nextDouble() >= recipe.motionDropout();
        anyMotionKept |= keep[i] && cfg.motionChannels() > 0;
      }
      FlowMatchingLoss.motionMask(keep, ca, c, keepMotion);
      double lr = recipe.learningRateAt(step);
      double[] losses;
      try (NDScope scope = new NDScope()) {
        NDArray ax1 = manager.create(x1, video);
        NDArray ax0 = manager.create(x0, video);
        NDArray at = manager.create(times, new Shape(b));
        NDArray atext = manager.create(text, new Shape(b, cfg.maxTextTokens()));
        NDArray mask = manager.create(keepMotion, new Shape(b, c, 1, 1, 1));
        NDArray xt = FlowMatchingLoss.interpolate(ax1, ax0, at, mask);
        NDArray target = FlowMatchingLoss.target(ax1, ax0, recipe.predictSample());
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray v = model.forward(xt, at, atext);
          NDArray err = FlowMatchingLoss.squaredError(v, target, mask);
          NDArray loss = FlowMatchingLoss.mean(err, mask, per);
          gc.backward(loss);
          losses = FlowMatchingLoss.stats(loss, err, mask, per, ca, c, anyMotionKept);
        }
        double norm = update(lr);
        step++;
        if (listener != null) {
          listener.step(new StepStats(step, losses[0], losses[1], losses[2], lr, norm));
        }
      }
      // A non-finite loss or gradient skips the update (see update), so the weights stay finite;
      // such steps came one at a time here and did not repeat when replayed. Many in a row mean
      // real divergence.
      badInARow = Double.isFinite(losses[0]) ? 0 : badInARow + 1;
      if (badInARow >= 20) {
        throw new VideoJamException("training diverged at step " + step + " (loss " + losses[0]
            + " for 20 steps); lower the learning rate or resume from an earlier checkpoint");
      }
    }
  }

  /** Adam with bias correction and global-norm clipping; returns the norm before clipping. */
  private double update(double lr) {
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double sq = 0;
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      NDArray g = e.getValue().getGradient();
      NDScope.register(g);
      grads.put(e.getKey(), g);
      sq += g.square().sum().getFloat();
    }
    double norm = Math.sqrt(sq);
    if (!Double.isFinite(norm)) {
      // a non-finite gradient with a finite loss (seen once in a few thousand steps here): skip
      // the update, as mixed-precision trainers do, rather than poison the weights
      for (NDArray p : model.parameters().values()) {
        JniUtils.zeroGrad((PtNDArray) p);
      }
      skipped++;
      return norm;
    }
    float scale = recipe.gradClip() > 0 && norm > recipe.gradClip() ? (float) (recipe.gradClip() / norm) : 1f;
    long t = step + 1;
    double corr = Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t));
    float stepSize = (float) (lr * corr);
    float decay = (float) recipe.emaDecay();
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      NDArray p = e.getValue();
      NDArray g = grads.get(e.getKey()).mul(scale);
      NDArray m = adamM.get(e.getKey());
      NDArray v = adamV.get(e.getKey());
      m.muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
      v.muli((float) BETA2).addi(g.square().mul((float) (1 - BETA2)));
      p.subi(m.div(v.sqrt().add((float) EPS)).mul(stepSize));
      JniUtils.zeroGrad((PtNDArray) p);
      NDArray avg = ema.get(e.getKey());
      if (avg != null) {
        avg.muli(decay).addi(p.mul(1f - decay));
      }
    }
    return norm;
  }

  /** The weights to export: the EMA when the recipe keeps one, else the raw weights. */
  public Map<String, float[]> exportWeights() {
    if (ema.isEmpty()) {
      return model.weights();
    }
    Map<String, float[]> out = new LinkedHashMap<>();
    ema.forEach((k, v) -> out.put(k, v.toFloatArray()));
    return out;
  }

  /** The full training state at the current step. */
  public Checkpoint checkpoint(Map<String, String> meta) {
    Map<String, float[]> tensors = new LinkedHashMap<>();
    model.weights().forEach((k, v) -> tensors.put("w/" + k, v));
    adamM.forEach((k, v) -> tensors.put("m/" + k, v.toFloatArray()));
    adamV.forEach((k, v) -> tensors.put("v/" + k, v.toFloatArray()));
    ema.forEach((k, v) -> tensors.put("ema/" + k, v.toFloatArray()));
    return new Checkpoint(step, meta, tensors);
  }

  /** Writes {@link #checkpoint} atomically. */
  public void saveCheckpoint(Path file, Map<String, String> meta) {
    checkpoint(meta).write(file);
  }

  @Override
  public void close() {
    manager.close();
  }
}
