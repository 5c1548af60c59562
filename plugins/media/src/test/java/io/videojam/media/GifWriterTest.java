package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GifWriterTest {
  @TempDir Path dir;

  @Test
  void delayIsRoundedHundredths() {
    assertThat(GifWriter.delayCentiseconds(8)).isEqualTo(13); // 12.5 -> 13, true fps 7.69
    assertThat(GifWriter.delayCentiseconds(10)).isEqualTo(10);
    assertThat(GifWriter.delayCentiseconds(24)).isEqualTo(4); // 4.17 -> 4, true fps 25
    assertThat(GifWriter.delayCentiseconds(100)).isEqualTo(2); // at least 2: browsers slow 0 and 1 down
    assertThatThrownBy(() -> GifWriter.delayCentiseconds(0)).isInstanceOf(VideoJamException.class);
  }

  @Test
  void fewColoursRoundTripExactly() throws Exception {
    Path gif = dir.resolve("clip.gif");
    List<BufferedImage> clip = Synthetic.clip();
    int delay = GifWriter.write(gif, clip, 24);
    assertThat(delay).isEqualTo(4);

    GifReader.Gif back = GifReader.read(gif);
    assertThat(back.frames()).hasSize(Synthetic.FRAMES);
    assertThat(back.delaysCentiseconds()).hasSize(Synthetic.FRAMES).containsOnly(4);
    assertThat(back.loopCount()).isZero(); // loops forever
    for (int t = 0; t < Synthetic.FRAMES; t++) {
      BufferedImage f = back.frames().get(t);
      assertThat(f.getWidth()).isEqualTo(32);
      assertThat(f.getHeight()).isEqualTo(32);
      assertThat(Synthetic.flatError(f, t, 1)).as("frame %d", t).isZero();
      if (t < Synthetic.MOVING) {
        assertThat(Synthetic.centroid(f)[0]).isEqualTo(Synthetic.squareX(t) + 3.5, org.assertj.core.data.Offset.offset(1e-9));
      }
    }
    assertThat(listNames()).containsExactly("clip.gif");
  }

  @Test
  void manyColoursStayClose() throws Exception {
    // smooth 2D gradients (like natural images, colours lie near a surface) drifting over frames:
    // about 10000 distinct colours, so the palette must be built by median cut
    List<BufferedImage> frames = new ArrayList<>();
    int n = 6, s = 64;
    for (int t = 0; t < n; t++) {
      BufferedImage img = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          int r = x * 4, g = y * 4, b = 60 + t * 8 + (x + y) / 2;
          img.setRGB(x, y, r << 16 | g << 8 | b);
        }
      }
      frames.add(img);
    }
    Path gif = dir.resolve("grad.gif");
    GifWriter.write(gif, frames, 12);
    GifReader.Gif back = GifReader.read(gif);
    assertThat(back.frames()).hasSize(n);
    assertThat(back.delaysCentiseconds()).containsOnly(8);
    double sum = 0;
    int worst = 0;
    for (int t = 0; t < n; t++) {
      for (int y = 0; y < s; y++) {
        for (int x = 0; x < s; x++) {
          double d = Synthetic.diff(back.frames().get(t).getRGB(x, y), frames.get(t).getRGB(x, y));
          sum += d;
          worst = Math.max(worst, (int) Math.round(d));
        }
      }
    }
    double mean = sum / (n * s * s);
    assertThat(mean).as("mean abs error, grey levels").isLessThan(4.5); // measured 3.2
    assertThat(worst).as("worst pixel").isLessThan(16); // measured 7
  }

  @Test
  void tensorInputUpscales() {
    Path gif = dir.resolve("t.gif");
    GifWriter.write(gif, Frames.fromImages(Synthetic.clip()), 8, 2);
    GifReader.Gif back = GifReader.read(gif);
    assertThat(back.frames().get(0).getWidth()).isEqualTo(64);
    assertThat(back.delaysCentiseconds()).containsOnly(13);
    assertThat(back.tensor().shape()).containsExactly(3, 12, 64, 64);
  }

  @Test
  void failuresNameTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    Path gif = file.resolve("a.gif");
    assertThatThrownBy(() -> GifWriter.write(gif, Synthetic.clip(), 8))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(gif.toString())
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> GifReader.read(dir.resolve("none.gif")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("none.gif");
    assertThatThrownBy(() -> GifReader.read(file))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(file.toString())
        .hasMessageNotContaining("\n");
    assertThat(listNames()).containsExactly("plain.txt");
  }

  private List<String> listNames() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
