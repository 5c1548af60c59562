package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.media.PngWriter;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grouped bar chart: the drawing matches its layout. */
class BarChartTest {
  @TempDir
  Path tmp;

  private static final List<String> GROUPS = List.of("BASIC", "COMPLEX");
  private static final List<String> SERIES = List.of("base", "videojam");
  private static final double[][] VALUES = {{1, 2}, {3, -1}};

  private static int rgb(BufferedImage img, int x, int y) {
    return img.getRGB(x, y) & 0xffffff;
  }

  private static int colour(int series) {
    return BarChart.COLOURS[series].getRGB() & 0xffffff;
  }

  @Test
  void barsAreDrawnWhereTheLayoutPutsThem() {
    BarChart.Layout l = BarChart.layout("t", "score", GROUPS, SERIES, VALUES, null);
    BufferedImage img = BarChart.render("t", "score", GROUPS, SERIES, VALUES, null);
    assertThat(img.getWidth()).isEqualTo(l.width());
    assertThat(img.getHeight()).isEqualTo(l.height());
    // the y axis: larger values higher up, 0 between -1 and 1, everything inside the plot
    assertThat(l.valueY(1)).isLessThan(l.valueY(0));
    assertThat(l.valueY(-1)).isGreaterThan(l.valueY(0));
    assertThat(l.valueY(3)).isGreaterThan(l.plotTop());
    assertThat(l.valueY(-1)).isLessThan(l.plotBottom());
    assertThat(l.yMin()).isLessThan(-1);
    assertThat(l.yMax()).isGreaterThan(3);
    // bars inside their group's slot and the plot, side by side without overlapping
    for (int g = 0; g < 2; g++) {
      assertThat(l.barX(0, g)).isGreaterThanOrEqualTo(l.groupLeft(g));
      assertThat(l.barX(1, g)).isEqualTo(l.barX(0, g) + l.barWidth());
      assertThat(l.barX(1, g) + l.barWidth()).isLessThanOrEqualTo(l.groupLeft(g) + l.groupWidth());
    }
    assertThat(l.groupLeft(1) + l.groupWidth()).isLessThanOrEqualTo(l.plotRight());

    for (int s = 0; s < 2; s++) {
      for (int g = 0; g < 2; g++) {
        double v = VALUES[s][g];
        int midY = (l.valueY(v) + l.valueY(0)) / 2;
        assertThat(rgb(img, l.barCentre(s, g), midY)).as("bar %d/%d centre", s, g).isEqualTo(colour(s));
        // beyond the bar's end (away from zero) there is no bar
        int beyond = l.valueY(v + Math.signum(v) * 0.15);
        assertThat(rgb(img, l.barCentre(s, g), beyond)).as("beyond bar %d/%d", s, g).isNotEqualTo(colour(s));
        // and the bar does not spill onto the other side of zero
        int otherSide = l.valueY(-Math.signum(v) * 0.5);
        assertThat(rgb(img, l.barCentre(s, g), otherSide)).as("other side of bar %d/%d", s, g).isNotEqualTo(colour(s));
      }
    }
    // between two groups: background, not a bar
    int gap = l.groupLeft(1) + 2;
    assertThat(rgb(img, gap, l.valueY(0.5))).isNotIn(colour(0), colour(1));
  }

  @Test
  void zeroLineOnlyWhenValuesGoNegative() {
    BarChart.Layout l = BarChart.layout("t", "score", GROUPS, SERIES, VALUES, null);
    BufferedImage img = BarChart.render("t", "score", GROUPS, SERIES, VALUES, null);
    assertThat(l.hasZeroLine()).isTrue();
    int zero = l.valueY(0);
    assertThat(zero).isStrictlyBetween(l.plotTop(), l.plotBottom());
    int gap = l.groupLeft(1) + 1; // between the groups, where no bar covers the line
    assertThat(rgb(img, gap, zero)).isEqualTo(BarChart.AXIS.getRGB() & 0xffffff);
    assertThat(rgb(img, l.plotLeft() + 3, zero)).isEqualTo(BarChart.AXIS.getRGB() & 0xffffff);

    double[][] positive = {{1, 2}, {3, 1}};
    BarChart.Layout p = BarChart.layout("t", "score", GROUPS, SERIES, positive, null);
    BufferedImage pImg = BarChart.render("t", "score", GROUPS, SERIES, positive, null);
    assertThat(p.hasZeroLine()).isFalse();
    assertThat(p.yMin()).isEqualTo(0.0); // bars start at the bottom of the plot
    assertThat(p.valueY(0)).isEqualTo(p.plotBottom());
    // the rows just above the bottom border carry no line between the groups
    assertThat(rgb(pImg, p.groupLeft(1) + 1, p.plotBottom() - 3)).isEqualTo(0xffffff);
  }

  @Test
  void errorBarsAreDrawnAboveTheBar() {
    double[][] errors = {{0.5, Double.NaN}, {0.2, 0.4}};
    BarChart.Layout l = BarChart.layout("t", "y", GROUPS, SERIES, VALUES, errors);
    BufferedImage img = BarChart.render("t", "y", GROUPS, SERIES, VALUES, errors);
    assertThat(l.yMax()).isGreaterThan(3.2);
    int err = BarChart.ERROR_BAR.getRGB() & 0xffffff;
    // series 0 group 0: value 1 +/- 0.5, so the error bar shows at 1.3 above the bar
    assertThat(rgb(img, l.barCentre(0, 0), l.valueY(1.3))).isEqualTo(err);
    // series 0 group 1: NaN error, nothing above the bar
    assertThat(rgb(img, l.barCentre(0, 1), l.valueY(2.2))).isNotEqualTo(err);
    // series 1 group 1: value -1 +/- 0.4, the error bar shows below the bar at -1.3
    assertThat(rgb(img, l.barCentre(1, 1), l.valueY(-1.3))).isEqualTo(err);
  }

  @Test
  void widthGrowsWithGroups() {
    List<String> few = List.of("A", "B");
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      many.add("G" + i);
    }
    List<String> three = List.of("a", "b", "c");
    BufferedImage small = BarChart.render("t", "y", few, three, new double[3][2], null);
    BufferedImage large = BarChart.render("t", "y", many, three, new double[3][16], null);
    assertThat(small.getWidth()).isGreaterThanOrEqualTo(640);
    assertThat(large.getWidth()).isGreaterThan(small.getWidth());
    assertThat(small.getHeight()).isBetween(360, 480);
  }

  @Test
  void longGroupLabelsDoNotOverlap() {
    List<String> models = List.of("videojam w1=5 w2=3", "videojam w1=1 w2=1", "baseline (no motion)",
        "videojam w1=5 w2=3 + inner guidance", "x");
    List<String> categories = List.of("BASIC", "COMPLEX", "ROTATIONAL", "PHYSICS", "ALL");
    for (List<String> groups : List.of(models, categories)) {
      BarChart.Layout l = BarChart.layout("t", "y", groups, List.of("s"), new double[1][groups.size()], null);
      Graphics2D g = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
      FontMetrics fm = g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12).deriveFont(l.labelFontSize()));
      g.dispose();
      if (!l.rotatedLabels()) {
        // side by side: each label fits its own group slot
        for (String label : l.labels()) {
          assertThat(fm.stringWidth(label)).as("'%s' in %d px", label, l.groupWidth()).isLessThan(l.groupWidth());
        }
      } else {
        // at 45 degrees: neighbouring labels are further apart than a line of text is tall
        assertThat(l.groupWidth() * Math.sqrt(0.5)).isGreaterThan(fm.getHeight());
        assertThat(l.height() - l.plotBottom()).isGreaterThan((int) (fm.stringWidth(l.labels().get(3)) * Math.sqrt(0.5)));
      }
    }
    BarChart.Layout cat = BarChart.layout("t", "y", categories, List.of("s"), new double[1][5], null);
    assertThat(cat.rotatedLabels()).isFalse();
    assertThat(cat.labelFontSize()).isEqualTo(12f);
  }

  @Test
  void mismatchedLengthsThrow() {
    assertThatThrownBy(() -> BarChart.render("t", "y", GROUPS, SERIES, new double[][] {{1, 2}}, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 series").hasMessageContaining("values");
    assertThatThrownBy(() -> BarChart.render("t", "y", GROUPS, SERIES, new double[][] {{1, 2}, {3}}, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("values[1]").hasMessageContaining("2 groups");
    assertThatThrownBy(() -> BarChart.render("t", "y", GROUPS, SERIES, VALUES, new double[][] {{1, 2}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errors");
    assertThatThrownBy(() -> BarChart.render("t", "y", GROUPS, SERIES, VALUES, new double[][] {{1, 2}, {1, 2, 3}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("errors[1]");
    assertThatThrownBy(() -> BarChart.render("t", "y", GROUPS, SERIES, VALUES, new double[][] {{1, 2}, {-1, 2}}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
    assertThatThrownBy(() -> BarChart.render("t", "y", List.of(), SERIES, new double[2][0], null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group");
  }

  @Test
  void nanValuesAreNoBar() {
    double[][] values = {{Double.NaN, 2}, {3, Double.NaN}};
    double[][] errors = {{0.1, Double.NaN}, {Double.NaN, 0.2}};
    assertThatCode(() -> BarChart.render("t", "y", GROUPS, SERIES, values, errors)).doesNotThrowAnyException();
    BarChart.Layout l = BarChart.layout("t", "y", GROUPS, SERIES, values, errors);
    BufferedImage img = BarChart.render("t", "y", GROUPS, SERIES, values, errors);
    for (int y = l.plotTop() + 1; y < l.plotBottom(); y++) {
      assertThat(rgb(img, l.barCentre(0, 0), y)).isNotEqualTo(colour(0));
      assertThat(rgb(img, l.barCentre(1, 1), y)).isNotEqualTo(colour(1));
    }
    assertThat(rgb(img, l.barCentre(0, 1), l.valueY(1))).isEqualTo(colour(0));
    // all NaN: still a chart
    assertThatCode(() -> BarChart.render("t", "y", GROUPS, SERIES, new double[][] {{Double.NaN, Double.NaN},
        {Double.NaN, Double.NaN}}, null)).doesNotThrowAnyException();
  }

  @Test
  void ticksAreNiceNumbers() {
    assertThat(BarChart.niceStep(0.42)).isEqualByComparingTo("0.5");
    assertThat(BarChart.niceStep(0.21)).isEqualByComparingTo("0.25");
    assertThat(BarChart.niceStep(1.4)).isEqualByComparingTo("2");
    assertThat(BarChart.niceStep(3)).isEqualByComparingTo("5");
    assertThat(BarChart.niceStep(6)).isEqualByComparingTo("10");
    assertThat(BarChart.niceStep(0.001)).isEqualByComparingTo("0.001");
    BarChart.Layout l = BarChart.layout("t", "y", GROUPS, SERIES, VALUES, null);
    // range -1.2 .. 3.2: step 1, ticks -1 .. 3
    assertThat(l.tickLabels()).containsExactly("-1", "0", "1", "2", "3");
    assertThat(BarChart.tickLabel(new BigDecimal("0.30"), new BigDecimal("0.1"))).isEqualTo("0.3");
    assertThat(BarChart.tickLabel(new BigDecimal("5"), new BigDecimal("2.5"))).isEqualTo("5.0");
    for (double t : l.ticks()) {
      assertThat(l.valueY(t)).isBetween(l.plotTop(), l.plotBottom());
    }
  }

  @Test
  void writeIsAtomicPng() throws Exception {
    Path png = tmp.resolve("charts/bars.png");
    BarChart.write(png, "Motion coherence", "score", GROUPS, SERIES, VALUES, null);
    BufferedImage back = PngWriter.read(png);
    BufferedImage direct = BarChart.render("Motion coherence", "score", GROUPS, SERIES, VALUES, null);
    assertThat(back.getWidth()).isEqualTo(direct.getWidth());
    BarChart.Layout l = BarChart.layout("Motion coherence", "score", GROUPS, SERIES, VALUES, null);
    assertThat(rgb(back, l.barCentre(1, 0), l.valueY(1.5))).isEqualTo(colour(1));
    try (Stream<Path> s = Files.list(png.getParent())) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("bars.png");
    }
  }
}
