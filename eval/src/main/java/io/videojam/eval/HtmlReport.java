package io.videojam.eval;

import io.videojam.api.AtomicFiles;
import io.videojam.media.PngWriter;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Builds a self-contained HTML report: one file with inline CSS, images embedded as base64 PNG data
 * URIs, no JavaScript and nothing to fetch. Every piece of text is HTML-escaped. Each {@link
 * #heading} gets an anchor and an entry in the table of contents at the top.
 */
public final class HtmlReport {
  /**
   * A table cell.
   *
   * @param muted shown grey and italic (e.g. a difference within noise)
   * @param tooltip shown on hover (the {@code title} attribute); may be null
   */
  public record Cell(String text, boolean muted, String tooltip) {
    /** A normal cell. */
    public static Cell of(String text) {
      return new Cell(text, false, null);
    }

    /** A muted cell with an optional tooltip explaining why. */
    public static Cell muted(String text, String tooltip) {
      return new Cell(text, true, tooltip);
    }
  }

  public static final String MUTED_CLASS = "muted";
  public static final String NUMBER_CLASS = "num";

  private static final String NUMBER = "[+\\-\u2212]?(?:\\d[\\d,]*(?:\\.\\d*)?|\\.\\d+)(?:[eE][+\\-]?\\d+)?";
  /** Numbers, percentages, "x" factors, "a ± b", and the usual placeholders for a missing number. */
  private static final Pattern NUMERIC = Pattern.compile("(?:" + NUMBER + "\\s*(?:%|x|\u00d7)?"
      + "(?:\\s*(?:\u00b1|\\+/-)\\s*" + NUMBER + "\\s*%?)?"
      + "|[+\\-]?(?:NaN|Infinity|inf|\u221e)|n/a|\u2014|\u2013|-)", Pattern.CASE_INSENSITIVE);

  private static final String CSS = """
      body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
             max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
      h1 { font-size: 1.6em; margin-bottom: 0.3em; }
      h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
      h3 { font-size: 1.1em; margin-top: 1.4em; }
      nav.toc { background: #f6f8fa; border: 1px solid #ddd; padding: 0.5em 1.2em; display: inline-block; }
      nav.toc ol { margin: 0.3em 0; padding-left: 1.4em; }
      .table-wrap { overflow-x: auto; margin: 1em 0; }
      table { border-collapse: collapse; font-size: 0.92em; }
      caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
      th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; vertical-align: top; }
      th { background: #eef1f4; text-align: left; }
      tbody tr:nth-child(even) { background: #f7f7f7; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
      td.muted { color: #999; font-style: italic; }
      [title] { cursor: help; }
      pre { background: #f6f8fa; border: 1px solid #ddd; padding: 0.6em; overflow-x: auto; font-size: 0.88em; }
      figure { display: inline-block; vertical-align: top; margin: 0.5em 1em 0.5em 0; }
      figure img { image-rendering: pixelated; image-rendering: crisp-edges; max-width: 100%; height: auto;
                   border: 1px solid #ddd; }
      figcaption { font-size: 0.85em; color: #555; max-width: 100%; }
      details { margin: 0.6em 0; border: 1px solid #ddd; padding: 0.3em 0.8em; }
      summary { cursor: pointer; font-weight: 600; }
      """;

  /** An entry of the table of contents. */
  private record TocEntry(String id, String text) {}

  private final String title;
  private final StringBuilder body = new StringBuilder();
  private final List<TocEntry> toc = new ArrayList<>();
  private final Set<String> ids = new HashSet<>();

  /** A report with this {@code <title>} and {@code <h1>}. */
  public HtmlReport(String title) {
    this.title = title == null ? "" : title;
  }

  /** A section heading ({@code <h2>}), linked from the table of contents. */
  public HtmlReport heading(String text) {
    String id = uniqueId(text);
    toc.add(new TocEntry(id, text == null ? "" : text));
    body.append("<h2 id=\"").append(escape(id)).append("\">").append(escape(text)).append("</h2>\n");
    return this;
  }

  /** A sub-heading ({@code <h3>}); not in the table of contents. */
  public HtmlReport subheading(String text) {
    body.append("<h3>").append(escape(text)).append("</h3>\n");
    return this;
  }

  /** A paragraph of plain text. */
  public HtmlReport paragraph(String text) {
    body.append("<p>").append(escape(text)).append("</p>\n");
    return this;
  }

  /** Preformatted plain text (command lines, logs), in a fixed-width font. */
  public HtmlReport preformatted(String text) {
    body.append("<pre>").append(escape(text)).append("</pre>\n");
    return this;
  }

  /**
   * A table. Numeric-looking cells are right-aligned; rows shorter than the header are padded with
   * empty cells; null cells are empty.
   *
   * @param caption may be null (no caption)
   * @param header the column names; may be empty (no header row, as many columns as the longest row)
   * @throws IllegalArgumentException when a row has more cells than the header has columns
   */
  public HtmlReport table(String caption, List<String> header, List<List<Cell>> rows) {
    List<String> head = header == null ? List.of() : header;
    List<List<Cell>> lines = rows == null ? List.of() : rows;
    int columns = head.size();
    if (head.isEmpty()) {
      for (List<Cell> row : lines) {
        columns = Math.max(columns, row == null ? 0 : row.size());
      }
    }
    for (int r = 0; r < lines.size(); r++) {
      int n = lines.get(r) == null ? 0 : lines.get(r).size();
      if (n > columns) {
        throw new IllegalArgumentException("table " + (caption == null ? "" : "'" + caption + "' ") + "row " + r
            + " has " + n + " cells but the header has " + columns + " columns");
      }
    }
    StringBuilder b = body;
    b.append("<div class=\"table-wrap\"><table>\n");
    if (caption != null) {
      b.append("<caption>").append(escape(caption)).append("</caption>\n");
    }
    if (!head.isEmpty()) {
      b.append("<thead><tr>");
      for (String h : head) {
        b.append("<th>").append(escape(h)).append("</th>");
      }
      b.append("</tr></thead>\n");
    }
    b.append("<tbody>\n");
    for (List<Cell> row : lines) {
      b.append("<tr>");
      for (int c = 0; c < columns; c++) {
        Cell cell = row != null && c < row.size() ? row.get(c) : null;
        appendCell(b, cell);
      }
      b.append("</tr>\n");
    }
    b.append("</tbody></table></div>\n");
    return this;
  }

  /**
   * An image embedded as a base64 PNG data URI, shown at its own size with nearest-neighbour
   * scaling (the images are small upscaled video frames).
   *
   * @param caption may be null (no caption); also the image's alt text
   */
  public HtmlReport image(String caption, BufferedImage image) {
    if (image == null) {
      throw new IllegalArgumentException("image " + (caption == null ? "" : "'" + caption + "' ") + "is missing");
    }
    body.append("<figure><img src=\"data:image/png;base64,").append(base64Png(image))
        .append("\" width=\"").append(image.getWidth()).append("\" height=\"").append(image.getHeight())
        .append("\" alt=\"").append(escape(caption)).append("\">");
    if (caption != null) {
      body.append("<figcaption>").append(escape(caption)).append("</figcaption>");
    }
    body.append("</figure>\n");
    return this;
  }

  /**
   * A collapsible section ({@code <details>}, closed at first) whose content {@code content} adds
   * to this same report.
   */
  public HtmlReport details(String summary, Consumer<HtmlReport> content) {
    body.append("<details>\n<summary>").append(escape(summary)).append("</summary>\n");
    try {
      content.accept(this);
    } finally {
      body.append("</details>\n");
    }
    return this;
  }

  /** The whole document. */
  public String html() {
    StringBuilder b = new StringBuilder(body.length() + CSS.length() + 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(escape(title)).append("</title>\n")
        .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
        .append("<h1>").append(escape(title)).append("</h1>\n");
    if (!toc.isEmpty()) {
      b.append("<nav class=\"toc\"><strong>Contents</strong>\n<ol>\n");
      for (TocEntry e : toc) {
        b.append("<li><a href=\"#").append(escape(e.id())).append("\">").append(escape(e.text()))
            .append("</a></li>\n");
      }
      b.append("</ol>\n</nav>\n");
    }
    b.append(body).append("</body>\n</html>\n");
    return b.toString();
  }

  /** Writes {@link #html()} as UTF-8 atomically (creating missing folders). */
  public void write(Path file) {
    AtomicFiles.write(file, "HTML report", tmp -> Files.writeString(tmp, html(), StandardCharsets.UTF_8));
  }

  /** Escapes {@code & < > " '} for use in text and attribute values; null is empty. */
  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** Whether a cell looks like a number (and is right-aligned): 1.5, -2e-3, 12%, 0.31 ± 0.02, n/a. */
  public static boolean numeric(String text) {
    return text != null && !text.isBlank() && NUMERIC.matcher(text.strip()).matches();
  }

  private static void appendCell(StringBuilder b, Cell cell) {
    if (cell == null) {
      b.append("<td></td>");
      return;
    }
    List<String> classes = new ArrayList<>(2);
    if (numeric(cell.text())) {
      classes.add(NUMBER_CLASS);
    }
    if (cell.muted()) {
      classes.add(MUTED_CLASS);
    }
    b.append("<td");
    if (!classes.isEmpty()) {
      b.append(" class=\"").append(String.join(" ", classes)).append('"');
    }
    if (cell.tooltip() != null) {
      b.append(" title=\"").append(escape(cell.tooltip())).append('"');
    }
    b.append('>').append(escape(cell.text())).append("</td>");
  }

  /** A heading's anchor: lower-case words joined by '-', made unique in this report. */
  private String uniqueId(String text) {
    String slug = (text == null ? "" : text).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "-")
        .replaceAll("^-+|-+$", "");
    if (slug.isEmpty()) {
      slug = "section";
    }
    String id = slug;
    for (int n = 2; !ids.add(id); n++) {
      id = slug + "-" + n;
    }
    return id;
  }

  private static String base64Png(BufferedImage image) {
    return Base64.getEncoder().encodeToString(PngWriter.encode(image));
  }
}
