package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Structure-aware mutations of ONNX models for the fuzz tests (ModelExtenderFuzzTest here, ModelInspectorFuzzTest in
 * adapters/model): a small base DiT with a few edits the fuzzer picks, each of the kind a broken or hostile export
 * has (sizes of 0, -1 or 2^62 in shapes, reshape targets and weights; wrong element types; rewired, renamed,
 * missing or self-feeding nodes; changed operators and attributes; truncated or external weights). Byte-level
 * mutations of a protobuf rarely get past its parser, these always do.
 */
public final class OnnxMutator {
  private OnnxMutator() {}

  /** Sizes the edits write: the usual ones and the ones that overflow. */
  static final long[] SIZES = {0, 1, -1, 2, 3, 4, 8, 16, -2, 32, 1 << 16, Integer.MAX_VALUE, Integer.MIN_VALUE,
      Integer.MAX_VALUE + 1L, 3_037_000_500L, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
  static final String[] OPS = {"Conv", "ConvTranspose", "MatMul", "Gemm", "Add", "Mul", "Reshape", "Transpose",
      "Identity", "Squeeze", "Unsqueeze", "Slice", "Concat", "Split", "Flatten", "Gather", "Shape", "Where", "Cast",
      "Constant", "Einsum", "Expand", "Softmax", "If", "Loop", "", "NoSuchOp"};

  private static List<OnnxMl.ModelProto> seeds;

  /** Small base DiTs: the extender tests' Conv3d, per-frame Conv2d and channels-last MatMul graphs and a tiny videojam DiT. */
  public static synchronized List<OnnxMl.ModelProto> seeds() {
    if (seeds == null) {
      seeds = List.of(ExtenderGraphs.conv3d().model(), ExtenderGraphs.perFrameConv2d().model(),
          ExtenderGraphs.matmulChannelsLast().model(),
          DitBuilder.build(new DitConfig(2, 0, 2, 8, 8, 4, 1, 8, 1, 2, 2, 8, 4, 0L, DitConfig.MotionInit.RANDOM)));
    }
    return seeds;
  }

  /** {@code base} with one to four edits the fuzzer picks. */
  public static OnnxMl.ModelProto mutate(OnnxMl.ModelProto base, FuzzedDataProvider data) {
    OnnxMl.ModelProto.Builder m = base.toBuilder();
    OnnxMl.GraphProto.Builder g = m.getGraphBuilder();
    for (int edits = data.consumeInt(1, 4); edits > 0; edits--) {
      edit(m, g, data);
    }
    return m.build();
  }

  private static void edit(OnnxMl.ModelProto.Builder m, OnnxMl.GraphProto.Builder g, FuzzedDataProvider data) {
    switch (data.consumeInt(0, 13)) {
      case 0, 1 -> { // a size of a graph input or output
        OnnxMl.ValueInfoProto.Builder v = valueInfo(g, data);
        if (v != null && v.getType().hasTensorType()) {
          OnnxMl.TensorShapeProto.Builder s = v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
          if (s.getDimCount() > 0) {
            OnnxMl.TensorShapeProto.Dimension.Builder d = s.getDimBuilder(data.consumeInt(0, s.getDimCount() - 1));
            if (data.consumeBoolean()) {
              d.setDimValue(size(data));
            } else {
              d.setDimParam(data.consumeString(4));
            }
          }
        }
      }
      case 2 -> { // rank or element type of a graph input or output
        OnnxMl.ValueInfoProto.Builder v = valueInfo(g, data);
        if (v != null) {
          OnnxMl.TypeProto.Tensor.Builder t = v.getTypeBuilder().getTensorTypeBuilder();
          if (data.consumeBoolean()) {
            t.setElemType(data.consumeInt(0, 17));
          } else if (data.consumeBoolean() && t.getShape().getDimCount() > 0) {
            t.getShapeBuilder().removeDim(data.consumeInt(0, t.getShape().getDimCount() - 1));
          } else {
            t.getShapeBuilder().addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(size(data)));
          }
        }
      }
      case 3 -> { // an operator
        if (g.getNodeCount() > 0) {
          g.getNodeBuilder(data.consumeInt(0, g.getNodeCount() - 1)).setOpType(data.pickValue(OPS));
        }
      }
      case 4, 5 -> { // rewire an input of a node to another value, its own output, a missing one or nothing
        if (g.getNodeCount() > 0) {
          OnnxMl.NodeProto.Builder n = g.getNodeBuilder(data.consumeInt(0, g.getNodeCount() - 1));
          String to = switch (data.consumeInt(0, 3)) {
            case 0 -> n.getOutputCount() > 0 ? n.getOutput(0) : "";
            case 1 -> "";
            case 2 -> data.consumeString(6);
            default -> valueName(g, data);
          };
          if (n.getInputCount() > 0 && data.consumeBoolean()) {
            n.setInput(data.consumeInt(0, n.getInputCount() - 1), to);
          } else {
            n.addInput(to);
          }
        }
      }
      case 6 -> { // remove or duplicate a node
        if (g.getNodeCount() > 0) {
          int i = data.consumeInt(0, g.getNodeCount() - 1);
          if (data.consumeBoolean()) {
            g.removeNode(i);
          } else {
            g.addNode(g.getNode(i));
          }
        }
      }
      case 7, 8 -> { // an attribute (perm, kernel_shape, strides, group, axes, ...)
        if (g.getNodeCount() > 0) {
          OnnxMl.NodeProto.Builder n = g.getNodeBuilder(data.consumeInt(0, g.getNodeCount() - 1));
          if (n.getAttributeCount() == 0 || data.consumeInt(0, 3) == 0) {
            n.addAttribute(OnnxMl.AttributeProto.newBuilder().setName(data.pickValue(new String[] {"perm", "axes", "axis",
                "kernel_shape", "strides", "group", "pads", "dilations", "allowzero", "to", "value"}))
                .setType(OnnxMl.AttributeProto.AttributeType.INTS));
          }
          OnnxMl.AttributeProto.Builder a = n.getAttributeBuilder(data.consumeInt(0, n.getAttributeCount() - 1));
          switch (data.consumeInt(0, 3)) {
            case 0 -> a.clearInts().addAllInts(sizes(data));
            case 1 -> a.setI(size(data));
            case 2 -> {
              OnnxMl.AttributeProto.AttributeType type = OnnxMl.AttributeProto.AttributeType.forNumber(data.consumeInt(0, 14));
              a.setType(type == null ? OnnxMl.AttributeProto.AttributeType.UNDEFINED : type);
            }
            default -> a.setT(tensor(data));
          }
        }
      }
      case 9, 10 -> { // the dims or the values of a weight or a reshape target
        if (g.getInitializerCount() > 0) {
          OnnxMl.TensorProto.Builder t = g.getInitializerBuilder(data.consumeInt(0, g.getInitializerCount() - 1));
          switch (data.consumeInt(0, 4)) {
            case 0 -> t.clearDims().addAllDims(sizes(data));
            case 1 -> t.setRawData(t.getRawData().substring(0, data.consumeInt(0, t.getRawData().size())));
            case 2 -> t.setDataType(data.consumeInt(0, 17));
            case 3 -> t.setRawData(longs(sizes(data)));
            default -> t.setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL).clearExternalData()
                .addExternalData(entry("location", data.pickValue(new String[] {"model.onnx", "missing.data", "../x", "/etc/hostname",
                    ""})))
                .addExternalData(entry("offset", Long.toString(size(data))))
                .addExternalData(entry("length", data.consumeBoolean() ? Long.toString(size(data)) : data.consumeString(4)));
          }
        }
      }
      case 11 -> { // rename a graph input or output (the nodes keep the old name)
        OnnxMl.ValueInfoProto.Builder v = valueInfo(g, data);
        if (v != null) {
          v.setName(data.consumeBoolean() ? valueName(g, data) : data.consumeString(6));
        }
      }
      case 12 -> { // remove a graph input, output or initializer
        int which = data.consumeInt(0, 2);
        if (which == 0 && g.getInputCount() > 0) {
          g.removeInput(data.consumeInt(0, g.getInputCount() - 1));
        } else if (which == 1 && g.getOutputCount() > 0) {
          g.removeOutput(data.consumeInt(0, g.getOutputCount() - 1));
        } else if (g.getInitializerCount() > 0) {
          g.removeInitializer(data.consumeInt(0, g.getInitializerCount() - 1));
        }
      }
      default -> { // opset, IR version, metadata the inspector reads
        switch (data.consumeInt(0, 2)) {
          case 0 -> m.setIrVersion(data.consumeLong(-1, 12));
          case 1 -> {
            if (m.getOpsetImportCount() > 0) {
              m.getOpsetImportBuilder(0).setVersion(size(data));
            }
          }
          default -> m.addMetadataProps(entry(data.consumeBoolean() ? "videojam.appearance_channels" : "videojam.motion_channels",
              data.consumeBoolean() ? Long.toString(size(data)) : data.consumeString(4)));
        }
      }
    }
  }

  private static OnnxMl.ValueInfoProto.Builder valueInfo(OnnxMl.GraphProto.Builder g, FuzzedDataProvider data) {
    int n = g.getInputCount() + g.getOutputCount();
    if (n == 0) {
      return null;
    }
    int i = data.consumeInt(0, n - 1);
    return i < g.getInputCount() ? g.getInputBuilder(i) : g.getOutputBuilder(i - g.getInputCount());
  }

  private static String valueName(OnnxMl.GraphProto.Builder g, FuzzedDataProvider data) {
    List<String> names = new ArrayList<>();
    g.getInputList().forEach(v -> names.add(v.getName()));
    g.getInitializerList().forEach(t -> names.add(t.getName()));
    g.getNodeList().forEach(n -> names.addAll(n.getOutputList()));
    return names.isEmpty() ? "" : names.get(data.consumeInt(0, names.size() - 1));
  }

  private static long size(FuzzedDataProvider data) {
    return data.consumeBoolean() ? data.pickValue(SIZES) : data.consumeLong();
  }

  private static List<Long> sizes(FuzzedDataProvider data) {
    List<Long> out = new ArrayList<>();
    for (int n = data.consumeInt(0, 8); n > 0; n--) {
      out.add(size(data));
    }
    return out;
  }

  private static ByteString longs(List<Long> values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.size()).order(ByteOrder.LITTLE_ENDIAN);
    values.forEach(b::putLong);
    return ByteString.copyFrom(b.array());
  }

  private static OnnxMl.TensorProto tensor(FuzzedDataProvider data) {
    List<Long> dims = sizes(data);
    return OnnxMl.TensorProto.newBuilder().addAllDims(dims).setDataType(data.consumeInt(0, 17))
        .setRawData(longs(sizes(data))).build();
  }

  private static OnnxMl.StringStringEntryProto entry(String k, String v) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }
}
