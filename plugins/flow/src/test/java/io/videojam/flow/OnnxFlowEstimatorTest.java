package io.videojam.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import io.videojam.api.Settings;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The ONNX ("raft") estimator on small graphs whose flow is known in closed form: a 3x3
 * convolution (zero padding 1) from the six channels image1 RGB, image2 RGB to the two flow
 * channels, with random weights and bias. The expected flow is computed here by hand from the
 * frames: random weights catch a wrong channel order or frame order, the 3x3 support catches a
 * wrong crop offset and a missing edge replication at the frame border, and a
 * SpaceToDepth/DepthToSpace pair (identity, but only for sides that are multiples of 8) makes the
 * graph fail unless the frames were padded to a multiple of 8.
 */
class OnnxFlowEstimatorTest {
  static final int H = 21; // padded to 24: 1 row above, 2 below
  static final int W = 30; // padded to 32: 1 column left, 1 right
  static final Backend CPU = new OrtBackend(OrtBackend.Device.CPU);
  static final BackendOptions OPTIONS = new BackendOptions(1, 1, "all", 0);

  @TempDir Path dir;

  final float[] weights = new float[2 * 6 * 9];
  final float[] bias = new float[2];

  OnnxFlowEstimatorTest() {
    Random r = new Random(11);
    for (int i = 0; i < weights.length; i++) {
      weights[i] = (float) (r.nextGaussian() * 0.05);
    }
    bias[0] = 0.75f;
    bias[1] = -1.5f;
  }

  /**
   * The test network.
   *
   * @param in1 name of the first frame's input
   * @param in2 name of the second's
   * @param out name of the flow output
   * @param nhwc give the flow as [1, H, W, 2]
   * @param multipleOf8 insert the SpaceToDepth/DepthToSpace pair
   * @param extraOutputFirst declare another output (image1 itself) before the flow
   */
  Path network(String file, String in1, String in2, String out, boolean nhwc, boolean multipleOf8, boolean extraOutputFirst) {
    GraphBuilder g = new GraphBuilder("raft-like", 17);
    g.input(in1, ElementType.FLOAT, 1, 3, "height", "width");
    g.input(in2, ElementType.FLOAT, 1, 3, "height", "width");
    String both = g.op("Concat", Map.of("axis", 1L), in1, in2);
    String w = g.constant("conv.weight", weights, 2, 6, 3, 3);
    String b = g.constant("conv.bias", bias, 2);
    String flow = g.op("Conv", Map.of("kernel_shape", new long[] {3, 3}, "pads", new long[] {1, 1, 1, 1}), both, w, b);
    if (multipleOf8) {
      flow = g.op("DepthToSpace", Map.of("blocksize", 8L), g.op("SpaceToDepth", Map.of("blocksize", 8L), flow));
    }
    if (extraOutputFirst) {
      g.output("features", g.op("Identity", in1), ElementType.FLOAT, 1, 3, "height", "width");
    }
    if (nhwc) {
      g.output(out, g.op("Transpose", Map.of("perm", new long[] {0, 2, 3, 1}), flow), ElementType.FLOAT, 1, "height", "width", 2);
    } else {
      g.output(out, flow, ElementType.FLOAT, 1, 2, "height", "width");
    }
    Path p = dir.resolve(file);
    OnnxModels.write(g.build(), p);
    return p;
  }

  Path raftLike() {
    return network("raft.onnx", "image1", "image2", "flow", false, true, false);
  }

  static FloatTensor randomFrame(long seed, int h, int w) {
    Random r = new Random(seed);
    float[] d = new float[3 * h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextFloat() * 2 - 1;
    }
    return new FloatTensor(new long[] {3, h, w}, d);
  }

  /**
   * The flow by hand: at pixel (y, x), bias + sum over the six channels and the 3x3 neighbourhood
   * of weight * input, where the input is the frame value mapped to the range and a neighbour
   * outside the frame is the nearest edge pixel ({@code replicate}) or zero (no padding).
   */
  Expected expected(FloatTensor a, FloatTensor b, double scale, double offset, double flowScale, boolean replicate) {
    int h = (int) a.shape()[1];
    int w = (int) a.shape()[2];
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    double[] magnitude = new double[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double[] sum = {bias[0], bias[1]};
        for (int j = 0; j < 6; j++) {
          float[] src = (j < 3 ? a : b).data();
          int c = j % 3;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int yy = y + dy;
              int xx = x + dx;
              double value;
              if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                value = src[(c * h + yy) * w + xx] * scale + offset;
              } else if (replicate) {
                value = src[(c * h + Math.min(h - 1, Math.max(0, yy))) * w + Math.min(w - 1, Math.max(0, xx))] * scale + offset;
              } else {
                value = 0;
              }
              for (int k = 0; k < 2; k++) {
                double term = weights[((k * 6 + j) * 3 + dy + 1) * 3 + dx + 1] * value;
                sum[k] += term;
                magnitude[y * w + x] += Math.abs(term * flowScale) / 2;
              }
            }
          }
        }
        u[y * w + x] = (float) (sum[0] * flowScale);
        v[y * w + x] = (float) (sum[1] * flowScale);
      }
    }
    return new Expected(new FlowField(h, w, u, v), magnitude);
  }

  /**
   * The flow by hand, and per pixel the mean over u and v of the sum of the absolute values of
   * the terms added (what float32 rounding in the graph scales with).
   */
  record Expected(FlowField flow, double[] magnitude) {}

  static void assertClose(FlowField got, Expected expected) {
    FlowField want = expected.flow();
    assertThat(got.height()).isEqualTo(want.height());
    assertThat(got.width()).isEqualTo(want.width());
    for (int i = 0; i < want.u().length; i++) {
      // The graph sums 54 products in float32, this test in double: the difference is float
      // rounding, within 1e-7 of the terms' absolute sum (about 5e-5 for 0-255 inputs, whose
      // terms reach a few hundred in all; 1e-6 for the [0, 1] and [-1, 1] ranges).
      org.assertj.core.data.Offset<Double> tolerance = org.assertj.core.data.Offset.offset(1e-6 + 1e-7 * expected.magnitude()[i]);
      assertThat((double) got.u()[i]).as("u[%d]", i).isCloseTo(want.u()[i], tolerance);
      assertThat((double) got.v()[i]).as("v[%d]", i).isCloseTo(want.v()[i], tolerance);
    }
  }

  static Supplier<FlowEstimator> raft(Path file, Map<String, Object> settings) {
    return new OnnxFlowProvider().factory(file.toString(), new Settings(settings, "model.json \"motion\""), CPU, OPTIONS);
  }

  @ParameterizedTest(name = "input-range {0}, flow-scale {3}")
  @CsvSource({"0-255, 127.5, 127.5, 1.0", "0-1, 0.5, 0.5, 1.0", "-1-1, 1.0, 0.0, 2.5"})
  void theFlowIsTheGraphsOutputOnPaddedScaledFramesCroppedBack(String range, double scale, double offset, double flowScale) {
    FloatTensor a = randomFrame(1, H, W);
    FloatTensor b = randomFrame(2, H, W);
    Map<String, Object> s = new HashMap<>(Map.of("input-range", range));
    if (flowScale != 1.0) {
      s.put("flow-scale", flowScale);
    }
    try (FlowEstimator e = raft(raftLike(), s).get()) {
      Expected want = expected(a, b, scale, offset, flowScale, true);
      assertClose(e.estimate(a, b), want);
      // Again (the session now writes into a kept buffer), then the other way round.
      assertClose(e.estimate(a, b), want);
      assertClose(e.estimate(b, a), expected(b, a, scale, offset, flowScale, true));
    }
  }

  @Test
  void otherNamesChannelsLastAndTheLastOutputAreConfigurable() {
    Path p = network("other.onnx", "prev", "next", "flow_up", true, true, true);
    Map<String, Object> s = Map.of("input1", "prev", "input2", "next", "layout", "[1,H,W,2]");
    FloatTensor a = randomFrame(3, H, W);
    FloatTensor b = randomFrame(4, H, W);
    try (FlowEstimator e = raft(p, s).get()) {
      assertThat(((OnnxFlowEstimator) e).output()).isEqualTo("flow_up"); // no "output" setting, no "flow": the last
      assertClose(e.estimate(a, b), expected(a, b, 127.5, 127.5, 1.0, true));
    }
    // Naming the output explicitly works too, and frames may change size between calls.
    Map<String, Object> named = new HashMap<>(s);
    named.put("output", "flow_up");
    try (FlowEstimator e = raft(p, named).get()) {
      FloatTensor c = randomFrame(5, 13, 37);
      FloatTensor d = randomFrame(6, 13, 37);
      assertClose(e.estimate(c, d), expected(c, d, 127.5, 127.5, 1.0, true));
      assertClose(e.estimate(a, b), expected(a, b, 127.5, 127.5, 1.0, true));
    }
  }

  @Test
  void padToOneFeedsTheFramesAsTheyAre() {
    Path p = network("nopad.onnx", "image1", "image2", "flow", false, false, false);
    FloatTensor a = randomFrame(7, H, W);
    FloatTensor b = randomFrame(8, H, W);
    try (FlowEstimator e = raft(p, Map.of("pad-to", 1)).get()) {
      // No padding: the convolution's own zero padding shows at the border.
      assertClose(e.estimate(a, b), expected(a, b, 127.5, 127.5, 1.0, false));
    }
  }

  @Test
  void wrongNamesAreReportedWithTheGraphsNamesAndTheSettingToFix() {
    Path p = network("renamed.onnx", "prev", "next", "flow_up", false, true, false);
    assertThatThrownBy(() -> raft(p, Map.of()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("renamed.onnx")
        .hasMessageContaining("no input 'image1'")
        .hasMessageContaining("\"input1\"")
        .hasMessageContaining("prev:float[1, 3, -1, -1]")
        .hasMessageContaining("next:float")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> raft(p, Map.of("input1", "prev", "input2", "nxt")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("no input 'nxt'")
        .hasMessageContaining("\"input2\"");
    assertThatThrownBy(() -> raft(p, Map.of("input1", "prev", "input2", "next", "output", "flow")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("no output 'flow'")
        .hasMessageContaining("\"output\"")
        .hasMessageContaining("flow_up:float[1, 2, -1, -1]");
  }

  @Test
  void outputsOfTheWrongShapeAreReported() {
    // Declared wrong: the "flow" output is the 3-channel first frame.
    GraphBuilder g = new GraphBuilder("not-flow", 17);
    g.input("image1", ElementType.FLOAT, 1, 3, "h", "w");
    g.input("image2", ElementType.FLOAT, 1, 3, "h", "w");
    g.output("flow", g.op("Add", "image1", "image2"), ElementType.FLOAT, 1, 3, "h", "w");
    Path declared = dir.resolve("declared.onnx");
    OnnxModels.write(g.build(), declared);
    assertThatThrownBy(() -> raft(declared, Map.of()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("output 'flow' is flow:float[1, 3, -1, -1]")
        .hasMessageContaining("\"layout\"");

    // Wrong only at run time: a flow at 1/8 resolution (as RAFT's low-resolution output).
    GraphBuilder low = new GraphBuilder("low-res", 17);
    low.input("image1", ElementType.FLOAT, 1, 3, "h", "w");
    low.input("image2", ElementType.FLOAT, 1, 3, "h", "w");
    String diff = low.op("Sub", "image2", "image1");
    String two = low.op("Slice", diff, low.constant("starts", new long[] {0}, 1), low.constant("ends", new long[] {2}, 1),
        low.constant("axes", new long[] {1}, 1));
    String pooled = low.op("AveragePool", Map.of("kernel_shape", new long[] {8, 8}, "strides", new long[] {8, 8}), two);
    low.output("flow", pooled, ElementType.FLOAT, 1, 2, "h8", "w8");
    Path lowFile = dir.resolve("low.onnx");
    OnnxModels.write(low.build(), lowFile);
    try (FlowEstimator e = raft(lowFile, Map.of()).get()) {
      assertThatThrownBy(() -> e.estimate(randomFrame(1, H, W), randomFrame(2, H, W)))
          .isInstanceOf(VideoJamException.class)
          .hasMessageContaining("shape [1, 2, 3, 4]")
          .hasMessageContaining("expected [1, 2, 24, 32]")
          .hasMessageContaining("\"output\"")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void aGraphWithFurtherInputsIsRefused() {
    GraphBuilder g = new GraphBuilder("iters", 17);
    g.input("image1", ElementType.FLOAT, 1, 3, "h", "w");
    g.input("image2", ElementType.FLOAT, 1, 3, "h", "w");
    g.input("iters", ElementType.INT64);
    g.output("flow", g.op("Sub", "image2", "image1"), ElementType.FLOAT, 1, 3, "h", "w");
    Path p = dir.resolve("iters.onnx");
    OnnxModels.write(g.build(), p);
    assertThatThrownBy(() -> raft(p, Map.of()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("input 'iters' besides the two frames");
  }

  @Test
  void missingNonOnnxAndAbsentFilesGiveOneLineErrors() throws Exception {
    assertThatThrownBy(() -> raft(dir.resolve("nowhere.onnx"), Map.of()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("nowhere.onnx")
        .hasMessageContaining("not found")
        .hasMessageNotContaining("\n");
    Path text = dir.resolve("notes.onnx");
    Files.writeString(text, "this is not an ONNX model\nsecond line\n");
    assertThatThrownBy(() -> raft(text, Map.of()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("notes.onnx")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> new OnnxFlowProvider().factory(null, Settings.empty("cli"), CPU, OPTIONS))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("raft:PATH.onnx");
    assertThatThrownBy(() -> raft(raftLike(), Map.of("input-range", "0-65535")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("\"input-range\"")
        .hasMessageContaining("model.json");
    assertThatThrownBy(() -> raft(raftLike(), Map.of("layout", "[2,H,W]")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("\"layout\"");
    assertThatThrownBy(() -> raft(raftLike(), Map.of("pad-to", 0)))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("\"pad-to\"");
  }

  @Test
  void estimatorsRunInParallelWithOneSessionEach() {
    List<FloatTensor> frames = List.of(randomFrame(1, H, W), randomFrame(2, H, W), randomFrame(3, H, W), randomFrame(4, H, W));
    List<FlowField> flows = FlowEstimators.estimateAll(raft(raftLike(), Map.of()), frames, 2, null);
    for (int i = 0; i < 3; i++) {
      assertClose(flows.get(i), expected(frames.get(i), frames.get(i + 1), 127.5, 127.5, 1.0, true));
    }
  }
}
