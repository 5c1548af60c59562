package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContactSheetTest {
  private static final int BG = 0x202020;
  @TempDir Path dir;

  /** 12 frames of 32x24, each a solid colour unique to (row, frame), with a distinct centre pixel. */
  private static List<BufferedImage> row(int seed) {
    List<BufferedImage> frames = new ArrayList<>();
    for (int t = 0; t < 12; t++) {
      BufferedImage img = new BufferedImage(32, 24, BufferedImage.TYPE_3BYTE_BGR);
      int fill = (40 + seed * 100) << 16 | (20 * t) << 8 | 200;
      for (int y = 0; y < 24; y++) {
        for (int x = 0; x < 32; x++) {
          img.setRGB(x, y, fill);
        }
      }
      img.setRGB(16, 12, 0xff00 | t); // centre pixel encodes the frame index
      frames.add(img);
    }
    return frames;
  }

  @Test
  void columnsAreEvenlySpaced() {
    assertThat(ContactSheet.columns(12, 5)).containsExactly(0, 3, 6, 8, 11);
    assertThat(ContactSheet.columns(4, 8)).containsExactly(0, 1, 2, 3);
    assertThat(ContactSheet.columns(12, 1)).containsExactly(0);
    assertThat(ContactSheet.columns(100, 2)).containsExactly(0, 99);
  }

  @Test
  void gridSizeAndCellContent() throws Exception {
    assertThat(GraphicsEnvironment.isHeadless()).isTrue();
    LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
    rows.put("video", row(0));
    rows.put("motion", row(1));
    Path png = dir.resolve("sheet.png");
    ContactSheet.write(png, "cat (seed 7)", rows, 5);

    BufferedImage sheet = ImageIO.read(png.toFile());
    ContactSheet.Layout l = ContactSheet.layout("cat (seed 7)", rows, 5);
    assertThat(l.text()).isTrue();
    assertThat(l.indices()).containsExactly(0, 3, 6, 8, 11);
    assertThat(l.cellWidth()).isEqualTo(32);
    assertThat(l.cellHeight()).isEqualTo(24);
    // computed grid size: label column + 5 cells with gaps + right margin, 2 rows below the header
    int g = ContactSheet.GAP;
    assertThat(sheet.getWidth()).isEqualTo(l.width()).isEqualTo(l.labelWidth() + 5 * 32 + 4 * g + g);
    assertThat(sheet.getHeight()).isEqualTo(l.height()).isEqualTo(l.top() + 2 * 24 + g + g);
    assertThat(l.labelWidth()).isGreaterThan(2 * g); // room for "motion"
    assertThat(l.top()).isGreaterThan(g); // title and index lines

    List<List<BufferedImage>> all = List.of(rows.get("video"), rows.get("motion"));
    for (int r = 0; r < 2; r++) {
      for (int c = 0; c < 5; c++) {
        BufferedImage frame = all.get(r).get(l.indices()[c]);
        int cx = l.cellX(c) + 16, cy = l.cellY(r) + 12;
        assertThat(sheet.getRGB(cx, cy)).as("centre of cell (%d, %d)", r, c).isEqualTo(frame.getRGB(16, 12));
        assertThat(sheet.getRGB(l.cellX(c), l.cellY(r))).isEqualTo(frame.getRGB(0, 0));
        assertThat(sheet.getRGB(l.cellX(c) + 31, l.cellY(r) + 23)).isEqualTo(frame.getRGB(31, 23));
        // the gap right of / below the cell is background
        assertThat(sheet.getRGB(l.cellX(c) + 32, l.cellY(r) + 12) & 0xffffff).isEqualTo(BG);
        assertThat(sheet.getRGB(l.cellX(c) + 16, l.cellY(r) + 24) & 0xffffff).isEqualTo(BG);
      }
    }
    // text was drawn: the label column, the index line and the title line hold non-background pixels
    assertThat(countNonBackground(sheet, 0, l.cellY(0), l.labelWidth(), 24)).isPositive();
    assertThat(countNonBackground(sheet, 0, l.cellY(1), l.labelWidth(), 24)).isPositive();
    assertThat(countNonBackground(sheet, l.labelWidth(), 0, sheet.getWidth() - l.labelWidth(), l.top())).isPositive();
    try (var s = Files.list(dir)) {
      assertThat(s.count()).isOne(); // no temporary file left
    }
  }

  @Test
  void noTitleAndRaggedRows() {
    LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
    rows.put("video", row(0));
    rows.put("flow", row(1).subList(0, 11)); // one frame fewer, like frame-to-frame flow
    BufferedImage sheet = ContactSheet.render(null, rows, 12);
    ContactSheet.Layout l = ContactSheet.layout(null, rows, 12);
    assertThat(l.columns()).isEqualTo(12);
    assertThat(sheet.getWidth()).isEqualTo(l.labelWidth() + 12 * 32 + 12 * ContactSheet.GAP);
    assertThat(sheet.getRGB(l.cellX(11) + 16, l.cellY(0) + 12)).isEqualTo(rows.get("video").get(11).getRGB(16, 12));
    assertThat(sheet.getRGB(l.cellX(11) + 16, l.cellY(1) + 12) & 0xffffff).isEqualTo(BG); // empty cell
    ContactSheet.Layout titled = ContactSheet.layout("t", rows, 12);
    assertThat(titled.top()).isGreaterThan(l.top());
  }

  @Test
  void rejectsEmptyInput() {
    assertThatThrownBy(() -> ContactSheet.render("x", new LinkedHashMap<>(), 4)).isInstanceOf(IllegalArgumentException.class);
    LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
    rows.put("video", row(0));
    assertThatThrownBy(() -> ContactSheet.render("x", rows, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static int countNonBackground(BufferedImage img, int x0, int y0, int w, int h) {
    int n = 0;
    for (int y = y0; y < y0 + h; y++) {
      for (int x = x0; x < x0 + w; x++) {
        if ((img.getRGB(x, y) & 0xffffff) != BG) {
          n++;
        }
      }
    }
    return n;
  }
}
