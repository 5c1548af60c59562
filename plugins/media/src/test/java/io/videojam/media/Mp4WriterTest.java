package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4WriterTest {
  @TempDir Path dir;

  @Test
  void writesScale1ClipThatDecodesToTheSameContent() throws Exception {
    Path mp4 = dir.resolve("clip.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 8.0);

    VideoReader.Decoded decoded = VideoReader.decode(mp4, Integer.MAX_VALUE);
    List<BufferedImage> frames = decoded.frames();
    assertThat(frames).hasSize(Synthetic.FRAMES);
    assertThat(decoded.fps()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(1e-6));
    assertContent(frames, 1);
    assertThat(listNames()).containsExactly("clip.mp4"); // no temporary file left
  }

  @Test
  void writesAutoScaledTensorAt256() throws Exception {
    FloatTensor video = Frames.fromImages(Synthetic.clip());
    int scale = Frames.autoScale(32, 32);
    assertThat(scale).isEqualTo(8);
    Path mp4 = dir.resolve("auto.mp4");
    Mp4Writer.write(mp4, video, 12.0, 0);

    FloatTensor back = VideoReader.read(mp4);
    assertThat(back.shape()).containsExactly(3, 12, 256, 256);
    assertContent(Frames.toImages(back, 1), scale);
  }

  @Test
  void fileIsBrowserFriendlyH264() throws Exception {
    Path mp4 = dir.resolve("web.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 24.0);
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
      g.start();
      assertThat(g.getFormat()).contains("mp4");
      assertThat(g.getVideoCodec()).isEqualTo(avcodec.AV_CODEC_ID_H264);
      assertThat(g.getFrameRate()).isEqualTo(24.0);
      AVCodecParameters par = g.getFormatContext().streams(g.getFormatContext().nb_streams() - 1).codecpar();
      assertThat(par.format()).isEqualTo(avutil.AV_PIX_FMT_YUV420P);
      assertThat(par.profile()).isEqualTo(avcodec.AV_PROFILE_H264_HIGH);
      assertThat(par.color_space()).isEqualTo(avutil.AVCOL_SPC_SMPTE170M);
      assertThat(par.color_range()).isEqualTo(avutil.AVCOL_RANGE_MPEG);
      assertThat(g.hasAudio()).isFalse();
    }
    // +faststart: the index (moov) comes before the media data (mdat)
    String head = new String(Files.readAllBytes(mp4), StandardCharsets.ISO_8859_1);
    assertThat(head.indexOf("moov")).isPositive().isLessThan(head.indexOf("mdat"));
  }

  @Test
  void padsOddSizesToEven() {
    List<BufferedImage> frames = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      BufferedImage img = new BufferedImage(33, 31, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 31; y++) {
        for (int x = 0; x < 33; x++) {
          img.setRGB(x, y, 0x6080a0);
        }
      }
      frames.add(img);
    }
    Path mp4 = dir.resolve("odd.mp4");
    Mp4Writer.write(mp4, frames, 10);
    List<BufferedImage> back = VideoReader.readImages(mp4);
    assertThat(back).hasSize(3);
    assertThat(back.get(0).getWidth()).isEqualTo(34);
    assertThat(back.get(0).getHeight()).isEqualTo(32);
    assertThat(Synthetic.diff(back.get(2).getRGB(33, 31), 0x6080a0)).isLessThan(6);
  }

  @Test
  void failureNamesTheFileAndLeavesNothing() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    Path mp4 = file.resolve("clip.mp4");
    assertThatThrownBy(() -> Mp4Writer.write(mp4, Synthetic.clip(), 8))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(mp4.toString())
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> Mp4Writer.write(dir.resolve("a.mp4"), List.of(), 8))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("a.mp4");
    assertThatThrownBy(() -> Mp4Writer.write(dir.resolve("b.mp4"), Synthetic.clip(), 0))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("b.mp4");
    assertThat(listNames()).containsExactly("plain.txt");
  }

  @Test
  void replacesAnExistingFile() throws Exception {
    Path mp4 = Files.writeString(dir.resolve("old.mp4"), "not a video");
    Mp4Writer.write(mp4, Synthetic.clip().subList(0, 2), 8);
    assertThat(VideoReader.readImages(mp4)).hasSize(2);
    assertThat(listNames()).containsExactly("old.mp4");
  }

  @Test
  void streamedFramesWriteTheSameFileAsAListAndSubImagesAreReadThroughTheirOffsets() throws Exception {
    List<BufferedImage> clip = Synthetic.clip();
    Mp4Writer.write(dir.resolve("list.mp4"), clip, 8.0);
    java.util.Iterator<BufferedImage> it = clip.iterator();
    int n = Mp4Writer.write(dir.resolve("stream.mp4"), 32, 32, 8.0, Mp4Writer.DEFAULT_CRF, Mp4Writer.DEFAULT_PRESET,
        () -> it.hasNext() ? it.next() : null);
    assertThat(n).isEqualTo(Synthetic.FRAMES);
    assertThat(Files.readAllBytes(dir.resolve("stream.mp4"))).isEqualTo(Files.readAllBytes(dir.resolve("list.mp4")));
    // the same frames as 32 x 32 windows of larger BGR images (not packed: rows 40 * 3 bytes apart, offset (5, 3))
    List<BufferedImage> windows = new ArrayList<>();
    for (BufferedImage f : clip) {
      BufferedImage big = new BufferedImage(40, 40, BufferedImage.TYPE_3BYTE_BGR);
      big.createGraphics().drawImage(f, 5, 3, null);
      windows.add(big.getSubimage(5, 3, 32, 32));
    }
    assertThat(Mp4Writer.packedBgr(windows.get(0))).isNull();
    assertThat(Mp4Writer.packedBgr(clip.get(0))).isNotNull();
    Mp4Writer.write(dir.resolve("windows.mp4"), windows, 8.0);
    assertThat(Files.readAllBytes(dir.resolve("windows.mp4"))).isEqualTo(Files.readAllBytes(dir.resolve("list.mp4")));
  }

  @Test
  void aFailingSourceIsRethrownAsItIsAndAWrongSizeNamesTheFrame() throws Exception {
    List<BufferedImage> clip = Synthetic.clip();
    int[] i = {0};
    IllegalStateException failure = new IllegalStateException("the decoder broke");
    assertThatThrownBy(() -> Mp4Writer.write(dir.resolve("a.mp4"), 32, 32, 8.0, 18, "veryfast", () -> {
      if (i[0] == 3) {
        throw failure;
      }
      return clip.get(i[0]++);
    })).isSameAs(failure);
    assertThatThrownBy(() -> Mp4Writer.write(dir.resolve("b.mp4"), 32, 32, 8.0, 18, "veryfast", () -> new BufferedImage(32, 30,
        BufferedImage.TYPE_3BYTE_BGR))).isInstanceOf(VideoJamException.class).hasMessageContaining("b.mp4")
        .hasMessageContaining("frame 0 is 32x30 but the video is 32x32");
    assertThatThrownBy(() -> Mp4Writer.write(dir.resolve("c.mp4"), 32, 32, 8.0, 18, "veryfast", () -> null))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("c.mp4").hasMessageContaining("there are no frames");
    assertThat(listNames()).isEmpty();
  }

  private void assertContent(List<BufferedImage> frames, int scale) {
    for (int t = 0; t < Synthetic.FRAMES; t++) {
      BufferedImage f = frames.get(t);
      assertThat(f.getWidth()).as("width").isEqualTo(32 * scale);
      assertThat(f.getHeight()).as("height").isEqualTo(32 * scale);
      assertThat(Synthetic.flatError(f, t, scale)).as("flat-area error, frame %d", t).isLessThan(6);
      if (t < Synthetic.MOVING) {
        double[] c = Synthetic.centroid(f);
        double ex = (Synthetic.squareX(t) + Synthetic.SQUARE / 2.0) * scale - 0.5;
        double ey = (Synthetic.squareY(t) + Synthetic.SQUARE / 2.0) * scale - 0.5;
        assertThat(Math.abs(c[0] - ex)).as("centroid x, frame %d", t).isLessThan(1);
        assertThat(Math.abs(c[1] - ey)).as("centroid y, frame %d", t).isLessThan(1);
      }
    }
  }

  private List<String> listNames() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
