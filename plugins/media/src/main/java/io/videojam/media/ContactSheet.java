package io.videojam.media;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PNG grid of video frames for a quick look: one row per named frame list (e.g. "video" and
 * "motion"), the row name on the left, the frame index above each column, an optional title line
 * on top, {@value #GAP} px between cells, frames at their own size (upscale small frames first, e.g.
 * with {@link Frames#upscale}).
 *
 * <pre>
 *   title
 *           0      4      8     11
 *   video [img]  [img]  [img]  [img]
 *  motion [img]  [img]  [img]  [img]
 * </pre>
 *
 * <p>With more frames than {@code maxColumns}, evenly spaced frames are shown (always the first
 * and the last, see {@link #columns}); the indices come from the longest row, and a shorter row
 * leaves a cell empty where it has no such frame. Cells are as large as the largest frame; smaller
 * frames are centred in their cell.
 *
 * <p>Rendering uses Java2D with a logical font and works headless. Where the runtime has no usable
 * font at all, the grid is still drawn, without text.
 */
public final class ContactSheet {
  /** Pixels between cells and around the sheet. */
  public static final int GAP = 4;

  private static final Color BACKGROUND = new Color(0x20, 0x20, 0x20);
  private static final Color TEXT = new Color(0xe6, 0xe6, 0xe6);
  private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);

  private ContactSheet() {}

  /**
   * Where everything goes on a sheet.
   *
   * @param width sheet width
   * @param height sheet height
   * @param labelWidth width of the row-label column (cells start at this x)
   * @param top y of the first row of cells
   * @param cellWidth cell width (largest frame width)
   * @param cellHeight cell height (largest frame height)
   * @param indices frame index shown in each column
   * @param rows number of rows
   * @param text whether text is drawn (false only where no font works)
   */
  public record Layout(
      int width, int height, int labelWidth, int top, int cellWidth, int cellHeight, int[] indices, int rows,
      boolean text) {
    /** x of the left edge of column {@code col}'s cells. */
    public int cellX(int col) {
      return labelWidth + col * (cellWidth + GAP);
    }

    /** y of the top edge of row {@code row}'s cells. */
    public int cellY(int row) {
      return top + row * (cellHeight + GAP);
    }

    /** Number of columns. */
    public int columns() {
      return indices.length;
    }
  }

  /**
   * Renders the sheet and writes it as a PNG atomically.
   *
   * @param title a line above the grid; null or blank for none
   * @param rows row name -> frames, in display order
   * @param maxColumns most frames shown per row (>= 1)
   */
  public static void write(Path png, String title, LinkedHashMap<String, List<BufferedImage>> rows, int maxColumns) {
    PngWriter.write(png, render(title, rows, maxColumns));
  }

  /**
   * Frame indices shown for {@code frames} frames in at most {@code maxColumns} columns: all of
   * them if they fit, else {@code round(k * (frames - 1) / (maxColumns - 1))} for {@code k = 0 ..
   * maxColumns - 1} (first and last included; {@code [0]} when {@code maxColumns == 1}).
   */
  public static int[] columns(int frames, int maxColumns) {
    if (maxColumns < 1) {
      throw new IllegalArgumentException("maxColumns must be >= 1, got " + maxColumns);
    }
    int n = Math.min(frames, maxColumns);
    int[] idx = new int[n];
    for (int k = 0; k < n; k++) {
      idx[k] = frames <= maxColumns ? k : (n == 1 ? 0 : (int) Math.round((double) k * (frames - 1) / (n - 1)));
    }
    return idx;
  }

  /** The layout {@link #render} uses for these arguments. */
  public static Layout layout(String title, Map<String, List<BufferedImage>> rows, int maxColumns) {
    title = titleLine(title);
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("a contact sheet needs at least one row");
    }
    int frames = 0, cellW = 0, cellH = 0;
    for (List<BufferedImage> row : rows.values()) {
      frames = Math.max(frames, row.size());
      for (BufferedImage f : row) {
        cellW = Math.max(cellW, f.getWidth());
        cellH = Math.max(cellH, f.getHeight());
      }
    }
    if (frames == 0) {
      throw new IllegalArgumentException("a contact sheet needs at least one frame");
    }
    int[] indices = columns(frames, maxColumns);
    Metrics m = Metrics.measure();
    boolean hasTitle = title != null;

    int labelText = 0;
    for (String name : rows.keySet()) {
      labelText = Math.max(labelText, m.width(FONT, name));
    }
    int labelWidth = GAP + labelText + GAP;
    int y = GAP;
    if (hasTitle) {
      y += m.lineHeight(TITLE_FONT) + GAP;
    }
    y += m.lineHeight(FONT); // column indices
    int top = y + GAP / 2;
    int cols = indices.length;
    int width = labelWidth + cols * cellW + (cols - 1) * GAP + GAP;
    if (hasTitle) {
      width = Math.max(width, GAP + m.width(TITLE_FONT, title) + GAP);
    }
    int height = top + rows.size() * cellH + (rows.size() - 1) * GAP + GAP;
    return new Layout(width, height, labelWidth, top, cellW, cellH, indices, rows.size(), m.ok);
  }

  /** Renders the sheet as a {@code TYPE_3BYTE_BGR} image; see {@link #write}. */
  public static BufferedImage render(String title, Map<String, List<BufferedImage>> rows, int maxColumns) {
    title = titleLine(title);
    Layout l = layout(title, rows, maxColumns);
    BufferedImage sheet = new BufferedImage(l.width(), l.height(), BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, l.width(), l.height());
      List<Map.Entry<String, List<BufferedImage>>> list = new ArrayList<>(rows.entrySet());
      for (int r = 0; r < list.size(); r++) {
        List<BufferedImage> row = list.get(r).getValue();
        for (int c = 0; c < l.columns(); c++) {
          int i = l.indices()[c];
          if (i < row.size()) {
            BufferedImage f = row.get(i);
            int x = l.cellX(c) + (l.cellWidth() - f.getWidth()) / 2;
            int y = l.cellY(r) + (l.cellHeight() - f.getHeight()) / 2;
            g.drawImage(f, x, y, null);
          }
        }
      }
      if (l.text()) {
        drawText(g, l, title, list);
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  /** The title as one line (line breaks become spaces), or null for none. */
  private static String titleLine(String title) {
    return title == null || title.isBlank() ? null : title.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static void drawText(
      Graphics2D g, Layout l, String title, List<Map.Entry<String, List<BufferedImage>>> rows) {
    try {
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(TEXT);
      int y = GAP;
      if (title != null) {
        g.setFont(TITLE_FONT);
        FontMetrics tm = g.getFontMetrics();
        g.drawString(title, GAP, y + tm.getAscent());
        y += tm.getHeight() + GAP;
      }
      g.setFont(FONT);
      FontMetrics fm = g.getFontMetrics();
      for (int c = 0; c < l.columns(); c++) {
        String s = Integer.toString(l.indices()[c]);
        int x = l.cellX(c) + (l.cellWidth() - fm.stringWidth(s)) / 2;
        g.drawString(s, x, y + fm.getAscent());
      }
      for (int r = 0; r < rows.size(); r++) {
        String name = rows.get(r).getKey();
        int x = l.labelWidth() - GAP - fm.stringWidth(name); // right-aligned next to the cells
        int base = l.cellY(r) + (l.cellHeight() + fm.getAscent() - fm.getDescent()) / 2;
        g.drawString(name, x, base);
      }
    } catch (RuntimeException | Error e) {
      if (e instanceof VirtualMachineError v) {
        throw v;
      }
      // no usable font: the frames are already drawn; leave the sheet without text
    }
  }

  /** Font measurements, with fixed estimates where the runtime has no usable font. */
  private static final class Metrics {
    private final Graphics2D g;
    final boolean ok;

    private Metrics(Graphics2D g, boolean ok) {
      this.g = g;
      this.ok = ok;
    }

    static Metrics measure() {
      try {
        Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.getFontMetrics(FONT).stringWidth("0");
        g.getFontMetrics(TITLE_FONT).stringWidth("0");
        return new Metrics(g, true);
      } catch (RuntimeException | LinkageError | InternalError e) {
        return new Metrics(null, false);
      }
    }

    int width(Font f, String s) {
      return ok ? g.getFontMetrics(f).stringWidth(s) : 7 * s.length();
    }

    int lineHeight(Font f) {
      return ok ? g.getFontMetrics(f).getHeight() : f.getSize() + 3;
    }
  }
}
