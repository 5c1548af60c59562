package io.videojam.onnx;

import static io.videojam.api.TensorInfo.ElementType.FLOAT;
import static io.videojam.api.TensorInfo.ElementType.INT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {

  @Test
  void mulAddWithBroadcastRunsInOrt() throws Exception {
    GraphBuilder g = new GraphBuilder("affine", 17);
    String x = g.input("x", FLOAT, "B", 3);
    String a = g.constant("A", new float[] {2f, -1f, 0.5f}, 3);
    String b = g.constant("b", new float[] {1f, 2f, 3f}, 3);
    g.output("y", g.op("Add", g.op("Mul", x, a), b), FLOAT, "B", 3);
    try (Ort ort = new Ort(g.build())) {
      Ort.Out y = ort.run(Map.of("x", new Ort.In(new float[] {1, 2, 3, -4, 0, 10}, 2, 3))).get("y");
      assertThat(y.shape()).containsExactly(2, 3);
      // row 0: 1*2+1, 2*-1+2, 3*0.5+3 ; row 1: -4*2+1, 0*-1+2, 10*0.5+3
      assertThat(y.data()).containsExactly(3f, 0f, 4.5f, -7f, 2f, 8f);
    }
  }

  @Test
  void matMulWithScalarRunsInOrt() throws Exception {
    GraphBuilder g = new GraphBuilder("mm", 17);
    String x = g.input("x", FLOAT, "B", 2);
    String w = g.constant("W", new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    g.output("y", g.op("Mul", g.op("MatMul", x, w), g.scalar(0.5f)), FLOAT, "B", 3);
    try (Ort ort = new Ort(g.build())) {
      Ort.Out y = ort.run(Map.of("x", new Ort.In(new float[] {1, 1, 2, -1}, 2, 2))).get("y");
      // [1,1]@W = [5,7,9]; [2,-1]@W = [-2,-1,0]; times 0.5
      assertThat(y.data()).containsExactly(2.5f, 3.5f, 4.5f, -1f, -0.5f, 0f);
    }
  }

  @Test
  void splitHasThreeOutputs() throws Exception {
    GraphBuilder g = new GraphBuilder("split", 17);
    String x = g.input("x", FLOAT, 1, 6);
    List<String> parts = g.ops("Split", 3, Map.of("axis", 1L), x);
    assertThat(parts).hasSize(3).doesNotHaveDuplicates();
    for (int i = 0; i < 3; i++) {
      g.output("p" + i, parts.get(i), FLOAT, 1, 2);
    }
    try (Ort ort = new Ort(g.build())) {
      Map<String, Ort.Out> out = ort.run(Map.of("x", new Ort.In(new float[] {1, 2, 3, 4, 5, 6}, 1, 6)));
      assertThat(out.get("p0").data()).containsExactly(1f, 2f);
      assertThat(out.get("p1").data()).containsExactly(3f, 4f);
      assertThat(out.get("p2").data()).containsExactly(5f, 6f);
    }
  }

  @Test
  void attributesOfEveryKindReachOrt() throws Exception {
    GraphBuilder g = new GraphBuilder("attrs", 17);
    String x = g.input("x", FLOAT, 2, 3);
    // INTS (int[]) + STRING + int64 initializer: transpose to [3,2], reflect-pad the last axis by 1
    String tr = g.op("Transpose", Map.of("perm", new int[] {1, 0}), x);
    String pads = g.constant("pads", new long[] {0, 1, 0, 1}, 4);
    String padded = g.op("Pad", Map.of("mode", "reflect"), tr, pads);
    // FLOAT (Double) + INT (Integer) + INTS (long[])
    String leaky = g.op("LeakyRelu", Map.of("alpha", 0.25), padded);
    String sum = g.op("ReduceSum", Map.of("keepdims", 0), leaky, g.constant("axes", new long[] {1}, 1));
    g.output("y", sum, FLOAT, 3);
    String red = g.op("ReduceMean", Map.of("axes", new long[] {0}, "keepdims", 1), x);
    g.output("m", red, FLOAT, 1, 3);
    try (Ort ort = new Ort(g.build())) {
      Map<String, Ort.Out> out = ort.run(Map.of("x", new Ort.In(new float[] {1, -2, 3, -4, 5, 6}, 2, 3)));
      // transposed rows: [1,-4], [-2,5], [3,6]; reflect pad -> [-4,1,-4,1], [5,-2,5,-2], [6,3,6,3]
      // leaky(0.25): [-1,1,-1,1] sum 0; [5,-0.5,5,-0.5] sum 9; [6,3,6,3] sum 18
      assertThat(out.get("y").data()).containsExactly(0f, 9f, 18f);
      assertThat(out.get("m").data()).containsExactly(-1.5f, 1.5f, 4.5f);
    }
  }

  @Test
  void int64InputAndGather() throws Exception {
    GraphBuilder g = new GraphBuilder("gather", 17);
    String ids = g.input("ids", INT64, "B");
    String table = g.constant("table", new float[] {0, 0, 10, 11, 20, 21}, 3, 2);
    g.output("e", g.op("Gather", Map.of("axis", 0L), table, ids), FLOAT, "B", 2);
    try (Ort ort = new Ort(g.build())) {
      Ort.Out e = ort.run(Map.of("ids", new Ort.In(new long[] {2, 0, 1}, 3))).get("e");
      assertThat(e.data()).containsExactly(20f, 21f, 0f, 0f, 10f, 11f);
    }
  }

  @Test
  void modelHeaderAndIdentityOutput() {
    GraphBuilder g = new GraphBuilder("hdr", 17).docString("a doc");
    String x = g.input("x", FLOAT, "N");
    String r = g.op("Relu", x);
    g.output("y", r, FLOAT, "N");
    OnnxMl.ModelProto m = g.build();
    assertThat(m.getIrVersion()).isEqualTo(8);
    assertThat(m.getProducerName()).isEqualTo("videojam");
    assertThat(m.getDocString()).isEqualTo("a doc");
    assertThat(m.getOpsetImportList()).singleElement()
        .satisfies(o -> {
          assertThat(o.getDomain()).isEmpty();
          assertThat(o.getVersion()).isEqualTo(17);
        });
    assertThat(m.getGraph().getName()).isEqualTo("hdr");
    assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
        .containsExactly("Relu", "Identity");
    assertThat(m.getGraph().getNode(1).getInputList()).containsExactly(r);
    assertThat(m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam())
        .isEqualTo("N");
  }

  @Test
  void sameCallsGiveIdenticalBytesAndFreshNamesAreUnique() {
    byte[][] bytes = new byte[2][];
    for (int i = 0; i < 2; i++) {
      GraphBuilder g = new GraphBuilder("det", 17);
      String x = g.input("x", FLOAT, 4);
      String a = g.scalar(1f);
      String b = g.scalar(1f);
      assertThat(a).isNotEqualTo(b);
      String y = g.op("LayerNormalization", Map.of("axis", -1L, "epsilon", 1e-5f, "stash_type", 1L),
          x, g.constant("s", new float[] {1, 1, 1, 1}, 4));
      g.output("y", g.op("Add", g.op("Mul", y, a), b), FLOAT, 4);
      bytes[i] = g.build().toByteArray();
    }
    assertThat(bytes[0]).isEqualTo(bytes[1]);
  }

  @Test
  void misuseIsRejected() {
    GraphBuilder g = new GraphBuilder("bad", 17);
    g.input("x", FLOAT, 2);
    assertThatThrownBy(() -> g.input("x", FLOAT, 2)).hasMessageContaining("duplicate");
    assertThatThrownBy(() -> g.op("Relu", "nope")).hasMessageContaining("nope");
    assertThatThrownBy(() -> g.constant("c", new float[] {1, 2, 3}, 2, 2)).hasMessageContaining("c");
    assertThatThrownBy(() -> g.op("Foo", Map.of("a", new Object()), "x"))
        .hasMessageContaining("'a'");
  }
}
