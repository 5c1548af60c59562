package io.videojam.training;

import io.videojam.api.VideoJamException;

/**
 * One training stage's recipe.
 *
 * @param steps optimiser steps in all (a resumed run continues up to this count)
 * @param batch clips per step
 * @param learningRate peak Adam learning rate
 * @param warmupSteps linear warm-up from 0 to the peak
 * @param finalLrFraction cosine decay ends at this fraction of the peak
 * @param gradClip global gradient-norm clip (0 = none)
 * @param emaDecay decay of the exponential moving average of the weights that is exported (0 = none)
 * @param textDropout share of samples trained with the null prompt (spec: 0.3 for VideoJAM)
 * @param motionDropout share of samples whose motion input is zero and whose loss skips the motion
 *     channels (spec: 0.2); ignored for models without motion channels
 * @param seed seed of noise, times and dropouts
 * @param checkpointEvery steps between checkpoints (0 = only at the end)
 * @param predictSample the network predicts the clean clip x1 (loss on x1) instead of the
 *     velocity x1 - x0; samplers convert with u = (x1_hat - x_t) / max(1 - t, 0.05)
 * @param times how training times t are drawn
 */
public record TrainConfig(
    int steps,
    int batch,
    double learningRate,
    int warmupSteps,
    double finalLrFraction,
    double gradClip,
    double emaDecay,
    double textDropout,
    double motionDropout,
    long seed,
    int checkpointEvery,
    boolean predictSample,
    TimeSampling times) {

  /** How a training sample's time t in (0, 1) is drawn. */
  public enum TimeSampling {
    /** t ~ U(0, 1). */
    UNIFORM,
    /**
     * t = sigmoid(n), n ~ N(0, 1) (Esser et al. 2024, "logit-normal"): most samples near t = 0.5,
     * where coarse layout and motion are decided, fewer at the nearly clean or nearly pure-noise
     * ends.
     */
    LOGIT_NORMAL;

    /** One time from {@code rnd}: one draw of it (uniform) or one Gaussian (logit-normal). */
    public double draw(java.util.SplittableRandom rnd) {
      return this == UNIFORM ? rnd.nextDouble() : 1 / (1 + Math.exp(-rnd.nextGaussian()));
    }
  }

  /** The clamp of the clean-clip to velocity conversion (model.json's "prediction-eps"). */
  public static final double SAMPLE_EPS = 0.05;

  public TrainConfig {
    if (steps < 1 || batch < 1) {
      throw new VideoJamException("training: steps and batch must be positive, got " + steps + " and " + batch);
    }
    if (!(learningRate > 0) || warmupSteps < 0 || finalLrFraction < 0 || finalLrFraction > 1) {
      throw new VideoJamException("training: bad learning-rate schedule (lr " + learningRate + ", warm-up "
          + warmupSteps + ", final fraction " + finalLrFraction + ")");
    }
    if (textDropout < 0 || textDropout > 1 || motionDropout < 0 || motionDropout > 1) {
      throw new VideoJamException("training: dropouts must be in [0, 1], got text " + textDropout
          + " and motion " + motionDropout);
    }
    if (times == null) {
      throw new VideoJamException("training: times (the time sampling) must be set");
    }
    if (emaDecay < 0 || emaDecay >= 1) {
      throw new VideoJamException("training: emaDecay must be in [0, 1), got " + emaDecay);
    }
  }

  /** The learning rate at {@code step} (0-based): linear warm-up, then cosine decay. */
  public double learningRateAt(long step) {
    if (step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    double progress = (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps);
    double cos = 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    return learningRate * (finalLrFraction + (1 - finalLrFraction) * cos);
  }

  /** This recipe with another step count. */
  public TrainConfig withSteps(int n) {
    return new TrainConfig(n, batch, learningRate, warmupSteps, finalLrFraction, gradClip, emaDecay,
        textDropout, motionDropout, seed, checkpointEvery, predictSample, times);
  }
}
