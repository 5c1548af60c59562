package io.videojam.jamworld;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ground-truth-aware metrics of one generated video {@code [3, T, H, W]} in [-1, 1] against the
 * {@link ClipSpec} its prompt came from. Every metric has a continuous form; those that also have a
 * pass rule give it in a separate {@code *Pass} / {@code *Match} field, so a caller can report both
 * beside their null (for example the same clip scored with {@code opposite = true}, or noise).
 *
 * <p>Everything is measured on the foreground of {@link Scores}: per frame, pixels whose RGB
 * distance to the border-ring median exceeds {@link Scores#THRESHOLD}, with the floor / wall
 * fixtures masked, and for specs with a second colour only the pixels better explained
 * by the first colour ({@link Scores#weights}). A frame "has a foreground" when at least
 * {@link Scores#MIN_PIXELS} pixels are foreground; the object's position in such a frame is
 * {@link Scores#track()}. The truth is the first object's {@link ObjectTruth} of the rendered spec.
 *
 * @param found in [0, 1]: share of the frames that have a foreground. Never NaN.
 * @param objects in [0, 1]: share of the frames with the expected number of objects. Objects are the
 *     8-connected components of at least 2 pixels of the <em>any-colour</em> foreground mask (every
 *     pixel farther than the threshold from the background, fixtures masked, no colour split). The
 *     expected count is exactly 1, or 1 to 2 for a spec with a second colour (two objects may touch or
 *     overlap). A frame with no object fails (vanishing), as does one with too many (splitting,
 *     duplicating), and so does one with a component larger than {@link #MAX_AREA} reference pixels
 *     (about three objects' area: a blob filling the frame, or noise, is not an object). Never NaN.
 * @param colour in [0, 1]: {@link Scores#colour()}, 1 - distance from the detected colour to the
 *     prompted one, scaled by the table's largest distance; 0 when nothing was found.
 * @param colourMatch 1 when the table colour ({@link JamWorld#COLOURS}) nearest in RGB to the detected
 *     colour is the prompted one, else 0. The detected colour is that of {@link Scores}: the weighted
 *     mean over all frames of the core foreground pixels (weight at least {@link Scores#CORE} of the
 *     frame's largest). NaN when no frame has a foreground.
 * @param shape in [-1, 1]: mean over the frames with a foreground of (IoU of the prompted shape -
 *     best IoU among the other 4 shapes). The IoU is between the frame's binary foreground mask and a
 *     template of the shape, in the prompted colour on a black background, rendered by
 *     {@link Renderer} at the detected centroid, best over 12 orientations spread over the shape's
 *     symmetry period (square 7.5, triangle 10, bar 15, wheel 30 degree steps; 12 steps of 30 degrees
 *     over [0, 2 pi) left a square up to 15 degrees off, enough to lose to the ball); the template's
 *     mask is its pixels farther than the threshold from black. Positive = the mask looks more like
 *     the prompted shape than like any other; 0 = a tie (see shapeMatch). NaN when no frame has a
 *     foreground.
 * @param shapeMatch 1 when the prompted shape's IoU averaged over those frames is at least every other
 *     shape's, else 0; NaN when no frame has a foreground. Ties count as a match: at 16 x 16 a ball
 *     (radius 2.8 px) and a wheel (radius 2.9 px, whose dark spoke is usually above the threshold)
 *     often give the same IoU, and these two are the usual confusion.
 * @param direction in [-1, 1], not ROTATIONAL: {@link Scores#motion()}, the cosine between the
 *     generated and the true displacement sequences (each frame's position minus that of the first
 *     frame with a foreground, over the frames with a foreground); 0 when either has zero length
 *     (a static clip, nothing found). NaN for ROTATIONAL.
 * @param directionPass 1 when {@code direction >= 0.5}, else 0; NaN where direction is NaN.
 * @param drift {@link Scores#drift()}: generated net displacement (first to last frame with a
 *     foreground) projected on the true one, divided by the true length squared: 1 = right amount,
 *     right way, 0 = no travel, -1 = right amount, wrong way. Unbounded. NaN when nothing was found,
 *     when the truth moves less than {@link Scores#MIN_TRAVEL} px between those frames, and for
 *     ROTATIONAL.
 * @param rotation ROTATIONAL only: signed rotation. Over consecutive frame pairs that both have an
 *     anisotropic foreground (as in {@link Scores}: k-fold angular moment, anisotropy at least
 *     {@link Scores#MIN_ANISOTROPY}), the sum of the generated orientation changes, each wrapped into
 *     (-pi/k, pi/k] (k = 4 square, 3 triangle, else 2), divided by the sum of the true angle changes
 *     over the same pairs. 1 = right amount, right way; 0 = no rotation; negative = wrong way.
 *     Unbounded. NaN when not ROTATIONAL, when fewer than half the frames are anisotropic (the
 *     rule of {@link Scores#motion()}), or when the truth does not turn over those pairs.
 * @param rotationPass 1 when {@code rotation > 0.25}, else 0; NaN where rotation is NaN.
 * @param physics in [-1, 1], PHYSICS only: cosine between the generated frame-to-frame velocity
 *     sequence (track differences, x and y, over the consecutive frame pairs that both have a
 *     foreground; 0 elsewhere) and the true velocities over the same pairs; a bounce reverses the
 *     velocity, so a clip that keeps moving the first way scores far below 1 (about 0 when the
 *     contact is mid-clip). 0 when either sequence has zero length (a static clip, nothing found).
 *     NaN when not PHYSICS.
 * @param reversals PHYSICS only: the number of sign changes of the generated velocity along the
 *     bounce axis (y for "bounce", x for "wall-bounce-*") minus the truth's number
 *     (0 = right; negative = bounces missing, positive = extra reversals, e.g. a jittery track; the
 *     truth has 1 for "wall-bounce-*", 1 or 2 for "bounce"). Components with
 *     |v| &lt; {@link #MIN_SPEED} px/frame are skipped, for both; the generated velocity uses the
 *     frame pairs that both have a foreground, the truth all pairs. NaN when not PHYSICS.
 * @param physicsPass 1 when {@code reversals == 0} and {@code physics >= 0.5}, else 0; NaN where
 *     physics is NaN.
 */
public record Judgement(
    double found,
    double objects,
    double colour,
    double colourMatch,
    double shape,
    double shapeMatch,
    double direction,
    double directionPass,
    double drift,
    double rotation,
    double rotationPass,
    double physics,
    double reversals,
    double physicsPass) {

  /** The field names as reported, in the order of the record's components. */
  public static final List<String> NAMES = List.of("found", "objects", "colour", "colour_match", "shape",
      "shape_match", "direction", "direction_pass", "drift", "rotation", "rotation_pass", "physics", "reversals",
      "physics_pass");

  /** Pass thresholds. */
  static final double DIRECTION_PASS = 0.5;
  static final double ROTATION_PASS = 0.25;
  static final double PHYSICS_PASS = 0.5;
  /** Output pixels per frame: slower velocity components are ignored when counting reversals. */
  static final double MIN_SPEED = 0.15;
  /** Template orientations, evenly spaced over the shape's symmetry period. */
  static final int ORIENTATIONS = 12;
  /** Connected components smaller than this (pixels) are not objects. */
  static final int MIN_COMPONENT = 2;
  /**
   * A component larger than this (reference pixels of a 16 x 16 frame, scaled with the frame) is not
   * an object: about three times the largest shape (a wheel of radius 2.9 covers 26).
   */
  static final double MAX_AREA = 80;

  /**
   * Scores the clip against the prompt's world truth. With {@code opposite = true} the truth used by
   * direction, drift, rotation, physics and reversals is played backwards in time (x, y and angle of
   * frame T - 1 - t at frame t): the "opposite direction" null, under which a straight translation
   * scores exactly -1 times its forward direction (and about -1 times its drift), and a spin -1 times
   * its rotation. For PHYSICS it is a weak null: reversing time keeps the number of velocity
   * reversals and keeps gravity (acceleration is even in time), so a reversed bounce is still a fall
   * then a rise, only with the contact moved and height gained; a truth clip's physics cosine drops
   * from 1 to about [-0.5, 0.7] and physicsPass is sometimes still 1; an elastic wall bounce or
   * collision reversed is nearly the same motion and passes. found, objects, colour and shape do not
   * depend on {@code opposite}.
   *
   * @throws IllegalArgumentException when the video's length is not {@code 3 * T * H * W}
   */
  public static Judgement of(float[] video, WorldConfig config, ClipSpec spec, boolean opposite) {
    Scores scores = Scores.of(video, config, spec); // also checks the length
    int frames = config.frames();
    int n = config.height() * config.width();
    ObjectTruth truth = new JamWorld(config).render(spec).truth().get(0);
    if (opposite) {
      truth = reversed(truth);
    }
    double[] track = scores.track();
    boolean[] seen = new boolean[frames];
    double[][] weights = new double[frames][];
    int seenCount = 0;
    for (int t = 0; t < frames; t++) {
      seen[t] = !Double.isNaN(track[2 * t]);
      seenCount += seen[t] ? 1 : 0;
      weights[t] = Scores.weights(video, config, spec, t);
    }
    double found = (double) seenCount / frames;

    // objects: connected components of the any-colour mask
    ClipSpec anyColour = new ClipSpec(spec.category(), spec.motion(), spec.prompt(), spec.background(), spec.seed(),
        spec.shape(), spec.colour(), "", spec.gradient(), spec.x0(), spec.y0(), spec.speed(), spec.angle0(),
        spec.phase(), spec.extra());
    int maxObjects = spec.colour2().isEmpty() ? 1 : 2;
    int good = 0;
    for (int t = 0; t < frames; t++) {
      int count = components(Scores.weights(video, config, anyColour, t), config.width(), config.height(),
          MAX_AREA * config.width() * config.height() / 256.0);
      good += count >= 1 && count <= maxObjects ? 1 : 0;
    }
    double objects = (double) good / frames;

    // colour: the nearest table colour to the detected core colour (computed as in Scores)
    double colourMatch = Double.NaN;
    if (seenCount > 0) {
      double[] mean = coreColour(video, frames, n, weights, seen);
      String nearest = null;
      double best = Double.MAX_VALUE;
      for (String c : JamWorld.COLOURS) {
        double d = Scores.dist(mean, JamWorld.colourRgb(c));
        if (d < best) {
          best = d;
          nearest = c;
        }
      }
      colourMatch = spec.colour().equals(nearest) ? 1 : 0;
    }

    // shape: IoU of the foreground mask with templates of each shape at the detected centroid
    double shape = Double.NaN;
    double shapeMatch = Double.NaN;
    if (seenCount > 0) {
      List<String> shapes = JamWorld.SHAPES;
      double[] meanIou = new double[shapes.size()];
      double margin = 0;
      int prompted = shapes.indexOf(spec.shape());
      for (int t = 0; t < frames; t++) {
        if (!seen[t]) {
          continue;
        }
        boolean[] mask = new boolean[n];
        for (int p = 0; p < n; p++) {
          mask[p] = weights[t][p] > 0;
        }
        double[] iou = new double[shapes.size()];
        double other = -1;
        for (int s = 0; s < shapes.size(); s++) {
          iou[s] = bestIou(mask, shapes.get(s), spec.colour(), track[2 * t], track[2 * t + 1], config);
          meanIou[s] += iou[s] / seenCount;
          if (s != prompted) {
            other = Math.max(other, iou[s]);
          }
        }
        margin += (iou[prompted] - other) / seenCount;
      }
      shape = margin;
      boolean highest = true;
      for (int s = 0; s < shapes.size(); s++) {
        highest &= meanIou[prompted] >= meanIou[s];
      }
      shapeMatch = highest ? 1 : 0;
    }

    // direction and drift (the rules of Scores.motion and Scores.drift, against the possibly reversed truth)
    boolean rotational = spec.category() == Category.ROTATIONAL;
    double direction = rotational ? Double.NaN : direction(track, seen, truth);
    double drift = rotational ? Double.NaN : drift(track, seen, truth);

    double rotation = rotational ? rotation(weights, track, seen, truth, spec, config) : Double.NaN;

    double physics = Double.NaN;
    double reversals = Double.NaN;
    if (spec.category() == Category.PHYSICS) {
      double[] gen = new double[2 * (frames - 1)];
      double[] tru = new double[2 * (frames - 1)];
      int axis = spec.motion().equals("bounce") ? 1 : 0;
      double[] genAxis = new double[frames - 1];
      double[] truAxis = new double[frames - 1];
      for (int t = 0; t + 1 < frames; t++) {
        double tx = truth.x()[t + 1] - truth.x()[t];
        double ty = truth.y()[t + 1] - truth.y()[t];
        truAxis[t] = axis == 0 ? tx : ty;
        genAxis[t] = Double.NaN;
        if (seen[t] && seen[t + 1]) {
          gen[2 * t] = track[2 * t + 2] - track[2 * t];
          gen[2 * t + 1] = track[2 * t + 3] - track[2 * t + 1];
          tru[2 * t] = tx;
          tru[2 * t + 1] = ty;
          genAxis[t] = gen[2 * t + axis];
        }
      }
      physics = Scores.cosine(gen, tru);
      reversals = signChanges(genAxis) - signChanges(truAxis);
    }

    return new Judgement(found, objects, scores.colour(), colourMatch, shape, shapeMatch, direction,
        pass(direction, direction >= DIRECTION_PASS), drift, rotation, pass(rotation, rotation > ROTATION_PASS),
        physics, reversals, pass(physics, reversals == 0 && physics >= PHYSICS_PASS));
  }

  /** Field values by name, in the order of {@link #NAMES}. */
  public Map<String, Double> asMap() {
    double[] values = {found, objects, colour, colourMatch, shape, shapeMatch, direction, directionPass, drift,
        rotation, rotationPass, physics, reversals, physicsPass};
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) {
      out.put(NAMES.get(i), values[i]);
    }
    return out;
  }

  private static double pass(double value, boolean passed) {
    return Double.isNaN(value) ? Double.NaN : passed ? 1 : 0;
  }

  /** The truth played backwards in time. */
  static ObjectTruth reversed(ObjectTruth o) {
    int frames = o.x().length;
    float[] x = new float[frames];
    float[] y = new float[frames];
    float[] a = new float[frames];
    boolean[] visible = new boolean[frames];
    for (int t = 0; t < frames; t++) {
      x[t] = o.x()[frames - 1 - t];
      y[t] = o.y()[frames - 1 - t];
      a[t] = o.angle()[frames - 1 - t];
      visible[t] = o.visible()[frames - 1 - t];
    }
    return new ObjectTruth(o.colour(), o.shape(), x, y, a, visible);
  }

  /** {@link Scores#motion()} for a non-rotational clip, against the given truth (same arithmetic). */
  private static double direction(double[] track, boolean[] seen, ObjectTruth truth) {
    int frames = seen.length;
    int first = firstSeen(seen);
    double[] gen = new double[2 * frames];
    double[] tru = new double[2 * frames];
    for (int t = 0; t < frames && first >= 0; t++) {
      if (seen[t]) {
        gen[2 * t] = track[2 * t] - track[2 * first];
        gen[2 * t + 1] = track[2 * t + 1] - track[2 * first + 1];
        tru[2 * t] = truth.x()[t] - truth.x()[first];
        tru[2 * t + 1] = truth.y()[t] - truth.y()[first];
      }
    }
    return Scores.cosine(gen, tru);
  }

  /** {@link Scores#drift()} against the given truth (same arithmetic). */
  private static double drift(double[] track, boolean[] seen, ObjectTruth truth) {
    int first = firstSeen(seen);
    if (first < 0) {
      return Double.NaN;
    }
    int last = first;
    for (int t = 0; t < seen.length; t++) {
      last = seen[t] ? t : last;
    }
    double tx = truth.x()[last] - truth.x()[first];
    double ty = truth.y()[last] - truth.y()[first];
    double len2 = tx * tx + ty * ty;
    if (len2 < Scores.MIN_TRAVEL * Scores.MIN_TRAVEL) {
      return Double.NaN;
    }
    return ((track[2 * last] - track[2 * first]) * tx + (track[2 * last + 1] - track[2 * first + 1]) * ty) / len2;
  }

  private static int firstSeen(boolean[] seen) {
    for (int t = 0; t < seen.length; t++) {
      if (seen[t]) {
        return t;
      }
    }
    return -1;
  }

  /** Signed rotation relative to the truth's (see the record's documentation). */
  private static double rotation(double[][] weights, double[] track, boolean[] seen, ObjectTruth truth,
      ClipSpec spec, WorldConfig config) {
    int frames = seen.length;
    int k = switch (spec.shape()) {
      case "square" -> 4;
      case "triangle" -> 3;
      default -> 2;
    };
    double[] angle = new double[frames];
    boolean[] anisotropic = new boolean[frames];
    int count = 0;
    for (int t = 0; t < frames; t++) {
      if (seen[t]) {
        double[] o = orientation(weights[t], track[2 * t], track[2 * t + 1], k, config.width());
        angle[t] = o[0];
        anisotropic[t] = o[1] >= Scores.MIN_ANISOTROPY;
        count += anisotropic[t] ? 1 : 0;
      }
    }
    if (2 * count < frames) {
      return Double.NaN;
    }
    double gen = 0;
    double tru = 0;
    for (int t = 1; t < frames; t++) {
      if (anisotropic[t - 1] && anisotropic[t]) {
        gen += Scores.wrap(angle[t] - angle[t - 1], Math.PI / k);
        tru += truth.angle()[t] - truth.angle()[t - 1];
      }
    }
    return Math.abs(tru) < 1e-9 ? Double.NaN : gen / tru;
  }

  /** {orientation, anisotropy} of a frame's foreground as in {@link Scores}: the k-fold angular moment. */
  private static double[] orientation(double[] w, double cx, double cy, int k, int width) {
    double re = 0;
    double im = 0;
    double norm = 0;
    for (int p = 0; p < w.length; p++) {
      if (w[p] > 0) {
        double dx = p % width + 0.5 - cx;
        double dy = p / width + 0.5 - cy;
        double rk = Math.pow(Math.hypot(dx, dy), k);
        double theta = Math.atan2(dy, dx);
        re += w[p] * rk * Math.cos(k * theta);
        im += w[p] * rk * Math.sin(k * theta);
        norm += w[p] * rk;
      }
    }
    double a = norm > 0 ? Math.hypot(re, im) / norm : 0;
    return new double[] {Math.atan2(im, re) / k, 2 * a / (1 + a)};
  }

  /** Weighted mean RGB in [0, 1] of the core foreground pixels of the frames with a foreground (as Scores). */
  private static double[] coreColour(float[] video, int frames, int n, double[][] weights, boolean[] seen) {
    double[] sum = new double[3];
    double total = 0;
    for (int t = 0; t < frames; t++) {
      if (!seen[t]) {
        continue;
      }
      double max = 0;
      for (int p = 0; p < n; p++) {
        max = Math.max(max, weights[t][p]);
      }
      for (int p = 0; p < n; p++) {
        double w = weights[t][p];
        if (w > 0 && w >= Scores.CORE * max) {
          total += w;
          for (int c = 0; c < 3; c++) {
            sum[c] += w * video[(c * frames + t) * n + p];
          }
        }
      }
    }
    double[] mean = new double[3];
    for (int c = 0; c < 3; c++) {
      mean[c] = (sum[c] / total + 1) / 2;
    }
    return mean;
  }

  /**
   * Number of 8-connected components of at least {@link #MIN_COMPONENT} pixels of {@code w > 0};
   * -1 when one has more than {@code maxArea} pixels.
   */
  static int components(double[] w, int width, int height, double maxArea) {
    boolean oversize = false;
    boolean[] done = new boolean[w.length];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    int count = 0;
    for (int start = 0; start < w.length; start++) {
      if (done[start] || w[start] <= 0) {
        continue;
      }
      int size = 0;
      done[start] = true;
      queue.add(start);
      while (!queue.isEmpty()) {
        int p = queue.poll();
        size++;
        int x = p % width;
        int y = p / width;
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int nx = x + dx;
            int ny = y + dy;
            if (nx >= 0 && ny >= 0 && nx < width && ny < height) {
              int q = ny * width + nx;
              if (!done[q] && w[q] > 0) {
                done[q] = true;
                queue.add(q);
              }
            }
          }
        }
      }
      count += size >= MIN_COMPONENT ? 1 : 0;
      oversize |= size > maxArea;
    }
    return oversize ? -1 : count;
  }

  /**
   * The best IoU between {@code mask} and the shape drawn by {@link Renderer} in {@code colour} on black
   * centred at (cx, cy) output pixels (template mask: RGB distance to black above the threshold), over
   * {@link #ORIENTATIONS} orientations evenly spaced over the shape's symmetry period (square pi / 2,
   * triangle 2 pi / 3, bar pi, wheel 2 pi; one for the ball). 0 when both masks are empty.
   */
  static double bestIou(boolean[] mask, String shape, String colour, double cx, double cy, WorldConfig config) {
    int height = config.height();
    int width = config.width();
    int n = height * width;
    // a ball looks the same at every angle (3 frames: the least a WorldConfig allows)
    int orientations = shape.equals("ball") ? 3 : ORIENTATIONS;
    double period = switch (shape) {
      case "square" -> Math.PI / 2;
      case "triangle" -> 2 * Math.PI / 3;
      case "bar" -> Math.PI;
      default -> 2 * Math.PI;
    };
    WorldConfig many = new WorldConfig(orientations, height, width, config.supersample());
    ClipSpec template = new ClipSpec(Category.ROTATIONAL, "spin-cw", "", "black", 0, shape, colour, "", 0,
        0, 0, 0, 0, 0, 0);
    double[][][] paths = new double[1][3][orientations];
    for (int i = 0; i < orientations; i++) {
      paths[0][0][i] = cx * 16 / width;
      paths[0][1][i] = cy * 16 / height;
      paths[0][2][i] = period * i / orientations;
    }
    float[] video = Renderer.render(template, many, paths, true);
    double[] black = JamWorld.backgroundRgb("black");
    double best = 0;
    for (int i = 0; i < (shape.equals("ball") ? 1 : orientations); i++) {
      int inter = 0;
      int union = 0;
      for (int p = 0; p < n; p++) {
        double d2 = 0;
        for (int c = 0; c < 3; c++) {
          double e = video[(c * orientations + i) * n + p] - (2 * black[c] - 1);
          d2 += e * e;
        }
        boolean on = d2 > Scores.THRESHOLD * Scores.THRESHOLD;
        inter += on && mask[p] ? 1 : 0;
        union += on || mask[p] ? 1 : 0;
      }
      best = Math.max(best, union == 0 ? 0 : (double) inter / union);
    }
    return best;
  }

  private static int signChanges(double[] v) {
    int last = 0;
    int changes = 0;
    for (double x : v) {
      if (Double.isNaN(x) || Math.abs(x) < MIN_SPEED) {
        continue;
      }
      int sign = x > 0 ? 1 : -1;
      changes += last != 0 && sign != last ? 1 : 0;
      last = sign;
    }
    return changes;
  }
}
