package io.videojam.media;

import io.videojam.api.PngBytes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files whose headers ask for more memory than a video may take, found by MediaFuzzTest: each is refused in one line
 * before the frames are allocated. Before: the exception in the comment.
 */
class MediaLimitsTest {
  @TempDir
  Path dir;

  @Test
  void aGifWhoseScreenIs65535Squared() throws IOException {
    // OutOfMemoryError (the 65535 x 65535 ARGB canvas, 17 GB) or a timeout while the heap thrashed
    Path gif = dir.resolve("screen.gif");
    Files.write(gif, GifBytes.gif(65535, 65535, 1, 0, 0, 4, 4, 0, -1, new byte[] {0x44, 0x01}));
    assertThatThrownBy(() -> GifReader.read(gif)).isInstanceOf(VideoJamException.class)
        .hasMessage("cannot read GIF " + gif + ": a frame of 65535 x 65535 pixels is over the limit of 67108864 pixels (8192 x 8192);"
            + " the file is damaged, or resize the video first");
  }

  @Test
  void aGifFrameLargerThanItsScreen() throws IOException {
    // the reader allocated the frame its image descriptor gives (20000 x 20000) before decoding a byte of it
    Path gif = dir.resolve("frame.gif");
    Files.write(gif, GifBytes.gif(16, 16, 1, 0, 0, 20000, 20000, 0, -1, new byte[] {0x44, 0x01}));
    assertThatThrownBy(() -> GifReader.read(gif)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("a frame of 20000 x 20000 pixels is over the limit");
  }

  @Test
  void framesThatTogetherNeedMoreThanTheHeap() throws IOException {
    // OutOfMemoryError in Frames.fromImages: every frame of a GIF is a full canvas (here 5000 of 4096 x 4096)
    Path gif = dir.resolve("many.gif");
    Files.write(gif, GifBytes.gif(4096, 4096, 5000, 0, 0, 1, 1, 0, 0, new byte[] {0x44, 0x01}));
    assertThatThrownBy(() -> GifReader.read(gif)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("5000 frames of 4096 x 4096 pixels need")
        .hasMessageContaining("read fewer frames (--frames) or a smaller video, or give Java more memory");
  }

  @Test
  void aPngFrameOf20000Squared() throws IOException {
    // ImageIO allocated 1.2 GB and reported the OutOfMemoryError as "Caught exception during read"; at 30000 x 30000 an
    // IllegalArgumentException ("Invalid scanline stride") escaped Clips.read
    Path frames = Files.createDirectories(dir.resolve("frames"));
    for (int side : new int[] {20000, 30000}) {
      Files.write(frames.resolve("0001.png"), PngBytes.png(side, side, 8, 2, 0, new byte[100]));
      assertThatThrownBy(() -> Clips.read(frames, 4, 1, null)).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("cannot read frame " + frames.resolve("0001.png") + ": a frame of " + side + " x " + side + " pixels")
          .satisfies(e -> assertThat(e.getCause()).isNull());
    }
  }

  @Test
  void aDamagedPngFrameIsNamed() throws IOException {
    Path frames = Files.createDirectories(dir.resolve("frames"));
    Files.write(frames.resolve("0001.png"), PngBytes.png(4, 4, 8, 2, 0, new byte[3]));
    assertThatThrownBy(() -> Clips.read(frames, 4, 1, null)).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith("cannot read frame " + frames.resolve("0001.png") + ": ");
  }
}
