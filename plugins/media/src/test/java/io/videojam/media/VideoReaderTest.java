package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoReaderTest {
  @TempDir Path dir;

  @Test
  void missingFileIsOneLineNamingIt() {
    Path missing = dir.resolve("missing.mp4");
    assertThatThrownBy(() -> VideoReader.read(missing))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessage("video file not found: " + missing)
        .hasNoCause();
  }

  @Test
  void randomBytesAreOneLineNamingTheFile() throws Exception {
    byte[] junk = new byte[4096];
    new Random(7).nextBytes(junk);
    Path file = Files.write(dir.resolve("junk.mp4"), junk);
    assertThatThrownBy(() -> VideoReader.read(file))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessageStartingWith("cannot read video " + file + ": ")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("avformat_open_input"); // FFmpeg's reason, not javacv's internals
  }

  @Test
  void emptyFileAndFolderAreOneLine() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.mp4"));
    assertThatThrownBy(() -> VideoReader.read(empty))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessage("cannot read video " + empty + ": the file is empty");
    assertThatThrownBy(() -> VideoReader.read(dir))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("folder");
  }

  /**
   * The reader's contract: it returns the frames it can decode, and fails with one line naming the
   * file when it decodes none. The 12-frame test clip (its index first, then the frames' data, the
   * key frame first and largest) cut in half keeps the index but loses most of the key frame: no
   * frame can be decoded, so exactly that error.
   */
  @Test
  void fileCutInsideItsFirstFrameIsOneLineNamingIt() throws Exception {
    Path mp4 = dir.resolve("full.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 8);
    byte[] bytes = Files.readAllBytes(mp4);
    Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> VideoReader.readImages(cut))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessage("cannot read video " + cut + ": no frame could be decoded (the file may be truncated or corrupt)");
  }

  /** Cut after most of its frames, a file yields those frames, identical to the same frames of the whole file. */
  @Test
  void fileCutNearItsEndYieldsTheFramesBeforeTheCut() throws Exception {
    Path mp4 = dir.resolve("full.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 8);
    byte[] bytes = Files.readAllBytes(mp4);
    List<BufferedImage> full = VideoReader.readImages(mp4);
    assertThat(full).hasSize(Synthetic.FRAMES);
    Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(bytes, bytes.length * 95 / 100));
    List<BufferedImage> part = VideoReader.readImages(cut);
    assertThat(part.size()).isBetween(1, Synthetic.FRAMES - 1);
    for (int i = 0; i < part.size(); i++) {
      assertThat(((DataBufferByte) part.get(i).getRaster().getDataBuffer()).getData())
          .as("frame %d", i).containsExactly(((DataBufferByte) full.get(i).getRaster().getDataBuffer()).getData());
    }
  }

  @Test
  void readsMaxFramesAndFormat() throws Exception {
    Path mp4 = dir.resolve("clip.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 10);
    VideoReader.Decoded d = VideoReader.decode(mp4, 5);
    assertThat(d.frames()).hasSize(5);
    assertThat(d.format().frames()).isEqualTo(5);
    assertThat(d.format().width()).isEqualTo(32);
    assertThat(d.format().height()).isEqualTo(32);
    assertThat(d.format().fps()).isEqualTo(10.0);
    assertThat(d.tensor().shape()).containsExactly(3, 5, 32, 32);
  }

  @Test
  void decodesGifThroughFfmpegToo() throws Exception {
    Path gif = dir.resolve("clip.gif");
    GifWriter.write(gif, Synthetic.clip(), 10);
    assertThat(VideoReader.readImages(gif)).hasSize(Synthetic.FRAMES);
  }

  @Test
  void streamedFramesAreTheDecodedOnesWithStrideAndCountAndTheContainerIsHeardFirst(@org.junit.jupiter.api.io.TempDir Path tmp) {
    Path mp4 = tmp.resolve("clip.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 8.0);
    java.util.List<java.awt.image.BufferedImage> all = VideoReader.decode(mp4, 100).frames();
    java.util.List<byte[]> got = new java.util.ArrayList<>();
    java.util.List<Integer> indices = new java.util.ArrayList<>();
    java.util.List<VideoReader.Probe> probes = new java.util.ArrayList<>();
    double fps = VideoReader.stream(mp4, 4, 3, 0, 0, new VideoReader.FrameSink() {
      @Override
      public void frame(int i, byte[] bgr, int w, int h) {
        org.assertj.core.api.Assertions.assertThat(probes).hasSize(1); // the container's word comes first
        org.assertj.core.api.Assertions.assertThat(w).isEqualTo(32);
        org.assertj.core.api.Assertions.assertThat(h).isEqualTo(32);
        indices.add(i);
        got.add(bgr);
      }

      @Override
      public void opened(VideoReader.Probe probe) {
        probes.add(probe);
      }
    });
    org.assertj.core.api.Assertions.assertThat(fps).isEqualTo(8.0 / 3);
    org.assertj.core.api.Assertions.assertThat(indices).containsExactly(0, 1, 2, 3);
    for (int k = 0; k < 4; k++) { // frames 0, 3, 6, 9
      byte[] expected = ((java.awt.image.DataBufferByte) all.get(3 * k).getRaster().getDataBuffer()).getData();
      org.assertj.core.api.Assertions.assertThat(got.get(k)).as("frame %d", 3 * k).isEqualTo(expected);
    }
    org.assertj.core.api.Assertions.assertThat(probes).containsExactly(new VideoReader.Probe(Synthetic.FRAMES, 8.0));
    // resized by the decoder; a failing sink stops the stream with its own exception
    int[] size = new int[2];
    IllegalStateException stop = new IllegalStateException("enough");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> VideoReader.stream(mp4, 100, 1, 20, 12, (i, bgr, w, h) -> {
      size[0] = w;
      size[1] = h;
      org.assertj.core.api.Assertions.assertThat(bgr).hasSize(3 * 20 * 12);
      throw stop;
    })).isSameAs(stop);
    org.assertj.core.api.Assertions.assertThat(size).containsExactly(20, 12);
  }
}
