package io.videojam.media;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** Synthetic test clips with known content. */
final class Synthetic {
  static final int SIZE = 32;
  static final int FRAMES = 12;
  static final int MOVING = 8; // frames 0..7: moving square; 8..11: solid colours
  static final int SQUARE = 8;
  static final int BACKGROUND = 40; // grey level
  static final int BRIGHT = 230; // grey level of the square
  static final int[] SOLIDS = {0xc83232, 0x28b43c, 0x323cc8, 0x808080};

  private Synthetic() {}

  /** Left edge of the square in frame t (moves 2 px per frame). */
  static int squareX(int t) {
    return 4 + 2 * t;
  }

  static int squareY(int t) {
    return 12;
  }

  /** The 12-frame 32x32 clip: a bright square moving right on a dark background, then 4 solid colours. */
  static List<BufferedImage> clip() {
    List<BufferedImage> frames = new ArrayList<>();
    for (int t = 0; t < FRAMES; t++) {
      BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          int rgb;
          if (t < MOVING) {
            boolean in = x >= squareX(t) && x < squareX(t) + SQUARE && y >= squareY(t) && y < squareY(t) + SQUARE;
            int v = in ? BRIGHT : BACKGROUND;
            rgb = v << 16 | v << 8 | v;
          } else {
            rgb = SOLIDS[t - MOVING];
          }
          img.setRGB(x, y, rgb);
        }
      }
      frames.add(img);
    }
    return frames;
  }

  /** Mean absolute per-channel difference between the pixel and an RGB colour. */
  static double diff(int argb, int rgb) {
    return (Math.abs((argb >> 16 & 0xff) - (rgb >> 16 & 0xff))
            + Math.abs((argb >> 8 & 0xff) - (rgb >> 8 & 0xff))
            + Math.abs((argb & 0xff) - (rgb & 0xff)))
        / 3.0;
  }

  /** Luma-ish mean of the three channels. */
  static double grey(int argb) {
    return ((argb >> 16 & 0xff) + (argb >> 8 & 0xff) + (argb & 0xff)) / 3.0;
  }

  /** Centroid (x, y) of the pixels brighter than the midpoint between background and square. */
  static double[] centroid(BufferedImage img) {
    double threshold = (BACKGROUND + BRIGHT) / 2.0;
    double sx = 0, sy = 0, n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        if (grey(img.getRGB(x, y)) > threshold) {
          sx += x;
          sy += y;
          n++;
        }
      }
    }
    return new double[] {sx / n, sy / n, n};
  }

  /**
   * Mean absolute error of frame t of a decoded clip (scaled by {@code scale}) against the expected
   * colour, over the flat areas: the background at least 2 source pixels from the square's edge, the
   * square's inside at least 2 pixels from its edge, and whole solid frames.
   */
  static double flatError(BufferedImage img, int t, int scale) {
    double sum = 0;
    int n = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        double sx = (x + 0.5) / scale, sy = (y + 0.5) / scale;
        int expected;
        if (t < MOVING) {
          double x0 = squareX(t), y0 = squareY(t), x1 = x0 + SQUARE, y1 = y0 + SQUARE;
          boolean insideFar = sx > x0 + 2 && sx < x1 - 2 && sy > y0 + 2 && sy < y1 - 2;
          boolean outsideFar = sx < x0 - 2 || sx > x1 + 2 || sy < y0 - 2 || sy > y1 + 2;
          if (insideFar) {
            expected = BRIGHT << 16 | BRIGHT << 8 | BRIGHT;
          } else if (outsideFar) {
            expected = BACKGROUND << 16 | BACKGROUND << 8 | BACKGROUND;
          } else {
            continue;
          }
        } else {
          expected = SOLIDS[t - MOVING];
        }
        sum += diff(img.getRGB(x, y), expected);
        n++;
      }
    }
    return sum / n;
  }
}
