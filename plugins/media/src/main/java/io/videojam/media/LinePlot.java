package io.videojam.media;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small line chart written as PNG (loss curves, diagnostic curves). */
public final class LinePlot {
  private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

  /** A named series of (x, y) points. */
  public record Series(String name, double[] x, double[] y) {}

  private LinePlot() {}

  /** Writes the chart atomically; {@code logY} plots log10 of positive values. */
  public static void write(Path png, String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
    int w = 720, h = 420, left = 70, right = 20, top = 36, bottom = 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    double x0 = Double.MAX_VALUE, x1 = -Double.MAX_VALUE, y0 = Double.MAX_VALUE, y1 = -Double.MAX_VALUE;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        double y = value(s.y()[i], logY);
        if (Double.isFinite(y)) {
          x0 = Math.min(x0, s.x()[i]);
          x1 = Math.max(x1, s.x()[i]);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
      }
    }
    if (x0 > x1) {
      x0 = 0;
      x1 = 1;
      y0 = 0;
      y1 = 1;
    }
    if (y1 - y0 < 1e-12) {
      y0 -= 0.5;
      y1 += 0.5;
    }
    if (x1 - x0 < 1e-12) {
      x1 = x0 + 1;
    }
    double pad = 0.05 * (y1 - y0);
    y0 -= pad;
    y1 += pad;
    int pw = w - left - right, ph = h - top - bottom;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.setColor(new Color(0xdddddd));
    for (int k = 0; k <= 4; k++) {
      int y = top + ph * k / 4;
      g.drawLine(left, y, left + pw, y);
      double v = y1 - (y1 - y0) * k / 4;
      g.setColor(Color.DARK_GRAY);
      g.drawString(logY ? String.format("%.3g", Math.pow(10, v)) : String.format("%.3g", v), 4, y + 4);
      g.setColor(new Color(0xdddddd));
    }
    g.setColor(Color.DARK_GRAY);
    g.drawRect(left, top, pw, ph);
    for (int k = 0; k <= 4; k++) {
      double v = x0 + (x1 - x0) * k / 4;
      int x = left + pw * k / 4;
      g.drawString(String.format("%.4g", v), x - 12, top + ph + 16);
    }
    g.drawString(xLabel, left + pw / 2 - 30, h - 12);
    g.drawString(yLabel + (logY ? " (log scale)" : ""), left, top - 8);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, left, 18);
    g.setStroke(new BasicStroke(1.6f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int legendY = top + 16;
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      g.setColor(COLOURS[si % COLOURS.length]);
      int px = -1, py = -1;
      for (int i = 0; i < s.x().length; i++) {
        double y = value(s.y()[i], logY);
        if (!Double.isFinite(y)) {
          px = -1;
          continue;
        }
        int cx = left + (int) Math.round((s.x()[i] - x0) / (x1 - x0) * pw);
        int cy = top + (int) Math.round((y1 - y) / (y1 - y0) * ph);
        if (px >= 0) {
          g.drawLine(px, py, cx, cy);
        }
        px = cx;
        py = cy;
      }
      g.drawLine(left + pw - 170, legendY - 4, left + pw - 150, legendY - 4);
      g.drawString(s.name(), left + pw - 145, legendY);
      legendY += 16;
    }
    g.dispose();
    PngWriter.write(png, img);
  }

  private static double value(double y, boolean logY) {
    return logY ? (y > 0 ? Math.log10(y) : Double.NaN) : y;
  }

  /** Moving average over {@code window} points (for noisy loss curves). */
  public static double[] smooth(double[] y, int window) {
    double[] out = new double[y.length];
    double sum = 0;
    int n = 0;
    java.util.ArrayDeque<Double> q = new java.util.ArrayDeque<>();
    for (int i = 0; i < y.length; i++) {
      if (Double.isFinite(y[i])) {
        q.add(y[i]);
        sum += y[i];
        n++;
        if (n > window) {
          sum -= q.poll();
          n--;
        }
      }
      out[i] = n > 0 ? sum / n : Double.NaN;
    }
    return out;
  }

}
