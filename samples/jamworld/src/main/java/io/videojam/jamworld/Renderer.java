package io.videojam.jamworld;

/**
 * Draws clips: each frame is drawn at {@code supersample} times the output resolution and
 * area-averaged down. On the fine grid each pixel's coverage is a one-pixel ramp of the signed
 * distance to the shape's outline, so shapes are anti-aliased and sub-pixel positions change the
 * image continuously (a straight grid-aligned edge gets its exact area). Shapes are defined in reference pixels
 * of a 16 x 16 frame (see the constants) and scaled with the frame.
 */
final class Renderer {
  /** Square: half side. Ball: radius. Triangle: circumradius (pointing up at angle 0). */
  static final double SQUARE_HALF = 2.5;
  static final double BALL_RADIUS = 2.8;
  static final double TRIANGLE_RADIUS = 3.2;
  /** Bar: half length (along its angle) and half thickness. */
  static final double BAR_HALF_LENGTH = 3.2;
  static final double BAR_HALF_WIDTH = 0.9;
  /** Wheel: radius; the spoke runs from the centre to the rim along the wheel's angle. */
  static final double WHEEL_RADIUS = 2.9;
  static final double SPOKE_HALF_WIDTH = 0.5;
  /** Thickness of the floor (bounce) and of the side wall (wall-bounce), reference pixels. */
  static final double FIXTURE = 1.0;
  static final double[] FIXTURE_RGB = {0.5, 0.5, 0.5};

  private Renderer() {}

  /** Half of the object's horizontal (= vertical) extent at angle 0, for contacts with a wall or floor. */
  static double halfExtent(String shape) {
    return switch (shape) {
      case "square" -> SQUARE_HALF;
      case "ball" -> BALL_RADIUS;
      case "wheel" -> WHEEL_RADIUS;
      case "bar" -> BAR_HALF_LENGTH;
      case "triangle" -> TRIANGLE_RADIUS;
      default -> throw new IllegalArgumentException("unknown shape " + shape);
    };
  }

  /**
   * The video {@code [3, T, H', W']} in [-1, 1]: H' = H and W' = W when {@code downsample}, else
   * the fine grid H * s x W * s without averaging.
   *
   * @param paths per object {x[], y[], angle[]} in reference pixels
   */
  static float[] render(ClipSpec spec, WorldConfig config, double[][][] paths, boolean downsample) {
    int frames = config.frames();
    int s = config.supersample();
    int height = config.height();
    int width = config.width();
    int fh = height * s;
    int fw = width * s;
    double sx = width / 16.0; // output pixels per reference pixel
    double sy = height / 16.0;
    double[] bg = JamWorld.backgroundRgb(spec.background());
    double[][] rgb = new double[paths.length][];
    for (int k = 0; k < paths.length; k++) {
      rgb[k] = JamWorld.colourRgb(k == 0 ? spec.colour() : spec.colour2());
    }
    boolean floor = spec.motion().equals("bounce");
    int wall = spec.motion().equals("wall-bounce-right") ? 1 : spec.motion().equals("wall-bounce-left") ? -1 : 0;
    float[] fine = new float[3 * fh * fw];
    int outH = downsample ? height : fh;
    int outW = downsample ? width : fw;
    int outPixels = outH * outW;
    float[] video = new float[3 * frames * outPixels];
    for (int t = 0; t < frames; t++) {
      // background, faint vertical gradient (brightest at the top), fixtures
      for (int j = 0; j < fh; j++) {
        double yOut = (j + 0.5) / s;
        double g = spec.gradient() * (1 - yOut / height);
        boolean onFloor = floor && yOut >= height - FIXTURE * sy;
        for (int i = 0; i < fw; i++) {
          double xOut = (i + 0.5) / s;
          boolean onWall = wall > 0 ? xOut >= width - FIXTURE * sx : wall < 0 && xOut < FIXTURE * sx;
          int p = j * fw + i;
          for (int c = 0; c < 3; c++) {
            fine[c * fh * fw + p] = (float) (onFloor || onWall ? FIXTURE_RGB[c] : bg[c] + g);
          }
        }
      }
      for (int k = 0; k < paths.length; k++) {
        drawObject(fine, fh, fw, s, sx, sy, spec.shape(), rgb[k], paths[k][0][t], paths[k][1][t], paths[k][2][t]);
      }
      for (int c = 0; c < 3; c++) {
        int base = c * frames * outPixels + t * outPixels;
        int plane = c * fh * fw;
        if (!downsample) {
          for (int p = 0; p < fh * fw; p++) {
            video[base + p] = 2 * fine[plane + p] - 1;
          }
          continue;
        }
        float norm = 1f / (s * s);
        for (int y = 0; y < height; y++) {
          for (int x = 0; x < width; x++) {
            float sum = 0;
            for (int j = y * s; j < y * s + s; j++) {
              int row = plane + j * fw + x * s;
              for (int i = 0; i < s; i++) {
                sum += fine[row + i];
              }
            }
            video[base + y * width + x] = 2 * sum * norm - 1;
          }
        }
      }
    }
    return video;
  }

  private static void drawObject(float[] fine, int fh, int fw, int s, double sx, double sy, String shape,
      double[] rgb, double cx, double cy, double angle) {
    double cos = Math.cos(angle);
    double sin = Math.sin(angle);
    double reach = 3.6; // reference pixels: every shape lies within this radius of its centre
    int i0 = Math.max(0, (int) Math.floor((cx - reach) * sx * s));
    int i1 = Math.min(fw - 1, (int) Math.ceil((cx + reach) * sx * s));
    int j0 = Math.max(0, (int) Math.floor((cy - reach) * sy * s));
    int j1 = Math.min(fh - 1, (int) Math.ceil((cy + reach) * sy * s));
    double[] spoke = {0.25 * rgb[0], 0.25 * rgb[1], 0.25 * rgb[2]};
    double finePixel = 1 / (s * Math.min(sx, sy)); // a fine pixel's side in reference pixels
    int plane = fh * fw;
    double[] colour = new double[3];
    for (int j = j0; j <= j1; j++) {
      double dy = (j + 0.5) / (s * sy) - cy;
      for (int i = i0; i <= i1; i++) {
        double dx = (i + 0.5) / (s * sx) - cx;
        // rotate the offset by -angle into the shape's own frame
        double lx = dx * cos + dy * sin;
        double ly = -dx * sin + dy * cos;
        double alpha = coverage(distance(shape, lx, ly), finePixel);
        if (alpha == 0) {
          continue;
        }
        double spokeAlpha = shape.equals("wheel")
            ? coverage(box(lx - WHEEL_RADIUS / 2, ly, WHEEL_RADIUS / 2, SPOKE_HALF_WIDTH), finePixel) : 0;
        for (int c = 0; c < 3; c++) {
          colour[c] = rgb[c] + spokeAlpha * (spoke[c] - rgb[c]);
        }
        int p = j * fw + i;
        for (int c = 0; c < 3; c++) {
          fine[c * plane + p] = (float) (fine[c * plane + p] + alpha * (colour[c] - fine[c * plane + p]));
        }
      }
    }
  }

  /**
   * The part of a fine pixel covered by a shape whose edge is {@code distance} away (negative
   * inside): a ramp one fine pixel wide across the edge, exact for a straight edge aligned with the
   * pixel grid, so sub-pixel positions change the image continuously.
   */
  private static double coverage(double distance, double finePixel) {
    return Math.max(0, Math.min(1, 0.5 - distance / finePixel));
  }

  /** Signed distance (reference pixels, negative inside) of a box with half sides hx, hy centred at 0. */
  private static double box(double lx, double ly, double hx, double hy) {
    double qx = Math.abs(lx) - hx;
    double qy = Math.abs(ly) - hy;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0);
  }

  /** Signed distance to the shape's outline; (lx, ly) in the shape's frame, reference pixels. */
  private static double distance(String shape, double lx, double ly) {
    switch (shape) {
      case "square":
        return box(lx, ly, SQUARE_HALF, SQUARE_HALF);
      case "ball":
        return Math.hypot(lx, ly) - BALL_RADIUS;
      case "bar":
        return box(lx, ly, BAR_HALF_LENGTH, BAR_HALF_WIDTH);
      case "wheel":
        return Math.hypot(lx, ly) - WHEEL_RADIUS;
      case "triangle": {
        // vertices at -90 (up), 30 and 150 degrees; edges at the inradius R / 2 with outward
        // normals at 90, 210 and 330 degrees (the largest edge distance: exact near the edges)
        double in = TRIANGLE_RADIUS / 2;
        double c = Math.sqrt(3) / 2;
        return Math.max(ly, Math.max(-c * lx - 0.5 * ly, c * lx - 0.5 * ly)) - in;
      }
      default:
        throw new IllegalArgumentException("unknown shape " + shape);
    }
  }
}
