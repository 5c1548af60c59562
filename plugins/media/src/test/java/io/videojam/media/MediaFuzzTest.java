package io.videojam.media;

import io.videojam.api.PngBytes;

import io.videojam.api.Refusals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the readers of videos and frames: {@link GifReader#read}, a folder of PNG or JPEG frames ({@link Clips#read}
 * through ImageIO) and any file FFmpeg decodes ({@link VideoReader#decode}). Whatever the file holds, reading either
 * succeeds with frames of one size within the limits or fails with a one-line {@link VideoJamException} naming the
 * file; sizes from headers are checked before frames are allocated (the fuzz forks' small heap makes an allocation
 * that was not a finding).
 *
 * <p>The last byte picks the input (its three lowest bits): 0, 2, 4, 7: the other bytes are a GIF, a PNG frame, a
 * video for FFmpeg, a JPEG frame; 1, 3: a GIF or PNG with header fields (screen, frame and descriptor sizes, offsets,
 * frame count, bit depth, colour type) the fuzzer picks; 5, 6: such a PNG or GIF decoded by FFmpeg. Seeds: {@code
 * MediaFuzzTestInputs/read/}.
 */
class MediaFuzzTest {
  static final int[] SIDES = {0, 1, 2, 3, 16, 255, 8192, 8193, 16384, 20000, 65535, 100_000, Integer.MAX_VALUE, -1};

  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("media-fuzz");
      Files.createDirectories(dir.resolve("frames"));
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  void read(FuzzedDataProvider data) throws IOException {
    int kind = data.consumeByte() & 7;
    Path d = folder();
    switch (kind) {
      case 0, 1 -> {
        Path gif = d.resolve("clip.gif");
        Files.write(gif, kind == 0 ? data.consumeRemainingAsBytes() : gif(data));
        try {
          GifReader.Gif g = GifReader.read(gif);
          check(g.frames().size(), g.frames().get(0));
          g.tensor();
        } catch (VideoJamException e) {
          Refusals.check(e, "clip.gif");
        }
      }
      case 2, 3, 7 -> {
        Path frames = d.resolve("frames");
        Path png = frames.resolve("frame.png");
        Path jpg = frames.resolve("frame.jpg");
        Files.deleteIfExists(kind == 7 ? png : jpg);
        Files.write(kind == 7 ? jpg : png, kind == 3 ? png(data) : data.consumeRemainingAsBytes());
        read(frames, "frame.");
      }
      default -> {
        Path video = d.resolve("video.bin");
        Files.write(video, kind == 4 ? data.consumeRemainingAsBytes() : kind == 5 ? png(data) : gif(data));
        read(video, "video.bin");
      }
    }
  }

  private static void read(Path source, String names) {
    try {
      VideoReader.Decoded v = Clips.read(source, 16, 1, null);
      check(v.frames().size(), v.frames().get(0));
      v.tensor();
      v.format();
    } catch (VideoJamException e) {
      Refusals.check(e, names);
    }
  }

  private static void check(int frames, BufferedImage first) {
    long pixels = (long) first.getWidth() * first.getHeight();
    if (pixels > VideoReader.MAX_FRAME_PIXELS || frames * pixels > VideoReader.maxPixels()) {
      throw new AssertionError("read " + frames + " frames of " + first.getWidth() + " x " + first.getHeight() + ", over the limits");
    }
  }

  private static int side(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(SIDES) : data.consumeInt(0, 64);
  }

  private static byte[] png(FuzzedDataProvider data) {
    return PngBytes.png(side(data), side(data), data.pickValue(new int[] {1, 2, 4, 8, 16, 3}), data.pickValue(new int[] {0, 2, 3, 4, 6, 1}),
        data.consumeInt(0, 1), data.consumeBytes(4096));
  }

  private static byte[] gif(FuzzedDataProvider data) {
    return GifBytes.gif(side(data), side(data), data.consumeBoolean() ? data.consumeInt(1, 3) : data.pickValue(new int[] {0, 200, 5000}),
        side(data), side(data), side(data), side(data), data.consumeInt(0, 7), data.consumeBoolean() ? -1 : data.consumeInt(0, 65535),
        data.consumeBytes(2048));
  }
}
