package io.videojam.jamworld;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.FlowField;
import io.videojam.api.Settings;
import io.videojam.motion.FlowAlignment;
import io.videojam.motion.FlowRgbCodec;
import java.util.ArrayList;
import java.util.List;

/**
 * Motion targets the paper's way: the project's optical-flow estimator on the clip's frames,
 * then the Eq. 5 RGB codec ({@link FlowRgbCodec}).
 *
 * <p>Flow on 16 x 16 frames is poor, so the clip is rendered again at {@code supersample} times
 * its size (anti-aliased with 2x2 samples per pixel of that size), the T - 1 flows are estimated
 * there, area-averaged down by {@code supersample} and divided by it (vectors in output pixels),
 * aligned to T motion frames by {@link FlowAlignment#DUPLICATE_FIRST} (motion frame t is the
 * flow t - 1 to t; frame 0 repeats flow 0, as the project's flow-rgb representation does) and
 * encoded with sigma relative to the output frame's diagonal.
 *
 * <p>Flow is kept only where there is something to track: at fine pixels that differ from the
 * plain background in the frame before or the frame after (objects, their outline, the floor and
 * wall). On the textureless background an estimator has nothing to match and DIS fills it with
 * the object's motion 2-4 px out, which made a moving object's motion frame a blob covering 44-48 %
 * of the frame against the object's 11 %; masked, motion frames have the object's shape, as
 * RAFT's flow has on textured real video.
 *
 * <p>One estimator per instance: not thread-safe (use one instance per thread). Close it.
 */
public final class MotionTargets implements AutoCloseable {
  private static final int FLOW_FRAME_ANTIALIAS = 2;

  private final FlowEstimator estimator;
  private final FlowRgbCodec codec;
  private final int supersample;

  /**
   * @param estimator a flow estimator plugin as NAME[:ARG], for example {@code dis:medium}
   * @param sigma Eq. 5's sigma (the paper: 0.15)
   * @param supersample the factor by which frames are enlarged for flow estimation (4 at 16 x 16)
   */
  public MotionTargets(String estimator, double sigma, int supersample) {
    if (supersample < 1) {
      throw new IllegalArgumentException("supersample must be >= 1, got " + supersample);
    }
    FlowEstimatorProvider provider = FlowEstimatorProvider.find(estimator, "estimator");
    this.codec = new FlowRgbCodec(sigma);
    this.supersample = supersample;
    this.estimator = provider.factory(FlowEstimatorProvider.argument(estimator), Settings.empty("jamworld motion targets"), null, null).get();
  }

  /** The motion video {@code [3, T, H, W]} in [-1, 1] (Eq. 5 colours) of the clip. */
  public float[] encode(Clip clip) {
    List<FlowField> flows = flows(clip);
    WorldConfig c = clip.config();
    int pixels = c.height() * c.width();
    int stride = c.frames() * pixels;
    float[] out = new float[3 * stride];
    List<FlowField> aligned = FlowAlignment.DUPLICATE_FIRST.align(flows);
    for (int t = 0; t < aligned.size(); t++) {
      codec.encodeInto(aligned.get(t), out, t * pixels, stride);
    }
    return out;
  }

  /** The T - 1 flows (frame t to t + 1) of the clip in output pixels, before the Eq. 5 encoding. */
  public List<FlowField> flows(Clip clip) {
    WorldConfig c = clip.config();
    int s = supersample;
    WorldConfig fine = new WorldConfig(c.frames(), c.height() * s, c.width() * s, FLOW_FRAME_ANTIALIAS);
    float[] video = new JamWorld(fine).render(clip.spec()).video();
    int fh = fine.height();
    int fw = fine.width();
    int fp = fh * fw;
    List<FlowField> flows = new ArrayList<>(c.frames() - 1);
    double[] bg = JamWorld.backgroundRgb(clip.spec().background());
    double tolerance = TEXTURE_TOLERANCE + 2 * clip.spec().gradient();
    FloatTensor previous = frame(video, 0, c.frames(), fp, fh, fw);
    boolean[] previousTextured = textured(previous.data(), fp, bg, tolerance);
    for (int t = 1; t < c.frames(); t++) {
      FloatTensor next = frame(video, t, c.frames(), fp, fh, fw);
      boolean[] nextTextured = textured(next.data(), fp, bg, tolerance);
      FlowField f = estimator.estimate(previous, next);
      float[] u = f.u().clone(), v = f.v().clone();
      for (int p = 0; p < fp; p++) {
        if (!previousTextured[p] && !nextTextured[p]) {
          u[p] = 0;
          v[p] = 0;
        }
      }
      flows.add(shrink(new FlowField(fh, fw, u, v), s));
      previous = next;
      previousTextured = nextTextured;
    }
    return flows;
  }

  /** A pixel differs from the background colour by more than this in some channel ([-1, 1] units). */
  static final double TEXTURE_TOLERANCE = 0.04;

  /** Per pixel of a {@code [3, H, W]} frame: whether some channel differs from the background colour by more than {@code tolerance}. */
  private static boolean[] textured(float[] frame, int pixels, double[] bg, double tolerance) {
    boolean[] out = new boolean[pixels];
    for (int ch = 0; ch < 3; ch++) {
      double level = 2 * bg[ch] - 1;
      for (int p = 0; p < pixels; p++) {
        out[p] |= Math.abs(frame[ch * pixels + p] - level) > tolerance;
      }
    }
    return out;
  }

  @Override
  public void close() {
    estimator.close();
  }

  private static FloatTensor frame(float[] video, int t, int frames, int pixels, int h, int w) {
    float[] out = new float[3 * pixels];
    for (int ch = 0; ch < 3; ch++) {
      System.arraycopy(video, (ch * frames + t) * pixels, out, ch * pixels, pixels);
    }
    return new FloatTensor(new long[] {3, h, w}, out);
  }

  /** Area average over s x s blocks, vectors divided by s. */
  private static FlowField shrink(FlowField f, int s) {
    if (s == 1) {
      return f;
    }
    int h = f.height() / s;
    int w = f.width() / s;
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    float norm = 1f / (s * s * s);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float su = 0;
        float sv = 0;
        for (int j = y * s; j < y * s + s; j++) {
          for (int i = x * s; i < x * s + s; i++) {
            su += f.u()[j * f.width() + i];
            sv += f.v()[j * f.width() + i];
          }
        }
        u[y * w + x] = su * norm;
        v[y * w + x] = sv * norm;
      }
    }
    return new FlowField(h, w, u, v);
  }
}
