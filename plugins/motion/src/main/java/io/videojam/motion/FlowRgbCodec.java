package io.videojam.motion;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Eq. 5 of the spec (section 4): a flow field as an RGB image, and back.
 *
 * <p>For a flow (u, v) in pixels on an H x W frame, with the <em>saturation speed</em>
 * {@code S = sigma * sqrt(H^2 + W^2)}:
 *
 * <pre>
 *   m     = min(1, sqrt(u^2 + v^2) / S)        brightness (HSV value)
 *   alpha = atan2(v, u)                        direction; hue = alpha mapped to [0, 360) degrees
 *   RGB   = hsv(hue, saturation 1, value m)
 * </pre>
 *
 * Float images are {@code [3, H, W]} in [-1, 1] (a channel c in [0, 1] is stored as 2c - 1, so a
 * level p in 0..255 is p / 127.5 - 1); 8-bit images are the levels {@code round(255 c)}, planar
 * {@code [3, H, W]}, as unsigned bytes.
 *
 * <h2>The colour wheel</h2>
 *
 * Image coordinates: x to the right, y <b>down</b>, so alpha = 90 degrees is motion downwards.
 * At full brightness (m = 1), 8-bit levels:
 *
 * <pre>
 *   direction        alpha  hue colour                   (R, G, B)
 *   right             0     red                          (255,   0,   0)
 *   right and down   45     orange                       (255, 191,   0)
 *                    60     yellow                       (255, 255,   0)
 *   down             90     chartreuse (yellow-green)    (128, 255,   0)
 *                   120     green                        (  0, 255,   0)
 *   left and down   135     spring green                 (  0, 255,  64)
 *   left            180     cyan                         (  0, 255, 255)
 *   left and up     225     azure (sky blue)             (  0,  64, 255)
 *                   240     blue                         (  0,   0, 255)
 *   up              270     violet (blue-purple)         (128,   0, 255)
 *                   300     magenta                      (255,   0, 255)
 *   right and up    315     rose (pink-red)              (255,   0, 191)
 * </pre>
 *
 * Slower motion is the same hue, darker (value m); no motion is black.
 *
 * <h2>Decoding and its limits</h2>
 *
 * {@link #decode(byte[], int, int)} inverts the encoding: the largest channel is m, the hue comes
 * from the usual RGB to HSV formula, the speed is {@code m * S} and the direction the hue angle.
 *
 * <ul>
 *   <li><b>Saturation.</b> A speed at or beyond S encodes as m = 1 (full brightness) and decodes
 *       to exactly S in its direction: how far beyond S the motion went is lost. Precisely, m is
 *       {@code min(1, speed / (float) S)} in float arithmetic: exactly 1 when the float speed is
 *       {@code >= (float) S} (and within float rounding, 6e-8 relative, below it), below 1 otherwise.
 *   <li><b>Zero flow</b> is black, whose direction is undefined; black decodes to (0, 0). So does
 *       any 8-bit pixel whose brightness rounds to level 0, i.e. a speed below S / 510.
 *   <li><b>8-bit quantisation.</b> Rounding each channel to the nearest level moves the brightest
 *       channel by at most half a level and the middle channel (which carries the hue inside a
 *       60-degree sector) by at most half a level. For 1/510 &lt; m &lt; 1 the decoded flow obeys
 *       <pre>
 *   |speed error| &lt;= S / 510                       (|m error| &lt;= 1/510)
 *   |angle error| &lt;= 60 deg / (255 m - 0.5)       = (pi / 3) / (255 m - 0.5) rad
 *       </pre>
 *       For example 0.236 deg at m = 1, 0.47 deg at m = 0.5, 4.9 deg at m = 0.05. The angle
 *       bound follows because the hue inside a sector is x = middle / brightest, and with
 *       rounding errors e1, e2 of at most 1/2 level, |x' - x| = |e1 M - X e2| / (M M') &lt;=
 *       1 / M' &lt;= 1 / (M - 1/2) with M = 255 m the brightest level and X &lt;= M the middle one
 *       (one sector is 60 degrees). Where rounding makes the middle channel the brightest (near
 *       a sector edge) the decoded hue crosses the edge, and the same bound holds (the error is
 *       then at most (e1 - e2) / M &lt;= 1 / M). The endpoint error of the decoded vector is at
 *       most S / 510 + m S (pi / 3) / (255 m - 0.5), which decreases with m and is below S / 160
 *       for m &gt;= 0.05: 0.34 px at 256 x 256 with sigma = 0.15. The tests check both bounds on
 *       random flows.
 *   <li><b>Float images</b> (not quantised) decode to within float rounding where m &lt; 1: about
 *       1e-6 rad in direction (the hue is a float in [0, 6]; the arctangent polynomial adds at
 *       most 2e-8 rad) and 1e-6 S in speed.
 * </ul>
 *
 * <h2>Speed</h2>
 *
 * The encoder avoids {@code Math.atan2} and {@code java.awt.Color.HSBtoRGB} (and branches): the
 * angle inside a quadrant is {@code pi/4 + atan(t)}, {@code t = (|v| - |u|) / (|v| + |u|)} in
 * [-1, 1], with a degree-16 polynomial for atan (Abramowitz and Stegun 4.4.49, error below 2e-8
 * rad), unfolded to the full turn with the signs of u and v; HSV to RGB is the trapezoid form
 * {@code R = V clamp(|h - 3| - 1)}, {@code G = V clamp(2 - |h - 2|)}, {@code B = V clamp(2 - |h - 4|)}
 * with h the hue in sixths of a turn and clamp to [0, 1]. Blocks of 1024 pixels go through small
 * loops that the JIT vectorises; see {@link #encodeMegapixelsPerSecond(int, int, int)}.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class FlowRgbCodec {
  /** Eq. 5's sigma used by the paper: motion saturates at 15% of the frame diagonal. */
  public static final double DEFAULT_SIGMA = 0.15;

  /** Pixels per block of the encoder: seven float blocks of this size stay in the L1 cache. */
  private static final int BLOCK = 1024;

  /** 2^127: twice applied, it makes every non-zero float at least 1 in magnitude (sign extraction). */
  private static final float HUGE_SCALE = 0x1p127f;

  // atan(t) = t * (1 + A2 t^2 + ... + A16 t^16) on [-1, 1], |error| <= 2e-8 rad (Abramowitz and
  // Stegun 4.4.49), pre-multiplied by 3 / pi so that it gives sixths of a turn (HSV sectors).
  private static final float P0 = (float) (1.0 * 3 / Math.PI);
  private static final float P2 = (float) (-0.3333314528 * 3 / Math.PI);
  private static final float P4 = (float) (0.1999355085 * 3 / Math.PI);
  private static final float P6 = (float) (-0.1420889944 * 3 / Math.PI);
  private static final float P8 = (float) (0.1065626393 * 3 / Math.PI);
  private static final float P10 = (float) (-0.0752896400 * 3 / Math.PI);
  private static final float P12 = (float) (0.0429096138 * 3 / Math.PI);
  private static final float P14 = (float) (-0.0161657367 * 3 / Math.PI);
  private static final float P16 = (float) (0.0028662257 * 3 / Math.PI);

  private final double sigma;

  /** The paper's codec, sigma = 0.15. */
  public FlowRgbCodec() {
    this(DEFAULT_SIGMA);
  }

  /**
   * @param sigma the saturation speed as a fraction of the frame diagonal, 0 &lt; sigma &lt;= 1
   * @throws VideoJamException when sigma is outside (0, 1]
   */
  public FlowRgbCodec(double sigma) {
    if (!(sigma > 0) || sigma > 1) {
      throw new VideoJamException("motion sigma must be in (0, 1] (a fraction of the frame diagonal; the paper uses "
          + DEFAULT_SIGMA + "), got " + sigma);
    }
    this.sigma = sigma;
  }

  public double sigma() {
    return sigma;
  }

  /** Eq. 5's S = sigma * sqrt(H^2 + W^2): speeds (pixels per frame) at or above it are full brightness. */
  public double saturationSpeed(int height, int width) {
    return sigma * Math.sqrt((double) height * height + (double) width * width);
  }

  /**
   * The largest error in direction (radians) of an 8-bit encode-then-decode at brightness m, valid
   * for 1/510 &lt; m &lt; 1: {@code (pi / 3) / (255 m - 0.5)} (see the class comment).
   */
  public static double angleErrorBound8Bit(double m) {
    return (Math.PI / 3) / (255 * m - 0.5);
  }

  /**
   * The largest error in speed (pixels) of an 8-bit encode-then-decode where m &lt; 1: half a level
   * of brightness, {@code S / 510}.
   */
  public double speedErrorBound8Bit(int height, int width) {
    return saturationSpeed(height, width) / 510;
  }

  /** Eq. 5 as a float image {@code [3, H, W]} in [-1, 1]. */
  public FloatTensor encode(FlowField flow) {
    int n = flow.height() * flow.width();
    float[] out = new float[3 * n];
    encodeInto(flow, out, 0, n);
    return new FloatTensor(new long[] {3, flow.height(), flow.width()}, out);
  }

  /**
   * Eq. 5 written into part of a larger array, values in [-1, 1]: red of pixel i goes to
   * {@code out[offset + i]}, green to {@code out[offset + channelStride + i]}, blue to
   * {@code out[offset + 2 * channelStride + i]}. For frame t of a video {@code [3, T, H, W]} use
   * {@code offset = t * H * W} and {@code channelStride = T * H * W}.
   *
   * @throws VideoJamException when the flow has a NaN or infinite value
   */
  public void encodeInto(FlowField flow, float[] out, int offset, int channelStride) {
    int n = flow.height() * flow.width();
    if (offset < 0 || channelStride < n || (long) offset + 2L * channelStride + n > out.length) {
      throw new IllegalArgumentException("output of " + out.length + " values cannot hold a 3 x " + n
          + " image at offset " + offset + " with channel stride " + channelStride);
    }
    requireFinite(flow);
    Blocks blocks = new Blocks();
    float saturation = (float) saturationSpeed(flow.height(), flow.width());
    for (int start = 0; start < n; start += BLOCK) {
      int len = Math.min(BLOCK, n - start);
      blocks.encode(flow, start, len, saturation, 2f, -1f); // channel c in [0, 1] stored as 2c - 1
      System.arraycopy(blocks.red, 0, out, offset + start, len);
      System.arraycopy(blocks.green, 0, out, offset + channelStride + start, len);
      System.arraycopy(blocks.blue, 0, out, offset + 2 * channelStride + start, len);
    }
  }

  /**
   * Eq. 5 as 8-bit levels, planar {@code [3, H, W]} (red plane, green plane, blue plane); read a
   * level with {@code levels[i] & 0xFF}. Each level is {@code round(255 c)} of the float channel c.
   */
  public byte[] encodeLevels(FlowField flow) {
    requireFinite(flow);
    int n = flow.height() * flow.width();
    byte[] out = new byte[3 * n];
    Blocks blocks = new Blocks();
    float saturation = (float) saturationSpeed(flow.height(), flow.width());
    for (int start = 0; start < n; start += BLOCK) {
      int len = Math.min(BLOCK, n - start);
      blocks.encode(flow, start, len, saturation, 255f, 0.5f); // 255 c + 1/2, truncated below: round(255 c)
      for (int i = 0; i < len; i++) {
        out[start + i] = (byte) (int) blocks.red[i];
        out[n + start + i] = (byte) (int) blocks.green[i];
        out[2 * n + start + i] = (byte) (int) blocks.blue[i];
      }
    }
    return out;
  }

  /** The flow of a float image {@code [3, H, W]} in [-1, 1] (see the class comment for the limits). */
  public FlowField decode(FloatTensor rgb) {
    long[] s = rgb.shape();
    if (s.length != 3 || s[0] != 3) {
      throw new IllegalArgumentException("flow-rgb image must be [3, H, W], got " + rgb);
    }
    return decode(rgb.data(), Math.toIntExact(s[1]), Math.toIntExact(s[2]));
  }

  /** The flow of a float image {@code [3, H, W]} in [-1, 1], row-major planes. */
  public FlowField decode(float[] rgb, int height, int width) {
    int n = checkSize(rgb.length, height, width);
    float[] u = new float[n];
    float[] v = new float[n];
    double saturation = saturationSpeed(height, width);
    for (int i = 0; i < n; i++) {
      decodePixel(0.5 * (rgb[i] + 1), 0.5 * (rgb[n + i] + 1), 0.5 * (rgb[2 * n + i] + 1), saturation, u, v, i);
    }
    return new FlowField(height, width, u, v);
  }

  /** The flow of 8-bit levels, planar {@code [3, H, W]} as {@link #encodeLevels} writes them. */
  public FlowField decode(byte[] levels, int height, int width) {
    int n = checkSize(levels.length, height, width);
    float[] u = new float[n];
    float[] v = new float[n];
    double saturation = saturationSpeed(height, width);
    for (int i = 0; i < n; i++) {
      decodePixel((levels[i] & 0xFF) / 255.0, (levels[n + i] & 0xFF) / 255.0, (levels[2 * n + i] & 0xFF) / 255.0,
          saturation, u, v, i);
    }
    return new FlowField(height, width, u, v);
  }

  /**
   * Encoder throughput for a benchmark: {@code frames} synthetic {@code size x size} flow fields
   * ({@link #benchmarkFields}: a vortex plus a drift, every direction, speeds up to about 1.8 S) encoded to float images by
   * {@code threads} threads, each encoding every threads-th frame. Warms up for about 0.3 s, then
   * times whole passes for at least 0.5 s.
   *
   * @return megapixels (flow vectors) encoded per second, all threads together
   */
  public static double encodeMegapixelsPerSecond(int size, int frames, int threads) {
    if (size < 1 || frames < 1 || threads < 1) {
      throw new IllegalArgumentException("size, frames and threads must be >= 1, got " + size + ", " + frames + ", " + threads);
    }
    FlowRgbCodec codec = new FlowRgbCodec();
    int n = size * size;
    List<FlowField> fields = benchmarkFields(codec, size, frames);
    float[] out = new float[3 * frames * n];
    int channelStride = frames * n;
    ExecutorService pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "videojam-flow-rgb-bench");
      t.setDaemon(true);
      return t;
    });
    try {
      Runnable pass = () -> {
        if (pool == null) {
          for (int f = 0; f < frames; f++) {
            codec.encodeInto(fields.get(f), out, f * n, channelStride);
          }
          return;
        }
        List<Future<?>> done = new ArrayList<>();
        for (int k = 0; k < threads; k++) {
          int first = k;
          done.add(pool.submit(() -> {
            for (int f = first; f < frames; f += threads) {
              codec.encodeInto(fields.get(f), out, f * n, channelStride);
            }
          }));
        }
        for (Future<?> d : done) {
          try {
            d.get();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VideoJamException("encoder benchmark interrupted", e);
          } catch (ExecutionException e) {
            throw new IllegalStateException("encoder benchmark failed", e.getCause());
          }
        }
      };
      long warmUntil = System.nanoTime() + 300_000_000L;
      for (int i = 0; i < 3 || System.nanoTime() < warmUntil; i++) {
        pass.run();
      }
      long start = System.nanoTime();
      long passes = 0;
      long elapsed;
      do {
        pass.run();
        passes++;
        elapsed = System.nanoTime() - start;
      } while (elapsed < 500_000_000L);
      return (double) passes * frames * n / (elapsed / 1e9) / 1e6;
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  /**
   * The benchmark's flow fields: frame f is a vortex about the centre (speed 2.4 S times the distance
   * from the centre in frame sizes: S at 0.42 of the size, saturated beyond) plus a drift of 0.1 S
   * that turns once over the frames, so every direction and both saturated and unsaturated speeds
   * occur.
   */
  static List<FlowField> benchmarkFields(FlowRgbCodec codec, int size, int frames) {
    int n = size * size;
    List<FlowField> fields = new ArrayList<>(frames);
    double saturation = codec.saturationSpeed(size, size);
    for (int f = 0; f < frames; f++) {
      float[] u = new float[n];
      float[] v = new float[n];
      double phase = 2 * Math.PI * f / frames;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          double dx = (x - size / 2.0) / size;
          double dy = (y - size / 2.0) / size;
          u[y * size + x] = (float) (saturation * (-2.4 * dy + 0.1 * Math.cos(phase)));
          v[y * size + x] = (float) (saturation * (2.4 * dx + 0.1 * Math.sin(phase)));
        }
      }
      fields.add(new FlowField(size, size, u, v));
    }
    return fields;
  }

  /**
   * Scratch blocks of the encoder. Every loop below reads and writes its arrays at the same index
   * {@code i} and is small and branch-free (abs, min, max, sqrt, division), so that HotSpot's C2
   * compiler turns each into SIMD instructions; a single fused loop is too large for C2 to unroll
   * and runs about three times slower. The results are the same bit for bit either way (plain
   * IEEE float arithmetic, no fused multiply-add).
   */
  private static final class Blocks {
    final float[] x = new float[BLOCK];
    final float[] y = new float[BLOCK];
    final float[] m = new float[BLOCK];
    final float[] hue = new float[BLOCK];
    final float[] red = new float[BLOCK];
    final float[] green = new float[BLOCK];
    final float[] blue = new float[BLOCK];

    /**
     * Pixels {@code [start, start + len)} of the flow into {@link #red}, {@link #green},
     * {@link #blue} as {@code c * scale + shift} for the HSV channel c in [0, 1].
     */
    void encode(FlowField flow, int start, int len, float saturation, float scale, float shift) {
      System.arraycopy(flow.u(), start, x, 0, len);
      System.arraycopy(flow.v(), start, y, 0, len);
      // m = min(1, |d| / S): exactly 1 at and beyond S (division, not a reciprocal, so S / S = 1).
      for (int i = 0; i < len; i++) {
        m[i] = Math.min(1f, (float) Math.sqrt(x[i] * x[i] + y[i] * y[i]) / saturation);
      }
      // The angle inside the quadrant, atan2(|y|, |x|) = pi/4 + atan(t), t = (|y| - |x|) / (|y| + |x|)
      // in [-1, 1] (no octant swap needed). The tiny term keeps 0 / 0 away from the zero vector.
      for (int i = 0; i < len; i++) {
        float ax = Math.abs(x[i]);
        float ay = Math.abs(y[i]);
        hue[i] = (ay - ax) / (ay + ax + Float.MIN_NORMAL);
      }
      for (int i = 0; i < len; i++) {
        float t = hue[i];
        float t2 = t * t;
        float t4 = t2 * t2;
        float t8 = t4 * t4;
        float p = ((P0 + P2 * t2) + t4 * (P4 + P6 * t2)) + t8 * (((P8 + P10 * t2) + t4 * (P12 + P14 * t2)) + t8 * P16);
        hue[i] = 0.75f + p * t; // [0, 1.5] sectors: 0 along the x axis, 1.5 along the y axis
      }
      // Unfold the quadrant without branches: sx, sy = +-1 are the signs of x and y (sx = 0 at
      // x = 0, where the quadrant angle is 1.5 anyway; sy = +1 at y = +-0, so that y = 0, x > 0
      // is hue 0). Multiplying twice by 2^127 makes every non-zero float at least 1 in magnitude.
      // Left half-plane: hue = 3 - q; lower half-plane (y < 0, upwards): hue = 6 - hue.
      for (int i = 0; i < len; i++) {
        float sx = Math.max(-1f, Math.min(1f, x[i] * HUGE_SCALE * HUGE_SCALE));
        float sy = Math.max(-1f, Math.min(1f, y[i] * HUGE_SCALE * HUGE_SCALE + 1f));
        hue[i] = 3f + sy * ((1.5f + sx * (hue[i] - 1.5f)) - 3f); // [0, 6] sectors
      }
      // HSV with S = 1 and V = m: each channel is m times a trapezoid of the hue.
      for (int i = 0; i < len; i++) {
        red[i] = m[i] * Math.max(0f, Math.min(1f, Math.abs(hue[i] - 3f) - 1f)) * scale + shift;
      }
      for (int i = 0; i < len; i++) {
        green[i] = m[i] * Math.max(0f, Math.min(1f, 2f - Math.abs(hue[i] - 2f))) * scale + shift;
      }
      for (int i = 0; i < len; i++) {
        blue[i] = m[i] * Math.max(0f, Math.min(1f, 2f - Math.abs(hue[i] - 4f))) * scale + shift;
      }
    }
  }

  private static void decodePixel(double r, double g, double b, double saturation, float[] u, float[] v, int i) {
    double max = Math.max(r, Math.max(g, b));
    double min = Math.min(r, Math.min(g, b));
    double range = max - min;
    if (!(max > 0)) {
      return; // black: no motion (its direction is undefined)
    }
    double sectors;
    if (!(range > 0)) {
      sectors = 0; // grey has no hue; the encoder never writes it
    } else if (max == r) {
      sectors = (g - b) / range;
      if (sectors < 0) {
        sectors += 6;
      }
    } else if (max == g) {
      sectors = 2 + (b - r) / range;
    } else {
      sectors = 4 + (r - g) / range;
    }
    double angle = sectors * (Math.PI / 3);
    double speed = Math.min(max, 1) * saturation;
    u[i] = (float) (speed * Math.cos(angle));
    v[i] = (float) (speed * Math.sin(angle));
  }

  private static int checkSize(int length, int height, int width) {
    if (height < 1 || width < 1 || (long) height * width * 3 != length) {
      throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * height * width
          + " values, got " + length);
    }
    return height * width;
  }

  private static void requireFinite(FlowField flow) {
    float[] u = flow.u();
    float[] v = flow.v();
    for (int i = 0; i < u.length; i++) {
      if (!Float.isFinite(u[i]) || !Float.isFinite(v[i])) {
        throw new VideoJamException("flow has a non-finite value (" + u[i] + ", " + v[i] + ") at x = "
            + i % flow.width() + ", y = " + i / flow.width() + "; the flow estimator failed on this frame pair");
      }
    }
  }
}
