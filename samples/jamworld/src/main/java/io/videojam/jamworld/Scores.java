package io.videojam.jamworld;

import java.util.Arrays;

/**
 * Continuous scores of a generated video {@code [3, T, H, W]} in [-1, 1] against the {@link ClipSpec}
 * its prompt came from, so that two models can be compared on the same held-out prompts and seeds.
 * The generated clip need not start where the rendered truth starts: motion and drift compare
 * displacements, never absolute positions.
 *
 * <p>Foreground: per frame the background is the per-channel median of the 1-pixel border ring
 * (fixtures excluded); a pixel is foreground when its RGB distance to it (in [-1, 1] units) exceeds
 * {@link #THRESHOLD}, weighted by that distance. The floor of "bounce" and the wall of
 * "wall-bounce-*" clips (known from the spec) are masked out. For specs with a second colour only pixels
 * better explained as a mix of background and the first colour than of background and the second
 * are kept. Centroids use pixel centres i + 0.5, as {@link ObjectTruth}. The colour is the weighted
 * mean of the core pixels (weight at least {@link #CORE} of the frame's largest), since
 * anti-aliased edge pixels are mixed with the background (a bar is 1.8 px thick).
 *
 * <p>Orientation (ROTATIONAL): the angle of the k-fold angular moment {@code sum w (dx + i dy)^k}
 * divided by k, with k = 2 for bars, wheels and balls (this is exactly the principal axis of the
 * second moments), 3 for triangles and 4 for squares (whose second moments are isotropic); y grows
 * downwards so, like {@link ObjectTruth#angle()}, positive = clockwise on screen. Anisotropy is
 * {@code 2a / (1 + a)} with {@code a = |M_k| / sum w r^k}, which for k = 2 equals
 * 1 - minor / major eigenvalue.
 *
 * @param colour in [0, 1]: 1 - |mean foreground RGB - prompted RGB| / (distance from the prompted
 *     colour to the farthest other colour of the table), clamped; 0 when nothing was found
 * @param persistence in [0, 1]: (1 - coefficient of variation of the foreground mass over the
 *     frames where one was found, clamped) times the share of such frames
 * @param motion in [-1, 1]: cosine between generated and true displacement sequences (angle
 *     changes for ROTATIONAL; NaN there when the foreground is isotropic in most frames); 0 when
 *     either is of zero length
 * @param drift generated net displacement projected on the true net displacement, divided by the
 *     true length squared (1 = right amount, right direction); NaN when the truth moves less than
 *     {@link #MIN_TRAVEL} px
 * @param track generated centroid per frame, x0, y0, x1, y1, ... (NaN where nothing was found)
 */
public record Scores(double colour, double persistence, double motion, double drift, double[] track) {
  /** Foreground threshold: RGB distance to the background in [-1, 1] units. */
  static final double THRESHOLD = 0.35;
  /** A frame has a foreground when at least this many pixels are foreground. */
  static final int MIN_PIXELS = 2;
  static final double MIN_ANISOTROPY = 0.1;
  /** The colour is measured on the foreground pixels at least this share of the frame's largest weight. */
  static final double CORE = 0.5;
  /** Output pixels. */
  static final double MIN_TRAVEL = 0.5;

  public static Scores of(float[] video, WorldConfig config, ClipSpec spec) {
    int frames = config.frames();
    int n = config.height() * config.width();
    if (video.length != 3 * frames * n) {
      throw new IllegalArgumentException("video has " + video.length + " values, expected " + 3 * frames * n);
    }
    ObjectTruth truth = new JamWorld(config).render(spec).truth().get(0);
    double[] track = new double[2 * frames];
    Arrays.fill(track, Double.NaN);
    double[] mass = new double[frames];
    double[] angle = new double[frames];
    double[] aniso = new double[frames];
    double[] rgbSum = new double[3];
    double weightSum = 0;
    int k = switch (spec.shape()) {
      case "square" -> 4;
      case "triangle" -> 3;
      default -> 2;
    };
    for (int t = 0; t < frames; t++) {
      double[] w = weights(video, config, spec, t);
      double sw = 0;
      double sx = 0;
      double sy = 0;
      int count = 0;
      double max = 0;
      for (int p = 0; p < n; p++) {
        if (w[p] > 0) {
          count++;
          sw += w[p];
          sx += w[p] * (p % config.width() + 0.5);
          sy += w[p] * (p / config.width() + 0.5);
          max = Math.max(max, w[p]);
        }
      }
      if (count < MIN_PIXELS) {
        continue;
      }
      for (int p = 0; p < n; p++) { // colour from the core (edge pixels are mixed with the background)
        if (w[p] >= CORE * max) {
          weightSum += w[p];
          for (int c = 0; c < 3; c++) {
            rgbSum[c] += w[p] * video[(c * frames + t) * n + p];
          }
        }
      }
      mass[t] = sw;
      track[2 * t] = sx / sw;
      track[2 * t + 1] = sy / sw;
      double re = 0;
      double im = 0;
      double norm = 0;
      for (int p = 0; p < n; p++) {
        if (w[p] > 0) {
          double dx = p % config.width() + 0.5 - track[2 * t];
          double dy = p / config.width() + 0.5 - track[2 * t + 1];
          double rk = Math.pow(Math.hypot(dx, dy), k);
          double theta = Math.atan2(dy, dx);
          re += w[p] * rk * Math.cos(k * theta);
          im += w[p] * rk * Math.sin(k * theta);
          norm += w[p] * rk;
        }
      }
      angle[t] = Math.atan2(im, re) / k;
      double a = norm > 0 ? Math.hypot(re, im) / norm : 0;
      aniso[t] = 2 * a / (1 + a);
    }

    // colour
    double colour = 0;
    if (weightSum > 0) {
      double[] want = JamWorld.colourRgb(spec.colour());
      double[] mean = new double[3];
      for (int c = 0; c < 3; c++) {
        mean[c] = (rgbSum[c] / weightSum + 1) / 2;
      }
      double worst = 0;
      for (String other : JamWorld.COLOURS) {
        worst = Math.max(worst, dist(JamWorld.colourRgb(other), want));
      }
      colour = clamp01(1 - dist(mean, want) / worst);
    }

    // persistence
    int found = 0;
    double m1 = 0;
    double m2 = 0;
    for (int t = 0; t < frames; t++) {
      if (mass[t] > 0) {
        found++;
        m1 += mass[t];
        m2 += mass[t] * mass[t];
      }
    }
    double persistence = 0;
    if (found > 0) {
      double mean = m1 / found;
      double cv = Math.sqrt(Math.max(0, m2 / found - mean * mean)) / mean;
      persistence = clamp01(1 - cv) * found / frames;
    }

    // motion and drift, from the first and last frames with a foreground
    int first = -1;
    int last = -1;
    for (int t = 0; t < frames; t++) {
      if (mass[t] > 0) {
        first = first < 0 ? t : first;
        last = t;
      }
    }
    double motion;
    if (spec.category() == Category.ROTATIONAL) {
      int anisotropic = 0;
      for (int t = 0; t < frames; t++) {
        anisotropic += mass[t] > 0 && aniso[t] >= MIN_ANISOTROPY ? 1 : 0;
      }
      if (2 * anisotropic < frames) {
        motion = Double.NaN;
      } else {
        double[] gen = new double[frames - 1];
        double[] tru = new double[frames - 1];
        for (int t = 1; t < frames; t++) {
          if (mass[t - 1] > 0 && mass[t] > 0 && aniso[t - 1] >= MIN_ANISOTROPY && aniso[t] >= MIN_ANISOTROPY) {
            gen[t - 1] = wrap(angle[t] - angle[t - 1], Math.PI / k);
            tru[t - 1] = truth.angle()[t] - truth.angle()[t - 1];
          }
        }
        motion = cosine(gen, tru);
      }
    } else {
      double[] gen = new double[2 * frames];
      double[] tru = new double[2 * frames];
      for (int t = 0; t < frames && first >= 0; t++) {
        if (mass[t] > 0) {
          gen[2 * t] = track[2 * t] - track[2 * first];
          gen[2 * t + 1] = track[2 * t + 1] - track[2 * first + 1];
          tru[2 * t] = truth.x()[t] - truth.x()[first];
          tru[2 * t + 1] = truth.y()[t] - truth.y()[first];
        }
      }
      motion = cosine(gen, tru);
    }
    double drift = Double.NaN;
    if (first >= 0) {
      double tx = truth.x()[last] - truth.x()[first];
      double ty = truth.y()[last] - truth.y()[first];
      double len2 = tx * tx + ty * ty;
      if (len2 >= MIN_TRAVEL * MIN_TRAVEL) {
        drift = ((track[2 * last] - track[2 * first]) * tx + (track[2 * last + 1] - track[2 * first + 1]) * ty) / len2;
      }
    }
    return new Scores(colour, persistence, motion, drift, track);
  }

  /** Foreground weight of each pixel of frame t (its RGB distance to the background; 0 = background). */
  static double[] weights(float[] video, WorldConfig config, ClipSpec spec, int t) {
    int frames = config.frames();
    int h = config.height();
    int w = config.width();
    int n = h * w;
    boolean[] fixture = new boolean[n];
    int floorRow = (int) Math.floor(h - Renderer.FIXTURE * h / 16.0);
    int rightCol = (int) Math.floor(w - Renderer.FIXTURE * w / 16.0);
    int leftCols = (int) Math.ceil(Renderer.FIXTURE * w / 16.0);
    for (int p = 0; p < n; p++) {
      int x = p % w;
      fixture[p] = spec.motion().equals("bounce") && p / w >= floorRow
          || spec.motion().equals("wall-bounce-right") && x >= rightCol
          || spec.motion().equals("wall-bounce-left") && x < leftCols;
    }
    // background: per-channel median of the border ring
    double[][] ring = new double[3][2 * (h + w)];
    int m = 0;
    for (int p = 0; p < n; p++) {
      int x = p % w;
      int y = p / w;
      if ((x == 0 || y == 0 || x == w - 1 || y == h - 1) && !fixture[p]) {
        for (int c = 0; c < 3; c++) {
          ring[c][m] = video[(c * frames + t) * n + p];
        }
        m++;
      }
    }
    double[] bg = new double[3];
    for (int c = 0; c < 3; c++) {
      double[] v = Arrays.copyOf(ring[c], m);
      Arrays.sort(v);
      bg[c] = m == 0 ? -1 : m % 2 == 1 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    }
    boolean two = !spec.colour2().isEmpty();
    double[] e1 = new double[3];
    double[] e2 = new double[3];
    for (int c = 0; c < 3; c++) {
      e1[c] = 2 * JamWorld.colourRgb(spec.colour())[c] - 1 - bg[c];
      e2[c] = two ? 2 * JamWorld.colourRgb(spec.colour2())[c] - 1 - bg[c] : 0;
    }
    double[] out = new double[n];
    double[] e = new double[3];
    for (int p = 0; p < n; p++) {
      if (fixture[p]) {
        continue;
      }
      for (int c = 0; c < 3; c++) {
        e[c] = video[(c * frames + t) * n + p] - bg[c];
      }
      double d = Math.sqrt(e[0] * e[0] + e[1] * e[1] + e[2] * e[2]);
      if (d > THRESHOLD && (!two || residual(e, e1) <= residual(e, e2))) {
        out[p] = d;
      }
    }
    return out;
  }

  /** Distance from e to the segment from 0 to ek (the pixel as a mix of background and a colour). */
  private static double residual(double[] e, double[] ek) {
    double dot = e[0] * ek[0] + e[1] * ek[1] + e[2] * ek[2];
    double len2 = ek[0] * ek[0] + ek[1] * ek[1] + ek[2] * ek[2];
    double alpha = len2 > 0 ? Math.max(0, Math.min(1, dot / len2)) : 0;
    double s = 0;
    for (int c = 0; c < 3; c++) {
      s += (e[c] - alpha * ek[c]) * (e[c] - alpha * ek[c]);
    }
    return Math.sqrt(s);
  }

  /** x into (-half, half]. */
  /**
   * A video (3 channels, {@code frames} frames of {@code pixels} each) with frame {@code order[t]}
   * as frame t: the frames shuffled, or one frame held, for the nulls of the scores.
   */
  public static float[] reorderFrames(float[] video, int frames, int pixels, int[] order) {
    float[] out = new float[video.length];
    for (int c = 0; c < 3; c++) {
      for (int t = 0; t < frames; t++) {
        System.arraycopy(video, (c * frames + order[t]) * pixels, out, (c * frames + t) * pixels, pixels);
      }
    }
    return out;
  }

  static double wrap(double x, double half) {
    double r = x - 2 * half * Math.floor(x / (2 * half));
    return r > half ? r - 2 * half : r;
  }

  /** Clamped cosine; 0 when either vector has (near) zero length. */
  static double cosine(double[] a, double[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    double norm = Math.sqrt(aa) * Math.sqrt(bb);
    return Math.sqrt(aa) < 1e-6 || Math.sqrt(bb) < 1e-6 ? 0 : Math.max(-1, Math.min(1, ab / norm));
  }

  static double dist(double[] a, double[] b) {
    return Math.sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) + (a[2] - b[2]) * (a[2] - b[2]));
  }

  private static double clamp01(double x) {
    return Math.max(0, Math.min(1, x));
  }
}
