package io.videojam.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.ExtenderGraphs.Case;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalDataTest {
  @TempDir Path dir;

  static final DitConfig BASE = DitConfig.fixture().withChannels(3, 0);

  static Map<String, String> ext(OnnxMl.TensorProto t) {
    Map<String, String> m = new java.util.HashMap<>();
    t.getExternalDataList().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  static float[] runFile(Path file, Case c, float[] x, long... shape) throws Exception {
    try (Ort ort = new Ort(file)) {
      return ort.run(ExtenderGraphs.with(c.others(), c.latent(), new Ort.In(x, shape)))
          .get(c.output()).data();
    }
  }

  @Test
  void writeWithExternalDataReadBackAndRunInOnnxRuntime() throws Exception {
    Case c = ModelExtenderTest.ditCase(BASE);
    OnnxMl.ModelProto m = c.model();
    Path f = dir.resolve("a/model.onnx");
    OnnxModels.write(m, f, ExternalDataPolicy.defaults());
    Path data = dir.resolve("a/model.onnx.data");
    assertThat(data).isRegularFile();
    assertThat(Files.size(f)).isLessThan(m.getSerializedSize() / 10);
    try (Stream<Path> files = Files.list(f.getParent())) {
      assertThat(files).containsExactlyInAnyOrder(f, data); // no temporary files left
    }

    OnnxMl.ModelProto read = OnnxModels.read(f); // external tensors left as they are
    assertThat(OnnxModels.hasExternalData(read)).isTrue();
    long size = Files.size(data);
    for (OnnxMl.TensorProto t : read.getGraph().getInitializerList()) {
      long bytes = OnnxModels.elementSize(t.getDataType())
          * t.getDimsList().stream().mapToLong(Long::longValue).reduce(1, (a, b) -> a * b);
      if (bytes > ExternalDataPolicy.DEFAULT_THRESHOLD) {
        assertThat(OnnxModels.isExternal(t)).as(t.getName()).isTrue();
        Map<String, String> e = ext(t);
        assertThat(e.get("location")).isEqualTo("model.onnx.data");
        long off = Long.parseLong(e.get("offset"));
        assertThat(off % (bytes >= 65536 ? 4096 : 64)).isZero();
        assertThat(Long.parseLong(e.get("length"))).isEqualTo(bytes);
        assertThat(off + bytes).isLessThanOrEqualTo(size);
      } else {
        assertThat(OnnxModels.isExternal(t)).as(t.getName()).isFalse();
      }
    }
    assertThat(OnnxModels.readWithExternalData(f)).isEqualTo(m);

    long[] shape = {2, 3, 16, 32, 32};
    float[] x = ExtenderGraphs.gauss(new Random(1), 2 * 3 * 16 * 32 * 32);
    float[] inline = ModelExtenderTest.run(m, c, x, shape).data();
    assertThat(runFile(f, c, x, shape)).containsExactly(inline);

    // rewrite the external model elsewhere: external tensors are copied from the source file
    Path g = dir.resolve("b/copy.onnx");
    OnnxModels.write(read, g, ExternalDataPolicy.all().from(f.getParent()));
    assertThat(dir.resolve("b/copy.onnx.data")).isRegularFile();
    assertThat(OnnxModels.read(g).getGraph().getInitializerList())
        .filteredOn(t -> t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() > 0)
        .allMatch(OnnxModels::isExternal);
    assertThat(runFile(g, c, x, shape)).containsExactly(inline);
    assertThat(OnnxModels.readWithExternalData(g)).isEqualTo(m);

    // and back inline
    Path h = dir.resolve("c/inline.onnx");
    OnnxModels.write(read, h, ExternalDataPolicy.inline().from(f.getParent()));
    assertThat(dir.resolve("c/inline.onnx.data")).doesNotExist();
    assertThat(OnnxModels.read(h)).isEqualTo(m);
  }

  @Test
  void typedFieldTensorsAreExternalisedAsRawBytes() throws Exception {
    Case c = ExtenderGraphs.matmulChannelsLast();
    OnnxMl.ModelProto.Builder mb = c.model().toBuilder();
    // store one weight in float_data instead of raw_data, as some exporters do
    OnnxMl.GraphProto.Builder gb = mb.getGraphBuilder();
    for (int i = 0; i < gb.getInitializerCount(); i++) {
      OnnxMl.TensorProto t = gb.getInitializer(i);
      if (t.getName().equals("x_embedder.weight")) {
        OnnxMl.TensorProto.Builder tb = t.toBuilder().clearRawData().setRawData(ByteString.EMPTY).clearRawData();
        for (float v : ModelExtender.floats(t)) {
          tb.addFloatData(v);
        }
        gb.setInitializer(i, tb);
      }
    }
    OnnxMl.ModelProto m = mb.build();
    Path f = dir.resolve("typed.onnx");
    OnnxModels.write(m, f, ExternalDataPolicy.all());
    float[] x = ExtenderGraphs.gauss(new Random(2), 2 * 4 * 4 * 8 * 8);
    assertThat(runFile(f, c, x, 2, 4, 4, 8, 8))
        .containsExactly(ModelExtenderTest.run(m, c, x, 2, 4, 4, 8, 8).data());
  }

  @Test
  void extendAModelStoredWithExternalData() throws Exception {
    Case c = ModelExtenderTest.ditCase(BASE);
    Path f = dir.resolve("base/model.onnx");
    OnnxModels.write(c.model(), f, ExternalDataPolicy.defaults());
    OnnxMl.ModelProto read = OnnxModels.read(f);

    assertThatThrownBy(() -> ModelExtender.extend(read, ExtendOptions.defaults()))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("external data")
        .hasMessageContaining(DitBuilder.W_IN);

    ExtendResult r = ModelExtender.extend(read, ExtendOptions.defaults(), f.getParent());
    // only the edited tensors were loaded; every other large tensor is still external
    for (OnnxMl.TensorProto t : r.model().getGraph().getInitializerList()) {
      boolean edited = t.getName().equals(DitBuilder.W_IN) || t.getName().equals(DitBuilder.W_OUT)
          || t.getName().equals(DitBuilder.W_OUT_BIAS);
      if (edited) {
        assertThat(OnnxModels.isExternal(t)).as(t.getName()).isFalse();
      } else if (t.getName().startsWith("blocks.") && t.getName().endsWith(".weight")) {
        assertThat(OnnxModels.isExternal(t)).as(t.getName()).isTrue();
      }
    }
    ExtendResult inlineResult = ModelExtender.extend(c.model(), ExtendOptions.defaults());
    assertThat(OnnxModels.resolveExternal(r.model(), f.getParent(), null)).isEqualTo(inlineResult.model());

    Path out = dir.resolve("extended/model.onnx");
    OnnxModels.write(r.model(), out, ExternalDataPolicy.defaults().from(f.getParent()));
    assertThat(OnnxModels.readWithExternalData(out)).isEqualTo(inlineResult.model());

    int inner = 16 * 32 * 32;
    Random rnd = new Random(5);
    float[] x = ExtenderGraphs.gauss(rnd, 2 * 3 * inner);
    float[] d = ExtenderGraphs.gauss(rnd, 2 * 3 * inner);
    float[] base = ModelExtenderTest.run(c.model(), c, x, 2, 3, 16, 32, 32).data();
    float[] ext = runFile(out, c, ModelExtenderTest.concatChannels(x, 3, d, 3, inner), 2, 6, 16, 32, 32);
    assertThat(ModelExtenderTest.maxAbsDiff(ModelExtenderTest.channels(ext, 6, 0, 3, inner), base))
        .isLessThanOrEqualTo(1e-5);
  }

  @Test
  void missingOrForeignDataFileIsNamed() throws Exception {
    Path f = dir.resolve("m.onnx");
    OnnxModels.write(ModelExtenderTest.ditCase(BASE).model(), f, ExternalDataPolicy.defaults());
    OnnxMl.ModelProto read = OnnxModels.read(f);
    Files.write(dir.resolve("m.onnx.data"), new byte[100]); // truncated
    assertThatThrownBy(() -> OnnxModels.readWithExternalData(f))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("m.onnx.data");
    Files.delete(dir.resolve("m.onnx.data"));
    assertThatThrownBy(() -> OnnxModels.readWithExternalData(f))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("External data file not found")
        .hasMessageContaining("m.onnx.data");
    assertThatThrownBy(() -> OnnxModels.write(read, dir.resolve("x.onnx"), ExternalDataPolicy.defaults()))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("ExternalDataPolicy.from");
    assertThat(dir.resolve("x.onnx")).doesNotExist();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("m.onnx");
    }
    // a location that escapes the model's folder is refused
    OnnxMl.ModelProto.Builder mb = read.toBuilder();
    OnnxMl.TensorProto.Builder t = mb.getGraphBuilder().getInitializerBuilder(0);
    t.clearExternalData().addExternalData(OnnxMl.StringStringEntryProto.newBuilder()
        .setKey("location").setValue("../secret.bin"));
    assertThatThrownBy(() -> OnnxModels.resolveExternal(mb.build(), dir, null))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("relative path");
  }
}
