package io.videojam.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.Settings;
import io.videojam.flow.DisFlowProvider;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class VideoMetricsTest {
  static final int SIZE = 64;
  static final int T = 8;
  static final Supplier<FlowEstimator> DIS = new DisFlowProvider().factory("medium", Settings.empty("test"), null, null);
  /** A fixed derangement of 8 frames (no frame stays in place). */
  static final int[] DERANGEMENT = {5, 3, 7, 1, 6, 0, 4, 2};

  /** Smooth random texture: per channel a sum of sinusoids with wavelengths 8 to 32 px. */
  static final class Texture {
    final int waves = 16;
    final double[] kx = new double[waves];
    final double[] ky = new double[waves];
    final double[] phase = new double[waves];
    final double[][] amp = new double[3][waves];

    Texture(long seed) {
      Random r = new Random(seed);
      for (int k = 0; k < waves; k++) {
        double wavelength = 8 + 24 * r.nextDouble();
        double angle = 2 * Math.PI * r.nextDouble();
        kx[k] = 2 * Math.PI / wavelength * Math.cos(angle);
        ky[k] = 2 * Math.PI / wavelength * Math.sin(angle);
        phase[k] = 2 * Math.PI * r.nextDouble();
        for (int c = 0; c < 3; c++) {
          amp[c][k] = (0.5 + r.nextDouble()) * 1.6 / Math.sqrt(waves);
        }
      }
    }

    double at(int c, double x, double y) {
      double s = 0;
      for (int k = 0; k < waves; k++) {
        s += amp[c][k] * Math.sin(kx[k] * x + ky[k] * y + phase[k]);
      }
      return Math.max(-1, Math.min(1, s));
    }
  }

  /** Frame f shows the texture moved by (f dx, f dy), with frame order {@code order[f]}. */
  static FloatTensor translating(double dx, double dy, int[] order) {
    Texture tex = new Texture(11);
    int hw = SIZE * SIZE;
    float[] d = new float[3 * T * hw];
    for (int f = 0; f < T; f++) {
      int k = order == null ? f : order[f];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < SIZE; y++) {
          for (int x = 0; x < SIZE; x++) {
            d[(c * T + f) * hw + y * SIZE + x] = (float) tex.at(c, x - k * dx, y - k * dy);
          }
        }
      }
    }
    return new FloatTensor(new long[] {3, T, SIZE, SIZE}, d);
  }

  /** A square of side {@code side} at (x0 + 2f, y0) on a grey background, hidden in frames where {@code hidden}. */
  static FloatTensor square(int side, boolean hideOddFrames) {
    int hw = SIZE * SIZE;
    float[] d = new float[3 * T * hw];
    float[] bg = {-0.6f, -0.6f, -0.6f};
    float[] fg = {0.8f, 0.2f, -0.2f};
    for (int f = 0; f < T; f++) {
      boolean show = !(hideOddFrames && f % 2 == 1);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < SIZE; y++) {
          for (int x = 0; x < SIZE; x++) {
            boolean in = show && x >= 10 + 2 * f && x < 10 + 2 * f + side && y >= 20 && y < 20 + side;
            d[(c * T + f) * hw + y * SIZE + x] = in ? fg[c] : bg[c];
          }
        }
      }
    }
    return new FloatTensor(new long[] {3, T, SIZE, SIZE}, d);
  }

  @Test
  void staticClip() {
    FloatTensor video = translating(0, 0, null);
    MetricsReport r = VideoMetrics.compute(video, DIS);
    assertThat(r.dynamicDegree()).isEqualTo(0.0);
    assertThat(r.meanFlowTop5()).isLessThan(0.05);
    assertThat(r.temporalFlickering()).isEqualTo(1.0);
    assertThat(r.motionSmoothness()).isGreaterThan(0.999);
    assertThat(r.warpingError()).isLessThan(1e-5);
  }

  @Test
  void translatingClipIsDynamicAndShufflingHurtsSmoothnessAndWarping() {
    MetricsReport ordered = VideoMetrics.compute(translating(3, 0, null), DIS);
    MetricsReport shuffled = VideoMetrics.compute(translating(3, 0, DERANGEMENT), DIS);
    System.out.println("ordered  " + ordered);
    System.out.println("shuffled " + shuffled);
    assertThat(ordered.dynamicDegree()).isEqualTo(1.0);
    assertThat(ordered.meanFlowTop5()).isCloseTo(3.0, within(0.6));
    assertThat(ordered.motionSmoothness()).isGreaterThan(0.97);
    assertThat(shuffled.motionSmoothness()).isLessThan(ordered.motionSmoothness() - 0.03);
    assertThat(shuffled.warpingError()).isGreaterThan(ordered.warpingError() + 0.005);
  }

  @Test
  void slowSubPixelTranslationIsSmoothButNotDynamic() {
    MetricsReport r = VideoMetrics.compute(translating(0.5, -0.3, null), DIS);
    System.out.println("slow     " + r);
    assertThat(r.dynamicDegree()).isEqualTo(0.0); // ~0.58 px per frame, below 6 * 64 / 256 = 1.5
    assertThat(r.meanFlowTop5()).isCloseTo(Math.hypot(0.5, 0.3), within(0.3));
    assertThat(r.motionSmoothness()).isGreaterThan(0.97);
    assertThat(r.warpingError()).isLessThan(0.005);
  }

  @Test
  void flickeringOfAlternatingBrightness() {
    int hw = SIZE * SIZE;
    float[] d = new float[3 * T * hw];
    for (int c = 0; c < 3; c++) {
      for (int f = 0; f < T; f++) {
        for (int i = 0; i < hw; i++) {
          d[(c * T + f) * hw + i] = f % 2 == 0 ? -0.1f : 0.1f;
        }
      }
    }
    double flicker = VideoMetrics.temporalFlickering(new FloatTensor(new long[] {3, T, SIZE, SIZE}, d));
    assertThat(flicker).isCloseTo((255 - 25.5) / 255, within(1e-3));
  }

  @Test
  void subjectPersistence() {
    double steady = VideoMetrics.subjectPersistence(square(16, false));
    double vanishing = VideoMetrics.subjectPersistence(square(16, true));
    assertThat(steady).isGreaterThan(0.9);
    assertThat(vanishing).isLessThan(0.6);
    assertThat(VideoMetrics.subjectPersistence(translating(0, 0, null).copy())).isBetween(0.0, 1.0);
  }
}
