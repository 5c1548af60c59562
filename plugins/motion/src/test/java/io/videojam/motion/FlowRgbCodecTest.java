package io.videojam.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlowRgbCodecTest {
  private final FlowRgbCodec codec = new FlowRgbCodec();

  /** Eq. 5 computed independently: java.awt's HSB to RGB, 8-bit levels {R, G, B}. */
  static int[] reference(double u, double v, double saturation) {
    double m = Math.min(1, Math.hypot(u, v) / saturation);
    double hue = Math.atan2(v, u) / (2 * Math.PI);
    hue -= Math.floor(hue);
    int rgb = Color.HSBtoRGB((float) hue, 1f, (float) m);
    return new int[] {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
  }

  static FlowField field(int height, int width, List<double[]> vectors) {
    float[] u = new float[height * width];
    float[] v = new float[height * width];
    for (int i = 0; i < vectors.size(); i++) {
      u[i] = (float) vectors.get(i)[0];
      v[i] = (float) vectors.get(i)[1];
    }
    return new FlowField(height, width, u, v);
  }

  static int level(byte b) {
    return b & 0xFF;
  }

  /** Eq. 5 against java.awt.Color.HSBtoRGB over every tenth of a degree, the axes and diagonals, and speeds 0..3 S. */
  @Test
  void matchesEq5WithinOneGreyLevel() {
    int height = 300;
    int width = 400;
    double s = 0.15 * Math.hypot(height, width);
    assertThat(codec.saturationSpeed(height, width)).isEqualTo(s);
    double[] ms = {0, 0.001, 0.004, 0.01, 0.03, 0.05, 0.1, 0.2, 0.25, 0.3333, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95,
        0.99, 0.999, 1, 1.0001, 1.5, 3};
    List<double[]> directions = new ArrayList<>();
    for (int tenth = 0; tenth < 3600; tenth++) {
      double a = Math.toRadians(tenth / 10.0);
      directions.add(new double[] {Math.cos(a), Math.sin(a)});
    }
    double r = Math.sqrt(0.5);
    double[][] exact = {{1, 0}, {r, r}, {0, 1}, {-r, r}, {-1, 0}, {-r, -r}, {0, -1}, {r, -r}};
    for (double[] d : exact) {
      directions.add(d);
    }
    List<double[]> vectors = new ArrayList<>();
    for (double m : ms) {
      for (double[] d : directions) {
        vectors.add(new double[] {m * s * d[0], m * s * d[1]});
      }
    }
    // the exact axes with exactly representable components, and -0.0
    for (double m : ms) {
      float sp = (float) (m * s);
      vectors.add(new double[] {sp, 0});
      vectors.add(new double[] {0, sp});
      vectors.add(new double[] {-sp, 0});
      vectors.add(new double[] {0, -sp});
      vectors.add(new double[] {-sp, -0.0});
      vectors.add(new double[] {sp, sp});
      vectors.add(new double[] {-sp, sp});
    }
    assertThat(vectors.size()).isLessThanOrEqualTo(height * width);
    FlowField flow = field(height, width, vectors);
    byte[] levels = codec.encodeLevels(flow);
    float[] floats = codec.encode(flow).data();
    int n = height * width;
    int worst = 0;
    int differing = 0;
    for (int i = 0; i < vectors.size(); i++) {
      int[] want = reference(flow.u()[i], flow.v()[i], s);
      for (int c = 0; c < 3; c++) {
        int got = level(levels[c * n + i]);
        int diff = Math.abs(got - want[c]);
        worst = Math.max(worst, diff);
        differing += diff > 0 ? 1 : 0;
        assertThat(diff).as("pixel %d (%s, %s) channel %d", i, flow.u()[i], flow.v()[i], c).isLessThanOrEqualTo(1);
        // the float image: level p is p / 127.5 - 1
        double continuous = (floats[c * n + i] + 1) * 127.5;
        assertThat(Math.abs(continuous - want[c])).isLessThanOrEqualTo(1.0);
        assertThat(Math.abs(continuous - got)).isLessThanOrEqualTo(0.5 + 1e-3);
      }
    }
    assertThat(worst).isLessThanOrEqualTo(1);
    // Rounding ties aside, the two agree almost everywhere.
    assertThat(differing).isLessThan(vectors.size() * 3 / 100);
  }

  @Test
  void zeroFlowIsBlack() {
    float[] u = {0, -0.0f, 0, -0.0f};
    float[] v = {0, 0, -0.0f, -0.0f};
    FlowField flow = new FlowField(2, 2, u, v);
    assertThat(codec.encodeLevels(flow)).containsOnly((byte) 0);
    assertThat(codec.encode(flow).data()).containsOnly(-1f);
    FlowField back = codec.decode(codec.encodeLevels(flow), 2, 2);
    assertThat(back.u()).containsOnly(0f);
    assertThat(back.v()).containsOnly(0f);
  }

  @Test
  void saturatesExactlyAtSigmaTimesDiagonal() {
    int h = 100;
    int w = 100;
    float s = (float) codec.saturationSpeed(h, w);
    float[][] axes = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
    int[][] pure = {{255, 0, 0}, {128, 255, 0}, {0, 255, 255}, {128, 0, 255}};
    for (int k = 0; k < axes.length; k++) {
      float[] d = axes[k];
      float below = s * (1 - 1e-4f);
      float levelBelow = s * (1 - 1f / 255);
      float[] speeds = {below, levelBelow, s, Math.nextUp(s), s * 1.0001f, 10 * s};
      float[] u = new float[h * w];
      float[] v = new float[h * w];
      for (int i = 0; i < speeds.length; i++) {
        u[i] = speeds[i] * d[0];
        v[i] = speeds[i] * d[1];
      }
      FlowField flow = new FlowField(h, w, u, v);
      float[] f = codec.encode(flow).data();
      byte[] b = codec.encodeLevels(flow);
      int n = h * w;
      // just below: brightness < 1 (float), < 255 (8-bit) once a level below
      assertThat(max(f[0], f[n], f[2 * n])).isLessThan(1f).isGreaterThan(0.999f);
      assertThat(max(level(b[1]), level(b[n + 1]), level(b[2 * n + 1]))).isEqualTo(254);
      for (int i = 2; i < speeds.length; i++) {
        assertThat(max(f[i], f[n + i], f[2 * n + i])).as("speed %s of S %s", speeds[i], s).isEqualTo(1f);
        // the colour there is the pure hue of the direction
        assertThat(new int[] {level(b[i]), level(b[n + i]), level(b[2 * n + i])}).containsExactly(pure[k]);
      }
    }
    // off the axes too: at and beyond S the colour is the pure hue (V = 1), as HSBtoRGB(hue, 1, 1)
    SplittableRandom random = new SplittableRandom(5);
    List<double[]> vectors = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      double a = random.nextDouble(2 * Math.PI);
      double speed = s * (1.001 + random.nextDouble(5));
      vectors.add(new double[] {speed * Math.cos(a), speed * Math.sin(a)});
    }
    FlowField flow = field(h, w, vectors);
    byte[] b = codec.encodeLevels(flow);
    int n = h * w;
    for (int i = 0; i < vectors.size(); i++) {
      assertThat(max(level(b[i]), level(b[n + i]), level(b[2 * n + i]))).isEqualTo(255);
      assertThat(Math.min(level(b[i]), Math.min(level(b[n + i]), level(b[2 * n + i])))).isEqualTo(0);
      double hue = Math.atan2(flow.v()[i], flow.u()[i]);
      int[] want = reference(Math.cos(hue), Math.sin(hue), 1);
      for (int c = 0; c < 3; c++) {
        assertThat(Math.abs(level(b[c * n + i]) - want[c])).isLessThanOrEqualTo(1);
      }
    }
  }

  private static float max(float a, float b, float c) {
    return Math.max(a, Math.max(b, c));
  }

  private static int max(int a, int b, int c) {
    return Math.max(a, Math.max(b, c));
  }

  /** The colour wheel of the class comment, at m = 1, y pointing down. */
  @Test
  void colourWheel() {
    int h = 8;
    int w = 8;
    double s = codec.saturationSpeed(h, w);
    // direction in degrees -> documented (R, G, B)
    double[] degrees = {0, 45, 60, 90, 120, 135, 180, 225, 240, 270, 300, 315};
    int[][] rgb = {{255, 0, 0}, {255, 191, 0}, {255, 255, 0}, {128, 255, 0}, {0, 255, 0}, {0, 255, 64}, {0, 255, 255},
        {0, 64, 255}, {0, 0, 255}, {128, 0, 255}, {255, 0, 255}, {255, 0, 191}};
    List<double[]> vectors = new ArrayList<>();
    for (double d : degrees) {
      double a = Math.toRadians(d);
      vectors.add(new double[] {2 * s * Math.cos(a), 2 * s * Math.sin(a)});
    }
    // exact axes: right, down, left, up
    vectors.add(new double[] {5 * s, 0});
    vectors.add(new double[] {0, 5 * s});
    vectors.add(new double[] {-5 * s, 0});
    vectors.add(new double[] {0, -5 * s});
    byte[] b = codec.encodeLevels(field(h, w, vectors));
    int n = h * w;
    for (int i = 0; i < degrees.length; i++) {
      assertThat(new int[] {level(b[i]), level(b[n + i]), level(b[2 * n + i])}).as("%s degrees", degrees[i])
          .containsExactly(rgb[i]);
    }
    int k = degrees.length;
    assertThat(new int[] {level(b[k]), level(b[n + k]), level(b[2 * n + k])}).as("right = red").containsExactly(255, 0, 0);
    assertThat(hueDegrees(b, n, k + 1)).as("down = hue 90").isCloseTo(90, org.assertj.core.data.Offset.offset(0.5));
    assertThat(new int[] {level(b[k + 2]), level(b[n + k + 2]), level(b[2 * n + k + 2])}).as("left = cyan")
        .containsExactly(0, 255, 255);
    assertThat(hueDegrees(b, n, k + 3)).as("up = hue 270").isCloseTo(270, org.assertj.core.data.Offset.offset(0.5));
  }

  private static double hueDegrees(byte[] b, int n, int i) {
    float[] hsb = Color.RGBtoHSB(level(b[i]), level(b[n + i]), level(b[2 * n + i]), null);
    assertThat(hsb[1]).isEqualTo(1f);
    assertThat(hsb[2]).isEqualTo(1f);
    return hsb[0] * 360.0;
  }

  /** 8-bit encode then decode stays within the documented bounds wherever m < 1; the bounds are nearly tight. */
  @ParameterizedTest
  @ValueSource(doubles = {0.15, 0.05, 1.0})
  void eightBitRoundTripWithinQuantisationBound(double sigma) {
    FlowRgbCodec c = new FlowRgbCodec(sigma);
    int h = 256;
    int w = 320;
    double s = c.saturationSpeed(h, w);
    SplittableRandom random = new SplittableRandom(42);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      double m = 0.05 + 0.9 * random.nextDouble();
      double a = random.nextDouble(-Math.PI, Math.PI);
      u[i] = (float) (m * s * Math.cos(a));
      v[i] = (float) (m * s * Math.sin(a));
    }
    FlowField flow = new FlowField(h, w, u, v);
    FlowField back = c.decode(c.encodeLevels(flow), h, w);
    double speedBound = c.speedErrorBound8Bit(h, w);
    assertThat(speedBound).isEqualTo(s / 510);
    double worstSpeed = 0;
    double worstAngle = 0;
    double worstEndpoint = 0;
    for (int i = 0; i < h * w; i++) {
      double speed = Math.hypot(u[i], v[i]);
      double m = speed / s;
      double speedError = Math.abs(Math.hypot(back.u()[i], back.v()[i]) - speed);
      double angleError = angleBetween(Math.atan2(back.v()[i], back.u()[i]), Math.atan2(v[i], u[i]));
      assertThat(speedError).as("pixel %d m %s", i, m).isLessThanOrEqualTo(speedBound * (1 + 1e-4) + 1e-4);
      assertThat(angleError).as("pixel %d m %s", i, m).isLessThanOrEqualTo(FlowRgbCodec.angleErrorBound8Bit(m) + 1e-5);
      worstSpeed = Math.max(worstSpeed, speedError / speedBound);
      worstAngle = Math.max(worstAngle, angleError / FlowRgbCodec.angleErrorBound8Bit(m));
      worstEndpoint = Math.max(worstEndpoint, Math.hypot(back.u()[i] - u[i], back.v()[i] - v[i]));
    }
    // the documented endpoint bound for m >= 0.05
    assertThat(worstEndpoint).isLessThanOrEqualTo(s / 160);
    // the bounds are not loose: random flows come close to them
    assertThat(worstSpeed).isGreaterThan(0.95);
    assertThat(worstAngle).isGreaterThan(0.5);
  }

  static double angleBetween(double a, double b) {
    double d = Math.abs(a - b) % (2 * Math.PI);
    return Math.min(d, 2 * Math.PI - d);
  }

  @Test
  void floatRoundTripIsNearlyExact() {
    int h = 64;
    int w = 64;
    double s = codec.saturationSpeed(h, w);
    SplittableRandom random = new SplittableRandom(7);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      double m = 0.01 + 0.98 * random.nextDouble();
      double a = random.nextDouble(-Math.PI, Math.PI);
      u[i] = (float) (m * s * Math.cos(a));
      v[i] = (float) (m * s * Math.sin(a));
    }
    FlowField flow = new FlowField(h, w, u, v);
    FlowField back = codec.decode(codec.encode(flow));
    for (int i = 0; i < h * w; i++) {
      double speed = Math.hypot(u[i], v[i]);
      assertThat(Math.abs(Math.hypot(back.u()[i], back.v()[i]) - speed)).isLessThanOrEqualTo(2e-6 * s);
      assertThat(angleBetween(Math.atan2(back.v()[i], back.u()[i]), Math.atan2(v[i], u[i])))
          .isLessThanOrEqualTo(2e-6 + 1e-7 / (speed / s));
    }
  }

  @Test
  void beyondSaturationDecodesToTheSaturationSpeedInItsDirection() {
    int h = 120;
    int w = 90;
    double s = codec.saturationSpeed(h, w);
    SplittableRandom random = new SplittableRandom(3);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      double speed = s * (1 + random.nextDouble(20));
      double a = random.nextDouble(-Math.PI, Math.PI);
      u[i] = (float) (speed * Math.cos(a));
      v[i] = (float) (speed * Math.sin(a));
    }
    u[0] = 1e6f;
    v[0] = 0;
    FlowField flow = new FlowField(h, w, u, v);
    FlowField fromLevels = codec.decode(codec.encodeLevels(flow), h, w);
    FlowField fromFloats = codec.decode(codec.encode(flow));
    for (int i = 0; i < h * w; i++) {
      double a = Math.atan2(v[i], u[i]);
      assertThat(Math.hypot(fromLevels.u()[i], fromLevels.v()[i])).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5 * s));
      assertThat(Math.hypot(fromFloats.u()[i], fromFloats.v()[i])).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5 * s));
      assertThat(angleBetween(Math.atan2(fromLevels.v()[i], fromLevels.u()[i]), a))
          .isLessThanOrEqualTo(FlowRgbCodec.angleErrorBound8Bit(1) + 1e-6);
      assertThat(angleBetween(Math.atan2(fromFloats.v()[i], fromFloats.u()[i]), a)).isLessThanOrEqualTo(2e-6);
    }
    assertThat(fromLevels.u()[0]).isEqualTo((float) s);
    assertThat(fromLevels.v()[0]).isEqualTo(0f);
  }

  @Test
  void encodeIntoWritesOneFrameOfAVideo() {
    int h = 7;
    int w = 5;
    int frames = 3;
    SplittableRandom random = new SplittableRandom(1);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      u[i] = (float) random.nextDouble(-3, 3);
      v[i] = (float) random.nextDouble(-3, 3);
    }
    FlowField flow = new FlowField(h, w, u, v);
    float[] video = new float[3 * frames * h * w];
    codec.encodeInto(flow, video, h * w, frames * h * w);
    float[] frame = codec.encode(flow).data();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < h * w; i++) {
        assertThat(video[(c * frames + 1) * h * w + i]).isEqualTo(frame[c * h * w + i]);
        assertThat(video[(c * frames) * h * w + i]).isEqualTo(0f);
      }
    }
    assertThatThrownBy(() -> codec.encodeInto(flow, new float[3 * h * w - 1], 0, h * w))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodingIsTheSameForEveryBlockBoundary() {
    // 1500 x 3 pixels spans two encoder blocks; every pixel must encode as it does alone.
    int h = 3;
    int w = 1500;
    SplittableRandom random = new SplittableRandom(11);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      u[i] = (float) random.nextDouble(-400, 400);
      v[i] = (float) random.nextDouble(-400, 400);
    }
    float[] all = codec.encode(new FlowField(h, w, u, v)).data();
    for (int i = 0; i < h * w; i += 97) {
      float[] one = codec.encode(new FlowField(h, w, pad(u[i], h * w), pad(v[i], h * w))).data();
      for (int c = 0; c < 3; c++) {
        assertThat(all[c * h * w + i]).isEqualTo(one[c * h * w]);
      }
    }
  }

  private static float[] pad(float first, int n) {
    float[] a = new float[n];
    a[0] = first;
    return a;
  }

  @Test
  void nonFiniteFlowIsRefused() {
    FlowField flow = FlowField.zeros(2, 3);
    flow.u()[4] = Float.NaN;
    assertThatThrownBy(() -> codec.encode(flow)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("x = 1, y = 1").hasMessageContaining("non-finite");
    flow.u()[4] = Float.POSITIVE_INFINITY;
    assertThatThrownBy(() -> codec.encodeLevels(flow)).isInstanceOf(VideoJamException.class);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, -0.1, 1.0001, 2, Double.NaN})
  void sigmaMustBeInZeroOne(double sigma) {
    assertThatThrownBy(() -> new FlowRgbCodec(sigma)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("sigma").hasMessageContaining("(0, 1]");
  }

  @Test
  void sigmaOneAndDefault() {
    assertThat(new FlowRgbCodec(1).saturationSpeed(3, 4)).isEqualTo(5.0);
    assertThat(new FlowRgbCodec().sigma()).isEqualTo(0.15);
    assertThat(new FlowRgbCodec().saturationSpeed(3, 4)).isEqualTo(0.75, org.assertj.core.data.Offset.offset(1e-15));
  }

  @Test
  void decodeChecksShapes() {
    assertThatThrownBy(() -> codec.decode(FloatTensor.zeros(2, 4, 4))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> codec.decode(new byte[10], 2, 2)).isInstanceOf(IllegalArgumentException.class);
    // a float image of black decodes to zero flow
    FloatTensor black = new FloatTensor(new long[] {3, 2, 2}, new float[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1});
    assertThat(codec.decode(black).u()).containsOnly(0f);
  }

  /**
   * The bench's fields (videojam bench flow times their encoding) cover what they claim: every hue
   * sector, saturated and unsaturated pixels, a drift that turns with the frame. The timing itself is
   * the bench command's business; here its rate only has to be a rate of this encoder: megapixels
   * per second, not pixels or seconds (a unit slip is a factor of 1e6).
   */
  @Test
  void benchmarkFieldsCoverEveryDirectionAndTheRateIsInMegapixelsPerSecond() {
    int size = 32;
    List<FlowField> fields = FlowRgbCodec.benchmarkFields(codec, size, 4);
    assertThat(fields).hasSize(4);
    double s = codec.saturationSpeed(size, size);
    boolean[] sectors = new boolean[6];
    int saturated = 0;
    int slow = 0;
    for (FlowField f : fields) {
      assertThat(f.height()).isEqualTo(size);
      assertThat(f.width()).isEqualTo(size);
      for (int p = 0; p < size * size; p++) {
        double angle = Math.atan2(f.v()[p], f.u()[p]);
        sectors[(int) Math.floor((angle < 0 ? angle + 2 * Math.PI : angle) / (Math.PI / 3)) % 6] = true;
        double speed = Math.hypot(f.u()[p], f.v()[p]);
        saturated += speed >= s ? 1 : 0;
        slow += speed < 0.5 * s ? 1 : 0;
      }
    }
    assertThat(sectors).containsOnly(true);
    assertThat(saturated).isPositive();
    assertThat(slow).isPositive();
    // at the centre only the drift is left: 0.1 S along angle 2 pi f / 4
    FlowField second = fields.get(1);
    int centre = (size / 2) * size + size / 2;
    assertThat((double) second.u()[centre]).isCloseTo(0, org.assertj.core.data.Offset.offset(1e-4 * s));
    assertThat((double) second.v()[centre]).isCloseTo(0.1 * s, org.assertj.core.data.Offset.offset(1e-4 * s));
    double rate = FlowRgbCodec.encodeMegapixelsPerSecond(size, 2, 2);
    assertThat(rate).as("megapixels per second").isBetween(1e-3, 1e5);
    assertThatThrownBy(() -> FlowRgbCodec.encodeMegapixelsPerSecond(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
