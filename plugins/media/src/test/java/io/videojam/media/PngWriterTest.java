package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngWriterTest {
  @TempDir Path dir;

  @Test
  void framesRoundTripExactly() throws Exception {
    // every value is an exact 8-bit level, so tensor -> PNG -> tensor is lossless
    Random rnd = new Random(3);
    int t = 12, h = 20, w = 30;
    float[] data = new float[3 * t * h * w];
    for (int i = 0; i < data.length; i++) {
      data[i] = Frames.fromLevel(rnd.nextInt(256));
    }
    FloatTensor video = new FloatTensor(new long[] {3, t, h, w}, data);

    Path frames = dir.resolve("out").resolve("frames");
    List<Path> files = PngWriter.writeFrames(frames, video, 1);
    assertThat(files).hasSize(t);
    assertThat(files.get(0).getFileName()).hasToString("0000.png");
    assertThat(files.get(11).getFileName()).hasToString("0011.png");
    try (Stream<Path> s = Files.list(frames)) {
      assertThat(s.count()).isEqualTo(t); // no temporary files left
    }

    List<BufferedImage> back = PngWriter.readFrames(frames);
    assertThat(Frames.fromImages(back)).isEqualTo(video);
  }

  @Test
  void frameNamesGrowPastTenThousand() {
    assertThat(PngWriter.frameName(7, 12)).isEqualTo("0007.png");
    assertThat(PngWriter.frameName(7, 10001)).isEqualTo("00007.png");
  }

  @Test
  void replacesExistingFileAtomically() throws Exception {
    Path png = Files.writeString(dir.resolve("a.png"), "old");
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    img.setRGB(1, 2, 0x123456);
    PngWriter.write(png, img);
    assertThat(PngWriter.read(png).getRGB(1, 2) & 0xffffff).isEqualTo(0x123456);
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("a.png");
    }
  }

  @Test
  void writtenFilesHaveTheUsualPermissionsNotOwnerOnly() throws Exception {
    Path png = dir.resolve("p.png");
    PngWriter.write(png, new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB));
    Path plain = Files.createFile(dir.resolve("plain"));
    assertThat(Files.getPosixFilePermissions(png)).isEqualTo(Files.getPosixFilePermissions(plain));
  }

  @Test
  void errorsNameTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThatThrownBy(() -> PngWriter.write(file.resolve("a.png"), new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB)))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(file.resolve("a.png").toString())
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> PngWriter.readFrames(dir))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void theFastEncoderDecodesToTheSamePixelsInImageIo() throws Exception {
    // 7 x 5 (W != H), random levels including 0 and 255, so the Sub filter wraps around
    int w = 7;
    int h = 5;
    byte[] planar = new byte[3 * w * h];
    new Random(3).nextBytes(planar);
    planar[0] = 0;
    planar[1] = (byte) 255;
    byte[] png = PngWriter.encodeFast(planar, h, w);
    BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    assertThat(img.getWidth()).isEqualTo(w);
    assertThat(img.getHeight()).isEqualTo(h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        int expected = (planar[i] & 0xff) << 16 | (planar[w * h + i] & 0xff) << 8 | (planar[2 * w * h + i] & 0xff);
        assertThat(img.getRGB(x, y) & 0xffffff).as("(%d, %d)", x, y).isEqualTo(expected);
      }
    }
    // the same image from the planes and from the ImageIO path decode alike
    assertThat(PngWriter.read(writeTo(png)).getRGB(6, 4)).isEqualTo(img.getRGB(6, 4));
    assertThatThrownBy(() -> PngWriter.encodeFast(new byte[10], h, w)).isInstanceOf(IllegalArgumentException.class);
  }

  private Path writeTo(byte[] png) throws Exception {
    Path f = dir.resolve("fast.png");
    Files.write(f, png);
    return f;
  }
}
