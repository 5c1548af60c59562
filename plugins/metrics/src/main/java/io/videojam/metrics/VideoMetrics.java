package io.videojam.metrics;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import io.videojam.flow.FlowEstimators;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Video metrics on an RGB video {@code [3, T, H, W]} with values in [-1, 1] (the layout of the
 * framework's frames). Flow-based metrics take a factory of {@link FlowEstimator}s; flows are
 * computed with {@link FlowEstimators#estimateAll} (one estimator per thread, one thread per
 * processor). Pixel values are compared in [0, 1] units ({@code (x + 1) / 2}) unless stated.
 */
public final class VideoMetrics {
  /** Share of the largest flow magnitudes averaged per pair (VBench: top 5%). */
  static final double TOP_SHARE = 0.05;
  /** RGB distance (in [-1, 1] units) to the border colour above which a pixel is foreground. */
  static final double FOREGROUND_DISTANCE = 0.35;

  private VideoMetrics() {}

  /**
   * All metrics of one video. Flows are computed once and shared: consecutive pairs forwards and
   * backwards, and pairs two frames apart in both directions.
   *
   * @param video RGB {@code [3, T, H, W]} in [-1, 1], T at least 2
   * @param flow makes flow estimators (e.g. {@code new DisFlowProvider().factory("medium", ...)})
   */
  public static MetricsReport compute(FloatTensor video, Supplier<FlowEstimator> flow) {
    List<FloatTensor> frames = frames(video, 2);
    FlowField[] fw = flows(flow, frames, 1, false);
    FlowField[] bw = flows(flow, frames, 1, true);
    List<FlowField> forward = Arrays.asList(fw);
    return new MetricsReport(dynamicDegree(forward), meanFlowTop5(forward), temporalFlickering(video),
        smoothness(frames, flows(flow, frames, 2, false), flows(flow, frames, 2, true)),
        warpingError(frames, fw, bw), subjectPersistence(video));
  }

  // ---------------------------------------------------------------- dynamic degree

  /**
   * VBench dynamic degree of one video: for each of the N flows between consecutive frames, the
   * mean of its top 5% flow magnitudes (at least one value); the video is dynamic (1.0) when that
   * exceeds {@code 6 * min(H, W) / 256} pixels in at least {@code max(1, round(4 N / 16))} pairs,
   * else static (0.0). (VBench's share of dynamic videos is the mean of this over a set.)
   *
   * @param video RGB {@code [3, T, H, W]} in [-1, 1], T at least 2
   */
  public static double dynamicDegree(FloatTensor video, Supplier<FlowEstimator> flow) {
    return dynamicDegree(Arrays.asList(flows(flow, frames(video, 2), 1, false)));
  }

  /** {@link #dynamicDegree(FloatTensor, Supplier)} from the consecutive flows, at least one. */
  public static double dynamicDegree(List<FlowField> flows) {
    if (flows.isEmpty()) {
      throw new VideoJamException("dynamic degree needs at least one frame pair (two frames)");
    }
    FlowField first = flows.get(0);
    double threshold = 6.0 * Math.min(first.height(), first.width()) / 256.0;
    long needed = Math.max(1, Math.round(4.0 * flows.size() / 16.0));
    long count = flows.stream().filter(f -> topMagnitude(f) > threshold).count();
    return count >= needed ? 1.0 : 0.0;
  }

  /**
   * The continuous form of the dynamic degree: the mean over frame pairs of the mean of the top
   * 5% flow magnitudes, in pixels (0 for no pairs).
   */
  public static double meanFlowTop5(List<FlowField> flows) {
    return flows.stream().mapToDouble(VideoMetrics::topMagnitude).average().orElse(0);
  }

  /** The mean of the largest 5% (at least one) flow magnitudes of one field, in pixels. */
  public static double topMagnitude(FlowField f) {
    int n = f.u().length;
    double[] m = new double[n];
    for (int i = 0; i < n; i++) {
      m[i] = Math.hypot(f.u()[i], f.v()[i]);
    }
    Arrays.sort(m);
    int k = Math.max(1, (int) (n * TOP_SHARE));
    double sum = 0;
    for (int i = n - k; i < n; i++) {
      sum += m[i];
    }
    return sum / k;
  }

  // ---------------------------------------------------------------- temporal flickering

  /**
   * VBench temporal flickering: per pair of consecutive frames, {@code (255 - D) / 255} where D is
   * the mean absolute difference over all pixels and channels in 0..255 levels (values are not
   * quantised); averaged over pairs. 1 means identical frames. Needs T at least 2.
   */
  public static double temporalFlickering(FloatTensor video) {
    long[] s = shape(video, 2);
    int t = (int) s[1];
    int hw = (int) (s[2] * s[3]);
    float[] d = video.data();
    double total = 0;
    for (int f = 0; f + 1 < t; f++) {
      double diff = 0;
      for (int c = 0; c < 3; c++) {
        int a = (c * t + f) * hw;
        int b = a + hw;
        for (int i = 0; i < hw; i++) {
          diff += Math.abs(d[b + i] - d[a + i]);
        }
      }
      double levels = diff / (3.0 * hw) * 127.5;
      total += (255 - levels) / 255;
    }
    return total / (t - 1);
  }

  // ---------------------------------------------------------------- motion smoothness

  /**
   * Motion smoothness as frame-interpolation error: each middle frame t (1 .. T - 2) is rebuilt
   * from its neighbours with half the flow between them (linear motion): frame t - 1 sampled at
   * {@code x - 0.5 F(t-1 -> t+1)(x)} and frame t + 1 at {@code x - 0.5 F(t+1 -> t-1)(x)}, both
   * bilinear with border clamp, averaged. The error of a frame is the mean absolute difference to
   * the real frame t in [0, 1] units; the result is {@code 1 - } the mean error over middle frames
   * (higher is smoother; NaN for fewer than three frames).
   */
  public static double motionSmoothness(FloatTensor video, Supplier<FlowEstimator> flow) {
    List<FloatTensor> frames = frames(video, 1);
    if (frames.size() < 3) {
      return Double.NaN;
    }
    return smoothness(frames, flows(flow, frames, 2, false), flows(flow, frames, 2, true));
  }

  /** fw2[i]: frame i to i + 2; bw2[i]: frame i + 2 to i. */
  private static double smoothness(List<FloatTensor> frames, FlowField[] fw2, FlowField[] bw2) {
    int t = frames.size();
    if (t < 3) {
      return Double.NaN;
    }
    double total = 0;
    for (int m = 1; m + 1 < t; m++) {
      float[] a = frames.get(m - 1).data();
      float[] b = frames.get(m + 1).data();
      float[] mid = frames.get(m).data();
      FlowField f = fw2[m - 1];
      FlowField g = bw2[m - 1];
      int h = f.height();
      int w = f.width();
      int hw = h * w;
      double err = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          double xa = x - 0.5 * f.u()[i];
          double ya = y - 0.5 * f.v()[i];
          double xb = x - 0.5 * g.u()[i];
          double yb = y - 0.5 * g.v()[i];
          for (int c = 0; c < 3; c++) {
            double p = 0.5 * (sample(a, c * hw, h, w, xa, ya) + sample(b, c * hw, h, w, xb, yb));
            err += Math.abs(p - mid[c * hw + i]) / 2;
          }
        }
      }
      total += err / (3.0 * hw);
    }
    return 1 - total / (t - 2);
  }

  // ---------------------------------------------------------------- warping error

  /**
   * Flow warping error with forward-backward occlusion masks: for each consecutive pair (t, t + 1)
   * with forward flow {@code f} (t to t + 1) and backward flow {@code b} (t + 1 to t), frame
   * t + 1 is warped back to t by sampling it at {@code x + f(x)} (bilinear). A pixel is occluded
   * when {@code x + f(x)} leaves the frame or fails the consistency check of Sundaram et al.,
   * {@code |f(x) + b(x + f(x))|^2 > 0.01 (|f(x)|^2 + |b(x + f(x))|^2) + 0.5}. The error of a pair
   * is the mean over non-occluded pixels of the squared difference, averaged over the three
   * channels, in [0, 1] units; the result is the mean over pairs that have such pixels (lower is
   * better; NaN if none has).
   */
  public static double warpingError(FloatTensor video, Supplier<FlowEstimator> flow) {
    List<FloatTensor> frames = frames(video, 2);
    return warpingError(frames, flows(flow, frames, 1, false), flows(flow, frames, 1, true));
  }

  private static double warpingError(List<FloatTensor> frames, FlowField[] fw, FlowField[] bw) {
    double total = 0;
    int pairs = 0;
    for (int p = 0; p < fw.length; p++) {
      float[] a = frames.get(p).data();
      float[] b = frames.get(p + 1).data();
      FlowField f = fw[p];
      FlowField g = bw[p];
      int h = f.height();
      int w = f.width();
      int hw = h * w;
      double sum = 0;
      long count = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int i = y * w + x;
          double fu = f.u()[i];
          double fv = f.v()[i];
          double px = x + fu;
          double py = y + fv;
          if (px < 0 || py < 0 || px > w - 1 || py > h - 1) {
            continue;
          }
          double bu = sample(g.u(), 0, h, w, px, py);
          double bv = sample(g.v(), 0, h, w, px, py);
          double du = fu + bu;
          double dv = fv + bv;
          if (du * du + dv * dv > 0.01 * (fu * fu + fv * fv + bu * bu + bv * bv) + 0.5) {
            continue;
          }
          for (int c = 0; c < 3; c++) {
            double d = (sample(b, c * hw, h, w, px, py) - a[c * hw + i]) / 2;
            sum += d * d;
          }
          count++;
        }
      }
      if (count > 0) {
        total += sum / (3.0 * count);
        pairs++;
      }
    }
    return pairs == 0 ? Double.NaN : total / pairs;
  }

  // ---------------------------------------------------------------- subject persistence

  /**
   * Subject persistence, a flow-free check that a foreground subject stays: per frame, the
   * background colour is the per-channel median of the 1-pixel border ring, and foreground pixels
   * are those whose RGB (Euclidean) distance to it exceeds 0.35 in [-1, 1] units; each frame gives
   * its foreground area and mean foreground colour. The score is the product of
   * <ul>
   *   <li>{@code 1 - CV} of the area over all frames (standard deviation / mean, clamped to
   *       [0, 1]),
   *   <li>{@code 1 - } the mean RGB distance of the mean colours between consecutive frames that
   *       both have foreground, divided by {@code sqrt(12)} (the largest distance; clamped; no
   *       such pair counts as no change),
   *   <li>the share of frames with any foreground,
   * </ul>
   * and 0 when no frame has foreground. In [0, 1], higher is more persistent.
   */
  public static double subjectPersistence(FloatTensor video) {
    long[] s = shape(video, 1);
    int t = (int) s[1];
    int h = (int) s[2];
    int w = (int) s[3];
    int hw = h * w;
    float[] d = video.data();
    double[] area = new double[t];
    double[][] colour = new double[t][];
    int[] ring = ring(h, w);
    double[] values = new double[ring.length];
    for (int f = 0; f < t; f++) {
      double[] bg = new double[3];
      for (int c = 0; c < 3; c++) {
        int off = (c * t + f) * hw;
        for (int k = 0; k < ring.length; k++) {
          values[k] = d[off + ring[k]];
        }
        Arrays.sort(values);
        int n = values.length;
        bg[c] = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
      }
      double[] sum = new double[3];
      int count = 0;
      for (int i = 0; i < hw; i++) {
        double dist = 0;
        for (int c = 0; c < 3; c++) {
          double e = d[(c * t + f) * hw + i] - bg[c];
          dist += e * e;
        }
        if (dist > FOREGROUND_DISTANCE * FOREGROUND_DISTANCE) {
          count++;
          for (int c = 0; c < 3; c++) {
            sum[c] += d[(c * t + f) * hw + i];
          }
        }
      }
      area[f] = (double) count / hw;
      if (count > 0) {
        colour[f] = new double[] {sum[0] / count, sum[1] / count, sum[2] / count};
      }
    }
    int present = (int) Arrays.stream(colour).filter(Objects::nonNull).count();
    if (present == 0) {
      return 0;
    }
    double mean = Arrays.stream(area).average().orElse(0);
    double var = Arrays.stream(area).map(a -> (a - mean) * (a - mean)).average().orElse(0);
    double areaScore = clamp01(1 - Math.sqrt(var) / mean);
    double change = 0;
    int pairs = 0;
    for (int f = 0; f + 1 < t; f++) {
      if (colour[f] != null && colour[f + 1] != null) {
        double dist = 0;
        for (int c = 0; c < 3; c++) {
          double e = colour[f + 1][c] - colour[f][c];
          dist += e * e;
        }
        change += Math.sqrt(dist);
        pairs++;
      }
    }
    double colourScore = clamp01(1 - (pairs == 0 ? 0 : change / pairs) / Math.sqrt(12));
    return areaScore * colourScore * present / t;
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Flows between frames {@code step} apart: element i is frame i to frame i + step, or, when
   * {@code backward}, frame i + step to frame i. Each residue class modulo step is one
   * {@link FlowEstimators#estimateAll} call (parallel over its pairs).
   */
  private static FlowField[] flows(Supplier<FlowEstimator> flow, List<FloatTensor> frames, int step, boolean backward) {
    Objects.requireNonNull(flow, "flow");
    FlowField[] out = new FlowField[Math.max(0, frames.size() - step)];
    for (int r = 0; r < step && r < out.length; r++) {
      List<FloatTensor> sub = new ArrayList<>();
      for (int i = r; i < frames.size(); i += step) {
        sub.add(frames.get(i));
      }
      if (backward) {
        Collections.reverse(sub);
      }
      List<FlowField> got = FlowEstimators.estimateAll(flow, sub, 0, null);
      for (int j = 0; j < got.size(); j++) {
        // forward: pair j is sub frames j -> j + 1; backward: reversed, so from the far end
        int first = backward ? sub.size() - 2 - j : j;
        out[r + first * step] = got.get(j);
      }
    }
    return out;
  }

  /** Bilinear sample of plane {@code d[off .. off + h w)} at (x, y), coordinates clamped to the frame. */
  private static double sample(float[] d, int off, int h, int w, double x, double y) {
    x = Math.max(0, Math.min(w - 1, x));
    y = Math.max(0, Math.min(h - 1, y));
    int x0 = (int) x;
    int y0 = (int) y;
    int x1 = Math.min(x0 + 1, w - 1);
    int y1 = Math.min(y0 + 1, h - 1);
    double fx = x - x0;
    double fy = y - y0;
    double top = d[off + y0 * w + x0] * (1 - fx) + d[off + y0 * w + x1] * fx;
    double bottom = d[off + y1 * w + x0] * (1 - fx) + d[off + y1 * w + x1] * fx;
    return top * (1 - fy) + bottom * fy;
  }

  /** Row-major indices of the 1-pixel border ring, each once. */
  private static int[] ring(int h, int w) {
    List<Integer> idx = new ArrayList<>();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (y == 0 || x == 0 || y == h - 1 || x == w - 1) {
          idx.add(y * w + x);
        }
      }
    }
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double clamp01(double v) {
    return Math.max(0, Math.min(1, v));
  }

  private static List<FloatTensor> frames(FloatTensor video, int minFrames) {
    shape(video, minFrames);
    return FlowEstimators.frames(video);
  }

  private static long[] shape(FloatTensor video, int minFrames) {
    long[] s = Objects.requireNonNull(video, "video").shape();
    if (s.length != 4 || s[0] != 3 || s[1] < minFrames || s[2] < 1 || s[3] < 1) {
      throw new VideoJamException("video metrics: the video has shape " + Arrays.toString(s)
          + "; it must be RGB [3, T, H, W] with T >= " + minFrames + " and values in [-1, 1]");
    }
    return s;
  }
}
