package io.videojam.motion;

import io.videojam.api.PngBytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowPngTest {
  @TempDir
  Path dir;

  private final FlowRgbCodec codec = new FlowRgbCodec();

  static FlowField randomFlow(int h, int w, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      u[i] = (float) random.nextDouble(-20, 20);
      v[i] = (float) random.nextDouble(-20, 20);
    }
    return new FlowField(h, w, u, v);
  }

  @Test
  void roundTripIsExactInLevels() throws IOException {
    int h = 48;
    int w = 61;
    FlowField flow = randomFlow(h, w, 4);
    byte[] levels = codec.encodeLevels(flow);
    Path file = dir.resolve("flow.png");
    FlowPng.write(file, flow, codec);
    FlowPng.Levels back = FlowPng.read(file);
    assertThat(back.height()).isEqualTo(h);
    assertThat(back.width()).isEqualTo(w);
    assertThat(back.levels()).isEqualTo(levels);
    FlowField decoded = FlowPng.readFlow(file, codec);
    FlowField direct = codec.decode(levels, h, w);
    assertThat(decoded.u()).containsExactly(direct.u());
    assertThat(decoded.v()).containsExactly(direct.v());
    // an independent reader sees the same colours: 8-bit RGB
    BufferedImage image = ImageIO.read(file.toFile());
    assertThat(image.getColorModel().getNumComponents()).isEqualTo(3);
    int n = h * w;
    for (int i = 0; i < n; i += 13) {
      int rgb = image.getRGB(i % w, i / w);
      assertThat(new int[] {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF})
          .containsExactly(levels[i] & 0xFF, levels[n + i] & 0xFF, levels[2 * n + i] & 0xFF);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void refusesWhatIsNotAnEightBitColourPng() throws IOException {
    Path missing = dir.resolve("missing.png");
    assertThatThrownBy(() -> FlowPng.read(missing)).isInstanceOf(VideoJamException.class)
        .hasMessage(missing + ": no such PNG file; check the path");
    Path text = Files.writeString(dir.resolve("text.png"), "not an image");
    assertThatThrownBy(() -> FlowPng.read(text)).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith(text.toString()).hasMessageContaining("not a PNG");
    Path jpeg = dir.resolve("photo.png");
    ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "jpg", jpeg.toFile());
    assertThatThrownBy(() -> FlowPng.read(jpeg)).isInstanceOf(VideoJamException.class).hasMessageContaining("not a PNG");
    Path grey = dir.resolve("grey.png");
    ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", grey.toFile());
    assertThatThrownBy(() -> FlowPng.read(grey)).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith(grey.toString()).hasMessageContaining("greyscale").hasMessageContaining("8-bit RGB");
    Path truncated = dir.resolve("cut.png");
    FlowPng.write(truncated, randomFlow(20, 20, 1), codec);
    byte[] bytes = Files.readAllBytes(truncated);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> FlowPng.read(truncated)).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith(truncated.toString());
  }

  @Test
  void readsRgbaAndPaletteImages() throws IOException {
    BufferedImage rgba = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(1, 1, 0xFF_12_34_56);
    Path file = dir.resolve("rgba.png");
    ImageIO.write(rgba, "png", file.toFile());
    FlowPng.Levels levels = FlowPng.read(file);
    int n = 6;
    int i = 4;
    assertThat(new int[] {levels.levels()[i] & 0xFF, levels.levels()[n + i] & 0xFF, levels.levels()[2 * n + i] & 0xFF})
        .containsExactly(0x12, 0x34, 0x56);
    BufferedImage palette = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_INDEXED);
    palette.setRGB(2, 0, 0xFF_FF_00_00);
    Path indexed = dir.resolve("palette.png");
    ImageIO.write(palette, "png", indexed.toFile());
    FlowPng.Levels fromPalette = FlowPng.read(indexed);
    int j = 2;
    assertThat(new int[] {fromPalette.levels()[j] & 0xFF, fromPalette.levels()[n + j] & 0xFF,
        fromPalette.levels()[2 * n + j] & 0xFF}).containsExactly(255, 0, 0);
  }

  @Test
  void failedWriteLeavesNothing() throws IOException {
    Path missingFolder = dir.resolve("nope/flow.png");
    assertThatThrownBy(() -> FlowPng.write(missingFolder, randomFlow(2, 2, 0), codec))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("does not exist");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void aHeaderAskingForGigabytesIsRefusedBeforeDecoding() throws IOException {
    // found by MotionFilesFuzzTest: ImageIO allocated the 20000 x 20000 picture (1.2 GB) for a 150-byte file, then
    // reported the OutOfMemoryError as "Caught exception during read"
    Path png = dir.resolve("huge.png");
    Files.write(png, PngBytes.png(20000, 20000, 8, 2, 0, new byte[100]));
    assertThatThrownBy(() -> FlowPng.read(png)).isInstanceOf(VideoJamException.class)
        .hasMessage(png + ": a PNG of 20000 x 20000 pixels needs 2670 MiB to read, over the limit of 67108864 pixels"
            + " (8192 x 8192; each side at most 32768); the file is damaged or not a flow PNG");
    Files.write(png, PngBytes.png(40000, 1, 8, 2, 0, new byte[100]));
    assertThatThrownBy(() -> FlowPng.read(png)).isInstanceOf(VideoJamException.class).hasMessageContaining("40000 x 1 pixels");
  }
}
