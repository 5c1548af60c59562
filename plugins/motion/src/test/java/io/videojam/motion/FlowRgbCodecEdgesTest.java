package io.videojam.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The codec on inputs its encoder never writes (decoding a model's predicted motion, which need not
 * be an exact Eq. 5 colour), its size checks, and the figures its documentation states.
 */
class FlowRgbCodecEdgesTest {
  private final FlowRgbCodec codec = new FlowRgbCodec();

  /** One pixel {r, g, b} in [0, 1] as a float image [3, 1, 1] in [-1, 1]. */
  static FloatTensor pixel(double r, double g, double b) {
    return new FloatTensor(new long[] {3, 1, 1}, new float[] {(float) (2 * r - 1), (float) (2 * g - 1), (float) (2 * b - 1)});
  }

  @Test
  void anyColourDecodesToItsHsvHueAndValue() {
    // desaturated colours (min channel > 0), as a model's predicted motion can be: the hue and value
    // of java.awt's RGB to HSB give the direction and m; S = 0.15 * sqrt(2) on a 1 x 1 frame
    double s = codec.saturationSpeed(1, 1);
    double[][] colours = {{1, 0.5, 0.25}, {0.3, 0.9, 0.6}, {0.2, 0.4, 0.8}, {0.8, 0.2, 0.5}, {0.6, 0.6, 0.1}, {0.1, 0.7, 0.7},
        {0.9, 0.1, 0.1}, {0.5, 0.2, 0.9}};
    for (double[] c : colours) {
      float[] hsb = Color.RGBtoHSB((int) Math.round(255 * c[0]), (int) Math.round(255 * c[1]), (int) Math.round(255 * c[2]), null);
      FlowField f = codec.decode(pixel(Math.round(255 * c[0]) / 255.0, Math.round(255 * c[1]) / 255.0, Math.round(255 * c[2]) / 255.0));
      double angle = 2 * Math.PI * hsb[0];
      double speed = hsb[2] * s;
      String what = java.util.Arrays.toString(c);
      assertThat((double) f.u()[0]).as("u of " + what).isCloseTo(speed * Math.cos(angle), within(1e-5 * s));
      assertThat((double) f.v()[0]).as("v of " + what).isCloseTo(speed * Math.sin(angle), within(1e-5 * s));
    }
  }

  @Test
  void greyHasNoHueAndDecodesAlongXAndBlackIsNoMotion() {
    double s = codec.saturationSpeed(1, 1);
    FlowField grey = codec.decode(pixel(0.5, 0.5, 0.5));
    assertThat((double) grey.u()[0]).isCloseTo(0.5 * s, within(1e-6));
    assertThat(grey.v()[0]).isEqualTo(0f);
    FlowField black = codec.decode(pixel(0, 0, 0));
    assertThat(black.u()[0]).isEqualTo(0f);
    assertThat(black.v()[0]).isEqualTo(0f);
    // brighter than full (a model's output can overshoot): the speed stays at S
    FlowField over = codec.decode(new FloatTensor(new long[] {3, 1, 1}, new float[] {1.5f, -1f, -1f}));
    assertThat((double) over.u()[0]).isCloseTo(s, within(1e-6));
  }

  @Test
  void imageSizesAreChecked() {
    assertThat(codec.decode(new byte[3], 1, 1).u()).hasSize(1);
    assertThat(codec.decode(new float[3 * 2 * 5], 2, 5).u()).hasSize(10);
    assertThatThrownBy(() -> codec.decode(new byte[0], 0, 5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a 5x0 RGB image needs 0 values, got 0");
    assertThatThrownBy(() -> codec.decode(new float[0], 5, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a 0x5 RGB image needs 0 values, got 0");
    assertThatThrownBy(() -> codec.decode(new byte[10], 2, 2)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a 2x2 RGB image needs 12 values, got 10");
    assertThatThrownBy(() -> codec.decode(new float[20], 2, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("a 3x2 RGB image needs 18 values, got 20");
    // [3, H, W] only: a rank-4 tensor of the right element count and a 4-channel image are refused
    assertThatThrownBy(() -> codec.decode(FloatTensor.zeros(3, 2, 2, 1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[3, H, W]");
    assertThatThrownBy(() -> codec.decode(FloatTensor.zeros(4, 2, 2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[3, H, W]");
    FlowField f = codec.decode(new FloatTensor(new long[] {3, 2, 3}, new float[18]));
    assertThat(f.height()).isEqualTo(2);
    assertThat(f.width()).isEqualTo(3);
  }

  @Test
  void encodeIntoChecksEveryBoundOfTheOutput() {
    FlowField flow = new FlowField(1, 2, new float[] {1, -1}, new float[] {0, 2});
    float[] exact = new float[4 + 2 * 3 + 2]; // offset 4, channel stride 3, 2 pixels: the last blue value at index 11
    codec.encodeInto(flow, exact, 4, 3);
    float[] alone = codec.encode(flow).data();
    assertThat(new float[] {exact[4], exact[5], exact[7], exact[8], exact[10], exact[11]}).containsExactly(alone);
    assertThatThrownBy(() -> codec.encodeInto(flow, new float[11], 4, 3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("output of 11 values");
    assertThatThrownBy(() -> codec.encodeInto(flow, new float[20], -1, 3)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> codec.encodeInto(flow, new float[20], 0, 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel stride 1");
    codec.encodeInto(flow, new float[6], 0, 2); // stride = pixels is allowed
  }

  @Test
  void nonFiniteValuesInEitherComponentAreRefusedWithTheirPixel() {
    FlowField flow = FlowField.zeros(5, 3);
    flow.v()[13] = Float.NaN; // x = 1, y = 4
    assertThatThrownBy(() -> codec.encode(flow)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("(0.0, NaN) at x = 1, y = 4;");
    flow.v()[13] = 0;
    flow.u()[7] = Float.NEGATIVE_INFINITY; // x = 1, y = 2
    assertThatThrownBy(() -> codec.encodeLevels(flow)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("(-Infinity, 0.0) at x = 1, y = 2;");
  }

  @Test
  void angleErrorBoundIsTheDocumentedFigures() {
    // class comment: 0.236 deg at m = 1, 0.47 deg at m = 0.5, 4.9 deg at m = 0.05
    assertThat(Math.toDegrees(FlowRgbCodec.angleErrorBound8Bit(1))).isCloseTo(60 / 254.5, within(1e-12)).isCloseTo(0.236, within(5e-4));
    assertThat(Math.toDegrees(FlowRgbCodec.angleErrorBound8Bit(0.5))).isCloseTo(0.47, within(5e-3));
    assertThat(Math.toDegrees(FlowRgbCodec.angleErrorBound8Bit(0.05))).isCloseTo(4.9, within(5e-2));
    assertThat(codec.speedErrorBound8Bit(300, 400)).isCloseTo(0.15 * 500 / 510, within(1e-12));
  }

  @Test
  void benchmarkFieldsAreTheVortexAndDriftTheyDescribe() {
    int size = 8;
    List<FlowField> fields = FlowRgbCodec.benchmarkFields(codec, size, 4);
    double s = codec.saturationSpeed(size, size);
    // pixel (x, y): dx = (x - 4) / 8, dy = (y - 4) / 8; u = S (-2.4 dy + 0.1 cos phase), v = S (2.4 dx + 0.1 sin phase)
    FlowField first = fields.get(0); // phase 0
    assertThat((double) first.u()[0]).isCloseTo(s * (1.2 + 0.1), within(1e-5));
    assertThat((double) first.v()[0]).isCloseTo(s * -1.2, within(1e-5));
    int p = 6 * size + 1; // x = 1, y = 6: dx = -3/8, dy = 1/4
    FlowField third = fields.get(2); // phase pi
    assertThat((double) third.u()[p]).isCloseTo(s * (-0.6 - 0.1), within(1e-5));
    assertThat((double) third.v()[p]).isCloseTo(s * -0.9, within(1e-5));
  }
}
