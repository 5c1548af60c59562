package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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

  @Test
  void truncatedFileIsOneLine() throws Exception {
    Path mp4 = dir.resolve("full.mp4");
    Mp4Writer.write(mp4, Synthetic.clip(), 8);
    byte[] bytes = Files.readAllBytes(mp4);
    Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(bytes, bytes.length / 2));
    // a truncated file either yields the frames before the cut or fails with one line naming it
    try {
      assertThat(VideoReader.readImages(cut).size()).isBetween(1, Synthetic.FRAMES);
    } catch (VideoJamException e) {
      assertThat(e.getMessage()).contains(cut.toString()).doesNotContain("\n");
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
}
