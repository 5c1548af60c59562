package io.videojam.onnx;

import static io.videojam.api.TensorInfo.ElementType.FLOAT;
import static io.videojam.api.TensorInfo.ElementType.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxModelsTest {
  @TempDir Path dir;

  private static OnnxMl.ModelProto small() {
    GraphBuilder g = new GraphBuilder("small", 17);
    String x = g.input("x", FLOAT, "B", 4);
    String ids = g.input("ids", INT64, "B", 2);
    String w = g.constant("w", new float[12], 4, 3);
    String e = g.constant("emb", new float[10], 5, 2);
    String y = g.op("MatMul", x, w);
    g.output("y", g.op("Mul", y, g.scalar(2f)), FLOAT, "B", 3);
    g.output("e", g.op("Gather", Map.of("axis", 0L), e, ids), FLOAT, "B", 2, 2);
    g.constant("shape", new long[] {1, 2, 3}, 3);
    return g.build();
  }

  @Test
  void writeReadRoundTripIsByteIdentical() throws Exception {
    OnnxMl.ModelProto m = DitBuilder.build(DitConfig.fixture());
    Path a = dir.resolve("sub/a.onnx");
    Path b = dir.resolve("b.onnx");
    OnnxModels.write(m, a);
    OnnxMl.ModelProto read = OnnxModels.read(a);
    assertThat(read).isEqualTo(m);
    OnnxModels.write(read, b);
    assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a)).isEqualTo(m.toByteArray());
    assertThat(io.videojam.api.Hashing.sha256Hex(a)).isEqualTo(io.videojam.api.Hashing.sha256Hex(b)).hasSize(64);
    try (Stream<Path> files = Files.list(a.getParent())) {
      assertThat(files).containsExactly(a); // no temporary file left behind
    }
  }

  @Test
  void overwriteReplacesAndFailedWriteLeavesNoFile() throws Exception {
    Path f = dir.resolve("m.onnx");
    OnnxModels.write(small(), f);
    OnnxModels.write(DitBuilder.build(DitConfig.fixture()), f);
    assertThat(OnnxModels.read(f).getGraph().getName()).isEqualTo("videojam_dit");

    Path target = dir.resolve("occupied");
    Files.createDirectories(target.resolve("child")); // a non-empty folder cannot be replaced
    assertThatThrownBy(() -> OnnxModels.write(small(), target))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("occupied");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("m.onnx", "occupied");
    }
  }

  @Test
  void missingFileIsNamed() {
    Path f = dir.resolve("nothing-here.onnx");
    assertThatThrownBy(() -> OnnxModels.read(f))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("not found");
  }

  @Test
  void foreignFileIsRejectedWithItsName() throws Exception {
    Path text = dir.resolve("readme.onnx");
    Files.writeString(text, "this is not an onnx model\nsecond line\n", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> OnnxModels.read(text))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(text.toString())
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));

    Path empty = dir.resolve("empty.onnx");
    Files.write(empty, new byte[0]);
    assertThatThrownBy(() -> OnnxModels.read(empty))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(empty.toString());

    Path noise = dir.resolve("noise.onnx");
    byte[] bytes = new byte[4096];
    new java.util.Random(7).nextBytes(bytes);
    Files.write(noise, bytes);
    assertThatThrownBy(() -> OnnxModels.read(noise))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining(noise.toString());
  }

  @Test
  void truncatedFileIsRejectedWithItsName() throws Exception {
    byte[] full = DitBuilder.build(DitConfig.fixture()).toByteArray();
    for (int cut : new int[] {full.length / 2, full.length - 1, 10}) {
      Path f = dir.resolve("cut" + cut + ".onnx");
      Files.write(f, Arrays.copyOf(full, cut));
      assertThatThrownBy(() -> OnnxModels.read(f))
          .isInstanceOf(VideoJamException.class)
          .hasMessageContaining(f.toString())
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
  }

  @Test
  void emptyGraphIsRejected() {
    GraphBuilder g = new GraphBuilder("empty", 17);
    g.input("x", FLOAT, 1);
    Path f = dir.resolve("empty-graph.onnx");
    OnnxModels.write(g.build(), f);
    assertThatThrownBy(() -> OnnxModels.read(f))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("empty graph")
        .hasMessageContaining(f.toString());
  }

  @Test
  void inputsSkipInitializersAndMarkSymbolicDims() {
    OnnxMl.ModelProto m = small();
    // old exporters (IR < 4) also list initializers as graph inputs: they must not show up
    OnnxMl.ValueInfoProto wAsInput = OnnxMl.ValueInfoProto.newBuilder().setName("w").build();
    OnnxMl.ModelProto old = m.toBuilder().setGraph(m.getGraph().toBuilder().addInput(wAsInput)).build();
    List<TensorInfo> in = OnnxModels.inputs(old);
    assertThat(in).extracting(TensorInfo::name).containsExactly("x", "ids");
    assertThat(in.get(0).type()).isEqualTo(FLOAT);
    assertThat(in.get(0).shape()).containsExactly(-1, 4);
    assertThat(in.get(1).type()).isEqualTo(INT64);
    assertThat(in.get(1).shape()).containsExactly(-1, 2);
    List<TensorInfo> out = OnnxModels.outputs(m);
    assertThat(out).extracting(TensorInfo::name).containsExactly("y", "e");
    assertThat(out.get(1).shape()).containsExactly(-1, 2, 2);
  }

  @Test
  void parameterCountCountsFloatTensorsNotScalarsOrShapes() {
    // w 4x3 = 12, emb 5x2 = 10; the scalar 2 and the int64 shape are not parameters
    assertThat(OnnxModels.parameterCount(small())).isEqualTo(22);
  }

  @Test
  void sha256OfFilesInOrder() throws Exception {
    Path a = dir.resolve("a.txt");
    Path bc = dir.resolve("bc.txt");
    Files.writeString(a, "a");
    Files.writeString(bc, "bc");
    String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThat(io.videojam.api.Hashing.sha256Hex(a, bc)).isEqualTo(abc);
    assertThat(io.videojam.api.Hashing.sha256Hex(bc, a)).isNotEqualTo(abc);
    assertThatThrownBy(() -> io.videojam.api.Hashing.sha256Hex(dir.resolve("gone")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("gone");
  }
}
