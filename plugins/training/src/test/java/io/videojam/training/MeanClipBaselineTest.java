package io.videojam.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The closed form against the simulated loss of the mean clip as a predictor, on fresh noise. */
class MeanClipBaselineTest {
  @Test
  void equalsTheSimulatedLossOfPredictingTheMeanClip() {
    int per = 3, n = 4000;
    SplittableRandom r = new SplittableRandom(5);
    float[] clips = new float[n * per];
    for (int k = 0; k < n; k++) {
      clips[k * per] = 0.3f; // constant
      clips[k * per + 1] = r.nextDouble() < 0.2 ? 1f : -1f; // variance 4 * 0.2 * 0.8 = 0.64
      clips[k * per + 2] = (float) (2 * r.nextDouble() - 1); // variance 1/3
    }
    double[] mean = new double[per];
    for (int k = 0; k < n; k++) {
      for (int i = 0; i < per; i++) {
        mean[i] += clips[k * per + i] / (double) n;
      }
    }
    double velocity = 0, sample = 0;
    int draws = 20;
    for (int d = 0; d < draws; d++) {
      for (int k = 0; k < n; k++) {
        for (int i = 0; i < per; i++) {
          double x1 = clips[k * per + i], x0 = r.nextGaussian();
          velocity += Math.pow(mean[i] - (x1 - x0), 2);
          sample += Math.pow(mean[i] - x1, 2);
        }
      }
    }
    velocity /= (double) draws * n * per;
    sample /= (double) draws * n * per;
    assertThat(MeanClipBaseline.loss(clips, n, per, false)).isCloseTo(velocity, within(0.01));
    assertThat(MeanClipBaseline.loss(clips, n, per, true)).isCloseTo(sample, within(1e-9));
    assertThat(MeanClipBaseline.loss(clips, n, per, true)).isCloseTo((0 + 0.64 + 1 / 3.0) / 3, within(0.01));
  }

  @Test
  void constantClipsCostOnlyTheNoise() {
    float[] constant = {0.5f, -0.96f, 0.5f, -0.96f};
    assertThat(MeanClipBaseline.loss(constant, 2, 2, true)).isZero();
    assertThat(MeanClipBaseline.loss(constant, 2, 2, false)).isEqualTo(1.0);
  }
}
