package io.videojam.jamworld;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * JamWorld: a deterministic procedural motion world for training and evaluating a tiny video
 * diffusion model on a CPU.
 *
 * <h2>Clips</h2>
 * By default 8 frames of 16 x 16 RGB ({@link WorldConfig#defaults()}), drawn at 4x supersampling
 * (64 x 64; each fine pixel's coverage is a one-pixel ramp across the shape's outline) and
 * area-averaged down, so edges are anti-aliased and sub-pixel positions move smoothly. Video layout {@code [3, T, H, W]}, values
 * in [-1, 1]. All geometry is defined in reference pixels of a 16 x 16 frame and scaled by
 * width / 16 (x) and height / 16 (y).
 *
 * <p>Objects (about 5-6 px wide at 16 x 16): square (side 5), ball (diameter 5.6; the one round
 * shape, called "ball" in every prompt), triangle (equilateral, circumradius 3.2, pointing up at
 * angle 0), bar (6.4 x 1.8, long axis along its angle), wheel (diameter 5.8 with a dark spoke
 * from the centre to the rim along its angle). Colours red, green, blue, yellow, white.
 * Background: plain black 0.02 (the renderer also draws navy, dark-green and grey with a faint
 * vertical gradient, for tests; the world samples only black since the redesign of issue 15:
 * one nuisance factor less for a model trained on a CPU). Bounce clips show a grey floor (1 px)
 * at the bottom, wall-bounce clips a grey wall (1 px) at the side hit.
 *
 * <h2>Categories and motions</h2>
 * Speeds are per frame at 16 x 16.
 * <ul>
 *   <li>BASIC: translation in 8 directions (right, left, up, down, up-right, up-left,
 *       down-right, down-left) at 1.0-1.6 px/frame, path centred near the frame centre.
 *   <li>COMPLEX: zigzag-right/left (1.0-1.4 px/frame sideways, triangle wave of amplitude
 *       1.5-2.5 px and period 4 frames), speed-up-right/left (0.3 px/frame rising linearly to
 *       1.8-2.2). (The circular path and the two-object crossing were dropped in the redesign
 *       of issue 15: every clip has one object.)
 *   <li>ROTATIONAL: spin-cw/ccw of a bar, wheel, triangle or square at 0.35-0.6 rad/frame,
 *       centred (jitter 0.5 px).
 *   <li>PHYSICS: bounce (a ball dropped near the top falls under gravity, hits the floor at
 *       frame 3-5 and bounces with restitution 0.7), wall-bounce-right/left (a ball or square
 *       moving at 1.3-1.9 px/frame bounces elastically off the side wall at frame 2.5-4.5).
 *       (Two balls colliding were dropped with the other two-object motion.)
 * </ul>
 *
 * <h2>Angles</h2>
 * {@link ObjectTruth#angle()} is in radians, positive = <b>clockwise on screen</b> (image
 * coordinates, x right and y down: a point at local (1, 0) is drawn at (cos a, sin a) from the
 * centre). spin-cw increases it, spin-ccw decreases it.
 *
 * <h2>Held-out split</h2>
 * A (colour, shape, motion) triple (for two-object clips, the first object's colour) is held out
 * when a fixed 64-bit mix of {@code "colour|shape|motion".hashCode()} is 0 modulo 8 (see
 * {@link #heldOut(String, String, String)}); every category has held-out triples and
 * (red, square, right) is a training triple. {@link Split#TRAIN} never produces a held-out
 * triple, {@link Split#HELDOUT} only those. Within a split, triples are drawn uniformly per
 * category; the category is {@code floorMod(seed, 4)} (balanced over consecutive seeds).
 *
 * <p>Prompts are lower-case words of {@link #vocabulary()}, at most 10 words, for example "a red
 * square moving right", "a blue ball moving up and left", "a green bar spinning clockwise", "a
 * yellow ball falling and bouncing", "a white wheel moving right in a zig zag".
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class JamWorld {
  public static final List<String> COLOURS = List.of("red", "green", "blue", "yellow", "white");
  public static final List<String> SHAPES = List.of("square", "ball", "triangle", "bar", "wheel");
  public static final List<String> BACKGROUNDS = List.of("black", "navy", "dark-green", "grey");

  private static final Map<String, double[]> COLOUR_RGB = Map.of(
      "red", new double[] {0.95, 0.15, 0.15},
      "green", new double[] {0.2, 0.85, 0.25},
      "blue", new double[] {0.25, 0.4, 1.0},
      "yellow", new double[] {0.95, 0.9, 0.2},
      "white", new double[] {0.95, 0.95, 0.95});
  private static final Map<String, double[]> BACKGROUND_RGB = Map.of(
      "black", new double[] {0.02, 0.02, 0.02},
      "navy", new double[] {0.05, 0.05, 0.2},
      "dark-green", new double[] {0.05, 0.15, 0.05},
      "grey", new double[] {0.25, 0.25, 0.25});

  static final List<String> DIRECTIONS =
      List.of("right", "left", "up", "down", "up-right", "up-left", "down-right", "down-left");
  /** The motions of each category, in order; and the shapes each motion may use. */
  private static final Map<Category, List<String>> MOTIONS = Map.of(
      Category.BASIC, DIRECTIONS,
      Category.COMPLEX, List.of("zigzag-right", "zigzag-left", "speed-up-right", "speed-up-left"),
      Category.ROTATIONAL, List.of("spin-cw", "spin-ccw"),
      Category.PHYSICS, List.of("bounce", "wall-bounce-right", "wall-bounce-left"));

  private static final long HOLDOUT_SALT = 0x5DEECE66DL;
  private static final double RESTITUTION = 0.7;

  private static final List<String> VOCABULARY = List.of("<pad>", "<unk>",
      "a", "red", "green", "blue", "yellow", "white",
      "square", "ball", "triangle", "bar", "wheel",
      "moving", "right", "left", "up", "down", "and",
      "in", "zig", "zag", "clockwise", "counterclockwise", "speeding", "to", "the",
      "spinning", "falling", "bouncing", "off", "wall");

  /** Per category: [train triples, held-out triples], each triple {colour, shape, motion}. */
  private static final Map<Category, List<List<String[]>>> COMBOS = combos();

  private final WorldConfig config;

  public JamWorld(WorldConfig config) {
    this.config = config;
  }

  public WorldConfig config() {
    return config;
  }

  /** Line i is token id i: "&lt;pad&gt;", "&lt;unk&gt;", then every word prompts use; fixed order. */
  public static List<String> vocabulary() {
    return VOCABULARY;
  }

  /** Whether the clip's (colour, shape, motion) triple is held out of training. */
  public static boolean heldOut(ClipSpec spec) {
    return heldOut(spec.colour(), spec.shape(), spec.motion());
  }

  /** The held-out rule: a 64-bit mix of {@code "colour|shape|motion".hashCode()} is 0 modulo 8. */
  public static boolean heldOut(String colour, String shape, String motion) {
    long h = mix((colour + "|" + shape + "|" + motion).hashCode() ^ HOLDOUT_SALT);
    return Math.floorMod(h, 8) == 0;
  }

  /** Every (colour, shape, motion) triple of a category in a split, each as {colour, shape, motion}. */
  public static List<String[]> combinations(Category category, Split split) {
    return COMBOS.get(category).get(split.ordinal());
  }

  /** The motions of a category. */
  public static List<String> motions(Category category) {
    return MOTIONS.get(category);
  }

  /** A clip description for {@code seed}: category {@code floorMod(seed, 4)}; deterministic. */
  public ClipSpec sample(long seed, Split split) {
    Category category = Category.values()[Math.floorMod(seed, 4)];
    SplittableRandom rng = new SplittableRandom(mix(seed ^ 0x9E3779B97F4A7C15L));
    List<String[]> pool = combinations(category, split);
    String[] triple = pool.get(rng.nextInt(pool.size()));
    return spec(category, triple[0], triple[1], triple[2], seed, rng);
  }

  /**
   * {@code perCategory} clips of each category (BASIC first), from the seeds
   * {@code 4 * (seed * 1000003 + i) + category}: each spec's {@link ClipSpec#seed()} gives it back
   * through {@link #sample}.
   */
  public List<ClipSpec> suite(Split split, int perCategory, long seed) {
    List<ClipSpec> out = new ArrayList<>(4 * perCategory);
    for (Category c : Category.values()) {
      for (int i = 0; i < perCategory; i++) {
        out.add(sample(4 * (seed * 1_000_003L + i) + c.ordinal(), split));
      }
    }
    return out;
  }

  /** A clip of the given triple with parameters drawn from {@code seed} (any triple, held out or not). */
  public ClipSpec spec(String colour, String shape, String motion, long seed) {
    Category category = null;
    for (Category c : Category.values()) {
      if (MOTIONS.get(c).contains(motion)) {
        category = c;
      }
    }
    if (category == null || !COLOUR_RGB.containsKey(colour) || !SHAPES.contains(shape)) {
      throw new IllegalArgumentException("unknown colour, shape or motion: " + colour + ", " + shape + ", " + motion);
    }
    return spec(category, colour, shape, motion, seed, new SplittableRandom(mix(seed ^ 0x9E3779B97F4A7C15L)));
  }

  /** Renders the clip: deterministic. */
  public Clip render(ClipSpec spec) {
    double[][][] paths = paths(spec, config.frames());
    float[] video = Renderer.render(spec, config, paths, true);
    return new Clip(spec, video, truth(spec, paths), config);
  }

  /**
   * The clip's frames at the supersampled resolution without averaging: {@code [3, T, H * s,
   * W * s]} in [-1, 1], s = {@link WorldConfig#supersample()}.
   */
  public float[] renderFine(ClipSpec spec) {
    return Renderer.render(spec, config, paths(spec, config.frames()), false);
  }

  static double[] colourRgb(String name) {
    double[] rgb = COLOUR_RGB.get(name);
    if (rgb == null) {
      throw new IllegalArgumentException("unknown colour " + name);
    }
    return rgb;
  }

  /** The background's RGB in [0, 1]. */
  public static double[] backgroundRgb(String name) {
    double[] rgb = BACKGROUND_RGB.get(name);
    if (rgb == null) {
      throw new IllegalArgumentException("unknown background " + name);
    }
    return rgb.clone();
  }

  // ---------------------------------------------------------------- sampling

  private ClipSpec spec(Category category, String colour, String shape, String motion, long seed, SplittableRandom rng) {
    int frames = config.frames();
    double mid = (frames - 1) / 2.0;
    String background = "black";
    double gradient = 0;
    String colour2 = "";
    double x0 = 8;
    double y0 = 8;
    double speed = 0;
    double angle0 = 0;
    double phase = 0;
    double extra = 0;
    String prompt;
    String obj = colour + " " + shape;
    switch (category) {
      case BASIC -> {
        double[] d = direction(motion);
        speed = uniform(rng, 1.0, 1.6);
        double cx = 8 + uniform(rng, -1, 1);
        double cy = 8 + uniform(rng, -1, 1);
        x0 = cx - d[0] * speed * mid;
        y0 = cy - d[1] * speed * mid;
        prompt = "a " + obj + " moving " + motion.replace("-", " and ");
      }
      case COMPLEX -> {
        String side = motion.endsWith("right") ? "right" : "left";
        double dir = side.equals("right") ? 1 : -1;
        if (motion.startsWith("zigzag")) {
          speed = uniform(rng, 1.0, 1.4);
          x0 = 8 - dir * speed * mid + uniform(rng, -0.5, 0.5);
          y0 = 8 + uniform(rng, -1, 1);
          phase = rng.nextDouble();
          extra = uniform(rng, 1.5, 2.5);
          prompt = "a " + obj + " moving " + side + " in a zig zag";
        } else { // speed-up
          extra = 0.3;
          speed = uniform(rng, 1.8, 2.2);
          double travel = (frames - 1) * (extra + speed) / 2;
          x0 = 8 - dir * travel / 2 + uniform(rng, -0.5, 0.5);
          y0 = 8 + uniform(rng, -1.5, 1.5);
          prompt = "a " + obj + " speeding up to the " + side;
        }
      }
      case ROTATIONAL -> {
        x0 = 8 + uniform(rng, -0.5, 0.5);
        y0 = 8 + uniform(rng, -0.5, 0.5);
        speed = uniform(rng, 0.35, 0.6);
        angle0 = uniform(rng, 0, 2 * Math.PI);
        prompt = "a " + obj + " spinning " + (motion.endsWith("ccw") ? "counterclockwise" : "clockwise");
      }
      default -> { // PHYSICS
        double r = Renderer.halfExtent(shape);
        if (motion.equals("bounce")) {
          x0 = 8 + uniform(rng, -2, 2);
          y0 = uniform(rng, 2.5, 4);
          double contact = uniform(rng, 3, 5);
          extra = 2 * (floorY(shape) - y0) / (contact * contact); // gravity
          prompt = "a " + obj + " falling and bouncing";
        } else { // wall-bounce-right, wall-bounce-left
          boolean right = motion.endsWith("right");
          speed = uniform(rng, 1.3, 1.9);
          double contact = uniform(rng, 2.5, 4.5);
          double wall = right ? 16 - Renderer.FIXTURE - r : Renderer.FIXTURE + r;
          x0 = wall - (right ? 1 : -1) * speed * contact;
          y0 = 8 + uniform(rng, -2, 2);
          prompt = "a " + obj + " bouncing off the " + (right ? "right" : "left") + " wall";
        }
      }
    }
    return new ClipSpec(category, motion, prompt, background, seed, shape, colour, colour2, gradient,
        x0, y0, speed, angle0, phase, extra);
  }

  private static double floorY(String shape) {
    return 16 - Renderer.FIXTURE - Renderer.halfExtent(shape);
  }

  /** Unit vector of a BASIC direction, y down. */
  static double[] direction(String motion) {
    double dx = motion.contains("right") ? 1 : motion.contains("left") ? -1 : 0;
    double dy = motion.contains("down") ? 1 : motion.contains("up") ? -1 : 0;
    double n = Math.hypot(dx, dy);
    return new double[] {dx / n, dy / n};
  }

  // ---------------------------------------------------------------- motion

  /** Per object {x[], y[], angle[]} in reference pixels (16 x 16 frame) and radians. */
  static double[][][] paths(ClipSpec s, int frames) {
    double[][][] p = new double[1][3][frames];
    String m = s.motion();
    for (int t = 0; t < frames; t++) {
      double x = s.x0();
      double y = s.y0();
      double a = s.angle0();
      switch (s.category()) {
        case BASIC -> {
          double[] d = direction(m);
          x += d[0] * s.speed() * t;
          y += d[1] * s.speed() * t;
        }
        case ROTATIONAL -> a += (m.endsWith("ccw") ? -1 : 1) * s.speed() * t;
        case COMPLEX -> {
          double dir = m.endsWith("right") ? 1 : -1;
          if (m.startsWith("zigzag")) {
            x += dir * s.speed() * t;
            double u = t / 4.0 + s.phase();
            y += s.extra() * (1 - 4 * Math.abs(u - Math.floor(u) - 0.5)); // triangle wave in [-1, 1]
          } else { // speed-up: step k (frame k to k + 1) moves v0 + (v1 - v0) k / (T - 2)
            x += dir * (s.extra() * t + (s.speed() - s.extra()) / (frames - 2) * t * (t - 1) / 2.0);
          }
        }
        case PHYSICS -> {
          if (m.equals("bounce")) {
            y = bounceY(s.y0(), floorY(s.shape()), s.extra(), t);
          } else { // wall-bounce-right, wall-bounce-left
            boolean right = m.endsWith("right");
            double r = Renderer.halfExtent(s.shape());
            double wall = right ? 16 - Renderer.FIXTURE - r : Renderer.FIXTURE + r;
            double free = s.x0() + (right ? 1 : -1) * s.speed() * t;
            x = right ? wall - Math.abs(wall - free) : wall + Math.abs(free - wall);
          }
        }
      }
      p[0][0][t] = x;
      p[0][1][t] = y;
      p[0][2][t] = a;
    }
    return p;
  }

  /** Height of a dropped object at time t: free fall from rest, bounces with restitution 0.7. */
  static double bounceY(double y0, double floor, double g, double t) {
    double contact = Math.sqrt(2 * (floor - y0) / g);
    if (t <= contact) {
      return y0 + g * t * t / 2;
    }
    double v = RESTITUTION * g * contact; // upward speed after the bounce
    double tau = t - contact;
    while (v > 1e-6 && tau > 2 * v / g) {
      tau -= 2 * v / g;
      v *= RESTITUTION;
    }
    return Math.min(floor, floor - (v * tau - g * tau * tau / 2));
  }

  private List<ObjectTruth> truth(ClipSpec spec, double[][][] paths) {
    int frames = config.frames();
    double sx = config.width() / 16.0;
    double sy = config.height() / 16.0;
    List<ObjectTruth> out = new ArrayList<>(paths.length);
    for (int k = 0; k < paths.length; k++) {
      float[] x = new float[frames];
      float[] y = new float[frames];
      float[] a = new float[frames];
      boolean[] visible = new boolean[frames];
      for (int t = 0; t < frames; t++) {
        x[t] = (float) (paths[k][0][t] * sx);
        y[t] = (float) (paths[k][1][t] * sy);
        a[t] = (float) paths[k][2][t];
        visible[t] = x[t] >= 0 && x[t] < config.width() && y[t] >= 0 && y[t] < config.height();
      }
      out.add(new ObjectTruth(k == 0 ? spec.colour() : spec.colour2(), spec.shape(), x, y, a, visible));
    }
    return out;
  }

  // ---------------------------------------------------------------- helpers

  private static Map<Category, List<List<String[]>>> combos() {
    Map<Category, List<List<String[]>>> out = new java.util.EnumMap<>(Category.class);
    for (Category c : Category.values()) {
      List<String[]> train = new ArrayList<>();
      List<String[]> held = new ArrayList<>();
      for (String motion : MOTIONS.get(c)) {
        for (String shape : shapesFor(c, motion)) {
          for (String colour : COLOURS) {
            (heldOut(colour, shape, motion) ? held : train).add(new String[] {colour, shape, motion});
          }
        }
      }
      out.put(c, List.of(List.copyOf(train), List.copyOf(held)));
    }
    return out;
  }

  private static List<String> shapesFor(Category c, String motion) {
    return switch (c) {
      case BASIC, COMPLEX -> SHAPES;
      case ROTATIONAL -> List.of("bar", "wheel", "triangle", "square");
      case PHYSICS -> motion.startsWith("wall-bounce") ? List.of("ball", "square") : List.of("ball");
    };
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo + (hi - lo) * rng.nextDouble();
  }

  /** SplitMix64's finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Every word used by some prompt (for checks): the vocabulary without the two special tokens. */
  static LinkedHashSet<String> words() {
    return new LinkedHashSet<>(VOCABULARY.subList(2, VOCABULARY.size()));
  }
}
