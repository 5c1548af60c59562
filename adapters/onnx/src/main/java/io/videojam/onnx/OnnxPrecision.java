package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.videojam.api.VideoJamException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Converts a float32 ONNX model so that its computation runs in float16 or bfloat16, like
 * onnxconverter-common's float16 conversion with {@code keep_io_types=True}. TensorRT 11 builds
 * only strongly typed networks, so the precision must be in the graph itself; the same converted
 * graph also runs on ONNX Runtime's CUDA execution provider.
 *
 * <p>What changes: float32 initializers and {@code Constant}/{@code ConstantOfShape} values are
 * stored in the target type (round to nearest, ties to even); {@code Cast(to=FLOAT)} and the
 * {@code dtype} of random and {@code EyeLike} nodes become the target type; {@code value_info}
 * entries follow. Graph inputs and outputs stay float32: a {@code Cast} follows each float32 input
 * and precedes each float32 output (the output keeps its public name; the value computed inside
 * is renamed). Non-float values (int64 token ids, shapes) are untouched.
 *
 * <p>Blocked operators (see {@link #defaultBlockedOps}) keep computing in float32: their float
 * inputs are cast back to float32 (an initializer read there is kept as an exact float32 copy, or
 * stays float32 if nothing else reads it) and their float outputs are cast to the target type.
 * The scales input of {@code Resize}/{@code Upsample} stays float32, as ONNX requires.
 *
 * <p>Float32 islands: an unblocked node stays float32 too when something reads one of its float
 * outputs as float32 (a node that stays float32, or a {@code Resize} scales input) and all of its
 * float inputs are graph inputs, initializers or outputs of nodes that stay float32 (constant
 * nodes have none); the islands are the largest set of nodes with both properties (the fixed
 * point of applying the rule over and over). So the cheap chain that feeds a blocked
 * operator from the float32 graph inputs and constants is computed in float32, instead of being
 * rounded to the target type and cast back: a diffusion model's time embedding {@code
 * Sin(1000 t * freq)} gets its whole argument in float32, while a chain that reads any value
 * computed in the target type (the latent path) is untouched. Unblocked compute-bound operators
 * ({@code MatMul}, {@code Gemm}, {@code Conv}, ...) never join an island (otherwise a blocked
 * operator near the outputs would pull the whole network, which depends on nothing but the
 * inputs and weights, into float32), so they end one; block such a node explicitly if its
 * result must be float32.
 *
 * <p>Element types of intermediate values come from {@code value_info} where present and
 * otherwise from a small per-operator rule (most operators give the type of their first input).
 * Control flow subgraphs ({@code If}, {@code Loop}, {@code Scan}) are not supported.
 */
public final class OnnxPrecision {
  /** The metadata key that records the precision of a converted model ("fp16" or "bf16"). */
  public static final String METADATA_KEY = "videojam.precision";

  /** Raised whenever the conversion's output changes: TensorRT engine caches are keyed on it. */
  public static final int VERSION = 2;

  private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;

  /** Operators without a float16 or bfloat16 type in any ONNX opset. */
  private static final Set<String> NO_HALF = Set.of("Range");

  /**
   * Operators kept in float32 for accuracy: their arguments are phases that can be large (a
   * timestep embedding's {@code 1000 t * freq} reaches 1000, where float16's spacing is 0.5 and
   * bfloat16's 4), and an absolute error of the argument is an absolute error of the angle. With
   * the float32 islands (see the class comment) the products that compute the argument from the
   * float32 inputs stay float32 too.
   */
  private static final Set<String> PHASE_OPS = Set.of("Sin", "Cos");

  /**
   * Operators that gained bfloat16 only in opset 22 (ONNX 1.17, "add bfloat16 to all relevant
   * ops"); blocked for bfloat16 in models of an older opset.
   */
  private static final Set<String> BF16_SINCE_22 = Set.of(
      "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "AveragePool", "Bernoulli", "Conv",
      "ConvTranspose", "Cos", "Cosh", "DeformConv", "Det", "Dropout", "Elu", "EyeLike", "GRU",
      "GlobalAveragePool", "GlobalLpPool", "GlobalMaxPool", "HardSigmoid", "HardSwish",
      "InstanceNormalization", "LSTM", "LpNormalization", "LpPool", "MaxPool", "MaxRoiPool",
      "MaxUnpool", "Mish", "Multinomial", "NegativeLogLikelihoodLoss", "RNN", "RandomNormal",
      "RandomNormalLike", "RandomUniform", "RandomUniformLike", "RoiAlign", "Round", "Selu", "Sin",
      "Sinh", "Softplus", "Softsign", "Tan", "ThresholdedRelu");

  /**
   * Compute-bound operators: unblocked, they compute in the target type even where their inputs
   * and readers are float32 (they never join a float32 island).
   */
  private static final Set<String> NO_ISLAND = Set.of(
      "Attention", "Conv", "ConvTranspose", "DeformConv", "Einsum", "GRU", "Gemm", "LSTM",
      "MatMul", "RNN");

  /** Inputs (by operator, input index) that ONNX types as float32 whatever the data type. */
  private static final Map<String, Integer> FLOAT_INPUT = Map.of("Resize", 2, "Upsample", 1);

  /** Operators whose {@code dtype} attribute names the float type of their output. */
  private static final Set<String> DTYPE_OPS = Set.of(
      "RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "EyeLike",
      "Bernoulli");

  /** Operators with several outputs all of the type of their first input. */
  private static final Set<String> SAME_TYPE_OUTPUTS = Set.of("Split", "LSTM", "GRU", "RNN");

  private OnnxPrecision() {}

  /** The precision a model computes in. */
  public enum Precision {
    /** float32: no conversion. */
    FP32("fp32", OnnxMl.TensorProto.DataType.FLOAT_VALUE),
    /** IEEE 754 half precision (TensorProto.DataType FLOAT16 = 10). */
    FP16("fp16", OnnxMl.TensorProto.DataType.FLOAT16_VALUE),
    /** bfloat16, the upper 16 bits of a float32 (TensorProto.DataType BFLOAT16 = 16). */
    BF16("bf16", OnnxMl.TensorProto.DataType.BFLOAT16_VALUE);

    private final String label;
    private final int dataType;

    Precision(String label, int dataType) {
      this.label = label;
      this.dataType = dataType;
    }

    /** The lower-case name: "fp32", "fp16" or "bf16". */
    public String label() {
      return label;
    }

    /** The ONNX {@code TensorProto.DataType} number of the precision's float type. */
    public int dataType() {
      return dataType;
    }

    /**
     * Parses "fp32", "fp16" or "bf16" (any case).
     *
     * @throws VideoJamException for any other text, naming the accepted values
     */
    public static Precision parse(String s) {
      String v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
      for (Precision p : values()) {
        if (p.label.equals(v)) {
          return p;
        }
      }
      throw new VideoJamException(
          "Unknown precision '" + s + "': use fp32, fp16 or bf16");
    }
  }

  /**
   * The operators {@link #convert(OnnxMl.ModelProto, Precision)} keeps in float32: those whose
   * ONNX type constraints at the given default-domain opset have no float16 (for {@code FP16}) or
   * bfloat16 (for {@code BF16}) type, and {@code Sin} and {@code Cos}, whose (phase) arguments
   * can be too large for a 16-bit float.
   */
  public static Set<String> defaultBlockedOps(Precision precision, long opset) {
    if (precision == Precision.FP32) {
      return Set.of();
    }
    Set<String> s = new HashSet<>(NO_HALF);
    s.addAll(PHASE_OPS);
    if (precision == Precision.BF16 && opset < 22) {
      s.addAll(BF16_SINCE_22);
    }
    return Set.copyOf(s);
  }

  /**
   * A copy of the model whose float32 computation runs in the given precision, keeping the
   * {@linkplain #defaultBlockedOps default blocked operators} and the float32 islands that feed
   * them (see the class comment) in float32; graph inputs and outputs stay float32. {@code FP32}
   * returns the model unchanged (the same instance).
   *
   * @throws VideoJamException if the model was converted already, holds external data, has
   *     control-flow subgraphs, or (for BF16) imports an opset below 13
   */
  public static OnnxMl.ModelProto convert(OnnxMl.ModelProto model, Precision precision) {
    return convert(model, precision, defaultBlockedOps(precision, opset(model)));
  }

  /**
   * As {@link #convert(OnnxMl.ModelProto, Precision)}, with the operator types to keep in float32
   * given explicitly (e.g. the default set plus operators a runtime has no kernel for). The float32
   * islands around them (see the class comment) stay float32 as well.
   */
  public static OnnxMl.ModelProto convert(
      OnnxMl.ModelProto model, Precision precision, Set<String> blockedOps) {
    return convert(model, precision, blockedOps, true);
  }

  /**
   * As {@link #convert(OnnxMl.ModelProto, Precision, Set)}; {@code islands = false} keeps only the
   * blocked operators in float32 (no float32 islands), for tests that measure what islands gain.
   */
  static OnnxMl.ModelProto convert(
      OnnxMl.ModelProto model, Precision precision, Set<String> blockedOps, boolean islands) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(blockedOps, "blockedOps");
    if (precision == Precision.FP32) {
      return model;
    }
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      if (e.getKey().equals(METADATA_KEY)) {
        throw new VideoJamException("The ONNX model is already converted to " + e.getValue()
            + " (metadata " + METADATA_KEY + "); convert the float32 original instead");
      }
    }
    if (precision == Precision.BF16 && opset(model) < 13) {
      throw new VideoJamException("bf16 needs an ONNX model of opset 13 or later; this one imports "
          + opset(model) + " (re-export it with opset 17)");
    }
    OnnxMl.GraphProto g = model.getGraph();
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      if (OnnxModels.isExternal(t)) {
        throw new VideoJamException("Initializer '" + t.getName() + "' is stored in external data;"
            + " load external data first (OnnxModels.readWithExternalData) and convert that model");
      }
    }
    for (OnnxMl.NodeProto n : g.getNodeList()) {
      for (OnnxMl.AttributeProto a : n.getAttributeList()) {
        if (a.hasG() || a.getGraphsCount() > 0) {
          throw new VideoJamException("Node '" + n.getName() + "' (" + n.getOpType() + ") has a"
              + " subgraph; converting control flow (If, Loop, Scan) is not supported");
        }
      }
    }
    OnnxMl.GraphProto converted =
        new Conversion(g, precision.dataType(), blockedOps, islands).run();
    return model.toBuilder()
        .setGraph(converted)
        .addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
            .setKey(METADATA_KEY).setValue(precision.label()))
        .build();
  }

  /** The float32 tensor's values stored as {@code dataType} (FLOAT16 or BFLOAT16) raw data. */
  static OnnxMl.TensorProto convertTensor(OnnxMl.TensorProto t, int dataType) {
    float[] v = floats(t);
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    boolean half = dataType == OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
    for (float f : v) {
      b.putShort(half ? toHalf(f) : toBfloat16(f));
    }
    return t.toBuilder()
        .clearFloatData()
        .setDataType(dataType)
        .setRawData(ByteString.copyFrom(b.array()))
        .build();
  }

  /** The values of a float32 tensor held in {@code float_data} or {@code raw_data}. */
  static float[] floats(OnnxMl.TensorProto t) {
    if (t.getFloatDataCount() > 0) {
      float[] v = new float[t.getFloatDataCount()];
      for (int i = 0; i < v.length; i++) {
        v[i] = t.getFloatData(i);
      }
      return v;
    }
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[b.remaining() / Float.BYTES];
    b.asFloatBuffer().get(v);
    return v;
  }

  // ---------------------------------------------------------------------------------------------
  // Bit conversions (Float.floatToFloat16 and Float.float16ToFloat exist only from Java 20)

  /** The IEEE half nearest to {@code f} (ties to even); overflow gives infinity, NaN stays NaN. */
  static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fffffff;
    if (abs > 0x7f800000) { // NaN: keep the top payload bits and make it quiet
      return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
    }
    if (abs >= 0x477ff000) { // >= 65520, half way between 65504 and 2^16: infinity
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x38800000) { // >= 2^-14: normal; rebias the exponent (127 -> 15), round 13 bits
      int rounded = abs + 0x0fff + ((abs >>> 13) & 1);
      return (short) (sign | ((rounded - 0x38000000) >>> 13));
    }
    // subnormal or zero: a multiple of 2^-24; the scaling is exact and rint rounds ties to even
    return (short) (sign | (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f));
  }

  /** The float value of an IEEE half. */
  static float fromHalf(short h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int man = h & 0x3ff;
    if (exp == 0) {
      float v = man * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (man << 13));
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (man << 13));
  }

  /** The bfloat16 nearest to {@code f} (ties to even); NaN stays NaN. */
  static short toBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
  }

  /** The float value of a bfloat16. */
  static float fromBfloat16(short b) {
    return Float.intBitsToFloat((b & 0xffff) << 16);
  }

  // ---------------------------------------------------------------------------------------------

  private static long opset(OnnxMl.ModelProto model) {
    for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        return o.getVersion();
      }
    }
    return 0;
  }

  /** One graph's conversion: which float32 values live in which precision, and the casts. */
  private static final class Conversion {
    private final OnnxMl.GraphProto g;
    private final int target;
    private final List<OnnxMl.NodeProto> graphNodes;
    /** Per node (by index): whether it computes in float32 (blocked, or in a float32 island). */
    private final boolean[] float32;
    private final Map<String, Integer> types;
    private final Map<String, OnnxMl.TensorProto> inits = new HashMap<>();
    private final Set<String> inputs = new HashSet<>();
    private final Set<String> outputs = new HashSet<>();
    private final Set<String> used = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    /** Float32 values whose home (stored) type is the target type. */
    private final Set<String> lowered = new HashSet<>();
    /** Per value: its name in the type it is not stored in (a Cast output, an initializer copy). */
    private final Map<String, String> other = new HashMap<>();
    private final List<OnnxMl.NodeProto> nodes = new ArrayList<>();
    private final List<OnnxMl.TensorProto> copies = new ArrayList<>();

    Conversion(OnnxMl.GraphProto g, int target, Set<String> blockedOps, boolean islands) {
      this.g = g;
      this.target = target;
      this.graphNodes = g.getNodeList();
      this.float32 = new boolean[graphNodes.size()];
      for (int i = 0; i < float32.length; i++) {
        float32[i] = blockedOps.contains(graphNodes.get(i).getOpType());
      }
      this.types = elementTypes(g);
      g.getInputList().forEach(v -> inputs.add(v.getName()));
      g.getOutputList().forEach(v -> outputs.add(v.getName()));
      for (OnnxMl.TensorProto t : g.getInitializerList()) {
        if (!inputs.contains(t.getName())) {
          inits.put(t.getName(), t);
        }
      }
      types.keySet().forEach(used::add);
      for (OnnxMl.NodeProto n : g.getNodeList()) {
        used.add(n.getName());
        nodeNames.add(n.getName());
        used.addAll(n.getInputList());
        used.addAll(n.getOutputList());
      }
      if (islands) {
        addIslands();
      }
    }

    /**
     * Marks the unblocked nodes that stay float32: those (not compute-bound) with a float output
     * read as float32 whose float inputs are all graph inputs, initializers or outputs of float32
     * nodes. Nodes come in topological order, so one forward pass finds the nodes whose inputs can
     * all be float32 (the candidates) and one backward pass keeps the candidates a float32 reader
     * needs; the result is the largest set that satisfies both conditions (the fixed point).
     */
    private void addIslands() {
      Map<String, Integer> producer = new HashMap<>();
      Map<String, List<Integer>> readers = new HashMap<>();
      for (int i = 0; i < graphNodes.size(); i++) {
        OnnxMl.NodeProto n = graphNodes.get(i);
        for (String out : n.getOutputList()) {
          if (!out.isEmpty()) {
            producer.put(out, i);
          }
        }
        for (String in : n.getInputList()) {
          readers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
        }
      }
      boolean[] candidate = new boolean[graphNodes.size()];
      for (int i = 0; i < graphNodes.size(); i++) {
        if (float32[i] || NO_ISLAND.contains(graphNodes.get(i).getOpType())) {
          continue;
        }
        boolean ok = graphNodes.get(i).getOutputList().stream().anyMatch(this::isFloat);
        for (String in : graphNodes.get(i).getInputList()) {
          Integer p = producer.get(in);
          // a computed input must be a float32 node's, or be known not to be float (int64 shapes)
          if (p != null && !float32[p] && !candidate[p] && !isKnownNonFloat(in)) {
            ok = false;
          }
        }
        candidate[i] = ok;
      }
      // readers come after their producer: by the time a node is looked at, its readers are final
      for (int i = graphNodes.size() - 1; i >= 0; i--) {
        if (!candidate[i]) {
          continue;
        }
        for (String out : graphNodes.get(i).getOutputList()) {
          if (isFloat(out) && readsAsFloat32(readers.getOrDefault(out, List.of()), out)) {
            float32[i] = true;
          }
        }
      }
    }

    /** Whether one of the nodes reads {@code value} as float32. */
    private boolean readsAsFloat32(List<Integer> readerNodes, String value) {
      for (int r : readerNodes) {
        for (int k = 0; k < graphNodes.get(r).getInputCount(); k++) {
          if (graphNodes.get(r).getInput(k).equals(value) && required(r, k) == FLOAT) {
            return true;
          }
        }
      }
      return false;
    }

    private boolean isKnownNonFloat(String v) {
      Integer t = types.get(v);
      return t != null && t != 0 && t != FLOAT;
    }

    OnnxMl.GraphProto run() {
      decideHomes();
      // graph inputs: a Cast right at the start
      for (OnnxMl.ValueInfoProto v : g.getInputList()) {
        if (isFloat(v.getName()) && hasUse(v.getName(), target)) {
          name(v.getName(), target);
        }
      }
      for (int i = 0; i < graphNodes.size(); i++) {
        convertNode(i);
      }
      OnnxMl.GraphProto.Builder gb = g.toBuilder().clearNode().addAllNode(nodes);
      for (int i = 0; i < gb.getInitializerCount(); i++) {
        if (lowered.contains(gb.getInitializer(i).getName())) {
          gb.setInitializer(i, convertTensor(gb.getInitializer(i), target));
        }
      }
      gb.addAllInitializer(copies);
      for (OnnxMl.ValueInfoProto.Builder v : gb.getValueInfoBuilderList()) {
        if (lowered.contains(v.getName()) && !outputs.contains(v.getName())
            && v.getType().hasTensorType()) {
          v.getTypeBuilder().getTensorTypeBuilder().setElemType(target);
        }
      }
      return gb.build();
    }

    /**
     * Float32 values computed by nodes that do not stay float32, and initializers they read, move
     * to target.
     */
    private void decideHomes() {
      for (int j = 0; j < graphNodes.size(); j++) {
        OnnxMl.NodeProto n = graphNodes.get(j);
        for (String out : n.getOutputList()) {
          if (!float32[j] && isFloat(out)) {
            lowered.add(out);
          }
        }
        for (int i = 0; i < n.getInputCount(); i++) {
          String in = n.getInput(i);
          if (inits.containsKey(in) && isFloat(in) && !outputs.contains(in)
              && required(j, i) == target) {
            lowered.add(in);
          }
        }
      }
    }

    private void convertNode(int j) {
      OnnxMl.NodeProto n = graphNodes.get(j);
      OnnxMl.NodeProto.Builder b = n.toBuilder();
      for (int i = 0; i < n.getInputCount(); i++) {
        if (isFloat(n.getInput(i))) {
          b.setInput(i, name(n.getInput(i), required(j, i)));
        }
      }
      List<String> renamedOutputs = new ArrayList<>();
      for (int i = 0; i < n.getOutputCount(); i++) {
        String out = n.getOutput(i);
        if (lowered.contains(out) && outputs.contains(out)) { // computed inside, published as float
          b.setOutput(i, name(out, target));
          renamedOutputs.add(out);
        }
      }
      if (!float32[j]) {
        retypeAttributes(b);
      }
      nodes.add(b.build());
      for (String out : renamedOutputs) {
        // the Cast is named after the output, unless a node has that name already (a node named
        // after its output, as GraphBuilder names them): node names must be unique
        OnnxMl.NodeProto c = cast(other.get(out), out, FLOAT);
        nodes.add(
            nodeNames.contains(out) ? c.toBuilder().setName(fresh(out + "_cast")).build() : c);
      }
    }

    /** Constant values, Cast targets and dtypes that produce float32 now produce the target. */
    private void retypeAttributes(OnnxMl.NodeProto.Builder b) {
      String op = b.getOpType();
      for (int i = 0; i < b.getAttributeCount(); i++) {
        OnnxMl.AttributeProto a = b.getAttribute(i);
        OnnxMl.AttributeProto.Builder ab = a.toBuilder();
        switch (a.getName()) {
          case "value" -> {
            if ((op.equals("Constant") || op.equals("ConstantOfShape"))
                && a.getT().getDataType() == FLOAT) {
              b.setAttribute(i, ab.setT(convertTensor(a.getT(), target)));
            }
          }
          case "value_float", "value_floats" -> {
            if (op.equals("Constant")) {
              b.setAttribute(i, tensorAttribute(a, target));
            }
          }
          case "to" -> {
            if (op.equals("Cast") && a.getI() == FLOAT) {
              b.setAttribute(i, ab.setI(target));
            }
          }
          case "dtype" -> {
            if (DTYPE_OPS.contains(op) && a.getI() == FLOAT) {
              b.setAttribute(i, ab.setI(target));
            }
          }
          default -> { }
        }
      }
      boolean hasValue = b.getAttributeList().stream().anyMatch(a -> a.getName().equals("value"));
      boolean hasDtype = b.getAttributeList().stream().anyMatch(a -> a.getName().equals("dtype"));
      if (op.equals("ConstantOfShape") && !hasValue) { // the default value is a float32 zero
        OnnxMl.TensorProto zero = OnnxMl.TensorProto.newBuilder()
            .setDataType(FLOAT).addDims(1).addFloatData(0f).build();
        b.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("value")
            .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
            .setT(convertTensor(zero, target)));
      }
      if ((op.equals("RandomNormal") || op.equals("RandomUniform")) && !hasDtype) {
        b.addAttribute(OnnxMl.AttributeProto.newBuilder().setName("dtype")
            .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(target));
      }
    }

    /** The type node {@code j} needs its float32 input {@code i} in. */
    private int required(int j, int i) {
      return float32[j] || Objects.equals(FLOAT_INPUT.get(graphNodes.get(j).getOpType()), i)
          ? FLOAT : target;
    }

    private boolean hasUse(String value, int type) {
      for (int j = 0; j < graphNodes.size(); j++) {
        OnnxMl.NodeProto n = graphNodes.get(j);
        for (int i = 0; i < n.getInputCount(); i++) {
          if (n.getInput(i).equals(value) && required(j, i) == type) {
            return true;
          }
        }
      }
      return false;
    }

    /**
     * The name under which float32 value {@code v} is available as {@code type}; the first request
     * for the type it is not stored in adds a Cast (or, for an initializer, an exact copy).
     */
    private String name(String v, int type) {
      boolean home = lowered.contains(v) == (type == target);
      boolean renamedOutput = lowered.contains(v) && outputs.contains(v);
      if (home != renamedOutput) { // a renamed output is published as float32 under its name
        return v;
      }
      String n = other.get(v);
      if (n == null) {
        n = fresh(v + "_" + (type == FLOAT ? "fp32" : label(target)));
        other.put(v, n);
        OnnxMl.TensorProto init = inits.get(v);
        if (init != null) {
          OnnxMl.TensorProto copy = init.toBuilder().setName(n).build();
          copies.add(type == FLOAT ? copy : convertTensor(copy, target));
        } else if (!renamedOutput) { // (a renamed output's producer writes n, then a Cast n -> v)
          nodes.add(cast(v, n, type));
        }
      }
      return n;
    }

    private OnnxMl.NodeProto cast(String from, String to, int type) {
      return OnnxMl.NodeProto.newBuilder()
          .setName(to)
          .setOpType("Cast")
          .addInput(from)
          .addOutput(to)
          .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("to")
              .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(type))
          .build();
    }

    private String fresh(String base) {
      String n = base;
      for (int i = 1; used.contains(n); i++) {
        n = base + "_" + i;
      }
      used.add(n);
      return n;
    }

    private boolean isFloat(String v) {
      return !v.isEmpty() && Objects.equals(types.get(v), FLOAT);
    }

    private static String label(int dataType) {
      return dataType == Precision.FP16.dataType() ? "fp16" : "bf16";
    }

    /** A Constant's {@code value_float(s)} as a {@code value} tensor of the target type. */
    private static OnnxMl.AttributeProto tensorAttribute(OnnxMl.AttributeProto a, int target) {
      OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setDataType(FLOAT);
      if (a.getName().equals("value_float")) {
        t.addFloatData(a.getF());
      } else {
        t.addDims(a.getFloatsCount()).addAllFloatData(a.getFloatsList());
      }
      return OnnxMl.AttributeProto.newBuilder().setName("value")
          .setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
          .setT(convertTensor(t.build(), target))
          .build();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Element types of the float32 graph

  /** The element type of every value whose type is declared or follows from a simple rule. */
  static Map<String, Integer> elementTypes(OnnxMl.GraphProto g) {
    Map<String, Integer> types = new HashMap<>();
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      types.put(t.getName(), t.getDataType());
    }
    List<OnnxMl.ValueInfoProto> declared = new ArrayList<>(g.getInputList());
    declared.addAll(g.getOutputList());
    declared.addAll(g.getValueInfoList());
    for (OnnxMl.ValueInfoProto v : declared) {
      if (v.getType().hasTensorType() && v.getType().getTensorType().getElemType() != 0) {
        types.put(v.getName(), v.getType().getTensorType().getElemType());
      }
    }
    for (OnnxMl.NodeProto n : g.getNodeList()) {
      for (int i = 0; i < n.getOutputCount(); i++) {
        String out = n.getOutput(i);
        if (!out.isEmpty() && !types.containsKey(out)) {
          int t = outputType(n, i, types);
          if (t != 0) {
            types.put(out, t);
          }
        }
      }
    }
    return types;
  }

  /** The element type of output {@code i} of node {@code n}; 0 if unknown. */
  private static int outputType(OnnxMl.NodeProto n, int i, Map<String, Integer> types) {
    final int int64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
    final int bool = OnnxMl.TensorProto.DataType.BOOL_VALUE;
    switch (n.getOpType()) {
      case "Constant" -> {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
          switch (a.getName()) {
            case "value" -> { return a.getT().getDataType(); }
            case "value_float", "value_floats" -> { return FLOAT; }
            case "value_int", "value_ints" -> { return int64; }
            case "sparse_value" -> { return a.getSparseTensor().getValues().getDataType(); }
            default -> { }
          }
        }
        return 0;
      }
      case "Cast" -> { return (int) intAttr(n, "to", 0); }
      case "CastLike", "Where", "DequantizeLinear" -> { return type(n, 1, types); }
      case "OneHot" -> { return type(n, 2, types); }
      case "ConstantOfShape" -> {
        for (OnnxMl.AttributeProto a : n.getAttributeList()) {
          if (a.getName().equals("value")) {
            return a.getT().getDataType();
          }
        }
        return FLOAT;
      }
      case "Shape", "Size", "NonZero", "ArgMax", "ArgMin" -> { return int64; }
      case "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Not", "And", "Or", "Xor",
          "IsNaN", "IsInf" -> { return bool; }
      case "RandomNormal", "RandomUniform" -> { return (int) intAttr(n, "dtype", FLOAT); }
      case "RandomNormalLike", "RandomUniformLike", "EyeLike", "Bernoulli" -> {
        return (int) intAttr(n, "dtype", type(n, 0, types));
      }
      case "Multinomial" -> {
        return (int) intAttr(n, "dtype", OnnxMl.TensorProto.DataType.INT32_VALUE);
      }
      case "QuantizeLinear", "DynamicQuantizeLinear" -> { return 0; }
      default -> {
        // TopK and Unique indices, MaxPool indices, Dropout mask, normalisation statistics
        return i == 0 || SAME_TYPE_OUTPUTS.contains(n.getOpType()) ? type(n, 0, types) : 0;
      }
    }
  }

  private static int type(OnnxMl.NodeProto n, int input, Map<String, Integer> types) {
    return input < n.getInputCount() ? types.getOrDefault(n.getInput(input), 0) : 0;
  }

  private static long intAttr(OnnxMl.NodeProto n, String name, long dflt) {
    for (OnnxMl.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }
}
