package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.media.Frames;
import io.videojam.media.GifReader;
import io.videojam.media.Mp4Writer;
import io.videojam.media.PngWriter;
import io.videojam.media.VideoReader;
import io.videojam.motion.FloFiles;
import io.videojam.motion.FlowRgbCodec;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code videojam flow} on a clip whose motion is known, and its failure contract. */
class FlowCommandTest {
  @TempDir
  static Path tmp;

  static Path clip;

  @BeforeAll
  static void writeClip() {
    clip = MovingScene.writeMp4(tmp.resolve("scene.mp4"), 8);
  }

  /** Mean decoded flow over a box of a motion frame (levels of an upscaled video, scale s). */
  static double[] meanFlow(FloatTensor motion, int t, int x0, int y0, int x1, int y1, int scale, FlowRgbCodec codec) {
    int frames = (int) motion.shape()[1];
    int h = (int) motion.shape()[2];
    int w = (int) motion.shape()[3];
    float[] frame = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(motion.data(), (c * frames + t) * h * w, frame, c * h * w, h * w);
    }
    FlowField f = codec.decode(frame, h, w);
    // decode() measures speed against this frame's diagonal: rescale to the source frame's pixels
    double toSource = 1.0 / scale;
    double u = 0;
    double v = 0;
    int n = 0;
    for (int y = y0 * scale; y < y1 * scale; y++) {
      for (int x = x0 * scale; x < x1 * scale; x++) {
        u += f.u()[y * w + x];
        v += f.v()[y * w + x];
        n++;
      }
    }
    return new double[] {u / n * toSource, v / n * toSource};
  }

  @Test
  void aMovingSceneBecomesAMotionVideoOfItsMotion() {
    Path out = tmp.resolve("motion.mp4");
    Cli c = Cli.run("flow", clip.toString(), "--out", out.toString(), "--sigma", "0.05", "--no-progress");
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(c.out()).contains("8 frames of 128x96");
    FloatTensor motion = VideoReader.read(out);
    int scale = Frames.autoScale(MovingScene.H, MovingScene.W);
    assertThat(motion.shape()).containsExactly(3, 8, MovingScene.H * scale, MovingScene.W * scale);
    FlowRgbCodec codec = new FlowRgbCodec(0.05);
    for (int t = 2; t < 7; t++) {
      // background, far from the disc: pans right 2 px/frame
      double[] bg = meanFlow(motion, t, 8, 8, 36, 56, scale, codec);
      assertThat(bg[0]).as("background u, frame %d", t).isBetween(1.5, 2.5); // measured 1.94
      assertThat(bg[1]).as("background v, frame %d", t).isBetween(-0.5, 0.5);
      // the disc's centre in frame t (duplicate-first: motion frame t is the flow into frame t)
      int cy = (int) Math.round(MovingScene.DISC_Y0 + MovingScene.FALL * t);
      int cx = (int) MovingScene.DISC_X;
      if (cy + 4 < MovingScene.H) {
        double[] disc = meanFlow(motion, t, cx - 4, cy - 4, cx + 4, cy + 4, scale, codec);
        assertThat(disc[0]).as("disc u, frame %d", t).isBetween(-0.6, 0.6); // measured 0.1-0.25
        assertThat(disc[1]).as("disc v, frame %d", t).isBetween(2.3, 3.7); // DIS medium measured 2.6-2.8 here
      }
    }
  }

  @Test
  void clipOptionsAndGifOutput() {
    Path out = tmp.resolve("motion.gif");
    Cli c = Cli.run("flow", clip.toString(), "--out", out.toString(), "--size", "48x32", "--stride", "2", "--frames", "3",
        "--scale", "1", "--estimator", "farneback", "--no-progress");
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    GifReader.Gif gif = GifReader.read(out);
    assertThat(gif.frames()).hasSize(3);
    assertThat(gif.frames().get(0).getWidth()).isEqualTo(48);
    assertThat(gif.frames().get(0).getHeight()).isEqualTo(32);
  }

  @Test
  void floToPngAndBack() throws Exception {
    FlowField f = new FlowField(20, 30, new float[600], new float[600]);
    Random r = new Random(3);
    for (int i = 0; i < 600; i++) {
      f.u()[i] = (float) (r.nextGaussian() * 1.5);
      f.v()[i] = (float) (r.nextGaussian() * 1.5);
    }
    Path flo = tmp.resolve("field.flo");
    FloFiles.write(flo, f);
    Path png = tmp.resolve("field.png");
    assertThat(Cli.run("flow", flo.toString(), "--out", png.toString(), "--sigma", "0.3").exit()).isEqualTo(0);
    Path back = tmp.resolve("back.flo");
    Cli c = Cli.run("flow", png.toString(), "--decode", "--out", back.toString(), "--sigma", "0.3");
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    FlowField g = FloFiles.read(back);
    FlowRgbCodec codec = new FlowRgbCodec(0.3);
    double bound = codec.speedErrorBound8Bit(20, 30);
    for (int i = 0; i < 600; i++) {
      double m = Math.hypot(f.u()[i], f.v()[i]) / codec.saturationSpeed(20, 30);
      if (m < 0.95 && m > 0.05) {
        double err = Math.hypot(f.u()[i] - g.u()[i], f.v()[i] - g.v()[i]);
        double angleBound = FlowRgbCodec.angleErrorBound8Bit(m) * Math.hypot(f.u()[i], f.v()[i]);
        assertThat(err).isLessThanOrEqualTo(bound + angleBound + 1e-6);
      }
    }
  }

  /** The failure contract: exit 2, one line on stderr, and no output file or folder. */
  static String fails(Path out, String... args) {
    Cli c = Cli.run(Stream.concat(Stream.of("flow"), Stream.of(args)).toArray(String[]::new));
    assertThat(c.exit()).as(c.err() + c.out()).isEqualTo(2);
    String err = c.err().strip();
    assertThat(err).startsWith("videojam: error: ").doesNotContain("\n").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
    return err;
  }

  @Test
  void badInputs() throws Exception {
    Path out = tmp.resolve("bad/out.mp4");
    Files.createDirectories(out.getParent());
    assertThat(fails(out, tmp.resolve("nope.mp4").toString(), "--out", out.toString())).contains("nope.mp4 not found");
    Path junk = Files.write(tmp.resolve("junk.mp4"), new byte[] {0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    assertThat(fails(out, junk.toString(), "--out", out.toString())).contains("junk.mp4");
    Path empty = Files.write(tmp.resolve("empty.mp4"), new byte[0]);
    assertThat(fails(out, empty.toString(), "--out", out.toString())).contains("empty.mp4");
    Path one = tmp.resolve("one.mp4");
    Mp4Writer.write(one, MovingScene.render(1), 12, 1);
    assertThat(fails(out, one.toString(), "--out", out.toString())).contains("at least two frames");
    assertThat(fails(out, clip.toString(), "--out", out.toString(), "--estimator", "raft")).contains("raft");
    assertThat(fails(out, clip.toString(), "--out", out.toString(), "--estimator", "magic")).contains("unknown --estimator 'magic'");
    assertThat(fails(out, clip.toString(), "--out", out.toString(), "--alignment", "middle")).contains("duplicate-first");
    assertThat(fails(tmp.resolve("bad/out.avi"), clip.toString(), "--out", tmp.resolve("bad/out.avi").toString())).contains(".mp4 or .gif");
  }

  @Test
  void framesOfDifferentSizesAndBadFloFiles() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("frames"));
    PngWriter.write(dir.resolve("0000.png"), new BufferedImage(16, 16, BufferedImage.TYPE_3BYTE_BGR));
    PngWriter.write(dir.resolve("0001.png"), new BufferedImage(20, 16, BufferedImage.TYPE_3BYTE_BGR));
    Path out = tmp.resolve("sizes/out.mp4");
    assertThat(fails(out, dir.toString(), "--out", out.toString())).contains("different sizes");

    ByteBuffer b = ByteBuffer.allocate(12 + 2 * 2 * 4 * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.putFloat(202021.25f).putInt(2).putInt(2);
    for (int i = 0; i < 8; i++) {
      b.putFloat(i == 5 ? Float.NaN : 0.5f);
    }
    Path nan = Files.write(tmp.resolve("nan.flo"), b.array());
    Path png = tmp.resolve("nan.png");
    assertThat(fails(png, nan.toString(), "--out", png.toString())).contains("nan.flo");
    b.putFloat(12 + 5 * 4, 3e7f);
    Path huge = Files.write(tmp.resolve("huge.flo"), b.array());
    assertThat(fails(png, huge.toString(), "--out", png.toString())).contains("huge.flo");
  }
}
