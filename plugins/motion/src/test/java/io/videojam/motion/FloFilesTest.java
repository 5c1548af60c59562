package io.videojam.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FloFilesTest {
  @TempDir
  Path dir;

  /** Little-endian bytes written by hand, independent of FloFiles and ByteBuffer. */
  static void int32(ByteArrayOutputStream out, int value) {
    out.write(value & 0xFF);
    out.write((value >>> 8) & 0xFF);
    out.write((value >>> 16) & 0xFF);
    out.write((value >>> 24) & 0xFF);
  }

  static void float32(ByteArrayOutputStream out, float value) {
    int32(out, Float.floatToRawIntBits(value));
  }

  static byte[] handWritten(int width, int height, float[] uv) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {'P', 'I', 'E', 'H'}); // 202021.25f little-endian
    int32(out, width);
    int32(out, height);
    for (float f : uv) {
      float32(out, f);
    }
    return out.toByteArray();
  }

  private String[] folder() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
    }
  }

  @Test
  void roundTripIsExact() throws IOException {
    int h = 37;
    int w = 53;
    SplittableRandom random = new SplittableRandom(9);
    float[] u = new float[h * w];
    float[] v = new float[h * w];
    for (int i = 0; i < h * w; i++) {
      u[i] = (float) random.nextDouble(-500, 500);
      v[i] = (float) (random.nextGaussian() * 1e-3);
    }
    u[0] = -0.0f;
    v[0] = Float.MIN_VALUE;
    u[1] = 1e5f;
    v[1] = -1e5f;
    Path file = dir.resolve("flow.flo");
    FloFiles.write(file, new FlowField(h, w, u, v));
    assertThat(Files.size(file)).isEqualTo(12 + 8L * h * w);
    FlowField back = FloFiles.read(file);
    assertThat(back.height()).isEqualTo(h);
    assertThat(back.width()).isEqualTo(w);
    assertThat(back.u()).containsExactly(u); // Float.equals: bit for bit, -0.0 included
    assertThat(back.v()).containsExactly(v);
    assertThat(folder()).containsExactly("flow.flo");
    // overwriting replaces the file
    FloFiles.write(file, FlowField.zeros(2, 3));
    assertThat(FloFiles.read(file).width()).isEqualTo(3);
    assertThat(folder()).containsExactly("flow.flo");
  }

  @Test
  void readsAHandWrittenFileAndWritesTheSameBytes() throws IOException {
    // 3 wide, 2 high: (u, v) per pixel, row by row
    float[] uv = {1.5f, -2f, 0f, 0.25f, -3.75f, 100f, 7f, 8f, -0.5f, 0.125f, 1e-3f, -1e4f};
    byte[] bytes = handWritten(3, 2, uv);
    Path file = dir.resolve("hand.flo");
    Files.write(file, bytes);
    FlowField flow = FloFiles.read(file);
    assertThat(flow.width()).isEqualTo(3);
    assertThat(flow.height()).isEqualTo(2);
    assertThat(flow.u()).containsExactly(1.5f, 0f, -3.75f, 7f, -0.5f, 1e-3f);
    assertThat(flow.v()).containsExactly(-2f, 0.25f, 100f, 8f, 0.125f, -1e4f);
    // the magic float is the bytes "PIEH"
    assertThat(Float.intBitsToFloat('P' | 'I' << 8 | 'E' << 16 | 'H' << 24)).isEqualTo(FloFiles.MAGIC);
    Path copy = dir.resolve("copy.flo");
    FloFiles.write(copy, flow);
    assertThat(Files.readAllBytes(copy)).isEqualTo(bytes);
  }

  private void assertRefused(byte[] bytes, String... fragments) throws IOException {
    Path file = dir.resolve("bad.flo");
    Files.write(file, bytes);
    var thrown = assertThatThrownBy(() -> FloFiles.read(file)).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith(file.toString());
    for (String f : fragments) {
      thrown.hasMessageContaining(f);
    }
    thrown.satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void refusesBadFiles() throws IOException {
    float[] uv = new float[2 * 4 * 3];
    byte[] good = handWritten(4, 3, uv);
    byte[] wrongMagic = good.clone();
    wrongMagic[0] = 'X';
    assertRefused(wrongMagic, "not a .flo file");
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
    assertRefused(png, "not a .flo file");
    byte[] bigEndian = good.clone();
    bigEndian[0] = 'H';
    bigEndian[1] = 'E';
    bigEndian[2] = 'I';
    bigEndian[3] = 'P';
    assertRefused(bigEndian, "big-endian");
    assertRefused(Arrays.copyOf(good, good.length - 1), "truncated", "4x3", "108");
    assertRefused(Arrays.copyOf(good, 12), "truncated");
    assertRefused(Arrays.copyOf(good, 7), "truncated", "7 bytes");
    assertRefused(new byte[0], "truncated");
    assertRefused(Arrays.copyOf(good, good.length + 8), "8 unexpected bytes");
    assertRefused(handWritten(0, 3, new float[0]), "implausible size 0x3");
    assertRefused(handWritten(40000, 1, new float[0]), "implausible size 40000x1");
    assertRefused(handWritten(1, -2, new float[0]), "implausible size");
    float[] nan = uv.clone();
    nan[2 * 5 + 1] = Float.NaN; // v at x = 1, y = 1
    assertRefused(handWritten(4, 3, nan), "NaN", "v at x = 1, y = 1");
    float[] huge = uv.clone();
    huge[2 * 11] = 2e5f; // u at x = 3, y = 2
    assertRefused(handWritten(4, 3, huge), "huge value", "u at x = 3, y = 2");
    float[] unknown = uv.clone();
    unknown[0] = 1e9f;
    assertRefused(handWritten(4, 3, unknown), "huge value", "unknown flow");
    float[] infinite = uv.clone();
    infinite[3] = Float.NEGATIVE_INFINITY;
    assertRefused(handWritten(4, 3, infinite), "huge value");
  }

  @Test
  void missingFileAndFolder() {
    Path missing = dir.resolve("missing.flo");
    assertThatThrownBy(() -> FloFiles.read(missing)).isInstanceOf(VideoJamException.class)
        .hasMessage(missing + ": no such .flo file; check the path");
    assertThatThrownBy(() -> FloFiles.read(dir)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("folder");
  }

  @Test
  void failedWritesLeaveNothingBehind() throws IOException {
    Path file = dir.resolve("out.flo");
    FlowField nan = FlowField.zeros(2, 2);
    nan.u()[3] = Float.NaN;
    assertThatThrownBy(() -> FloFiles.write(file, nan)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("NaN");
    FlowField huge = FlowField.zeros(2, 2);
    huge.v()[0] = 1e9f;
    assertThatThrownBy(() -> FloFiles.write(file, huge)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("huge");
    assertThat(folder()).isEmpty();

    // a failure half way through the bytes: the old file stays, the temporary file is gone
    FloFiles.write(file, FlowField.zeros(1, 1));
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> io.videojam.api.AtomicFiles.writeStream(file, ".flo file", out -> {
      out.write(new byte[100_000]);
      throw new IOException("disk full");
    })).isInstanceOf(VideoJamException.class).hasMessageContaining(file.toString()).hasMessageContaining("disk full");
    assertThat(folder()).containsExactly("out.flo");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);

    // a folder in the way, a missing folder
    Path folderInTheWay = Files.createDirectory(dir.resolve("taken.flo"));
    assertThatThrownBy(() -> FloFiles.write(folderInTheWay, FlowField.zeros(1, 1))).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("is a folder");
    Path noFolder = dir.resolve("no/such/folder/x.flo");
    assertThatThrownBy(() -> FloFiles.write(noFolder, FlowField.zeros(1, 1))).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("does not exist");
    assertThat(folder()).containsExactly("out.flo", "taken.flo");
  }

  @Test
  void writtenFilesHaveOrdinaryPermissions() throws IOException {
    Path file = dir.resolve("perm.flo");
    FloFiles.write(file, FlowField.zeros(1, 1));
    Path plain = Files.createFile(dir.resolve("plain"));
    PosixFileAttributeView a = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (a != null) {
      // the umask applies, as for any new file (Files.createTempFile would give 0600)
      assertThat(Files.getPosixFilePermissions(file)).isEqualTo(Files.getPosixFilePermissions(plain));
    }
  }
}
