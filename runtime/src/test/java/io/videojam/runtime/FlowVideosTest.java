package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.media.Clips;
import io.videojam.media.Frames;
import io.videojam.media.Mp4Writer;
import io.videojam.media.PngWriter;
import io.videojam.media.VideoReader;
import io.videojam.motion.FlowAlignment;
import io.videojam.motion.FlowRgb;
import io.videojam.motion.FlowRgbCodec;
import io.videojam.motion.FlowStats;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The streamed motion video against the whole-clip path it replaces in the flow command:
 * {@link FlowRgb#encode} on the clip read whole, then the frames as 8-bit levels. The estimator is
 * a stand-in whose flow depends on both frames and on the pixel (so pair order, frame order,
 * alignment and a transposed H and W show), and whose runs take random times (so pairs finish out
 * of order).
 */
class FlowVideosTest {
  private static final int H = 20;
  private static final int W = 24;

  @TempDir
  Path dir;

  /** u = 40 (second - first) in red, v = 40 (second - first) in green, plus the column and row. */
  static final class Difference implements FlowEstimator {
    static final AtomicInteger FAIL_AT = new AtomicInteger(-1);
    static final AtomicInteger CALLS = new AtomicInteger();

    @Override
    public FlowField estimate(FloatTensor first, FloatTensor second) {
      int call = CALLS.getAndIncrement();
      if (call == FAIL_AT.get()) {
        throw new VideoJamException("the stand-in estimator failed on purpose");
      }
      try {
        Thread.sleep(ThreadLocalRandom.current().nextInt(3));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      int h = (int) first.shape()[1];
      int w = (int) first.shape()[2];
      int n = h * w;
      float[] u = new float[n];
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        u[i] = 40 * (second.data()[i] - first.data()[i]) + 0.1f * (i % w);
        v[i] = 40 * (second.data()[n + i] - first.data()[n + i]) - 0.05f * (i / w);
      }
      return new FlowField(h, w, u, v);
    }

    @Override
    public void close() {}
  }

  private static FlowRgb rep(FlowAlignment alignment, int threads) {
    return new FlowRgb(new FlowRgbCodec(0.15), "difference", Difference::new, alignment, threads);
  }

  /** Frames whose colours change from frame to frame by a different amount at every pixel. */
  private static List<BufferedImage> frames(int count) {
    List<BufferedImage> out = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_3BYTE_BGR);
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int r = (int) (127 + 120 * Math.sin(0.3 * x + 0.2 * y + 0.7 * t));
          int g = (int) (127 + 120 * Math.cos(0.25 * x - 0.35 * y + 0.4 * t * t));
          int b = (17 * x + 31 * y + 53 * t) & 0xff;
          img.setRGB(x, y, (r << 16) | (g << 8) | b);
        }
      }
      out.add(img);
    }
    return out;
  }

  /** The motion frames of the whole-clip path, as 8-bit RGB per pixel. */
  private static List<BufferedImage> reference(List<BufferedImage> clip, FlowRgb rep) {
    FloatTensor motion = rep.encode(Frames.fromImages(clip), StepListener.NONE);
    return Frames.toImages(motion, 1);
  }

  private static void assertSameLevels(List<BufferedImage> got, List<BufferedImage> expected) {
    assertThat(got).hasSameSizeAs(expected);
    int exact = 0;
    int total = 0;
    for (int t = 0; t < got.size(); t++) {
      assertThat(got.get(t).getWidth()).isEqualTo(expected.get(t).getWidth());
      assertThat(got.get(t).getHeight()).isEqualTo(expected.get(t).getHeight());
      for (int y = 0; y < got.get(t).getHeight(); y++) {
        for (int x = 0; x < got.get(t).getWidth(); x++) {
          int a = got.get(t).getRGB(x, y);
          int b = expected.get(t).getRGB(x, y);
          for (int s = 0; s < 24; s += 8) {
            int d = Math.abs(((a >> s) & 0xff) - ((b >> s) & 0xff));
            // the stream renders round(255 c), the tensor path round((2c - 1 + 1) / 2 * 255): a level apart at most
            assertThat(d).as("frame %d pixel (%d, %d)", t, x, y).isLessThanOrEqualTo(1);
            exact += d == 0 ? 1 : 0;
            total++;
          }
        }
      }
    }
    assertThat((double) exact / total).isGreaterThan(0.99);
  }

  @ParameterizedTest
  @CsvSource({"duplicate-first, 1", "duplicate-last, 3", "zero-first, 2", "duplicate-first, 3"})
  void aFolderOfFramesStreamsToTheMotionFramesOfTheWholeClip(String alignment, int threads) {
    List<BufferedImage> clip = frames(9);
    PngWriter.writeFrames(dir.resolve("in"), clip);
    FlowAlignment a = FlowAlignment.parse(alignment);
    List<int[]> progress = new ArrayList<>();
    FlowVideos.Result r;
    try (FlowRgb rep = rep(a, threads)) {
      r = FlowVideos.write(new FlowVideos.Request(dir.resolve("in"), dir.resolve("out"), 100, 1, null, 1), rep,
          (done, total) -> progress.add(new int[] {done, total}));
    }
    try (FlowRgb rep = rep(a, 1)) {
      assertSameLevels(PngWriter.readFrames(dir.resolve("out/frames")), reference(clip, rep));
      List<FlowField> flows = rep.flows(Frames.fromImages(clip), StepListener.NONE);
      FlowStats expected = FlowStats.of(flows, rep.codec().saturationSpeed(H, W));
      assertThat(r.stats()).isEqualTo(expected);
    }
    assertThat(r.frames()).isEqualTo(9);
    assertThat(r.width()).isEqualTo(W);
    assertThat(r.height()).isEqualTo(H);
    assertThat(r.fps()).isEqualTo(24.0); // a folder has no rate: 24, as Clips reads it
    assertThat(progress).hasSize(8);
    assertThat(progress.get(7)).containsExactly(8, 8);
    assertThat(r.timings().wall()).isPositive();
  }

  @Test
  void aVideoStreamsToTheMotionFramesOfItsDecodedFramesAndStrideAndFramesCountAsForClips() {
    List<BufferedImage> clip = frames(12);
    Path mp4 = dir.resolve("in.mp4");
    Mp4Writer.write(mp4, clip, 12);
    try (FlowRgb rep = rep(FlowAlignment.DUPLICATE_FIRST, 2)) {
      FlowVideos.Result r = FlowVideos.write(new FlowVideos.Request(mp4, dir.resolve("out"), 4, 2, null, 2), rep, StepListener.NONE);
      // the frames the whole-clip path reads with the same stride and count: 0, 2, 4, 6
      VideoReader.Decoded decoded = Clips.read(mp4, 4, 2, null);
      List<BufferedImage> expected = new ArrayList<>();
      for (BufferedImage img : reference(decoded.frames(), rep)) {
        expected.add(Frames.upscale(img, 2));
      }
      assertSameLevels(PngWriter.readFrames(dir.resolve("out/frames")), expected);
      assertThat(r.frames()).isEqualTo(4);
      assertThat(r.scale()).isEqualTo(2);
      assertThat(r.fps()).isEqualTo(6.0); // 12 fps at stride 2
    }
  }

  @Test
  void aVideoIsResizedByTheDecoderAndWrittenAsMp4() {
    Path mp4 = dir.resolve("in.mp4");
    Mp4Writer.write(mp4, frames(6), 10);
    try (FlowRgb rep = rep(FlowAlignment.DUPLICATE_FIRST, 2)) {
      FlowVideos.Result r = FlowVideos.write(new FlowVideos.Request(mp4, dir.resolve("m.mp4"), 100, 1, new Clips.Size(12, 10), 3), rep,
          StepListener.NONE);
      assertThat(r.width()).isEqualTo(12);
      assertThat(r.height()).isEqualTo(10);
      VideoReader.Decoded written = VideoReader.decode(dir.resolve("m.mp4"), 100);
      assertThat(written.frames()).hasSize(6);
      assertThat(written.frames().get(0).getWidth()).isEqualTo(36);
      assertThat(written.frames().get(0).getHeight()).isEqualTo(30);
      assertThat(written.fps()).isEqualTo(10.0);
    }
  }

  @Test
  void anEstimatorFailureIsReportedAndLeavesNoOutput() throws Exception {
    PngWriter.writeFrames(dir.resolve("in"), frames(10));
    Difference.CALLS.set(0);
    Difference.FAIL_AT.set(4);
    try (FlowRgb rep = rep(FlowAlignment.DUPLICATE_FIRST, 3)) {
      assertThatThrownBy(() -> FlowVideos.write(new FlowVideos.Request(dir.resolve("in"), dir.resolve("m.mp4"), 100, 1, null, 1), rep,
          StepListener.NONE)).isInstanceOf(VideoJamException.class).hasMessage("the stand-in estimator failed on purpose");
    } finally {
      Difference.FAIL_AT.set(-1);
    }
    try (Stream<Path> left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("in");
    }
  }

  @Test
  void oneFrameAndBadRequestsAreRefusedInOneLine() {
    PngWriter.writeFrames(dir.resolve("one"), frames(1));
    try (FlowRgb rep = rep(FlowAlignment.DUPLICATE_FIRST, 2)) {
      assertThatThrownBy(() -> FlowVideos.write(new FlowVideos.Request(dir.resolve("one"), dir.resolve("m.mp4"), 100, 1, null, 1), rep,
          StepListener.NONE)).isInstanceOf(VideoJamException.class).hasMessageContaining("flow needs at least two frames")
          .hasMessageContaining("gave 1");
      assertThatThrownBy(() -> FlowVideos.write(new FlowVideos.Request(dir.resolve("one"), dir.resolve("m.avi"), 100, 1, null, 1), rep,
          StepListener.NONE)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("out ").hasMessageContaining(".mp4 or .gif");
    }
    assertThat(dir.resolve("m.mp4")).doesNotExist();
    assertThatThrownBy(() -> new FlowVideos.Request(dir, dir.resolve("m.mp4"), 1, 1, null, 1)).hasMessage(
        "frames must be >= 2 (flow needs two frames), got 1");
    assertThatThrownBy(() -> new FlowVideos.Request(dir, dir.resolve("m.mp4"), 2, 0, null, 1)).hasMessage("stride must be >= 1, got 0");
    assertThatThrownBy(() -> new FlowVideos.Request(dir, dir.resolve("m.mp4"), 2, 1, null, 65)).hasMessageStartingWith("scale must be");
  }
}
