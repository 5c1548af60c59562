package io.videojam.media;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A grouped bar chart with error bars written as PNG (metric comparisons): one bar per series in
 * each group, one colour per series (same palette as {@link LinePlot}), groups along the x axis.
 */
public final class BarChart {
  /** The {@link LinePlot} palette, so that a series has the same colour in both kinds of chart. */
  /** LinePlot's six colours first, then the rest of the tab10 palette, so up to ten series stay distinct. */
  static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
      new Color(0xbcbd22), new Color(0x17becf)};
  static final Color GRID = new Color(0xdddddd);
  static final Color AXIS = Color.DARK_GRAY;
  static final Color ERROR_BAR = new Color(0x222222);

  private static final int MIN_WIDTH = 640, HEIGHT = 400, RIGHT = 20, BAR = 22, GROUP_GAP = 24, MAX_BAR = 40;
  private static final int MAX_GROUP = 130, MAX_LABEL_CHARS = 40, TICK_TARGET = 5;
  private static final float LABEL_FONT = 12f, MIN_LABEL_FONT = 10f, ROTATED_LABEL_FONT = 11f;
  private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);

  private BarChart() {}

  /**
   * Where everything goes: the plot area (pixels), the y range it shows and the placement of groups
   * and bars. {@link #render} draws exactly this layout.
   *
   * @param labelFontSize point size of the group labels
   * @param rotatedLabels whether the group labels are drawn at 45 degrees (they are too wide to sit
   *     side by side horizontally even at the smallest font size)
   * @param ticks the y values that get a grid line and a label
   * @param tickLabels the labels of {@code ticks}
   * @param labels the group labels as drawn (very long ones shortened with an ellipsis)
   */
  record Layout(int width, int height, int plotLeft, int plotTop, int plotWidth, int plotHeight,
      double yMin, double yMax, int groupCount, int seriesCount, int groupWidth, int barWidth,
      float labelFontSize, boolean rotatedLabels, List<Double> ticks, List<String> tickLabels,
      List<String> labels, int legendTop) {
    int plotRight() {
      return plotLeft + plotWidth;
    }

    int plotBottom() {
      return plotTop + plotHeight;
    }

    /** Left edge of group {@code g}'s slot on the x axis. */
    int groupLeft(int g) {
      return plotLeft + g * groupWidth;
    }

    /** Centre of group {@code g} (where its label goes). */
    int groupCentre(int g) {
      return groupLeft(g) + groupWidth / 2;
    }

    /** Left edge of the bar of series {@code s} in group {@code g}; the bar is {@link #barWidth} wide. */
    int barX(int s, int g) {
      return groupLeft(g) + (groupWidth - seriesCount * barWidth) / 2 + s * barWidth;
    }

    /** Horizontal centre of the bar of series {@code s} in group {@code g}. */
    int barCentre(int s, int g) {
      return barX(s, g) + barWidth / 2;
    }

    /** The pixel row of value {@code v} (larger values higher up). */
    int valueY(double v) {
      return plotTop + (int) Math.round((yMax - v) / (yMax - yMin) * plotHeight);
    }

    /** Whether the chart draws a zero line inside the plot (the range goes below zero). */
    boolean hasZeroLine() {
      return yMin < 0 && yMax > 0;
    }
  }

  /**
   * Renders the chart.
   *
   * @param values {@code values[s][g]}: series {@code s} (one colour each, in the legend), group
   *     {@code g} (x-axis label); NaN (or infinite) values are drawn as no bar with "n/a"
   * @param errors null, or the same shape as {@code values} holding +/- half-widths of error bars
   *     (NaN = no error bar)
   * @throws IllegalArgumentException when the lengths do not match or an error is negative
   */
  public static BufferedImage render(String title, String yLabel, List<String> groups, List<String> series,
      double[][] values, double[][] errors) {
    Layout l = layout(title, yLabel, groups, series, values, errors);
    BufferedImage img = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      // crisp bars and lines (pixel-exact to the layout), smooth text
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, l.width(), l.height());
      drawFrame(g, l, title, yLabel, series);
      drawBars(g, l, values, errors);
      drawGroupLabels(g, l);
    } finally {
      g.dispose();
    }
    return img;
  }

  /** Renders the chart (see {@link #render}) and writes it as PNG atomically. */
  public static void write(Path png, String title, String yLabel, List<String> groups, List<String> series,
      double[][] values, double[][] errors) {
    PngWriter.write(png, render(title, yLabel, groups, series, values, errors));
  }

  /** Validates the arguments and computes where everything goes (see {@link Layout}). */
  static Layout layout(String title, String yLabel, List<String> groups, List<String> series,
      double[][] values, double[][] errors) {
    validate(groups, series, values, errors);
    int nG = groups.size(), nS = series.size();
    Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
    try {
      // y range: always includes 0; padded 5% on the side(s) away from zero so bars start at the axis
      double lo = 0, hi = 0;
      for (int s = 0; s < nS; s++) {
        for (int gi = 0; gi < nG; gi++) {
          double v = values[s][gi];
          if (!Double.isFinite(v)) {
            continue;
          }
          double e = errors == null || !Double.isFinite(errors[s][gi]) ? 0 : errors[s][gi];
          lo = Math.min(lo, v - e);
          hi = Math.max(hi, v + e);
        }
      }
      if (hi - lo < 1e-300) {
        hi = 1;
      }
      double pad = 0.05 * (hi - lo);
      if (lo < 0) {
        lo -= pad;
      }
      if (hi > 0) {
        hi += pad;
      }
      BigDecimal step = niceStep((hi - lo) / TICK_TARGET);
      List<Double> ticks = new ArrayList<>();
      List<String> tickLabels = new ArrayList<>();
      BigDecimal first = BigDecimal.valueOf(Math.ceil(lo / step.doubleValue())).multiply(step);
      for (BigDecimal t = first; t.doubleValue() <= hi + 1e-9 * (hi - lo); t = t.add(step)) {
        ticks.add(t.doubleValue());
        tickLabels.add(tickLabel(t, step));
      }
      FontMetrics text = scratch.getFontMetrics(TEXT);
      int tickWidth = 0;
      for (String s : tickLabels) {
        tickWidth = Math.max(tickWidth, text.stringWidth(s));
      }
      int left = Math.max(56, tickWidth + 16);

      // groups: wide enough for the bars, and for the labels up to a point
      List<String> labels = new ArrayList<>(nG);
      for (String s : groups) {
        labels.add(shorten(s == null ? "" : s));
      }
      FontMetrics labelMetrics = scratch.getFontMetrics(TEXT.deriveFont(LABEL_FONT));
      int labelWidth = maxWidth(labelMetrics, labels);
      int groupWidth = Math.max(nS * BAR + GROUP_GAP, Math.min(labelWidth + 12, MAX_GROUP));
      if (left + nG * groupWidth + RIGHT < MIN_WIDTH) {
        groupWidth = (MIN_WIDTH - left - RIGHT) / nG;
      }
      int barWidth = Math.min(MAX_BAR, (groupWidth - GROUP_GAP) / nS); // at least BAR
      float labelFont = LABEL_FONT;
      boolean rotated = false;
      while (labelWidth > groupWidth - 6 && labelFont > MIN_LABEL_FONT) {
        labelFont -= 1f;
        labelWidth = maxWidth(scratch.getFontMetrics(TEXT.deriveFont(labelFont)), labels);
      }
      if (labelWidth > groupWidth - 6) {
        rotated = true;
        labelFont = ROTATED_LABEL_FONT;
        labelWidth = maxWidth(scratch.getFontMetrics(TEXT.deriveFont(labelFont)), labels);
      }
      FontMetrics lm = scratch.getFontMetrics(TEXT.deriveFont(labelFont));
      int bottom;
      if (rotated) {
        double diag = Math.sqrt(0.5);
        bottom = (int) Math.ceil(labelWidth * diag + lm.getHeight()) + 14;
        // the first label reaches left of the plot by its width * cos 45 minus half a group
        left = Math.max(left, (int) Math.ceil(labelWidth * diag - groupWidth / 2.0) + 6);
      } else {
        bottom = lm.getHeight() + 14;
      }
      int plotWidth = nG * groupWidth;
      int width = Math.max(MIN_WIDTH, left + plotWidth + RIGHT);

      // legend rows between the title and the plot, wrapped to the chart width
      int legendRows = legendRows(text, series, width - left - RIGHT);
      int legendTop = 30;
      int top = legendTop + legendRows * 16 + (yLabel == null || yLabel.isEmpty() ? 6 : 22);
      int plotHeight = HEIGHT - 36 - 50;
      int height = top + plotHeight + bottom;
      return new Layout(width, height, left, top, plotWidth, plotHeight, lo, hi, nG, nS, groupWidth, barWidth,
          labelFont, rotated, List.copyOf(ticks), List.copyOf(tickLabels), List.copyOf(labels), legendTop);
    } finally {
      scratch.dispose();
    }
  }

  /**
   * The smallest "nice" step (1, 2, 2.5 or 5 times a power of ten) at least {@code raw}, exact in
   * decimal so that tick labels come out as 0.1, 0.2, ... and not 0.30000000000000004.
   */
  static BigDecimal niceStep(double raw) {
    if (!(raw > 0) || !Double.isFinite(raw)) {
      return BigDecimal.ONE;
    }
    int k = (int) Math.floor(Math.log10(raw));
    for (int attempt = 0; attempt < 3; attempt++, k++) {
      for (String m : new String[] {"1", "2", "2.5", "5"}) {
        BigDecimal step = new BigDecimal(m).scaleByPowerOfTen(k);
        if (step.doubleValue() >= raw * (1 - 1e-12)) {
          return step;
        }
      }
    }
    return BigDecimal.ONE.scaleByPowerOfTen(k);
  }

  /** A tick value written with as many decimals as the step needs. */
  static String tickLabel(BigDecimal value, BigDecimal step) {
    if (value.signum() == 0) {
      return "0";
    }
    int scale = Math.max(0, step.stripTrailingZeros().scale());
    if (scale > 6 || step.compareTo(BigDecimal.valueOf(1_000_000)) >= 0) {
      return String.format("%.3g", value.doubleValue());
    }
    return value.setScale(scale, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  private static void validate(List<String> groups, List<String> series, double[][] values, double[][] errors) {
    if (groups == null || groups.isEmpty()) {
      throw new IllegalArgumentException("bar chart needs at least one group");
    }
    if (series == null || series.isEmpty()) {
      throw new IllegalArgumentException("bar chart needs at least one series");
    }
    if (values == null) {
      throw new IllegalArgumentException("bar chart values are missing");
    }
    if (values.length != series.size()) {
      throw new IllegalArgumentException("bar chart has " + series.size() + " series but values has "
          + values.length + " rows");
    }
    if (errors != null && errors.length != series.size()) {
      throw new IllegalArgumentException("bar chart has " + series.size() + " series but errors has "
          + errors.length + " rows");
    }
    for (int s = 0; s < values.length; s++) {
      if (values[s] == null || values[s].length != groups.size()) {
        throw new IllegalArgumentException("bar chart has " + groups.size() + " groups but values[" + s + "] has "
            + (values[s] == null ? "no" : values[s].length) + " entries");
      }
      if (errors == null) {
        continue;
      }
      if (errors[s] == null || errors[s].length != groups.size()) {
        throw new IllegalArgumentException("bar chart has " + groups.size() + " groups but errors[" + s + "] has "
            + (errors[s] == null ? "no" : errors[s].length) + " entries");
      }
      for (int gi = 0; gi < groups.size(); gi++) {
        if (errors[s][gi] < 0) {
          throw new IllegalArgumentException("bar chart error bar errors[" + s + "][" + gi + "] is negative ("
              + errors[s][gi] + "); errors are +/- half-widths");
        }
      }
    }
  }

  private static void drawFrame(Graphics2D g, Layout l, String title, String yLabel, List<String> series) {
    g.setFont(TEXT);
    FontMetrics fm = g.getFontMetrics();
    for (int k = 0; k < l.ticks().size(); k++) {
      int y = l.valueY(l.ticks().get(k));
      g.setColor(GRID);
      g.drawLine(l.plotLeft(), y, l.plotRight(), y);
      g.setColor(AXIS);
      String label = l.tickLabels().get(k);
      g.drawString(label, l.plotLeft() - 6 - fm.stringWidth(label), y + 4);
    }
    g.setColor(AXIS);
    g.drawRect(l.plotLeft(), l.plotTop(), l.plotWidth(), l.plotHeight());
    if (yLabel != null && !yLabel.isEmpty()) {
      g.drawString(yLabel, l.plotLeft(), l.plotTop() - 8);
    }
    g.setFont(TITLE);
    g.drawString(title == null ? "" : title, l.plotLeft(), 18);
    // legend: a swatch and the name of each series, wrapped over rows
    g.setFont(TEXT);
    int x = l.plotLeft(), y = l.legendTop() + 12, maxX = l.width() - RIGHT;
    for (int s = 0; s < series.size(); s++) {
      String name = series.get(s) == null ? "" : series.get(s);
      int w = legendItemWidth(fm, name);
      if (x + w > maxX && x > l.plotLeft()) {
        x = l.plotLeft();
        y += 16;
      }
      g.setColor(colour(s));
      g.fillRect(x, y - 10, 12, 12);
      g.setColor(AXIS);
      g.drawString(name, x + 16, y);
      x += w;
    }
  }

  private static void drawBars(Graphics2D g, Layout l, double[][] values, double[][] errors) {
    int zeroY = l.valueY(0);
    g.setFont(SMALL);
    FontMetrics small = g.getFontMetrics();
    for (int s = 0; s < l.seriesCount(); s++) {
      for (int gi = 0; gi < l.groupCount(); gi++) {
        int x = l.barX(s, gi), cx = l.barCentre(s, gi);
        double v = values[s][gi];
        if (!Double.isFinite(v)) {
          g.setColor(Color.GRAY);
          int ty = zeroY - 4 - small.getAscent() >= l.plotTop() ? zeroY - 4 : zeroY + 4 + small.getAscent();
          g.drawString("n/a", cx - small.stringWidth("n/a") / 2, ty);
          continue;
        }
        int vy = l.valueY(v);
        g.setColor(colour(s));
        g.fillRect(x, Math.min(vy, zeroY), l.barWidth(), Math.max(1, Math.abs(vy - zeroY)));
        double e = errors == null ? Double.NaN : errors[s][gi];
        if (Double.isFinite(e) && e > 0) {
          int y0 = l.valueY(v + e), y1 = l.valueY(v - e), cap = Math.max(2, l.barWidth() / 4);
          g.setColor(ERROR_BAR);
          g.fillRect(cx - 1, y0, 2, y1 - y0 + 1);
          g.fillRect(cx - cap, y0, 2 * cap, 1);
          g.fillRect(cx - cap, y1, 2 * cap, 1);
        }
      }
    }
    if (l.hasZeroLine()) {
      g.setColor(AXIS);
      g.fillRect(l.plotLeft(), zeroY, l.plotWidth(), 1);
    }
  }

  private static void drawGroupLabels(Graphics2D g, Layout l) {
    g.setColor(AXIS);
    g.setFont(TEXT.deriveFont(l.labelFontSize()));
    FontMetrics fm = g.getFontMetrics();
    for (int gi = 0; gi < l.groupCount(); gi++) {
      String label = l.labels().get(gi);
      int cx = l.groupCentre(gi), w = fm.stringWidth(label);
      g.drawLine(cx, l.plotBottom(), cx, l.plotBottom() + 4);
      if (!l.rotatedLabels()) {
        g.drawString(label, cx - w / 2, l.plotBottom() + 6 + fm.getAscent());
      } else {
        // ends just below the tick, running up to the right at 45 degrees
        AffineTransform saved = g.getTransform();
        int ax = cx + fm.getAscent() / 3, ay = l.plotBottom() + 10;
        g.rotate(-Math.PI / 4, ax, ay);
        g.drawString(label, ax - w, ay);
        g.setTransform(saved);
      }
    }
  }

  private static int legendRows(FontMetrics fm, List<String> series, int available) {
    int rows = 1, x = 0;
    for (String s : series) {
      int w = legendItemWidth(fm, s == null ? "" : s);
      if (x + w > available && x > 0) {
        rows++;
        x = 0;
      }
      x += w;
    }
    return rows;
  }

  private static int legendItemWidth(FontMetrics fm, String name) {
    return 16 + fm.stringWidth(name) + 18;
  }

  private static int maxWidth(FontMetrics fm, List<String> labels) {
    int w = 0;
    for (String s : labels) {
      w = Math.max(w, fm.stringWidth(s));
    }
    return w;
  }

  private static String shorten(String s) {
    return s.length() <= MAX_LABEL_CHARS ? s : s.substring(0, MAX_LABEL_CHARS - 1) + "\u2026";
  }

  static Color colour(int series) {
    return COLOURS[series % COLOURS.length];
  }
}
