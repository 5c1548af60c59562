package io.videojam.jamworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.FlowField;
import io.videojam.motion.FlowRgbCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class MotionTargetsTest {
  private static final int T = 8;
  private static final int H = 16;
  private static final int W = 16;
  private final JamWorld world = new JamWorld(WorldConfig.defaults());

  private static float[] frame(float[] video, int t) {
    float[] out = new float[3 * H * W];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(video, (c * T + t) * H * W, out, c * H * W, H * W);
    }
    return out;
  }

  @Test
  void translationAtOneAndAHalfPixelsDecodesToThatFlowOnTheObjectAndZeroElsewhere() {
    ClipSpec spec = new ClipSpec(Category.BASIC, "right", "a white square moving right", "black", 0, "square", "white",
        "", 0, 3.25, 8.2, 1.5, 0, 0, 0);
    Clip clip = world.render(spec);
    FlowRgbCodec codec = new FlowRgbCodec(0.15);
    float[] motion;
    try (MotionTargets targets = new MotionTargets("dis:medium", 0.15, 4)) {
      motion = targets.encode(clip);
      assertThat(targets.encode(clip)).containsExactly(motion); // deterministic
    }
    assertThat(motion).hasSize(3 * T * H * W);
    double[] black = JamWorld.backgroundRgb("black");
    double backgroundSpeed = 0;
    int backgroundPixels = 0;
    double maxBackground = 0;
    int slow = 0;
    for (int t = 1; t < T; t++) {
      // motion frame t is the flow from frame t - 1 to frame t, on frame t - 1's pixels
      FlowField flow = codec.decode(frame(motion, t), H, W);
      float[] image = frame(clip.video(), t - 1);
      double su = 0;
      double sv = 0;
      int n = 0;
      for (int p = 0; p < H * W; p++) {
        double covered = ((image[p] + 1) / 2 - black[0]) / (0.95 - black[0]);
        if (covered > 0.99) {
          su += flow.u()[p];
          sv += flow.v()[p];
          n++;
        }
        // background: DIS spreads the motion 2-4 px into a flat background, where the targets mask
        // it: 1 px from the square (half side 2.5) before and after the step, the flow is zero
        double x = p % W + 0.5;
        double y = p / W + 0.5;
        double away = Math.min(boxDistance(x, y, clip, t - 1), boxDistance(x, y, clip, t));
        if (away >= 1) {
          assertThat(Math.hypot(flow.u()[p], flow.v()[p])).as("masked background flow at (%s, %s), flow %d", x, y, t - 1).isZero();
        }
        if (away >= 4) {
          double speed = Math.hypot(flow.u()[p], flow.v()[p]);
          assertThat(speed).as("background flow at (%s, %s), flow %d", x, y, t - 1).isLessThan(1.0);
          slow += speed < 0.3 ? 1 : 0;
          maxBackground = Math.max(maxBackground, speed);
          backgroundSpeed += speed;
          backgroundPixels++;
          for (int c = 0; c < 3; c++) { // dark: brightness m = speed / S < 0.3 with S = 3.39 px
            assertThat(motion[(c * T + t) * H * W + p]).as("background colour").isLessThan(-0.4f);
          }
        }
      }
      assertThat(n).isGreaterThan(4);
      assertThat(su / n).as("u on the object, flow %d", t - 1).isCloseTo(1.5, within(0.3));
      assertThat(sv / n).as("v on the object, flow %d", t - 1).isCloseTo(0, within(0.3));
    }
    System.out.printf("JamWorld flow: background mean %.3f px, max %.3f px, %.1f%% under 0.3 px, over %d pixels%n",
        backgroundSpeed / backgroundPixels, maxBackground, 100.0 * slow / backgroundPixels, backgroundPixels);
    assertThat((double) slow / backgroundPixels).as("background pixels under 0.3 px").isGreaterThan(0.9);
    assertThat(backgroundPixels).isGreaterThan(300);
    assertThat(backgroundSpeed / backgroundPixels).as("mean background speed").isLessThan(0.1);
    // motion frame 0 repeats flow 0
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < H * W; p++) {
        assertThat(motion[(c * T) * H * W + p]).isEqualTo(motion[(c * T + 1) * H * W + p]);
      }
    }
  }

  /** Distance (pixels) from (x, y) to the square of frame t (half side 2.5). */
  private static double boxDistance(double x, double y, Clip clip, int t) {
    double qx = Math.abs(x - clip.truth().get(0).x()[t]) - 2.5;
    double qy = Math.abs(y - clip.truth().get(0).y()[t]) - 2.5;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
  }

  /**
   * Across a suite (two clips per category), one instance reused clip after clip gives what a fresh
   * instance gives (the estimator keeps no state from one clip to the next), and each motion video
   * is Eq. 5 of its own flows, aligned duplicate-first: motion frame t is flow t - 1, frame 0
   * repeats flow 0. How fast this runs is the bench's business, not a unit test's.
   */
  @Test
  void aReusedInstanceEncodesEveryClipOfASuiteLikeAFreshOneAndAsEq5OfItsFlows() {
    List<ClipSpec> specs = world.suite(Split.TRAIN, 2, 1);
    assertThat(specs).hasSize(8);
    FlowRgbCodec codec = new FlowRgbCodec(0.15);
    try (MotionTargets shared = new MotionTargets("dis:medium", 0.15, 4)) {
      for (ClipSpec spec : specs) {
        Clip clip = world.render(spec);
        float[] motion = shared.encode(clip);
        float[] fresh;
        List<FlowField> flows;
        try (MotionTargets once = new MotionTargets("dis:medium", 0.15, 4)) {
          fresh = once.encode(clip);
          flows = once.flows(clip);
        }
        assertThat(motion).as(spec.prompt()).containsExactly(fresh);
        assertThat(flows).hasSize(T - 1);
        for (int t = 0; t < T; t++) {
          float[] expected = codec.encode(flows.get(Math.max(t - 1, 0))).data();
          assertThat(frame(motion, t)).as("%s, motion frame %d", spec.prompt(), t).containsExactly(expected);
        }
      }
    }
  }
}
