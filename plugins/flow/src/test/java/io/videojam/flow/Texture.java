package io.videojam.flow;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import java.util.Random;

/**
 * A smooth, band-limited random RGB texture defined at continuous coordinates: per channel a sum
 * of sinusoids with wavelengths of 8 to 40 pixels in random directions. Frames are rendered by
 * evaluating it through a known motion, so the true flow is known exactly at every pixel.
 */
final class Texture {
  private final int waves;
  private final double[] kx;
  private final double[] ky;
  private final double[] phase;
  private final double[][] amp;

  Texture(long seed, int waves) {
    Random r = new Random(seed);
    this.waves = waves;
    kx = new double[waves];
    ky = new double[waves];
    phase = new double[waves];
    amp = new double[3][waves];
    for (int k = 0; k < waves; k++) {
      double wavelength = 8 + 32 * r.nextDouble();
      double angle = 2 * Math.PI * r.nextDouble();
      kx[k] = 2 * Math.PI / wavelength * Math.cos(angle);
      ky[k] = 2 * Math.PI / wavelength * Math.sin(angle);
      phase[k] = 2 * Math.PI * r.nextDouble();
      for (int c = 0; c < 3; c++) {
        // Standard deviation about 0.45 per channel: values stay mostly inside [-1, 1].
        amp[c][k] = (0.5 + r.nextDouble()) * 0.5 / Math.sqrt(waves * 0.6);
      }
    }
  }

  double value(int channel, double x, double y) {
    double v = 0;
    for (int k = 0; k < waves; k++) {
      v += amp[channel][k] * Math.sin(kx[k] * x + ky[k] * y + phase[k]);
    }
    return Math.max(-1, Math.min(1, v));
  }

  /** Maps an output pixel (x, y) to the texture coordinate it shows. */
  interface Sampler {
    double[] source(double x, double y);
  }

  /** A frame [3, h, w]: pixel (x, y) shows the texture at {@code sampler.source(x, y)}. */
  FloatTensor render(int h, int w, Sampler sampler) {
    int n = h * w;
    float[] d = new float[3 * n];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double[] s = sampler.source(x, y);
        for (int c = 0; c < 3; c++) {
          d[c * n + y * w + x] = (float) value(c, s[0], s[1]);
        }
      }
    }
    return new FloatTensor(new long[] {3, h, w}, d);
  }

  FloatTensor frame(int h, int w) {
    return render(h, w, (x, y) -> new double[] {x, y});
  }

  /** The texture moved by (u, v): {@code T(x - u, y - v)}. */
  FloatTensor translated(int h, int w, double u, double v) {
    return render(h, w, (x, y) -> new double[] {x - u, y - v});
  }

  /**
   * The texture rotated by {@code angle} radians about the frame centre (clockwise on screen for
   * a positive angle, since y points down): pixel p shows the texture at {@code R(-angle)(p - c) + c}.
   */
  FloatTensor rotated(int h, int w, double angle) {
    double cxx = (w - 1) / 2.0;
    double cyy = (h - 1) / 2.0;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    return render(h, w, (x, y) -> {
      double dx = x - cxx;
      double dy = y - cyy;
      return new double[] {cxx + cos * dx + sin * dy, cyy - sin * dx + cos * dy};
    });
  }

  /** The true flow of {@link #rotated}: a point p of the first frame moves to {@code R(angle)(p - c) + c}. */
  static FlowField rotationFlow(int h, int w, double angle) {
    double cxx = (w - 1) / 2.0;
    double cyy = (h - 1) / 2.0;
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        double dx = x - cxx;
        double dy = y - cyy;
        u[y * w + x] = (float) (cos * dx - sin * dy - dx);
        v[y * w + x] = (float) (sin * dx + cos * dy - dy);
      }
    }
    return new FlowField(h, w, u, v);
  }

  static FlowField constantFlow(int h, int w, double u, double v) {
    float[] uu = new float[h * w];
    float[] vv = new float[h * w];
    java.util.Arrays.fill(uu, (float) u);
    java.util.Arrays.fill(vv, (float) v);
    return new FlowField(h, w, uu, vv);
  }

  /** Mean end-point error over the pixels at least {@code border} pixels from every edge. */
  static double epe(FlowField got, FlowField truth, int border) {
    double sum = 0;
    int count = 0;
    int w = got.width();
    for (int y = border; y < got.height() - border; y++) {
      for (int x = border; x < w - border; x++) {
        int i = y * w + x;
        double du = got.u()[i] - truth.u()[i];
        double dv = got.v()[i] - truth.v()[i];
        sum += Math.sqrt(du * du + dv * dv);
        count++;
      }
    }
    return sum / count;
  }

  /** Mean of a flow component over the interior. */
  static double mean(float[] c, int h, int w, int border) {
    double sum = 0;
    int count = 0;
    for (int y = border; y < h - border; y++) {
      for (int x = border; x < w - border; x++) {
        sum += c[y * w + x];
        count++;
      }
    }
    return sum / count;
  }
}
