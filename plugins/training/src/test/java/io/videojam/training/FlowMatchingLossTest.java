package io.videojam.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The training objective (Eq. 1 to 3, Eq. 6 with motion dropout) on a tiny batch, against the same
 * quantities summed element by element in double precision: B = 2 samples, C = 3 channels (2
 * appearance, 1 motion), T H W = 2 elements per channel.
 */
class FlowMatchingLossTest {
  static final int B = 2, C = 3, CA = 2, PER = 2, N = B * C * PER;
  static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager(null, "PyTorch");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static float[] values(double a, double b) {
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      v[i] = (float) (a * Math.sin(1.7 * i + b) + 0.1 * i);
    }
    return v;
  }

  static final float[] X1 = values(1.0, 0.3);
  static final float[] X0 = values(1.3, 2.1);
  static final float[] U = values(0.8, -0.7);
  static final float[] TIMES = {0.25f, 0.8f};

  static NDArray latent(float[] v) {
    return manager.create(v, new Shape(B, C, 1, 1, PER));
  }

  static NDArray mask(boolean... keep) {
    float[] m = new float[B * C];
    FlowMatchingLoss.motionMask(keep, CA, C, m);
    return manager.create(m, new Shape(B, C, 1, 1, 1));
  }

  /** Sample b, channel c of flat index i in [B, C, T, H, W]. */
  static int sample(int i) {
    return i / (C * PER);
  }

  static int channel(int i) {
    return i / PER % C;
  }

  @Test
  void theMaskKeepsAppearanceAlwaysAndMotionOnlyWhereKept() {
    float[] m = new float[2 * 3];
    FlowMatchingLoss.motionMask(new boolean[] {true, false}, 2, 3, m);
    assertThat(m).containsExactly(1, 1, 1, 1, 1, 0);
    float[] two = new float[2 * 4];
    FlowMatchingLoss.motionMask(new boolean[] {false, true}, 1, 4, two);
    assertThat(two).containsExactly(1, 0, 0, 0, 1, 1, 1, 1);
  }

  @Test
  void interpolationIsEq1PerSampleWithDroppedMotionZeroed() {
    float[] xt = FlowMatchingLoss.interpolate(latent(X1), latent(X0), manager.create(TIMES), mask(true, false)).toFloatArray();
    for (int i = 0; i < N; i++) {
      double t = TIMES[sample(i)];
      boolean dropped = sample(i) == 1 && channel(i) >= CA;
      double expected = dropped ? 0 : t * X1[i] + (1 - t) * X0[i];
      assertThat((double) xt[i]).as("element %d", i).isCloseTo(expected, within(1e-6));
    }
    // the ends: t = 0 is the noise, t = 1 the data
    float[] ends = FlowMatchingLoss.interpolate(latent(X1), latent(X0), manager.create(new float[] {0f, 1f}), mask(true, true))
        .toFloatArray();
    for (int i = 0; i < N; i++) {
      assertThat(ends[i]).isEqualTo(sample(i) == 0 ? X0[i] : X1[i]);
    }
  }

  @Test
  void theTargetIsTheVelocityOrTheCleanClip() {
    float[] v = FlowMatchingLoss.target(latent(X1), latent(X0), false).toFloatArray();
    float[] clean = FlowMatchingLoss.target(latent(X1), latent(X0), true).toFloatArray();
    for (int i = 0; i < N; i++) {
      assertThat(v[i]).isEqualTo(X1[i] - X0[i]);
      assertThat(clean[i]).isEqualTo(X1[i]);
    }
  }

  /** [loss, appearance, motion] summed by hand over the kept elements. */
  static double[] byHand(float[] u, float[] target, boolean[] keep) {
    double all = 0, app = 0, mot = 0;
    int nAll = 0, nApp = 0, nMot = 0;
    for (int i = 0; i < N; i++) {
      boolean motion = channel(i) >= CA;
      if (motion && !keep[sample(i)]) {
        continue;
      }
      double e = (u[i] - target[i]) * (double) (u[i] - target[i]);
      all += e;
      nAll++;
      if (motion) {
        mot += e;
        nMot++;
      } else {
        app += e;
        nApp++;
      }
    }
    return new double[] {all / nAll, app / nApp, nMot == 0 ? Double.NaN : mot / nMot};
  }

  double[] stats(boolean... keep) {
    NDArray mask = mask(keep);
    NDArray target = FlowMatchingLoss.target(latent(X1), latent(X0), false);
    NDArray err = FlowMatchingLoss.squaredError(latent(U), target, mask);
    NDArray loss = FlowMatchingLoss.mean(err, mask, PER);
    boolean any = false;
    for (boolean k : keep) {
      any |= k;
    }
    return FlowMatchingLoss.stats(loss, err, mask, PER, CA, C, any);
  }

  @Test
  void theLossIsTheMeanSquaredErrorOverTheKeptElements() {
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      v[i] = X1[i] - X0[i];
    }
    for (boolean[] keep : new boolean[][] {{true, true}, {true, false}, {false, true}}) {
      double[] got = stats(keep);
      double[] expected = byHand(U, v, keep);
      String what = keep[0] + "," + keep[1];
      assertThat(got[0]).as("loss " + what).isCloseTo(expected[0], within(1e-5));
      assertThat(got[1]).as("appearance " + what).isCloseTo(expected[1], within(1e-5));
      assertThat(got[2]).as("motion " + what).isCloseTo(expected[2], within(1e-5));
    }
    // with every sample's motion dropped, the loss is the appearance MSE (the base model's objective)
    double[] none = stats(false, false);
    assertThat(none[0]).isCloseTo(byHand(U, v, new boolean[] {false, false})[0], within(1e-5));
    assertThat(none[0]).isCloseTo(none[1], within(1e-6));
    assertThat(none[2]).isNaN();
  }

  @Test
  void theExactVelocityHasZeroLossAndTheMaskedErrorIsZero() {
    NDArray mask = mask(true, false);
    NDArray target = FlowMatchingLoss.target(latent(X1), latent(X0), false);
    NDArray err = FlowMatchingLoss.squaredError(target, target, mask);
    assertThat(FlowMatchingLoss.mean(err, mask, PER).getFloat()).isEqualTo(0f);
    // a prediction wrong only on the dropped motion channel costs nothing
    float[] u = target.toFloatArray();
    float[] wrong = u.clone();
    for (int i = 0; i < N; i++) {
      if (sample(i) == 1 && channel(i) >= CA) {
        wrong[i] += 5;
      }
    }
    NDArray e2 = FlowMatchingLoss.squaredError(latent(wrong), target, mask);
    assertThat(e2.toFloatArray()).containsOnly(0f);
    // wrong by 2 on every element: loss 4 whatever the mask
    for (int i = 0; i < N; i++) {
      wrong[i] = u[i] + 2;
    }
    assertThat(FlowMatchingLoss.mean(FlowMatchingLoss.squaredError(latent(wrong), target, mask), mask, PER).getFloat())
        .isCloseTo(4f, within(1e-5f));
  }

  @Test
  void groupMeansAreRatiosOfSumsAndNanWithoutWeight() {
    float[] sums = {1, 2, 3, 4};
    float[] weights = {1, 1, 2, 0};
    assertThat(FlowMatchingLoss.groupMean(sums, weights, 0, 2)).isEqualTo(1.5);
    assertThat(FlowMatchingLoss.groupMean(sums, weights, 1, 3)).isEqualTo(5 / 3.0);
    assertThat(FlowMatchingLoss.groupMean(sums, weights, 3, 4)).isNaN();
    assertThat(FlowMatchingLoss.groupMean(sums, weights, 2, 2)).isNaN();
  }
}
