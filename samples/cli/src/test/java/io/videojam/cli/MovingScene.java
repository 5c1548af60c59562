package io.videojam.cli;

import io.videojam.api.FloatTensor;
import io.videojam.media.Mp4Writer;
import java.nio.file.Path;

/**
 * A synthetic "ordinary" clip with known motion: a smooth textured background that pans right by
 * {@code PAN} px per frame and a bright textured disc that falls by {@code FALL} px per frame.
 */
final class MovingScene {
  static final int W = 128;
  static final int H = 96;
  static final double PAN = 2.0;
  static final double FALL = 3.0;
  static final double DISC_X = 84;
  static final double DISC_Y0 = 14;
  static final double DISC_R = 14;

  private MovingScene() {}

  static double texture(double x, double y) {
    return 0.35 * Math.sin(x * 0.31 + 0.4 * Math.sin(y * 0.23)) + 0.25 * Math.sin(y * 0.41 - x * 0.17)
        + 0.2 * Math.cos(x * 0.11 + y * 0.29) - 0.2;
  }

  /** Frames [3, T, H, W] in [-1, 1]. */
  static FloatTensor render(int frames) {
    float[] d = new float[3 * frames * H * W];
    int plane = H * W;
    for (int t = 0; t < frames; t++) {
      double discY = DISC_Y0 + FALL * t;
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          double bg = texture(x - PAN * t, y);
          double[] rgb = {bg * 0.6, bg * 0.8 + 0.1, bg};
          double r = Math.hypot(x - DISC_X, y - discY);
          double a = Math.max(0, Math.min(1, DISC_R - r + 0.5)); // anti-aliased edge
          double spot = 0.35 * Math.sin((x - DISC_X) * 0.9) * Math.cos((y - discY) * 0.7); // texture that moves with the disc
          double[] disc = {0.95 - spot, 0.6 + spot, 0.1 + spot};
          for (int c = 0; c < 3; c++) {
            d[(c * frames + t) * plane + y * W + x] = (float) ((1 - a) * rgb[c] + a * disc[c]);
          }
        }
      }
    }
    return new FloatTensor(new long[] {3, frames, H, W}, d);
  }

  static Path writeMp4(Path file, int frames) {
    Mp4Writer.write(file, render(frames), 12, 1);
    return file;
  }
}
