package io.videojam.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir Path dir;

  /** A file NumPy wrote (the shared diffusers fixture): np.array([999., 437.5], np.float32). */
  @Test
  void readsWhatNumpyWrote() {
    Path f = Path.of(System.getProperty("videojam.fixtures", "../shared/fixtures"), "diffusers-wan-tiny/ref/timestep.npy");
    assumeTrue(Files.isRegularFile(f), "the shared fixtures are not beside this checkout (" + f + ")");
    FloatTensor t = Npy.readFloat(f);
    assertThat(t.shape()).containsExactly(2);
    assertThat(t.data()).containsExactly(999f, 437.5f);
  }

  @Test
  void writesWhatItReadsWithANumpyHeader() throws Exception {
    float[] v = new float[2 * 3 * 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f - 3;
    }
    Path f = dir.resolve("a.npy");
    Npy.write(new FloatTensor(new long[] {2, 3, 4}, v), f);
    byte[] bytes = Files.readAllBytes(f);
    int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
    String header = new String(bytes, 10, headerLen, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }").endsWith("\n");
    assertThat((10 + headerLen) % 64).isZero();
    assertThat(bytes.length).isEqualTo(10 + headerLen + v.length * 4);
    FloatTensor back = Npy.readFloat(f);
    assertThat(back.shape()).containsExactly(2, 3, 4);
    assertThat(back.data()).containsExactly(v);
    Npy.write(new FloatTensor(new long[] {5}, Arrays.copyOf(v, 5)), f);
    assertThat(new String(Files.readAllBytes(f), 10, 60, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("'shape': (5,)");
  }

  @Test
  void refusesATruncatedOrOversizedArrayBeforeAllocating() throws Exception {
    Path f = dir.resolve("a.npy");
    Npy.write(new FloatTensor(new long[] {4}, new float[4]), f);
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(VideoJamException.class).hasMessageContaining("needs 16 data bytes, the file has 13");
    String big = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("(4,)", "(99999999999,)");
    Files.write(f, big.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> Npy.read(f)).hasMessageContaining("larger than");
    Files.write(f, new byte[] {1, 2, 3});
    assertThatThrownBy(() -> Npy.read(f)).hasMessageContaining("magic");
  }

  /** A file past 2 GiB (the largest byte array) is checked from its header, not read whole into memory. */
  @Test
  void aFileLargerThanAByteArrayIsCheckedWithoutReadingItWhole() throws Exception {
    Path f = dir.resolve("big.npy");
    Npy.write(new FloatTensor(new long[] {4}, new float[4]), f);
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength((1L << 31) + 64); // sparse: takes no disk space
    }
    assertThatThrownBy(() -> Npy.read(f)).isInstanceOf(VideoJamException.class).hasMessageContaining("needs 16 data bytes");
  }

  /** Arrays longer than one chunk, in every dtype, come back exactly. */
  @Test
  void readsAndWritesArraysLongerThanAChunk() throws Exception {
    int n = Npy.CHUNK * 2 + 17;
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(i) * i;
    }
    Path f = dir.resolve("long.npy");
    Npy.write(new FloatTensor(new long[] {n}, v), f);
    assertThat((Files.size(f) - 4L * n) % 64).isZero();
    assertThat(Npy.readFloat(f).data()).containsExactly(v);
    for (String descr : new String[] {"<f8", "<i8", "<i4"}) {
      int width = descr.endsWith("4") ? 4 : 8;
      String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + n + ",), }";
      while ((10 + header.length() + 1) % 64 != 0) {
        header += " ";
      }
      header += "\n";
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(10 + header.length() + width * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      b.put((byte) 0x93).put("NUMPY".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0)
          .putShort((short) header.length()).put(header.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      for (int i = 0; i < n; i++) {
        switch (descr) {
          case "<f8" -> b.putDouble(v[i]);
          case "<i8" -> b.putLong(i * 3L - 7);
          default -> b.putInt(i * 3 - 7);
        }
      }
      Path g = dir.resolve("long" + width + descr.charAt(1) + ".npy");
      Files.write(g, b.array());
      Tensor t = Npy.read(g);
      assertThat(t.shape()).containsExactly(n);
      if (descr.equals("<f8")) {
        assertThat(((FloatTensor) t).data()).containsExactly(v);
      } else {
        long[] l = ((LongTensor) t).data();
        assertThat(l[0]).isEqualTo(-7);
        assertThat(l[n - 1]).isEqualTo((n - 1) * 3L - 7);
        assertThat(l[Npy.CHUNK + 1]).isEqualTo((Npy.CHUNK + 1) * 3L - 7);
      }
    }
  }
}
