package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.eval.HtmlReport.Cell;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-contained HTML report builder. */
class HtmlReportTest {
  @TempDir
  Path tmp;

  @Test
  void textIsEscapedEverywhere() {
    String html = new HtmlReport("T <1> & 'x'")
        .heading("H \"2\"")
        .paragraph("p < q")
        .preformatted("a && b")
        .table("cap <i>", List.of("col <a>"), List.of(List.of(Cell.of("<b>&"))))
        .html();
    assertThat(html).contains("<td>&lt;b&gt;&amp;</td>")
        .contains("<title>T &lt;1&gt; &amp; &#39;x&#39;</title>")
        .contains("<h1>T &lt;1&gt; &amp; &#39;x&#39;</h1>")
        .contains("H &quot;2&quot;</h2>")
        .contains("<p>p &lt; q</p>")
        .contains("<pre>a &amp;&amp; b</pre>")
        .contains("<caption>cap &lt;i&gt;</caption>")
        .contains("<th>col &lt;a&gt;</th>")
        .doesNotContain("<b>&")
        .doesNotContain("<i>")
        .startsWith("<!DOCTYPE html>");
  }

  @Test
  void tableOfContentsLinksToEveryHeading() {
    String html = new HtmlReport("Eval")
        .heading("Motion coherence")
        .paragraph("x")
        .heading("Motion coherence") // a duplicate still gets its own anchor
        .heading("Per-prompt <gallery>")
        .html();
    List<String> ids = all(Pattern.compile("<h2 id=\"([^\"]+)\">"), html);
    List<String> links = all(Pattern.compile("<a href=\"#([^\"]+)\">"), html);
    assertThat(ids).hasSize(3).doesNotHaveDuplicates();
    assertThat(links).containsExactlyElementsOf(ids);
    // the contents come before the first section
    assertThat(html.indexOf("href=\"#" + ids.get(0))).isLessThan(html.indexOf("<h2 "));
    assertThat(html).contains(">Per-prompt &lt;gallery&gt;</a>");
  }

  @Test
  void embeddedImageDecodesBack() throws Exception {
    BufferedImage img = new BufferedImage(37, 21, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        img.setRGB(x, y, (x * 7) << 16 | (y * 11) << 8 | (x + y));
      }
    }
    img.setRGB(30, 12, 0x12ab34);
    String html = new HtmlReport("r").image("frame 0 <upscaled>", img).html();
    Matcher m = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" width=\"(\\d+)\" height=\"(\\d+)\"")
        .matcher(html);
    assertThat(m.find()).as("an embedded PNG in\n%s", html).isTrue();
    BufferedImage back = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
    assertThat(back).isNotNull();
    assertThat(back.getWidth()).isEqualTo(37);
    assertThat(back.getHeight()).isEqualTo(21);
    assertThat(m.group(2)).isEqualTo("37");
    assertThat(m.group(3)).isEqualTo("21");
    assertThat(back.getRGB(30, 12) & 0xffffff).isEqualTo(0x12ab34);
    assertThat(back.getRGB(5, 3) & 0xffffff).isEqualTo(img.getRGB(5, 3) & 0xffffff);
    assertThat(html).contains("<figcaption>frame 0 &lt;upscaled&gt;</figcaption>")
        .contains("image-rendering: pixelated");
  }

  @Test
  void mutedCellsCarryTheClassAndTooltip() {
    String html = new HtmlReport("r")
        .table(null, List.of("model", "delta"), List.of(
            List.of(Cell.of("base"), Cell.muted("+0.01", "within noise (\u00b10.03) <n=8>")),
            List.of(Cell.of("jam"), Cell.of("+0.20"))))
        .html();
    assertThat(html).contains("<td class=\"num muted\" title=\"within noise (\u00b10.03) &lt;n=8&gt;\">+0.01</td>")
        .contains("<td class=\"num\">+0.20</td>")
        .contains("<td>base</td>")
        .contains("td.muted {");
  }

  @Test
  void shortRowsArePaddedAndNumbersRightAligned() {
    String html = new HtmlReport("r")
        .table("t", List.of("a", "b", "c"), List.of(List.of(Cell.of("x")), List.of(Cell.of("1.5e-3"), Cell.of("12%"),
            Cell.of("0.31 \u00b1 0.02"))))
        .html();
    assertThat(html).contains("<tr><td>x</td><td></td><td></td></tr>")
        .contains("<tr><td class=\"num\">1.5e-3</td><td class=\"num\">12%</td><td class=\"num\">0.31 \u00b1 0.02</td></tr>");
    assertThat(HtmlReport.numeric("-1,234.5")).isTrue();
    assertThat(HtmlReport.numeric("n/a")).isTrue();
    assertThat(HtmlReport.numeric("videojam w1=5")).isFalse();
    assertThat(HtmlReport.numeric("BASIC")).isFalse();
    assertThatThrownBy(() -> new HtmlReport("r").table("wide", List.of("a"), List.of(List.of(Cell.of("1"), Cell.of("2")))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wide").hasMessageContaining("2 cells");
  }

  @Test
  void detailsNestContent() {
    String html = new HtmlReport("r")
        .paragraph("before")
        .details("Prompt 3 <cat>", r -> r.subheading("samples").paragraph("inside"))
        .paragraph("after")
        .html();
    int open = html.indexOf("<details>"), close = html.indexOf("</details>");
    assertThat(open).isPositive();
    assertThat(close).isGreaterThan(open);
    String inner = html.substring(open, close);
    assertThat(inner).contains("<summary>Prompt 3 &lt;cat&gt;</summary>").contains("<h3>samples</h3>")
        .contains("<p>inside</p>").doesNotContain("before").doesNotContain("after");
    assertThat(html.indexOf("<p>after</p>")).isGreaterThan(close);
    assertThat(html.indexOf("<p>before</p>")).isLessThan(open);
  }

  @Test
  void writeProducesTheFileAndNoTempFile() throws Exception {
    Path dir = tmp.resolve("out/nested");
    Path file = dir.resolve("report.html");
    HtmlReport report = new HtmlReport("Eval \u00e9\u00e8 \u2713").paragraph("r\u00e9sum\u00e9");
    report.write(file);
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(report.html()).contains("r\u00e9sum\u00e9");
    report.paragraph("more").write(file); // replaces
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("<p>more</p>");
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("report.html");
    }
  }

  private static List<String> all(Pattern p, String s) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(s);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
