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
