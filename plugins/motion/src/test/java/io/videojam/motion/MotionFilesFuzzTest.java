package io.videojam.motion;

import io.videojam.api.PngBytes;

import io.videojam.api.Refusals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes the readers of motion files: Middlebury {@code .flo} ({@link FloFiles#read}) and Eq. 5 flow PNGs ({@link
 * FlowPng#read}). Whatever the file holds, reading either succeeds with a field of the size the header gives or
 * fails with a one-line {@link VideoJamException} naming the file; sizes are checked before anything is allocated.
 *
 * <p>The last byte picks the input (its two lowest bits): 0, the other bytes are a .flo file; 1, a .flo header with
 * a magic, width and height the fuzzer picks (huge, zero, negative) and some data; 2, the other bytes are a PNG; 3,
 * a PNG with header fields the fuzzer picks and valid CRCs. Seeds: {@code MotionFilesFuzzTestInputs/read/}.
 */
class MotionFilesFuzzTest {
  static final int[] SIDES = {0, 1, 2, 3, 7, 64, -1, 32768, 32769, 65535, 100_000, 1 << 20, Integer.MAX_VALUE,
      Integer.MIN_VALUE};

  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("motion-fuzz");
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  void read(FuzzedDataProvider data) throws IOException {
    int kind = data.consumeByte() & 3;
    if (kind < 2) {
      Path file = folder().resolve("flow.flo");
      Files.write(file, kind == 0 ? data.consumeRemainingAsBytes() : flo(data));
      try {
        FlowField f = FloFiles.read(file);
        if (f.u().length != (long) f.width() * f.height() || f.width() > FloFiles.MAX_SIDE || f.height() > FloFiles.MAX_SIDE) {
          throw new AssertionError("read a " + f.width() + "x" + f.height() + " field of " + f.u().length + " values");
        }
      } catch (VideoJamException e) {
        Refusals.check(e, "flow.flo");
      }
    } else {
      Path file = folder().resolve("flow.png");
      Files.write(file, kind == 2 ? data.consumeRemainingAsBytes() : PngBytes.png(side(data), side(data),
          data.pickValue(new int[] {1, 2, 4, 8, 16, 3}), data.pickValue(new int[] {0, 2, 3, 4, 6, 1}), data.consumeInt(0, 1),
          data.consumeBytes(4096)));
      try {
        FlowPng.Levels l = FlowPng.read(file);
        if (l.levels().length != 3L * l.width() * l.height()) {
          throw new AssertionError("read " + l.width() + "x" + l.height() + " with " + l.levels().length + " levels");
        }
      } catch (VideoJamException e) {
        Refusals.check(e, "flow.png");
      }
    }
  }

  private static int side(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(SIDES) : data.consumeInt(0, 300);
  }

  /** A .flo header the fuzzer picks and up to 4096 bytes of data. */
  private static byte[] flo(FuzzedDataProvider data) {
    float magic = data.consumeBoolean() ? FloFiles.MAGIC : Float.intBitsToFloat(Integer.reverseBytes(Float.floatToIntBits(FloFiles.MAGIC)));
    int width = side(data);
    int height = side(data);
    byte[] body = data.consumeBytes(4096);
    return ByteBuffer.allocate(12 + body.length).order(ByteOrder.LITTLE_ENDIAN).putFloat(magic).putInt(width).putInt(height)
        .put(body).array();
  }
}
