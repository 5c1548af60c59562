package io.videojam.motion;

import io.videojam.api.AtomicFiles;

import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Middlebury {@code .flo} files: the float 202021.25 (the bytes "PIEH"), int32 width, int32 height,
 * then (u, v) pairs as float32, row by row; everything little-endian.
 *
 * <p>Reading checks the file and fails with a one-line {@link VideoJamException} that names the
 * file and the problem: missing, not a .flo file (wrong magic; a big-endian file is named as
 * such), a width or height of 0 or more than 32768 ({@code 1 << 15}), truncated or with bytes
 * after the data, a NaN, or a huge value (infinite, or |value| &gt; 1e5 pixels).
 *
 * <p><b>Unknown flow.</b> The Middlebury ground truth marks pixels without flow with 1e9 (and
 * readers treat |value| &gt; 1e9 as unknown). This project has no notion of unknown flow, so
 * such files are <em>rejected</em> as huge, with a hint; replace the markers before reading.
 *
 * <p>Writing is atomic (see {@link AtomicFiles}) and refuses the same values reading refuses, so
 * that every written file reads back, bit for bit.
 */
public final class FloFiles {
  /** The first four bytes as a little-endian float ("PIEH"). */
  public static final float MAGIC = 202021.25f;
  /** The largest width or height accepted. */
  public static final int MAX_SIDE = 1 << 15;
  /** The largest |u| or |v| accepted, in pixels. */
  public static final float HUGE = 1e5f;

  private static final int HEADER_BYTES = 12;

  private FloFiles() {}

  /**
   * Reads a .flo file.
   *
   * @throws VideoJamException naming the file and the problem
   */
  public static FlowField read(Path file) {
    if (Files.isDirectory(file)) {
      throw bad(file, "is a folder, not a .flo file; give the file's path");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < HEADER_BYTES) {
        throw bad(file, "truncated: " + size + " bytes, a .flo header alone has " + HEADER_BYTES);
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, header);
      header.flip();
      int magicBits = header.getInt();
      int width = header.getInt();
      int height = header.getInt();
      float magic = Float.intBitsToFloat(magicBits);
      if (magic != MAGIC) {
        if (Float.intBitsToFloat(Integer.reverseBytes(magicBits)) == MAGIC) {
          throw bad(file, "big-endian .flo file; the format is little-endian (write it with FloFiles.write)");
        }
        throw bad(file, "not a .flo file (magic " + magic + ", expected " + MAGIC
            + " = \"PIEH\"); give a Middlebury .flo file");
      }
      if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
        throw bad(file, "implausible size " + width + "x" + height + " (each side must be 1.." + MAX_SIDE
            + "); the file is damaged");
      }
      long expected = HEADER_BYTES + 8L * width * height;
      if (size < expected) {
        throw bad(file, "truncated: " + size + " bytes, a " + width + "x" + height + " flow needs " + expected);
      }
      if (size > expected) {
        throw bad(file, (size - expected) + " unexpected bytes after the " + width + "x" + height
            + " flow (" + expected + " bytes expected); the header or the data is damaged");
      }
      float[] u = new float[width * height];
      float[] v = new float[width * height];
      int rowsPerRead = Math.max(1, (1 << 20) / (8 * width));
      ByteBuffer rows = ByteBuffer.allocate(8 * width * Math.min(rowsPerRead, height)).order(ByteOrder.LITTLE_ENDIAN);
      for (int y0 = 0; y0 < height; y0 += rowsPerRead) {
        int count = Math.min(rowsPerRead, height - y0);
        rows.clear().limit(8 * width * count);
        readFully(channel, rows);
        rows.flip();
        int first = y0 * width;
        for (int i = first; i < first + count * width; i++) {
          u[i] = rows.getFloat();
          v[i] = rows.getFloat();
        }
      }
      String problem = checkValues(u, v, width);
      if (problem != null) {
        throw bad(file, problem);
      }
      return new FlowField(height, width, u, v);
    } catch (NoSuchFileException e) {
      throw new VideoJamException(file + ": no such .flo file; check the path");
    } catch (IOException e) {
      throw new VideoJamException(file + ": cannot read the .flo file (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()) + ")", e);
    }
  }

  /**
   * Writes a .flo file atomically (the old file, if any, stays until the new one is complete).
   *
   * @throws VideoJamException when the flow has a value that reading would refuse (NaN, infinite
   *     or |value| &gt; 1e5), or when the file cannot be written; nothing is left behind either way
   */
  public static void write(Path file, FlowField flow) {
    String problem = checkValues(flow.u(), flow.v(), flow.width());
    if (problem != null) {
      throw new VideoJamException("cannot write .flo file " + file + ": the flow has a " + problem);
    }
    int width = flow.width();
    int height = flow.height();
    float[] u = flow.u();
    float[] v = flow.v();
    AtomicFiles.writeStream(file, ".flo file", out -> {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      header.putFloat(MAGIC).putInt(width).putInt(height);
      out.write(header.array());
      ByteBuffer row = ByteBuffer.allocate(8 * width).order(ByteOrder.LITTLE_ENDIAN);
      for (int y = 0; y < height; y++) {
        row.clear();
        for (int i = y * width; i < (y + 1) * width; i++) {
          row.putFloat(u[i]).putFloat(v[i]);
        }
        out.write(row.array());
      }
    });
  }

  /** The first bad value as "NaN ..." or "huge ..." text, or null when all are fine. */
  private static String checkValues(float[] u, float[] v, int width) {
    for (int i = 0; i < u.length; i++) {
      for (int c = 0; c < 2; c++) {
        float value = c == 0 ? u[i] : v[i];
        String where = (c == 0 ? "u" : "v") + " at x = " + i % width + ", y = " + i / width;
        if (Float.isNaN(value)) {
          return "NaN value (" + where + "); the flow is damaged";
        }
        if (!(Math.abs(value) <= HUGE)) {
          return "huge value " + value + " (" + where + "; more than " + (int) HUGE + " px"
              + (Math.abs(value) >= 1e9f ? ", Middlebury's 'unknown flow' marker, which is not supported" : "")
              + "); replace such values first";
        }
      }
    }
    return null;
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static VideoJamException bad(Path file, String problem) {
    return new VideoJamException(file + ": " + problem);
  }
}
