package io.videojam.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.videojam.api.VideoJamException;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

/**
 * Damaged graphs the fuzzer (ModelExtenderFuzzTest) crashed extend with, each now refused in one line. Before: the
 * exception in the comment. The fuzzer's own inputs are kept as its regression inputs (ModelExtenderFuzzTestInputs).
 */
class ModelExtenderRefusalsTest {
  static AbstractThrowableAssert<?, ? extends Throwable> extending(Consumer<OnnxMl.GraphProto.Builder> edit) {
    return extending(ExtenderGraphs.conv3d(), edit);
  }

  static AbstractThrowableAssert<?, ? extends Throwable> extending(ExtenderGraphs.Case c, Consumer<OnnxMl.GraphProto.Builder> edit) {
    OnnxMl.ModelProto.Builder m = c.model().toBuilder();
    edit.accept(m.getGraphBuilder());
    return assertThatThrownBy(() -> ModelExtender.extend(m.build(), ExtendOptions.defaults()))
        .isInstanceOf(VideoJamException.class).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  static OnnxMl.TensorProto.Builder init(OnnxMl.GraphProto.Builder g, String name) {
    for (int i = 0; i < g.getInitializerCount(); i++) {
      if (g.getInitializer(i).getName().equals(name)) {
        return g.getInitializerBuilder(i);
      }
    }
    throw new AssertionError(name);
  }

  /** The first {@code op} node, or for Transpose the last (the unpatchify chain extend follows back from the output). */
  static OnnxMl.NodeProto.Builder node(OnnxMl.GraphProto.Builder g, String op) {
    int found = -1;
    for (int i = 0; i < g.getNodeCount(); i++) {
      if (g.getNode(i).getOpType().equals(op) && (found < 0 || op.equals("Transpose"))) {
        found = i;
      }
    }
    if (found < 0) {
      throw new AssertionError(op);
    }
    return g.getNodeBuilder(found);
  }

  @Test
  void aWeightShorterThanItsDims() {
    // ArrayIndexOutOfBoundsException: arraycopy: last source index 512 out of bounds for float[507]
    extending(g -> init(g, "patch_embed.proj.weight").setRawData(init(g, "patch_embed.proj.weight").getRawData().substring(0, 507 * 4)))
        .hasMessage("extend: weight 'patch_embed.proj.weight' has dims [16, 4, 2, 2, 2] (512 values) but holds 507; the file is damaged");
  }

  @Test
  void aTransposeWithAPermOutOfRange() {
    // IndexOutOfBoundsException: Index 65544 out of bounds for length 8 (the unpatchify Transpose extend follows)
    extending(ExtenderGraphs.matmulChannelsLast(), g -> node(g, "Transpose").getAttributeBuilder(0).clearInts()
        .addAllInts(java.util.List.of(0L, 7L, 1L, 4L, 2L, 5L, 3L, 65544L)))
        .hasMessageContaining("has perm [0, 7, 1, 4, 2, 5, 3, 65544] for a rank-8 tensor; a perm lists each axis once");
  }

  @Test
  void aNodeWithoutItsInputs() {
    // IndexOutOfBoundsException: Index 1 out of bounds for length 1
    extending(g -> node(g, "Conv").clearInput().addInput("hidden_states"))
        .hasMessageContaining("(Conv) has 1 inputs and 1 outputs; Conv takes at least 2 inputs and gives an output: the ONNX graph is damaged");
    extending(g -> node(g, "MatMul").clearOutput())
        .hasMessageContaining("(MatMul) has 2 inputs and 0 outputs");
  }

  @Test
  void aShapeTensorThatHoldsFewerValuesThanItsDims() {
    // IndexOutOfBoundsException from the folder's ByteBuffer.getLong; a negative dim: NegativeArraySizeException
    extending(g -> init(g, "tok_shape").clearDims().addDims(8))
        .hasMessage("tensor 'tok_shape' has dims [8] (8 values) but holds 3; the ONNX file is damaged");
    extending(g -> init(g, "tok_shape").clearDims().addDims(-1684301154))
        .hasMessageContaining("tensor 'tok_shape' has a negative dim -1684301154");
  }

  @Test
  void sizesThatOverflow() {
    // ArithmeticException: long overflow
    extending(g -> {
      var shape = g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
      shape.getDimBuilder(3).setDimValue(1L << 62);
      shape.getDimBuilder(4).setDimValue(1L << 62);
    })
        .hasMessageContaining("a tensor size overflows 64 bits");
  }

  @Test
  void namesWithLineBreaksStayOnOneLine() {
    extending(g -> {
      g.getOutputBuilder(0).setName("noise\npred");
      g.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1).setDimValue(65536);
    }).hasMessageContaining("noise?pred");
  }

  @Test
  void aReshapeTargetOfABillionAxesIsNotAllocated() {
    // OutOfMemoryError: Java heap space (the folder made an array of the target's length)
    OnnxMl.ModelProto.Builder m = ExtenderGraphs.conv3d().model().toBuilder();
    init(m.getGraphBuilder(), "tok_shape").clearDims().addDims(1_000_000_000).setRawData(ByteString.EMPTY)
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
    ShapeFolder.fold(m.build());
  }
}
