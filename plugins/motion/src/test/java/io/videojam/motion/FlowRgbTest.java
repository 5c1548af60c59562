package io.videojam.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.api.MotionRepresentation;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlowRgbTest {
  private static final int H = 6;
  private static final int W = 5;

  @BeforeEach
  void reset() {
    TestEstimators.reset();
  }

  static FlowRgb create(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    MotionRepresentationProvider provider = Plugins.find(MotionRepresentationProvider.class, "flow-rgb", "motion");
    MotionRepresentation r = provider.create(new Settings(map, "model.json \"motion\""), null, BackendOptions.defaults());
    assertThat(r).isInstanceOf(FlowRgb.class);
    return (FlowRgb) r;
  }

  /** Motion frame t of a [3, T, H, W] motion video as [3, H, W] values. */
  static float[] motionFrame(FloatTensor motion, int t) {
    return FlowRgb.frame(motion, t).data();
  }

  @Test
  void providerReadsSettingsWithDefaults() {
    FlowRgb r = create("estimator", "test-diff");
    assertThat(r.name()).isEqualTo("flow-rgb");
    assertThat(r.channels()).isEqualTo(3);
    assertThat(r.sigma()).isEqualTo(0.15);
    assertThat(r.alignment()).isEqualTo(FlowAlignment.DUPLICATE_FIRST);
    assertThat(r.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(r.estimator()).isEqualTo("test-diff");
    FlowRgb custom = create("estimator", "test-constant:1.5,-2", "sigma", 0.3, "alignment", "zero-first", "threads", 3);
    assertThat(custom.sigma()).isEqualTo(0.3);
    assertThat(custom.alignment()).isEqualTo(FlowAlignment.ZERO_FIRST);
    assertThat(custom.threads()).isEqualTo(3);
    assertThat(custom.estimator()).isEqualTo("test-constant:1.5,-2");
    // estimators are made when first needed, not by the provider
    assertThat(TestEstimators.CREATED.get()).isZero();
  }

  @Test
  void providerErrorsNameTheSetting() {
    assertThatThrownBy(() -> create("estimator", "no-such-estimator:x")).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("unknown estimator 'no-such-estimator'").hasMessageContaining("test-diff");
    assertThatThrownBy(() -> create()).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("unknown estimator 'dis'");
    assertThatThrownBy(() -> create("estimator", "test-diff", "alignment", "middle")).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("model.json \"motion\" \"alignment\"").hasMessageContaining("duplicate-first|duplicate-last|zero-first");
    assertThatThrownBy(() -> create("estimator", "test-diff", "sigma", 1.5)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("model.json \"motion\": \"sigma\" must be in (0, 1]");
    assertThatThrownBy(() -> create("estimator", "test-diff", "threads", 0)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("\"threads\" must be at least 1");
    assertThatThrownBy(() -> create("estimator", ":x")).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("NAME[:ARG]");
  }

  @Test
  void constantFlowEncodesEveryFrameTheSame() {
    FlowRgb r = create("estimator", "test-constant:3,-4", "threads", 2);
    FloatTensor motion = r.encode(TestEstimators.video(3, H, W), StepListener.NONE);
    assertThat(motion.shape()).containsExactly(3, 3, H, W);
    float[] u = new float[H * W];
    float[] v = new float[H * W];
    Arrays.fill(u, 3);
    Arrays.fill(v, -4);
    float[] want = new FlowRgbCodec().encode(new FlowField(H, W, u, v)).data();
    for (int t = 0; t < 3; t++) {
      assertThat(motionFrame(motion, t)).containsExactly(want);
    }
    for (float x : motion.data()) {
      assertThat(x).isBetween(-1f, 1f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"duplicate-first", "duplicate-last", "zero-first"})
  void alignmentMapsFramesToFlowsExactly(String policy) {
    FlowRgb r = create("estimator", "test-diff", "alignment", policy, "threads", 4, "sigma", 1.0);
    FloatTensor motion = r.encode(TestEstimators.video(4, H, W), StepListener.NONE);
    FlowRgbCodec codec = new FlowRgbCodec(1.0);
    // pair (a, b) is the flow from frame a to frame b; null is the zero flow
    int[][] expected = switch (policy) {
      case "duplicate-first" -> new int[][] {{0, 1}, {0, 1}, {1, 2}, {2, 3}};
      case "duplicate-last" -> new int[][] {{0, 1}, {1, 2}, {2, 3}, {2, 3}};
      default -> new int[][] {null, {0, 1}, {1, 2}, {2, 3}};
    };
    for (int t = 0; t < 4; t++) {
      FlowField flow = expected[t] == null ? FlowField.zeros(H, W)
          : TestEstimators.diffFlow(expected[t][0], expected[t][1], H, W);
      assertThat(motionFrame(motion, t)).as("%s motion frame %d", policy, t).containsExactly(codec.encode(flow).data());
    }
    if (policy.equals("zero-first")) {
      assertThat(motionFrame(motion, 0)).containsOnly(-1f);
    }
    // the frames really differ from one another (the test flow tells the pairs apart)
    assertThat(motionFrame(motion, 1)).isNotEqualTo(motionFrame(motion, 2));
    // decoding a motion frame gives the pair's flow back (within the float decoder's precision)
    FlowField back = codec.decode(new FloatTensor(new long[] {3, H, W}, motionFrame(motion, 3)));
    assertThat(back.u()[0]).isCloseTo(3f, org.assertj.core.data.Offset.offset(1e-4f));
    assertThat(back.v()[0]).isCloseTo(-4f, org.assertj.core.data.Offset.offset(1e-4f));
  }

  @Test
  void parallelEncodeEqualsSequentialBitForBit() {
    FloatTensor video = TestEstimators.video(9, 17, 23);
    FloatTensor sequential = create("estimator", "test-diff", "threads", 1).encode(video, StepListener.NONE);
    assertThat(TestEstimators.CREATED.get()).isEqualTo(1);
    assertThat(TestEstimators.THREADS).containsExactly(Thread.currentThread().getName());
    for (int threads : new int[] {2, 3, 8, 64}) {
      TestEstimators.reset();
      FloatTensor parallel = create("estimator", "test-diff", "threads", threads).encode(video, StepListener.NONE);
      assertThat(parallel).isEqualTo(sequential);
      // at most one estimator per worker thread, never more workers than pairs (a worker that
      // starts after another has finished takes over its estimator); never two threads at once
      // on one estimator (TestEstimators.Counted checks)
      assertThat(TestEstimators.CREATED.get()).isBetween(1, Math.min(threads, 8));
      assertThat(TestEstimators.THREADS).hasSizeLessThanOrEqualTo(Math.min(threads, 8))
          .allSatisfy(name -> assertThat(name).startsWith("videojam-flow-"));
    }
  }

  @Test
  void flowsAreInFrameOrderAndProgressCountsPairs() {
    FlowRgb r = create("estimator", "test-diff", "threads", 3);
    List<int[]> steps = Collections.synchronizedList(new ArrayList<>());
    List<FlowField> flows = r.flows(TestEstimators.video(6, H, W), (done, total) -> steps.add(new int[] {done, total}));
    assertThat(flows).hasSize(5);
    for (int i = 0; i < 5; i++) {
      FlowField want = TestEstimators.diffFlow(i, i + 1, H, W);
      assertThat(flows.get(i).u()).containsExactly(want.u());
      assertThat(flows.get(i).v()).containsExactly(want.v());
    }
    assertThat(steps).extracting(s -> s[0]).containsExactly(1, 2, 3, 4, 5);
    assertThat(steps).extracting(s -> s[1]).containsOnly(5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"duplicate-first", "duplicate-last", "zero-first"})
  void encodeFlowsEqualsEncode(String policy) {
    FlowRgb r = create("estimator", "test-diff", "alignment", policy, "threads", 2);
    FloatTensor video = TestEstimators.video(5, H, W);
    assertThat(r.encodeFlows(r.flows(video, StepListener.NONE))).isEqualTo(r.encode(video, StepListener.NONE));
    assertThatThrownBy(() -> r.encodeFlows(List.of())).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("at least two frames");
    assertThatThrownBy(() -> r.encodeFlows(List.of(FlowField.zeros(2, 2), FlowField.zeros(2, 3))))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("flow 1 is 3x2 but flow 0 is 2x2");
  }

  @Test
  void estimatorsAreReusedAcrossCallsAndClosed() {
    FlowRgb r = create("estimator", "test-diff", "threads", 2);
    FloatTensor video = TestEstimators.video(5, H, W);
    FloatTensor first = r.encode(video, StepListener.NONE);
    FloatTensor second = r.encode(video, StepListener.NONE);
    assertThat(second).isEqualTo(first);
    assertThat(TestEstimators.CREATED.get()).isEqualTo(2);
    r.close();
    assertThat(TestEstimators.CLOSED.get()).isEqualTo(2);
  }

  @Test
  void fewerThanTwoFramesIsAnError() {
    FlowRgb r = create("estimator", "test-diff");
    assertThatThrownBy(() -> r.encode(TestEstimators.video(1, H, W), StepListener.NONE))
        .isInstanceOf(VideoJamException.class).hasMessage("flow needs at least two frames, got 1");
    assertThatThrownBy(() -> r.flows(TestEstimators.video(1, H, W), StepListener.NONE))
        .isInstanceOf(VideoJamException.class).hasMessage("flow needs at least two frames, got 1");
    assertThatThrownBy(() -> r.encode(FloatTensor.zeros(1, 4, H, W), StepListener.NONE))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("[3, T, H, W]");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4})
  void estimatorFailuresAreReported(int threads) {
    FloatTensor video = TestEstimators.video(6, H, W);
    assertThatThrownBy(() -> create("estimator", "test-fail:throw@3", "threads", threads).encode(video, StepListener.NONE))
        .isInstanceOf(VideoJamException.class).hasMessage("test estimator failed on frame 3");
    assertThatThrownBy(() -> create("estimator", "test-fail:nan@2", "threads", threads).encode(video, StepListener.NONE))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("flow estimator 'test-fail:nan@2' returned a non-finite flow")
        .hasMessageContaining("x = 1, y = 1 between frames 2 and 3");
    assertThatThrownBy(() -> create("estimator", "test-fail:size@0", "threads", threads).encode(video, StepListener.NONE))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("returned a 5x7 field for the 5x6 frames 0 and 1");
    // failed estimators are closed, not kept
    assertThat(TestEstimators.CLOSED.get()).isGreaterThanOrEqualTo(3);
  }

  @Test
  void visualizeIsTheIdentity() {
    FlowRgb r = create("estimator", "test-diff");
    FloatTensor motion = r.encode(TestEstimators.video(3, H, W), StepListener.NONE);
    assertThat(r.visualize(motion)).isSameAs(motion);
    assertThatThrownBy(() -> r.visualize(FloatTensor.zeros(3, H, W))).isInstanceOf(IllegalArgumentException.class);
  }
}
