package io.videojam.flow;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import io.videojam.api.GraphSession;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Optical flow from a network exported to ONNX (RAFT or any other) that takes two RGB frames
 * {@code [1, 3, H, W]} (float) and gives a flow {@code [1, 2, H, W]} (channel 0 horizontal, 1
 * vertical, pixels), run on a {@link GraphSession}.
 *
 * <p>Each pair: the frames are mapped from [-1, 1] to the network's {@link InputRange}, padded to
 * a multiple of {@link Config#padTo()} by repeating the edge pixels (half the padding before,
 * the rest after, as RAFT's {@code InputPadder} does), run, and the flow is cropped back to the
 * frame and multiplied by {@link Config#flowScale()}. Not thread-safe (one estimator, so one
 * session, per thread).
 */
public final class OnnxFlowEstimator implements FlowEstimator {
  /** Value range the network expects its RGB inputs in. */
  public enum InputRange {
    /** Levels 0..255: {@code p = (v + 1) * 127.5} (torchvision and princeton RAFT exports). */
    BYTE("0-255", 127.5f, 127.5f),
    /** {@code (v + 1) / 2}. */
    UNIT("0-1", 0.5f, 0.5f),
    /** The frames' own [-1, 1]. */
    SIGNED("-1-1", 1f, 0f);

    private final String key;
    final float scale;
    final float offset;

    InputRange(String key, float scale, float offset) {
      this.key = key;
      this.scale = scale;
      this.offset = offset;
    }

    public String key() {
      return key;
    }

    static InputRange parse(String text, String origin) {
      for (InputRange r : values()) {
        if (r.key.equals(text.strip())) {
          return r;
        }
      }
      throw new VideoJamException(origin + ": \"input-range\" is '" + text + "'; use \"0-255\" (default), \"0-1\" or \"-1-1\"");
    }
  }

  /** Layout of the network's flow output. */
  public enum Layout {
    /** {@code [1, 2, H, W]}: channels first (RAFT). */
    NCHW("1,2,H,W"),
    /** {@code [1, H, W, 2]}: channels last. */
    NHWC("1,H,W,2");

    private final String dims;

    Layout(String dims) {
      this.dims = dims;
    }

    /** The shape as users write it, for example {@code [1,2,H,W]}. */
    public String shape() {
      return "[" + dims + "]";
    }

    /** Accepts {@code [1,2,H,W]} or {@code nchw}, {@code [1,H,W,2]} or {@code nhwc} (spaces and case ignored). */
    static Layout parse(String text, String origin) {
      String t = text.replaceAll("[\\s\\[\\]]", "").toUpperCase(Locale.ROOT);
      for (Layout l : values()) {
        if (t.equals(l.name()) || t.equals(l.dims)) {
          return l;
        }
      }
      throw new VideoJamException(origin + ": \"layout\" is '" + text + "'; use \"[1,2,H,W]\" (default) or \"[1,H,W,2]\"");
    }
  }

  /**
   * How to run a flow network.
   *
   * @param file the ONNX file
   * @param input1 graph input for the first frame
   * @param input2 graph input for the second frame
   * @param output graph output with the flow; null: {@code flow} if the graph has it, else its
   *     last output
   * @param range value range of the inputs
   * @param layout layout of the output
   * @param padTo frames are padded to a multiple of this (1: no padding)
   * @param flowScale the output is multiplied by this
   */
  public record Config(Path file, String input1, String input2, String output, InputRange range, Layout layout, int padTo, double flowScale) {
    /** Settings keys read by {@link #from}. */
    public static final List<String> KEYS = List.of("input1", "input2", "output", "input-range", "layout", "pad-to", "flow-scale");

    public Config {
      if (padTo < 1 || padTo > 1024) {
        throw new VideoJamException("raft: \"pad-to\" must be 1..1024 (1 = no padding), got " + padTo);
      }
      if (!Double.isFinite(flowScale)) {
        throw new VideoJamException("raft: \"flow-scale\" must be a finite number, got " + flowScale);
      }
    }

    /**
     * Reads the settings, with defaults for torchvision / princeton RAFT exports: {@code input1}
     * "image1", {@code input2} "image2", {@code output} "flow" (or the last output),
     * {@code input-range} "0-255", {@code layout} "[1,2,H,W]", {@code pad-to} 8,
     * {@code flow-scale} 1.0.
     */
    public static Config from(Path file, Settings s) {
      String origin = s.origin();
      return new Config(file,
          s.string("input1", "image1"),
          s.string("input2", "image2"),
          s.has("output") ? s.string("output") : null,
          InputRange.parse(s.string("input-range", "0-255"), origin),
          Layout.parse(s.string("layout", "[1,2,H,W]"), origin),
          s.integer("pad-to", 8),
          s.number("flow-scale", 1.0));
    }
  }

  private final GraphSession session;
  private final Config config;
  private final String output;
  private final long fixedHeight;
  private final long fixedWidth;
  private long[] checkedShape;
  private float[] raw;
  private boolean closed;

  /**
   * Checks the graph against the configuration and wraps the session, which this estimator then
   * owns (closes). On a mismatch the session is closed and a {@link VideoJamException} names the
   * graph's inputs or outputs and the setting to fix.
   */
  public OnnxFlowEstimator(GraphSession session, Config config) {
    this.session = session;
    this.config = config;
    try {
      long[] in1 = checkInput(config.input1(), "input1");
      long[] in2 = checkInput(config.input2(), "input2");
      if (config.input1().equals(config.input2())) {
        throw fail("\"input1\" and \"input2\" are both '" + config.input1() + "'; give the two frames' inputs " + names(session.inputs()));
      }
      for (TensorInfo t : session.inputs()) {
        if (!t.name().equals(config.input1()) && !t.name().equals(config.input2())) {
          throw fail("the graph has an input '" + t.name() + "' besides the two frames (inputs " + names(session.inputs())
              + "); export a graph whose only inputs are the two frames");
        }
      }
      fixedHeight = agree(in1[2], in2[2]);
      fixedWidth = agree(in1[3], in2[3]);
      this.output = pickOutput();
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
  }

  /** The graph output read. */
  public String output() {
    return output;
  }

  public Config config() {
    return config;
  }

  private long[] checkInput(String name, String key) {
    TensorInfo t = find(session.inputs(), name);
    if (t == null) {
      throw fail("has no input '" + name + "' (setting \"" + key + "\"); the graph's inputs are " + names(session.inputs())
          + "; set \"input1\" and \"input2\" to the first and second frame's");
    }
    long[] s = t.shape();
    if (t.type() != TensorInfo.ElementType.FLOAT || s.length != 4 || !fits(s[0], 1) || !fits(s[1], 3)) {
      throw fail("input '" + name + "' is " + t + "; frame inputs must be float [1, 3, H, W] RGB");
    }
    return s;
  }

  private String pickOutput() {
    List<TensorInfo> outs = session.outputs();
    String name = config.output();
    TensorInfo t;
    if (name != null) {
      t = find(outs, name);
      if (t == null) {
        throw fail("has no output '" + name + "' (setting \"output\"); the graph's outputs are " + names(outs)
            + "; set \"output\" to the full-resolution flow");
      }
    } else {
      t = find(outs, "flow");
      if (t == null) {
        if (outs.isEmpty()) {
          throw fail("has no outputs");
        }
        t = outs.get(outs.size() - 1);
      }
    }
    long[] s = t.shape();
    boolean ok = t.type() == TensorInfo.ElementType.FLOAT && s.length == 4 && fits(s[0], 1)
        && fits(config.layout() == Layout.NCHW ? s[1] : s[3], 2);
    if (!ok) {
      throw fail("output '" + t.name() + "' is " + t + ", not a float flow " + config.layout().shape()
          + "; set \"output\" (outputs " + names(outs) + ") or \"layout\"");
    }
    return t.name();
  }

  @Override
  public FlowField estimate(FloatTensor first, FloatTensor second) {
    if (closed) {
      throw new IllegalStateException("flow estimator raft is closed");
    }
    int[] hw = FramePairs.checkPair("raft", first, second, 1);
    int h = hw[0];
    int w = hw[1];
    int p = config.padTo();
    int ph = (h + p - 1) / p * p;
    int pw = (w + p - 1) / p * p;
    if ((fixedHeight > 0 && fixedHeight != ph) || (fixedWidth > 0 && fixedWidth != pw)) {
      throw fail("takes frames of " + fixedWidth + "x" + fixedHeight + " only, these are " + pw + "x" + ph
          + (ph != h || pw != w ? " after padding " + w + "x" + h + " to a multiple of " + p : "")
          + "; export the graph with dynamic height and width, or resize the video");
    }
    int top = (ph - h) / 2;
    int left = (pw - w) / 2;
    Map<String, Tensor> feed = Map.of(
        config.input1(), padded(first, h, w, ph, pw, top, left),
        config.input2(), padded(second, h, w, ph, pw, top, left));
    long[] shape = config.layout() == Layout.NCHW ? new long[] {1, 2, ph, pw} : new long[] {1, ph, pw, 2};
    if (!Arrays.equals(shape, checkedShape)) {
      // First run at this size: let the graph say what it returns, and check it.
      Tensor t = session.run(feed, List.of(output)).get(output);
      if (!(t instanceof FloatTensor f) || !Arrays.equals(f.shape(), shape)) {
        throw fail("output '" + output + "' has shape " + Arrays.toString(t.shape()) + " for frames of " + pw + "x" + ph
            + ", expected " + Arrays.toString(shape) + " (layout " + config.layout().shape()
            + "); set \"output\" to the full-resolution flow (outputs " + names(session.outputs()) + ") or \"layout\"");
      }
      raw = f.data();
      checkedShape = shape;
    } else {
      session.runInto(feed, output, shape, raw);
    }
    return crop(h, w, ph, pw, top, left);
  }

  private FloatTensor padded(FloatTensor frame, int h, int w, int ph, int pw, int top, int left) {
    float[] src = frame.data();
    float[] dst = new float[3 * ph * pw];
    float scale = config.range().scale;
    float offset = config.range().offset;
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < ph; y++) {
        int sy = Math.min(h - 1, Math.max(0, y - top));
        int srow = (c * h + sy) * w;
        int drow = (c * ph + y) * pw;
        for (int x = 0; x < pw; x++) {
          int sx = Math.min(w - 1, Math.max(0, x - left));
          dst[drow + x] = src[srow + sx] * scale + offset;
        }
      }
    }
    return new FloatTensor(new long[] {1, 3, ph, pw}, dst);
  }

  private FlowField crop(int h, int w, int ph, int pw, int top, int left) {
    float s = (float) config.flowScale();
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    boolean nchw = config.layout() == Layout.NCHW;
    int plane = ph * pw;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int pix = (y + top) * pw + x + left;
        int i = y * w + x;
        if (nchw) {
          u[i] = raw[pix] * s;
          v[i] = raw[plane + pix] * s;
        } else {
          u[i] = raw[2 * pix] * s;
          v[i] = raw[2 * pix + 1] * s;
        }
      }
    }
    return new FlowField(h, w, u, v);
  }

  private static boolean fits(long dim, long wanted) {
    return dim < 0 || dim == wanted;
  }

  private static long agree(long a, long b) {
    return a > 0 ? a : b;
  }

  private static TensorInfo find(List<TensorInfo> infos, String name) {
    for (TensorInfo t : infos) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }

  private static String names(List<TensorInfo> infos) {
    return infos.stream().map(TensorInfo::toString).toList().toString();
  }

  private VideoJamException fail(String what) {
    String s = what.startsWith("has ") || what.startsWith("takes ") ? "the graph " + what : what;
    return new VideoJamException("estimator raft:" + config.file() + ": " + s);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      session.close();
    }
  }
}
