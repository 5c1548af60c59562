package io.videojam.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes {@link Npy#read} (noise, latents, embeddings, extra inputs): whatever the file holds, reading either gives a
 * tensor whose shape matches its data or fails with a one-line {@link VideoJamException} naming the file; the shape
 * is checked against the file's length before anything is allocated.
 *
 * <p>The last byte picks the input (its lowest bit): 0, the other bytes are the file; 1, a .npy with a version,
 * header length, dtype, order and shape the fuzzer picks (huge, negative, overflowing dims) and some data. Seeds:
 * {@code NpyFuzzTestInputs/read/}.
 */
class NpyFuzzTest {
  static final String[] DIMS = {"0", "1", "2", "3", "-1", "4096", "2147483647", "2147483648", "9223372036854775807",
      "99999999999999999999", "1e3", "", " ", "x"};

  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("npy-fuzz");
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({"'descr'", "'<f4'", "'<f8'", "'<i8'", "'<i4'", "'fortran_order'", "False", "'shape'", "NUMPY"})
  void read(FuzzedDataProvider data) throws IOException {
    Path file = folder().resolve("array.npy");
    Files.write(file, (data.consumeByte() & 1) == 0 ? data.consumeRemainingAsBytes() : npy(data));
    Tensor t;
    try {
      t = Npy.read(file);
    } catch (VideoJamException e) {
      Refusals.check(e, "array.npy");
      return;
    }
    long n = Shapes.count(t.shape());
    long held = t instanceof FloatTensor f ? f.data().length : ((LongTensor) t).data().length;
    if (n != held) {
      throw new AssertionError("shape " + java.util.Arrays.toString(t.shape()) + " but " + held + " values");
    }
  }

  private static byte[] npy(FuzzedDataProvider data) {
    int version = data.pickValue(new int[] {1, 2, 3, 0, 4});
    StringBuilder shape = new StringBuilder("(");
    for (int r = data.consumeInt(0, 5); r > 0; r--) {
      shape.append(data.consumeBoolean() ? data.pickValue(DIMS) : Long.toString(data.consumeLong())).append(", ");
    }
    String header = "{'descr': '" + data.pickValue(new String[] {"<f4", "<f8", "<i8", "<i4", ">f4", "|u1"}) + "', 'fortran_order': "
        + (data.consumeInt(0, 7) == 0 ? "True" : "False") + ", 'shape': " + shape + "), }";
    byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
    int declared = data.consumeBoolean() ? h.length : data.consumeInt();
    byte[] body = data.consumeBytes(4096);
    ByteBuffer b = ByteBuffer.allocate(12 + h.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.ISO_8859_1)).put((byte) version).put((byte) 0);
    if (version == 1) {
      b.putShort((short) declared);
    } else {
      b.putInt(declared);
    }
    b.put(h).put(body);
    return java.util.Arrays.copyOf(b.array(), b.position());
  }
}
