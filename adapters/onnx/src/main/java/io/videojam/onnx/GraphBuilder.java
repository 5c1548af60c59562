package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.videojam.api.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small, plain builder of ONNX models (default domain, one opset).
 *
 * <p>Values are named strings. {@link #input}, {@link #constant} and {@link #scalar} declare
 * values; {@link #op} and {@link #ops} add one node each and return the fresh names of its
 * outputs; {@link #output} declares a graph output. Nodes must be added in topological order (an
 * input of a node must already exist), which the builder checks. Initializers are stored as
 * little-endian {@code raw_data}; attributes are written sorted by name, so the same calls always
 * give byte-identical models.
 *
 * <p>Misuse (an unknown input value, a duplicate name, values that do not fill the dimensions) is
 * a programming error and throws {@link IllegalArgumentException}.
 */
public final class GraphBuilder {
  /** The ONNX IR version written by {@link #build()} (ONNX 1.13+, opset up to 18). */
  public static final long IR_VERSION = 8;

  /** The producer name written by {@link #build()}. */
  public static final String PRODUCER = "videojam";

  private final String graphName;
  private final int opset;
  private final OnnxMl.GraphProto.Builder graph = OnnxMl.GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private int counter;
  private String docString = "";

  /**
   * @param graphName the graph's name
   * @param opset the default-domain opset to import (callers use 17 unless they need another)
   */
  public GraphBuilder(String graphName, int opset) {
    if (opset < 1) {
      throw new IllegalArgumentException("opset must be positive: " + opset);
    }
    this.graphName = Objects.requireNonNull(graphName, "graphName");
    this.opset = opset;
  }

  /**
   * Declares a graph input.
   *
   * @param dims each a {@code Long}/{@code Integer} (fixed size) or a {@code String} (symbolic)
   * @return {@code name}
   */
  public String input(String name, TensorInfo.ElementType type, Object... dims) {
    claim(name);
    graph.addInput(valueInfo(name, type, dims));
    return name;
  }

  /**
   * Declares a graph output called {@code name} that carries the value {@code source}; adds an
   * Identity node {@code source -> name} when the two differ.
   */
  public void output(String name, String source, TensorInfo.ElementType type, Object... dims) {
    requireKnown(source);
    if (!name.equals(source)) {
      claim(name);
      graph.addNode(
          OnnxMl.NodeProto.newBuilder()
              .setName("output." + name)
              .setOpType("Identity")
              .addInput(source)
              .addOutput(name));
    }
    graph.addOutput(valueInfo(name, type, dims));
  }

  /** Adds a float initializer called {@code name} (dims empty: a scalar); returns its name. */
  public String constant(String name, float[] values, long... dims) {
    checkCount(name, values.length, dims);
    ByteBuffer buf = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return initializer(name, OnnxMl.TensorProto.DataType.FLOAT, buf.array(), dims);
  }

  /** Adds an int64 initializer called {@code name} (dims empty: a scalar); returns its name. */
  public String constant(String name, long[] values, long... dims) {
    checkCount(name, values.length, dims);
    ByteBuffer buf = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asLongBuffer().put(values);
    return initializer(name, OnnxMl.TensorProto.DataType.INT64, buf.array(), dims);
  }

  /** Adds a float scalar (rank 0) initializer with a fresh unique name; returns the name. */
  public String scalar(float v) {
    return constant(unused("scalar"), new float[] {v});
  }

  /** Adds a node with one output and no attributes; returns the output's fresh name. */
  public String op(String opType, String... inputs) {
    return op(opType, Map.of(), inputs);
  }

  /**
   * Adds a node with one output; returns the output's fresh name.
   *
   * @param attributes {@code Long}/{@code Integer} -> INT, {@code Float}/{@code Double} -> FLOAT,
   *     {@code String} -> STRING, {@code long[]}/{@code int[]} -> INTS, {@code float[]} -> FLOATS,
   *     {@link OnnxMl.TensorProto} -> TENSOR
   * @param inputs value names; {@code ""} marks an omitted optional input
   */
  public String op(String opType, Map<String, Object> attributes, String... inputs) {
    return ops(opType, 1, attributes, inputs).get(0);
  }

  /** Adds a node with {@code outputs} outputs (e.g. Split); returns their fresh names in order. */
  public List<String> ops(
      String opType, int outputs, Map<String, Object> attributes, String... inputs) {
    if (outputs < 1) {
      throw new IllegalArgumentException(opType + ": needs at least one output");
    }
    OnnxMl.NodeProto.Builder node = OnnxMl.NodeProto.newBuilder().setOpType(opType);
    for (String in : inputs) {
      if (!in.isEmpty()) {
        requireKnown(in);
      }
      node.addInput(in);
    }
    for (Map.Entry<String, Object> e : new TreeMap<>(attributes).entrySet()) {
      node.addAttribute(attribute(opType, e.getKey(), e.getValue()));
    }
    List<String> out = new ArrayList<>(outputs);
    for (int i = 0; i < outputs; i++) {
      String name = unused(opType);
      claim(name);
      out.add(name);
      node.addOutput(name);
    }
    node.setName(out.get(0));
    graph.addNode(node);
    return List.copyOf(out);
  }

  /** Sets the model's doc string. */
  public GraphBuilder docString(String s) {
    this.docString = Objects.requireNonNull(s);
    return this;
  }

  /** Builds the model: IR version 8, producer "videojam", one default-domain opset import. */
  public OnnxMl.ModelProto build() {
    OnnxMl.ModelProto.Builder model =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName(PRODUCER)
            .setGraph(graph.clone().setName(graphName))
            .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
    if (!docString.isEmpty()) {
      model.setDocString(docString);
    }
    return model.build();
  }

  // ---------------------------------------------------------------------------------------------

  private String initializer(
      String name, OnnxMl.TensorProto.DataType type, byte[] raw, long... dims) {
    claim(name);
    OnnxMl.TensorProto.Builder t =
        OnnxMl.TensorProto.newBuilder()
            .setName(name)
            .setDataType(type.getNumber())
            .setRawData(ByteString.copyFrom(raw));
    for (long d : dims) {
      t.addDims(d);
    }
    graph.addInitializer(t);
    return name;
  }

  private static void checkCount(String name, int count, long... dims) {
    long n = 1;
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException(name + ": negative dimension " + d);
      }
      n *= d;
    }
    if (n != count) {
      throw new IllegalArgumentException(
          name + ": " + count + " values do not fill dims " + java.util.Arrays.toString(dims));
    }
  }

  private static OnnxMl.ValueInfoProto valueInfo(
      String name, TensorInfo.ElementType type, Object... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (Object d : dims) {
      OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
      if (d instanceof String s) {
        dim.setDimParam(s);
      } else if (d instanceof Long || d instanceof Integer) {
        dim.setDimValue(((Number) d).longValue());
      } else {
        throw new IllegalArgumentException(name + ": dimension must be Long, Integer or String: " + d);
      }
      shape.addDim(dim);
    }
    OnnxMl.TypeProto.Tensor tensor =
        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(dataType(name, type)).setShape(shape).build();
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tensor))
        .build();
  }

  private static int dataType(String name, TensorInfo.ElementType type) {
    return switch (type) {
      case FLOAT -> OnnxMl.TensorProto.DataType.FLOAT_VALUE;
      case INT64 -> OnnxMl.TensorProto.DataType.INT64_VALUE;
      case OTHER -> throw new IllegalArgumentException(name + ": element type OTHER cannot be built");
    };
  }

  private static OnnxMl.AttributeProto attribute(String opType, String name, Object v) {
    OnnxMl.AttributeProto.Builder a = OnnxMl.AttributeProto.newBuilder().setName(name);
    if (v instanceof Long || v instanceof Integer) {
      a.setType(OnnxMl.AttributeProto.AttributeType.INT).setI(((Number) v).longValue());
    } else if (v instanceof Float || v instanceof Double) {
      a.setType(OnnxMl.AttributeProto.AttributeType.FLOAT).setF(((Number) v).floatValue());
    } else if (v instanceof String s) {
      a.setType(OnnxMl.AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
    } else if (v instanceof long[] ls) {
      a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
      for (long l : ls) {
        a.addInts(l);
      }
    } else if (v instanceof int[] is) {
      a.setType(OnnxMl.AttributeProto.AttributeType.INTS);
      for (int i : is) {
        a.addInts(i);
      }
    } else if (v instanceof float[] fs) {
      a.setType(OnnxMl.AttributeProto.AttributeType.FLOATS);
      for (float f : fs) {
        a.addFloats(f);
      }
    } else if (v instanceof OnnxMl.TensorProto t) {
      a.setType(OnnxMl.AttributeProto.AttributeType.TENSOR).setT(t);
    } else {
      throw new IllegalArgumentException(
          opType + ": unsupported attribute type for '" + name + "': "
              + (v == null ? "null" : v.getClass().getSimpleName()));
    }
    return a.build();
  }

  private void claim(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("value names must be non-empty");
    }
    if (!names.add(name)) {
      throw new IllegalArgumentException("duplicate value name: " + name);
    }
  }

  private void requireKnown(String name) {
    if (!names.contains(name)) {
      throw new IllegalArgumentException("unknown value: '" + name + "'");
    }
  }

  /** A name not used yet, {@code prefix_N} (not reserved: the caller claims it). */
  private String unused(String prefix) {
    String name;
    do {
      name = prefix + "_" + counter++;
    } while (names.contains(name));
    return name;
  }
}
