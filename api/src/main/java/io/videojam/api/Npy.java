package io.videojam.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files (format 1.0-3.0) of little-endian float32, float64 (read as float32),
 * int64 or int32 in C order: the interchange format for latents, noise and embeddings. Sizes are
 * checked against the file length before anything is allocated.
 */
public final class Npy {
  /** The largest array read: 2^31 - 1 elements (a Java array). */
  public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /** The largest header read (NumPy's own headers are a few hundred bytes). */
  static final int MAX_HEADER = 1 << 20;
  /** Elements per read or write chunk. */
  static final int CHUNK = 1 << 16;

  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern ORDER = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  /** Reads a float array ({@code <f4}, or {@code <f8} narrowed); integer arrays are refused. */
  public static FloatTensor readFloat(Path file) {
    Tensor t = read(file);
    if (t instanceof FloatTensor f) {
      return f;
    }
    throw new VideoJamException(file + " holds integers; a float32 array is needed here (np.save(f, a.astype(np.float32)))");
  }

  /** Reads a float ({@link FloatTensor}) or integer ({@link LongTensor}) array. */
  public static Tensor read(Path file) {
    // the header is read first and the data streamed in chunks: a file may be larger than a byte array (2 GiB)
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size > MAX_ELEMENTS * 8 + MAX_HEADER + 12) {
        throw new VideoJamException(file + " is " + size + " bytes, larger than the largest array read (" + MAX_ELEMENTS + " elements)");
      }
      ByteBuffer pre = ByteBuffer.allocate((int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, pre, 0);
      byte[] bytes = pre.array();
      if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93 || !new String(bytes, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
        throw bad(file, "it does not start with the .npy magic \\x93NUMPY");
      }
      int major = bytes[6];
      long headerLen;
      int start;
      if (major == 1) {
        headerLen = Short.toUnsignedInt(pre.getShort(8));
        start = 10;
      } else if (major == 2 || major == 3) {
        if (bytes.length < 12) {
          throw bad(file, "the header is cut short");
        }
        headerLen = Integer.toUnsignedLong(pre.getInt(8));
        start = 12;
      } else {
        throw bad(file, "format version " + major + " is not 1, 2 or 3");
      }
      if (start + headerLen > size) {
        throw bad(file, "the header (" + headerLen + " bytes) runs past the end of the file");
      }
      if (headerLen > MAX_HEADER) {
        throw bad(file, "the header is " + headerLen + " bytes, more than " + MAX_HEADER);
      }
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      readFully(ch, hb, start);
      String header = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher o = ORDER.matcher(header);
      Matcher s = SHAPE.matcher(header);
      if (!d.find() || !o.find() || !s.find()) {
        throw bad(file, "the header has no descr, fortran_order or shape");
      }
      if (o.group(1).equals("True")) {
        throw bad(file, "it is in Fortran order; save it with np.ascontiguousarray");
      }
      String descr = d.group(1);
      int width = switch (descr) {
        case "<f4", "<i4" -> 4;
        case "<f8", "<i8" -> 8;
        default -> throw bad(file, "dtype " + descr + " is not float32, float64, int32 or int64 (little-endian)");
      };
      String[] parts = s.group(1).split(",");
      long[] shape = Arrays.stream(parts).map(String::trim).filter(p -> !p.isEmpty()).mapToLong(p -> {
        try {
          return Long.parseLong(p);
        } catch (NumberFormatException e) {
          throw bad(file, "the shape (" + s.group(1) + ") is not a tuple of sizes");
        }
      }).toArray();
      long count = 1;
      for (long dim : shape) {
        if (dim < 0 || (dim > 0 && count > MAX_ELEMENTS / dim)) {
          throw bad(file, "the shape " + Arrays.toString(shape) + " is negative or larger than " + MAX_ELEMENTS + " elements");
        }
        count *= dim;
      }
      long data = start + headerLen;
      if (size - data != count * width) {
        throw bad(file, "the shape " + Arrays.toString(shape) + " of " + descr + " needs " + count * width + " data bytes, the file has "
            + (size - data));
      }
      int n = (int) count;
      boolean isFloat = descr.charAt(1) == 'f';
      float[] fv = isFloat ? new float[n] : null;
      long[] lv = isFloat ? null : new long[n];
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK * width).order(ByteOrder.LITTLE_ENDIAN);
      long at = data;
      for (int i = 0; i < n;) {
        int m = Math.min(CHUNK, n - i);
        chunk.clear().limit(m * width);
        readFully(ch, chunk, at);
        at += (long) m * width;
        chunk.flip();
        if (isFloat && width == 4) {
          chunk.asFloatBuffer().get(fv, i, m);
        } else {
          for (int k = 0; k < m; k++) {
            if (isFloat) {
              fv[i + k] = (float) chunk.getDouble();
            } else {
              lv[i + k] = width == 4 ? chunk.getInt() : chunk.getLong();
            }
          }
        }
        i += m;
      }
      return isFloat ? new FloatTensor(shape, fv) : new LongTensor(shape, lv);
    } catch (IOException e) {
      throw new VideoJamException("cannot read " + file + ": " + (Files.isDirectory(file) ? "it is a folder"
          : e instanceof java.nio.file.NoSuchFileException ? "no such file" : AtomicFiles.reason(e)));
    }
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long at = position;
    while (b.hasRemaining()) {
      int r = ch.read(b, at);
      if (r < 0) {
        throw new IOException("unexpected end of file");
      }
      at += r;
    }
  }

  /** Writes {@code t} as a float32 {@code .npy} (format 1.0). */
  public static void write(FloatTensor t, Path file) {
    StringBuilder shape = new StringBuilder("(");
    for (long d : t.shape()) {
      shape.append(d).append(", ");
    }
    if (t.shape().length > 1) {
      shape.setLength(shape.length() - 2);
    } else if (t.shape().length == 1) {
      shape.setLength(shape.length() - 1);
    }
    shape.append(')');
    StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }");
    while ((10 + header.length() + 1) % 64 != 0) {
      header.append(' ');
    }
    header.append('\n');
    ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    head.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0)
        .putShort((short) header.length());
    // the data goes out in chunks: one byte array of 4 bytes per element would overflow past 2^29 elements
    float[] v = t.data();
    ByteBuffer body = ByteBuffer.allocate(CHUNK * 4).order(ByteOrder.LITTLE_ENDIAN);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(head.array());
      out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
      for (int i = 0; i < v.length; i += CHUNK) {
        int m = Math.min(CHUNK, v.length - i);
        body.clear();
        body.asFloatBuffer().put(v, i, m);
        out.write(body.array(), 0, m * 4);
      }
    } catch (IOException e) {
      throw new VideoJamException("cannot write " + file + ": " + e.getMessage());
    }
  }

  private static VideoJamException bad(Path file, String why) {
    return new VideoJamException(file + " is not a readable .npy array: " + why);
  }

}
