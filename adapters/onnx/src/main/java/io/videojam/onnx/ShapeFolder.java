package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.ModelExtender.Sz;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Constant folding of the shape arithmetic that PyTorch exports leave in a graph: every size read
 * with {@code Shape} and carried through Gather, Slice, Concat, Unsqueeze, Cast and integer
 * arithmetic into a Reshape (or Expand, Range, ConstantOfShape...) is evaluated against the
 * graph's declared static sizes, with the batch kept symbolic.
 *
 * <ul>
 *   <li>A value that does not depend on the batch becomes an initializer and its node is removed.
 *   <li>A Reshape whose target depends on the batch gets a constant target with {@code -1} (or
 *       {@code 0}, copying the input's batch axis) in the batch's place.
 *   <li>A {@code Shape} that stays live reads only the batch axis; the other sizes become
 *       constants, so the result is unchanged when the tensor is widened later.
 *   <li>Nodes whose outputs nothing uses any more are removed; graph output shapes left symbolic by
 *       the exporter are set to the sizes found.
 * </ul>
 *
 * <p>Shapes are propagated through the operators of transformer exports (elementwise with
 * broadcasting, MatMul, Gemm, Conv, ConvTranspose, Reshape, Transpose, Flatten, (Un)Squeeze,
 * Concat, Split, Slice, Gather, Expand, reductions, normalisations...). Where a shape cannot be
 * followed, the values that depend on it are simply left as they are: folding never changes what
 * the graph computes.
 */
public final class ShapeFolder {
  /** The largest tensor whose values are tracked (shape vectors and small constants). */
  static final int MAX_VALUES = 64;
  /** The highest rank a shape tensor may give (ONNX Runtime's own limit is lower). */
  static final int MAX_RANK = 64;

  private ShapeFolder() {}

  /**
   * The result.
   *
   * @param model the folded model
   * @param folded nodes replaced by constants
   * @param reshapes Reshape targets made constant with a batch placeholder
   * @param shapes live Shape nodes reduced to reading the batch axis (the other sizes become constants)
   * @param removed nodes removed as unused (folded ones included)
   * @param boolWheres {@code Where} nodes that selected between booleans, rewritten as {@code
   *     Or(And(c, x), And(Not(c), y))} (ONNX Runtime's CPU provider has no boolean Where kernel)
   * @param dims the inferred dims of every value (null entry: unknown)
   */
  public record Result(OnnxMl.ModelProto model, int folded, int reshapes, int shapes, int removed, int boolWheres,
      Map<String, Sz[]> dims) {
    /** One line for notes and {@code inspect}. */
    public String summary() {
      return "shape arithmetic folded: " + folded + " nodes to constants, " + reshapes + " Reshape targets made constant, " + shapes
          + " live Shape nodes reduced to reading the batch, " + removed + " unused nodes removed"
          + (boolWheres > 0 ? ", " + boolWheres + " boolean Where nodes rewritten to And/Or/Not" : "");
    }
  }

  /** Folds {@code model} against its declared input sizes (see {@link #fold(OnnxMl.ModelProto, Map)}). */
  public static Result fold(OnnxMl.ModelProto model) {
    return fold(model, Map.of());
  }

  /**
   * Folds {@code model}.
   *
   * @param model the graph (initializers stored in external data are never read)
   * @param inputSizes sizes to use for graph inputs instead of their declared ones: entries {@code
   *     > 0} are fixed, {@code -1} is the batch; inputs not named keep their declared sizes, where
   *     the first symbolic axis 0 of a float input of rank >= 3 is taken as the batch and every
   *     axis with the same symbol too
   */
  public static Result fold(OnnxMl.ModelProto model, Map<String, long[]> inputSizes) {
    checkArity(model.getGraph());
    return new Run(model, inputSizes).run();
  }

  /** Inputs every node of these operators has (ONNX's required ones); the folder and extend read them. */
  private static final Map<String, Integer> MIN_INPUTS = Map.ofEntries(Map.entry("Add", 2), Map.entry("Sub", 2),
      Map.entry("Mul", 2), Map.entry("Div", 2), Map.entry("Pow", 2), Map.entry("MatMul", 2), Map.entry("MatMulInteger", 2),
      Map.entry("Gemm", 2), Map.entry("Conv", 2), Map.entry("ConvTranspose", 2), Map.entry("Reshape", 2),
      Map.entry("Expand", 2), Map.entry("Tile", 2), Map.entry("Gather", 2), Map.entry("Equal", 2), Map.entry("Where", 3),
      Map.entry("Slice", 1), Map.entry("Concat", 1), Map.entry("Split", 1), Map.entry("Squeeze", 1),
      Map.entry("Unsqueeze", 1), Map.entry("Identity", 1), Map.entry("Cast", 1), Map.entry("Transpose", 1),
      Map.entry("Flatten", 1), Map.entry("Shape", 1), Map.entry("Einsum", 1));

  /** Refuses a node with fewer inputs than its operator requires, or without an output: a damaged graph. */
  static void checkArity(OnnxMl.GraphProto g) {
    for (OnnxMl.NodeProto n : g.getNodeList()) {
      int min = MIN_INPUTS.getOrDefault(n.getOpType(), 0);
      if (n.getInputCount() < min || n.getOutputCount() == 0) {
        throw new VideoJamException("node '" + n.getName() + "' (" + n.getOpType() + ") has " + n.getInputCount() + " inputs and "
            + n.getOutputCount() + " outputs; " + n.getOpType() + " takes at least " + min + " inputs and gives an output:"
            + " the ONNX graph is damaged");
      }
    }
  }

  /** A value: its element type (ONNX data type), dims (null entries unknown) and values (null: unknown). */
  record Val(int type, Sz[] dims, Sz[] values) {
    int rank() {
      return dims == null ? -1 : dims.length;
    }

    boolean known() {
      if (values == null) {
        return false;
      }
      for (Sz v : values) {
        if (v == null) {
          return false;
        }
      }
      return true;
    }

    boolean constant() {
      if (!known()) {
        return false;
      }
      for (Sz v : values) {
        if (v.b()) {
          return false;
        }
      }
      return true;
    }
  }

  private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT_VALUE;
  private static final int INT64 = OnnxMl.TensorProto.DataType.INT64_VALUE;
  private static final int INT32 = OnnxMl.TensorProto.DataType.INT32_VALUE;
  private static final int BOOL = OnnxMl.TensorProto.DataType.BOOL_VALUE;
  private static final int DOUBLE = OnnxMl.TensorProto.DataType.DOUBLE_VALUE;
  private static final Sz B = new Sz(1, true);

  private static final class Run {
    private final OnnxMl.ModelProto model;
    private final Map<String, long[]> inputSizes;
    private final Map<String, Val> vals = new HashMap<>();
    /** Element counts known from the outputs' shapes where the forward pass lost the dims. */
    private final Map<String, Sz> counts = new HashMap<>();
    /** Values computed from a Shape or Size node: the only ones folded (other constant arithmetic is the exporter's). */
    private final Set<String> fromShape = new HashSet<>();
    private final long opset;

    Run(OnnxMl.ModelProto model, Map<String, long[]> inputSizes) {
      this.model = model;
      this.inputSizes = inputSizes;
      long v = 13;
      for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
        if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
          v = o.getVersion();
        }
      }
      this.opset = v;
    }

    Result run() {
      OnnxMl.GraphProto g0 = model.getGraph();
      Set<String> initNames = new HashSet<>();
      for (OnnxMl.TensorProto t : g0.getInitializerList()) {
        initNames.add(t.getName());
        vals.put(t.getName(), fromTensor(t));
      }
      String batchSymbol = null;
      for (OnnxMl.ValueInfoProto v : g0.getInputList()) {
        var shape = v.getType().getTensorType().getShape();
        if (batchSymbol == null && !initNames.contains(v.getName()) && v.getType().getTensorType().getElemType() == FLOAT
            && shape.getDimCount() >= 3 && !shape.getDim(0).hasDimValue() && !shape.getDim(0).getDimParam().isEmpty()) {
          batchSymbol = shape.getDim(0).getDimParam();
        }
      }
      for (OnnxMl.ValueInfoProto v : g0.getInputList()) {
        if (initNames.contains(v.getName()) || !v.getType().hasTensorType()) {
          continue;
        }
        var tt = v.getType().getTensorType();
        Sz[] dims;
        long[] given = inputSizes.get(v.getName());
        if (given != null) {
          dims = new Sz[given.length];
          if (tt.hasShape() && tt.getShape().getDimCount() != given.length) {
            throw new VideoJamException("the sizes given for input '" + v.getName() + "' " + Arrays.toString(given) + " have rank "
                + given.length + ", the graph declares rank " + tt.getShape().getDimCount());
          }
          for (int i = 0; i < given.length; i++) {
            var declared = tt.hasShape() ? tt.getShape().getDim(i) : null;
            if (declared != null && declared.hasDimValue() && declared.getDimValue() > 0 && given[i] > 0
                && declared.getDimValue() != given[i]) {
              throw new VideoJamException("the sizes given for input '" + v.getName() + "' " + Arrays.toString(given)
                  + " contradict the graph, which declares axis " + i + " as " + declared.getDimValue()
                  + "; fix the model's sizes (model.json \"latent\" or \"video\", and \"layout\")");
            }
            dims[i] = given[i] > 0 ? new Sz(given[i], false) : given[i] == -1 ? B : null;
          }
        } else if (!tt.hasShape()) {
          dims = null;
        } else {
          dims = new Sz[tt.getShape().getDimCount()];
          for (int i = 0; i < dims.length; i++) {
            var d = tt.getShape().getDim(i);
            dims[i] = d.hasDimValue() && d.getDimValue() > 0 ? new Sz(d.getDimValue(), false)
                : batchSymbol != null && batchSymbol.equals(d.getDimParam()) ? B : null;
          }
        }
        vals.put(v.getName(), new Val(tt.getElemType(), dims, null));
      }
      Map<String, Val> start = new HashMap<>(vals);
      forward(g0);
      // graph outputs of a known shape (the velocity has the latent's shape): element counts flow back through the
      // unpatchify chain, so the -1 entries of its Reshapes can be solved where the forward pass lost the sizes
      boolean outputsGiven = false;
      for (OnnxMl.ValueInfoProto o : g0.getOutputList()) {
        long[] given = inputSizes.get(o.getName());
        Val v = vals.get(o.getName());
        if (given != null && v != null && (v.dims() == null || !Arrays.stream(v.dims()).allMatch(java.util.Objects::nonNull))) {
          Sz[] d = new Sz[given.length];
          for (int i = 0; i < d.length; i++) {
            d[i] = given[i] > 0 ? new Sz(given[i], false) : B;
          }
          counts.put(o.getName(), count(d));
          outputsGiven = true;
        }
      }
      if (outputsGiven) {
        backward(g0, initNames);
        vals.clear();
        vals.putAll(start);
        fromShape.clear();
        forward(g0);
      }
      return rewrite(g0, initNames);
    }

    private void forward(OnnxMl.GraphProto g0) {
      for (OnnxMl.NodeProto n : g0.getNodeList()) {
        Val[] outs;
        try {
          outs = infer(n);
        } catch (RuntimeException e) {
          outs = null; // an operator this folder cannot follow: its outputs stay unknown
        }
        boolean shapeDerived = n.getOpType().equals("Shape") || n.getOpType().equals("Size")
            || n.getInputList().stream().anyMatch(fromShape::contains);
        for (int i = 0; i < n.getOutputCount(); i++) {
          Val o = outs != null && i < outs.length && outs[i] != null ? outs[i] : new Val(0, null, null);
          vals.put(n.getOutput(i), o);
          if (shapeDerived) {
            fromShape.add(n.getOutput(i));
          }
        }
      }
    }

    /** Element counts from the outputs back through Identity, Cast, Transpose, Reshape, Flatten, (Un)Squeeze and bias adds. */
    private void backward(OnnxMl.GraphProto g0, Set<String> initNames) {
      for (int k = g0.getNodeCount() - 1; k >= 0; k--) {
        OnnxMl.NodeProto n = g0.getNode(k);
        if (n.getOutputCount() == 0 || n.getInputCount() == 0) {
          continue;
        }
        Sz c = n.getOutputCount() == 1 ? counts.get(n.getOutput(0)) : null;
        if (c == null) {
          Val v = vals.get(n.getOutput(0));
          c = v == null ? null : count(v.dims());
        }
        if (c == null) {
          continue;
        }
        switch (n.getOpType()) {
          case "Identity", "Cast", "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze" -> counts.putIfAbsent(n.getInput(0), c);
          case "Add", "Sub", "Mul", "Div" -> {
            for (int i = 0; i < 2; i++) {
              String other = n.getInput(1 - i);
              Val ov = vals.get(other);
              if (initNames.contains(other) && ov != null && ov.dims() != null && ov.dims().length <= 1) {
                counts.putIfAbsent(n.getInput(i), c); // a bias or scale of one row broadcast over the tensor
              }
            }
          }
          default -> { }
        }
      }
    }

    // ----- rewriting

    private Result rewrite(OnnxMl.GraphProto g0, Set<String> initNames) {
      OnnxMl.ModelProto.Builder mb = model.toBuilder();
      OnnxMl.GraphProto.Builder g = mb.getGraphBuilder();
      g.clearNode();
      Set<String> graphInputs = new HashSet<>();
      g0.getInputList().forEach(v -> graphInputs.add(v.getName()));
      Set<String> graphOutputs = new HashSet<>();
      g0.getOutputList().forEach(v -> graphOutputs.add(v.getName()));
      int folded = 0;
      int boolWheres = 0;
      int reshapes = 0;
      int shapes = 0;
      Set<String> existing = new HashSet<>(initNames);
      g0.getNodeList().forEach(n -> existing.addAll(n.getOutputList()));
      for (OnnxMl.NodeProto n : g0.getNodeList()) {
        boolean foldable = n.getOutputCount() > 0 && !n.getOpType().equals("Constant") && n.getDomain().isEmpty()
            && fromShape.contains(n.getOutput(0))
            && n.getOutputList().stream().noneMatch(graphOutputs::contains);
        for (String o : n.getOutputList()) {
          Val v = vals.get(o);
          foldable &= v != null && v.constant() && v.dims() != null && allFixed(v.dims()) && v.type() != 0;
        }
        if (foldable) {
          for (String o : n.getOutputList()) {
            g.addInitializer(toTensor(o, vals.get(o)));
          }
          folded++;
          continue;
        }
        if (n.getOpType().equals("Reshape") && n.getInputCount() > 1 && !initNames.contains(n.getInput(1))) {
          Val target = vals.get(n.getInput(1));
          Val in = vals.get(n.getInput(0));
          long[] fixed = target != null && target.known() && attr(n, "allowzero", 0) == 0 ? placeholder(target.values(), in) : null;
          Val outV = vals.get(n.getOutput(0));
          if (fixed == null && target != null && target.known() && outV != null && outV.dims() != null
              && outV.dims().length == target.values().length) {
            fixed = placeholder(outV.dims(), null); // the output's sizes, the batch as -1
          }
          if (fixed != null && !(target.constant())) {
            String name = fresh(n.getOutput(0) + "_shape", existing);
            g.addInitializer(longTensor(name, fixed));
            g.addNode(n.toBuilder().setInput(1, name));
            reshapes++;
            continue;
          }
        }
        if (n.getOpType().equals("Where") && n.getInputCount() == 3 && (type(n.getInput(1)) == BOOL || type(n.getInput(2)) == BOOL)) {
          String c = n.getInput(0);
          String a = fresh(n.getOutput(0) + "_and", existing);
          String nc = fresh(n.getOutput(0) + "_not", existing);
          String b = fresh(n.getOutput(0) + "_andnot", existing);
          g.addNode(node("And", n.getName() + "_and", a, c, n.getInput(1)));
          g.addNode(node("Not", n.getName() + "_not", nc, c));
          g.addNode(node("And", n.getName() + "_andnot", b, nc, n.getInput(2)));
          g.addNode(node("Or", n.getName() + "_or", n.getOutput(0), a, b));
          boolWheres++;
          continue;
        }
        if (n.getOpType().equals("Shape") && !initNames.contains(n.getInput(0)) && opset >= 15) {
          Val in = vals.get(n.getInput(0));
          List<OnnxMl.NodeProto> repl = batchOnlyShape(n, in, existing, g);
          if (repl != null) {
            repl.forEach(g::addNode);
            shapes++;
            continue;
          }
        }
        g.addNode(n);
      }
      int kept = g.getNodeCount();
      Set<String> usedBefore = new HashSet<>();
      g0.getNodeList().forEach(n -> usedBefore.addAll(n.getInputList()));
      removeUnused(g, usedBefore);
      int removed = folded + kept - g.getNodeCount();
      // graph outputs left symbolic by the exporter get the sizes found
      for (OnnxMl.ValueInfoProto.Builder o : g.getOutputBuilderList()) {
        Val v = vals.get(o.getName());
        if (v == null || v.dims() == null || !o.getType().hasTensorType()) {
          continue;
        }
        var shape = o.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        if (shape.getDimCount() != v.dims().length) {
          continue;
        }
        for (int i = 0; i < v.dims().length; i++) {
          Sz d = v.dims()[i];
          if (d != null && !d.b() && !shape.getDim(i).hasDimValue()) {
            shape.getDimBuilder(i).clearDimParam().setDimValue(d.k());
          }
        }
      }
      Map<String, Sz[]> dims = new HashMap<>();
      vals.forEach((k, v) -> dims.put(k, v.dims()));
      return new Result(mb.build(), folded, reshapes, shapes, removed, boolWheres, dims);
    }

    private int type(String value) {
      Val v = vals.get(value);
      return v == null ? 0 : v.type();
    }

    private static OnnxMl.NodeProto node(String op, String name, String out, String... in) {
      return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(List.of(in)).addOutput(out).build();
    }

    /** A Reshape target with -1 or 0 where the batch is, or null when that cannot be said. */
    private static long[] placeholder(Sz[] target, Val in) {
      long[] out = new long[target.length];
      List<Integer> batch = new ArrayList<>();
      int inferred = 0;
      for (int i = 0; i < target.length; i++) {
        Sz s = target[i];
        if (s == null) {
          return null;
        }
        if (s.b()) {
          batch.add(i);
        } else {
          out[i] = s.k();
          if (s.k() == -1) {
            inferred++;
          } else if (s.k() == 0) {
            return null;
          }
        }
      }
      for (int i : batch) {
        if (in != null && in.dims() != null && i < in.dims().length && target[i].equals(in.dims()[i])) {
          out[i] = 0;
        } else if (inferred == 0) {
          out[i] = -1;
          inferred++;
        } else {
          return null;
        }
      }
      return out;
    }

    private List<OnnxMl.NodeProto> batchOnlyShape(OnnxMl.NodeProto n, Val in, Set<String> existing, OnnxMl.GraphProto.Builder g) {
      if (in == null || in.dims() == null || n.getAttributeCount() > 0) {
        return null;
      }
      Sz[] d = in.dims();
      int batchAxis = -1;
      for (int i = 0; i < d.length; i++) {
        if (d[i] == null) {
          return null;
        }
        if (d[i].b()) {
          if (batchAxis >= 0 || d[i].k() != 1) {
            return null;
          }
          batchAxis = i;
        }
      }
      if (batchAxis < 0) {
        return null;
      }
      List<OnnxMl.NodeProto> nodes = new ArrayList<>();
      List<String> parts = new ArrayList<>();
      if (batchAxis > 0) {
        String before = fresh(n.getOutput(0) + "_before", existing);
        g.addInitializer(longTensor(before, sizes(d, 0, batchAxis)));
        parts.add(before);
      }
      String b = fresh(n.getOutput(0) + "_batch", existing);
      nodes.add(n.toBuilder().setOutput(0, b).addAttribute(intAttr("start", batchAxis)).addAttribute(intAttr("end", batchAxis + 1)).build());
      parts.add(b);
      if (batchAxis < d.length - 1) {
        String after = fresh(n.getOutput(0) + "_after", existing);
        g.addInitializer(longTensor(after, sizes(d, batchAxis + 1, d.length)));
        parts.add(after);
      }
      nodes.add(OnnxMl.NodeProto.newBuilder().setOpType("Concat").setName(n.getName() + "_sizes").addAllInput(parts)
          .addOutput(n.getOutput(0)).addAttribute(intAttr("axis", 0)).build());
      return nodes;
    }

    private static long[] sizes(Sz[] d, int from, int to) {
      long[] s = new long[to - from];
      for (int i = from; i < to; i++) {
        s[i - from] = d[i].k();
      }
      return s;
    }

    /** Removes nodes nothing reads, and initializers that only removed nodes read. */
    private static void removeUnused(OnnxMl.GraphProto.Builder g, Set<String> usedBefore) {
      boolean changed = true;
      while (changed) {
        changed = false;
        Set<String> used = new HashSet<>();
        g.getOutputList().forEach(o -> used.add(o.getName()));
        for (OnnxMl.NodeProto n : g.getNodeList()) {
          used.addAll(n.getInputList());
          for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.hasG() || a.getGraphsCount() > 0) {
              return; // subgraphs may read outer values: keep everything
            }
          }
        }
        for (int i = g.getNodeCount() - 1; i >= 0; i--) {
          OnnxMl.NodeProto n = g.getNode(i);
          if (n.getOutputList().stream().noneMatch(used::contains)) {
            g.removeNode(i);
            changed = true;
          }
        }
        if (!changed) {
          Set<String> inputs = new HashSet<>();
          g.getInputList().forEach(v -> inputs.add(v.getName()));
          for (int i = g.getInitializerCount() - 1; i >= 0; i--) {
            String name = g.getInitializer(i).getName();
            if (!used.contains(name) && !inputs.contains(name) && usedBefore.contains(name)) {
              g.removeInitializer(i);
            }
          }
        }
      }
    }

    private static String fresh(String base, Set<String> existing) {
      String n = base;
      for (int i = 1; existing.contains(n); i++) {
        n = base + "_" + i;
      }
      existing.add(n);
      return n;
    }

    // ----- inference

    private Val in(OnnxMl.NodeProto n, int i) {
      if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
        return null;
      }
      Val v = vals.get(n.getInput(i));
      return v == null ? new Val(0, null, null) : v;
    }

    private Val[] one(Val v) {
      return new Val[] {v};
    }

    private Val[] infer(OnnxMl.NodeProto n) {
      if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) {
        return null;
      }
      Val x = in(n, 0);
      String op = n.getOpType();
      switch (op) {
        case "Constant": {
          for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            switch (a.getName()) {
              case "value":
                return one(fromTensor(a.getT()));
              case "value_int":
                return one(new Val(INT64, new Sz[0], new Sz[] {new Sz(a.getI(), false)}));
              case "value_ints":
                return one(longs(a.getIntsList().stream().mapToLong(Long::longValue).toArray()));
              case "value_float":
                return one(floatVal(new Sz[0], new double[] {a.getF()}));
              default:
                return null;
            }
          }
          return null;
        }
        case "Identity", "Dropout":
          return n.getOutputCount() > 1 ? new Val[] {x, null} : one(x);
        case "Shape": {
          if (x.dims() == null) {
            return one(new Val(INT64, null, null));
          }
          int r = x.rank();
          int start = (int) norm(attr(n, "start", 0), r, true);
          int end = (int) norm(attr(n, "end", r), r, true);
          Sz[] v = Arrays.copyOfRange(x.dims(), start, Math.max(start, end));
          return one(new Val(INT64, new Sz[] {new Sz(v.length, false)}, v));
        }
        case "Size": {
          Sz c = count(x.dims());
          return one(new Val(INT64, new Sz[0], c == null ? null : new Sz[] {c}));
        }
        case "Cast": {
          int to = (int) attr(n, "to", FLOAT);
          Sz[] v = x.values();
          if (v != null && to == BOOL) {
            v = map(v, s -> s.b() ? new Sz(1, false) : new Sz(s.k() != 0 ? 1 : 0, false));
          }
          return one(new Val(to, x.dims(), v));
        }
        case "CastLike":
          return one(new Val(in(n, 1).type(), x.dims(), x.values()));
        case "Floor", "Ceil", "Round":
          return one(x);
        case "Neg":
          return one(new Val(x.type(), x.dims(), x.values() == null ? null : map(x.values(), s -> s.b() ? null : new Sz(-s.k(), false))));
        case "Abs":
          return one(new Val(x.type(), x.dims(), x.values() == null ? null : map(x.values(), s -> s.b() ? s : new Sz(Math.abs(s.k()), false))));
        case "Not":
          return one(new Val(BOOL, x.dims(), x.values() == null ? null : map(x.values(), s -> s.b() ? null : new Sz(s.k() == 0 ? 1 : 0, false))));
        case "Sigmoid", "Sin", "Cos", "Sqrt", "Tanh", "Erf", "Relu", "Exp", "Log", "Reciprocal", "Softmax", "LogSoftmax", "Softplus",
            "Gelu", "HardSigmoid", "HardSwish", "LeakyRelu", "Elu", "Selu", "Sign", "IsNaN", "IsInf", "Clip", "LpNormalization",
            "InstanceNormalization", "GroupNormalization", "CumSum", "Trilu", "ScatterND", "ScatterElements", "Mish", "Celu",
            "ThresholdedRelu", "Atan", "Asin", "Acos", "Tan", "Sinh", "Cosh":
          return one(new Val(op.equals("IsNaN") || op.equals("IsInf") ? BOOL : x.type(), x.dims(), null));
        case "LayerNormalization": {
          Val[] r = new Val[n.getOutputCount()];
          r[0] = new Val(x.type(), x.dims(), null);
          return r;
        }
        case "BatchNormalization":
          return one(new Val(x.type(), x.dims(), null));
        case "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual",
            "And", "Or", "Xor", "PRelu", "BitShift", "Sum", "Mean": {
          Val r = x;
          for (int i = 1; i < n.getInputCount(); i++) {
            r = binary(op, r, in(n, i), n);
          }
          return one(r);
        }
        case "Where": {
          Val c = x;
          Val a = in(n, 1);
          Val b = in(n, 2);
          Sz[] dims = broadcast(broadcast(c.dims(), a.dims()), b.dims());
          Sz[] v = null;
          if (c.known() && a.values() != null && b.values() != null && dims != null && allFixed(dims)) {
            int cnt = (int) count(dims).k();
            v = new Sz[cnt];
            for (int i = 0; i < cnt; i++) {
              Sz ci = at(c, dims, i);
              if (ci.b()) {
                return one(new Val(a.type(), dims, null));
              }
              v[i] = ci.k() != 0 ? at(a, dims, i) : at(b, dims, i);
            }
          }
          return one(new Val(a.type(), dims, v));
        }
        case "MatMul", "MatMulInteger": {
          Val w = in(n, 1);
          return one(new Val(x.type(), matmul(x.dims(), w.dims()), null));
        }
        case "Gemm": {
          Val w = in(n, 1);
          if (x.dims() == null || w.dims() == null || x.rank() != 2 || w.rank() != 2) {
            return null;
          }
          Sz m = attr(n, "transA", 0) == 0 ? x.dims()[0] : x.dims()[1];
          Sz nn = attr(n, "transB", 0) == 0 ? w.dims()[1] : w.dims()[0];
          return one(new Val(x.type(), new Sz[] {m, nn}, null));
        }
        case "Conv", "ConvTranspose":
          return one(new Val(x.type(), conv(n, x.dims(), in(n, 1).dims(), op.equals("ConvTranspose")), null));
        case "AveragePool", "MaxPool":
          return null;
        case "Reshape": {
          Val s = in(n, 1);
          if (s.values() == null) {
            Sz[] d = s.dims() != null && s.dims().length == 1 && s.dims()[0] != null && !s.dims()[0].b()
                && s.dims()[0].k() <= MAX_RANK ? new Sz[(int) s.dims()[0].k()] : null;
            return one(new Val(x.type(), d, null));
          }
          Sz[] in = x.dims();
          if ((in == null || Arrays.stream(in).anyMatch(java.util.Objects::isNull)) && counts.containsKey(n.getInput(0))
              && Arrays.stream(s.values()).noneMatch(v -> v != null && !v.b() && v.k() == 0)) {
            in = new Sz[] {counts.get(n.getInput(0))}; // only the count is known: enough for -1, never for a 0 (copy) entry
          }
          Sz[] d = reshape(in, s.values(), attr(n, "allowzero", 0) != 0);
          return one(new Val(x.type(), d, x.values()));
        }
        case "Flatten": {
          if (x.dims() == null) {
            return null;
          }
          int axis = (int) norm(attr(n, "axis", 1), x.rank(), true);
          Sz a = count(Arrays.copyOfRange(x.dims(), 0, axis));
          Sz b = count(Arrays.copyOfRange(x.dims(), axis, x.rank()));
          return one(new Val(x.type(), new Sz[] {a, b}, x.values()));
        }
        case "Transpose": {
          if (x.dims() == null) {
            return null;
          }
          long[] perm = attrs(n, "perm");
          int r = x.rank();
          if (perm == null) {
            perm = new long[r];
            for (int i = 0; i < r; i++) {
              perm[i] = r - 1 - i;
            }
          }
          if (perm.length != r || Arrays.stream(perm).distinct().count() != r || Arrays.stream(perm).anyMatch(q -> q < 0 || q >= r)) {
            throw new VideoJamException("Transpose '" + n.getName() + "' has perm " + Arrays.toString(perm) + " for a rank-" + r
                + " tensor; a perm lists each axis once: the ONNX graph is damaged");
          }
          Sz[] d = new Sz[r];
          for (int i = 0; i < r; i++) {
            d[i] = x.dims()[(int) perm[i]];
          }
          Sz[] v = null;
          if (x.values() != null && r <= 1) {
            v = x.values();
          }
          return one(new Val(x.type(), d, v));
        }
        case "Unsqueeze", "Squeeze": {
          if (x.dims() == null) {
            return null;
          }
          long[] axes = axesOf(n, 1);
          Sz[] d;
          if (op.equals("Unsqueeze")) {
            if (axes == null) {
              return null;
            }
            int r = x.rank() + axes.length;
            d = new Sz[r];
            Set<Integer> ax = new HashSet<>();
            for (long a : axes) {
              ax.add((int) norm(a, r, false));
            }
            int j = 0;
            for (int i = 0; i < r; i++) {
              d[i] = ax.contains(i) ? Sz.ONE : x.dims()[j++];
            }
          } else {
            List<Sz> keep = new ArrayList<>();
            Set<Integer> ax = new HashSet<>();
            if (axes != null) {
              for (long a : axes) {
                ax.add((int) norm(a, x.rank(), false));
              }
            }
            for (int i = 0; i < x.rank(); i++) {
              Sz s = x.dims()[i];
              boolean drop = axes != null ? ax.contains(i) : s != null && s.one();
              if (axes == null && s == null) {
                return null;
              }
              if (!drop) {
                keep.add(s);
              }
            }
            d = keep.toArray(new Sz[0]);
          }
          return one(new Val(x.type(), d, x.values()));
        }
        case "Concat": {
          int r = -1;
          List<Val> parts = new ArrayList<>();
          for (int i = 0; i < n.getInputCount(); i++) {
            Val v = in(n, i);
            parts.add(v);
            if (v.dims() != null) {
              r = v.rank();
            }
          }
          if (r < 0) {
            return null;
          }
          int axis = (int) norm(attr(n, "axis", 0), r, false);
          Sz[] d = null;
          Sz sum = new Sz(0, false);
          boolean sumKnown = true;
          for (Val v : parts) {
            if (v.dims() == null) {
              return one(new Val(x.type(), null, null));
            }
            if (d == null) {
              d = v.dims().clone();
            } else {
              for (int i = 0; i < r; i++) {
                if (i != axis && d[i] == null) {
                  d[i] = v.dims()[i];
                }
              }
            }
            Sz s = v.dims()[axis];
            if (s == null || s.b() || sum.b()) {
              sumKnown = false;
            } else {
              sum = new Sz(sum.k() + s.k(), false);
            }
          }
          d[axis] = sumKnown ? sum : null;
          Sz[] values = null;
          if (r == 1 && sumKnown) {
            List<Sz> all = new ArrayList<>();
            for (Val v : parts) {
              if (v.values() == null) {
                all = null;
                break;
              }
              all.addAll(Arrays.asList(v.values()));
            }
            values = all == null ? null : all.toArray(new Sz[0]);
          }
          return one(new Val(x.type(), d, values));
        }
        case "Split":
          return split(n, x);
        case "Slice":
          return one(slice(n, x));
        case "Gather":
          return one(gather(n, x, in(n, 1)));
        case "Expand": {
          Val s = in(n, 1);
          if (s.values() == null || x.dims() == null) {
            return null;
          }
          Sz[] target = s.values().clone();
          Sz[] d = broadcast(x.dims(), target);
          return one(new Val(x.type(), d, null));
        }
        case "ConstantOfShape": {
          if (x.values() == null) {
            return one(new Val(valueType(n), null, null));
          }
          Sz[] d = x.values();
          Sz c = count(d);
          Sz[] v = null;
          double fill = 0;
          for (OnnxMl.AttributeProto a : n.getAttributeList()) {
            if (a.getName().equals("value")) {
              Val tv = fromTensor(a.getT());
              fill = tv.values() == null ? Double.NaN : tv.values()[0].k();
            }
          }
          if (c != null && !c.b() && c.k() <= MAX_VALUES && fill == Math.rint(fill)) {
            v = new Sz[(int) c.k()];
            Arrays.fill(v, new Sz((long) fill, false));
          }
          return one(new Val(valueType(n), d, v));
        }
        case "Range": {
          Val a = x;
          Val l = in(n, 1);
          Val dl = in(n, 2);
          if (!a.constant() || !l.constant() || !dl.constant() || dl.values()[0].k() == 0) {
            return one(new Val(a.type(), new Sz[] {null}, null));
          }
          long start = a.values()[0].k();
          long limit = l.values()[0].k();
          long delta = dl.values()[0].k();
          long len = Math.max(0, (long) Math.ceil((double) (limit - start) / delta));
          Sz[] v = null;
          if (len <= MAX_VALUES) {
            v = new Sz[(int) len];
            for (int i = 0; i < len; i++) {
              v[i] = new Sz(start + i * delta, false);
            }
          }
          return one(new Val(a.type(), new Sz[] {new Sz(len, false)}, v));
        }
        case "Tile": {
          Val reps = in(n, 1);
          if (x.dims() == null || !reps.known()) {
            return null;
          }
          Sz[] d = new Sz[x.rank()];
          for (int i = 0; i < d.length; i++) {
            d[i] = x.dims()[i] == null ? null : x.dims()[i].times(reps.values()[i]);
          }
          return one(new Val(x.type(), d, null));
        }
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceSumSquare", "ReduceLogSumExp",
            "ArgMax", "ArgMin": {
          if (x.dims() == null) {
            return null;
          }
          boolean arg = op.startsWith("Arg");
          long[] axes = arg ? new long[] {attr(n, "axis", 0)} : axesOf(n, 1);
          boolean keep = attr(n, "keepdims", 1) != 0;
          if (axes == null) {
            if (attr(n, "noop_with_empty_axes", 0) != 0) {
              return one(x);
            }
            axes = new long[x.rank()];
            for (int i = 0; i < axes.length; i++) {
              axes[i] = i;
            }
          }
          Set<Integer> ax = new HashSet<>();
          for (long a : axes) {
            ax.add((int) norm(a, x.rank(), false));
          }
          List<Sz> d = new ArrayList<>();
          for (int i = 0; i < x.rank(); i++) {
            if (!ax.contains(i)) {
              d.add(x.dims()[i]);
            } else if (keep) {
              d.add(Sz.ONE);
            }
          }
          Sz[] v = null;
          if (op.equals("ReduceProd") && x.rank() == 1 && x.known() && !keep) {
            Sz p = Sz.ONE;
            for (Sz s : x.values()) {
              p = p.times(s);
            }
            v = new Sz[] {p};
          }
          return one(new Val(arg ? INT64 : x.type(), d.toArray(new Sz[0]), v));
        }
        case "Pad": {
          Val pads = in(n, 1);
          if (x.dims() == null || !pads.constant()) {
            return null;
          }
          Sz[] d = x.dims().clone();
          long[] axes = n.getInputCount() > 3 ? constants(in(n, 3)) : null;
          int r = d.length;
          int k = pads.values().length / 2;
          for (int i = 0; i < k; i++) {
            int axis = axes == null ? i : (int) norm(axes[i], r, false);
            long add = pads.values()[i].k() + pads.values()[i + k].k();
            d[axis] = d[axis] == null || d[axis].b() ? null : new Sz(d[axis].k() + add, false);
          }
          return one(new Val(x.type(), d, null));
        }
        case "Einsum":
          return one(new Val(x.type(), einsum(n), null));
        default:
          return null;
      }
    }

    private int valueType(OnnxMl.NodeProto n) {
      for (OnnxMl.AttributeProto a : n.getAttributeList()) {
        if (a.getName().equals("value")) {
          return a.getT().getDataType();
        }
      }
      return FLOAT;
    }

    private long[] axesOf(OnnxMl.NodeProto n, int input) {
      long[] a = attrs(n, "axes");
      if (a != null) {
        return a;
      }
      Val v = in(n, input);
      return v == null ? null : constants(v);
    }

    private static long[] constants(Val v) {
      if (v == null || !v.constant()) {
        return null;
      }
      long[] r = new long[v.values().length];
      for (int i = 0; i < r.length; i++) {
        r[i] = v.values()[i].k();
      }
      return r;
    }

    private Val binary(String op, Val a, Val b, OnnxMl.NodeProto n) {
      Sz[] dims = broadcast(a.dims(), b.dims());
      boolean cmp = op.equals("Equal") || op.equals("Less") || op.equals("Greater") || op.equals("LessOrEqual")
          || op.equals("GreaterOrEqual") || op.equals("And") || op.equals("Or") || op.equals("Xor");
      int type = cmp ? BOOL : a.type();
      if (a.values() == null || b.values() == null || dims == null || !allFixed(dims) || count(dims).k() > MAX_VALUES) {
        return new Val(type, dims, null);
      }
      boolean integer = a.type() == INT64 || a.type() == INT32;
      int cnt = (int) count(dims).k();
      Sz[] v = new Sz[cnt];
      for (int i = 0; i < cnt; i++) {
        Sz x = at(a, dims, i);
        Sz y = at(b, dims, i);
        v[i] = x == null || y == null ? null : apply(op, x, y, integer);
      }
      return new Val(type, dims, v);
    }

    private static Sz apply(String op, Sz x, Sz y, boolean integer) {
      boolean sym = x.b() || y.b();
      long p = x.k();
      long q = y.k();
      switch (op) {
        case "Add", "Sum":
          return sym ? (q == 0 && !y.b() ? x : p == 0 && !x.b() ? y : null) : new Sz(p + q, false);
        case "Sub":
          return sym ? (q == 0 && !y.b() ? x : null) : new Sz(p - q, false);
        case "Mul":
          return x.b() && y.b() ? null : x.times(y);
        case "Div":
          if (y.b() || q == 0) {
            return x.equals(y) && q != 0 ? Sz.ONE : null;
          }
          if (x.b()) {
            return x.over(y);
          }
          if (integer) {
            return new Sz(p / q, false);
          }
          return p % q == 0 ? new Sz(p / q, false) : null;
        case "Mod":
          return sym || q == 0 ? null : new Sz(Math.floorMod(p, q), false);
        case "Max":
          return sym ? (x.b() && !y.b() && q <= 1 ? x : y.b() && !x.b() && p <= 1 ? y : null) : new Sz(Math.max(p, q), false);
        case "Min":
          return sym ? (x.b() && !y.b() && q <= 1 ? y : y.b() && !x.b() && p <= 1 ? x : null) : new Sz(Math.min(p, q), false);
        case "Equal":
          if (sym) {
            // the batch is at least 1: it never equals a number below 1 (torch's "-1 means keep" tests)
            Sz c = x.b() ? y : x;
            return !c.b() && c.k() < (x.b() ? x.k() : y.k()) ? new Sz(0, false) : x.equals(y) ? new Sz(1, false) : null;
          }
          return new Sz(p == q ? 1 : 0, false);
        case "Less":
          return sym ? null : new Sz(p < q ? 1 : 0, false);
        case "Greater":
          return sym ? null : new Sz(p > q ? 1 : 0, false);
        case "LessOrEqual":
          return sym ? null : new Sz(p <= q ? 1 : 0, false);
        case "GreaterOrEqual":
          return sym ? null : new Sz(p >= q ? 1 : 0, false);
        case "And":
          return sym ? null : new Sz(p != 0 && q != 0 ? 1 : 0, false);
        case "Or":
          return sym ? null : new Sz(p != 0 || q != 0 ? 1 : 0, false);
        case "Xor":
          return sym ? null : new Sz((p != 0) != (q != 0) ? 1 : 0, false);
        default:
          return null;
      }
    }

    private Val[] split(OnnxMl.NodeProto n, Val x) {
      if (x.dims() == null) {
        return null;
      }
      int r = x.rank();
      int axis = (int) norm(attr(n, "axis", 0), r, false);
      Sz whole = x.dims()[axis];
      long[] parts = attrs(n, "split");
      if (parts == null && n.getInputCount() > 1) {
        parts = constants(in(n, 1));
      }
      int k = n.getOutputCount();
      if (parts == null) {
        if (whole == null || whole.b() || whole.k() % k != 0) {
          return null;
        }
        parts = new long[k];
        Arrays.fill(parts, whole.k() / k);
      }
      Val[] out = new Val[k];
      long off = 0;
      for (int i = 0; i < k; i++) {
        Sz[] d = x.dims().clone();
        d[axis] = new Sz(parts[i], false);
        Sz[] v = null;
        if (r == 1 && x.values() != null) {
          v = Arrays.copyOfRange(x.values(), (int) off, (int) (off + parts[i]));
        }
        out[i] = new Val(x.type(), d, v);
        off += parts[i];
      }
      return out;
    }

    private Val slice(OnnxMl.NodeProto n, Val x) {
      if (x.dims() == null) {
        return null;
      }
      long[] starts;
      long[] ends;
      long[] axes;
      long[] steps;
      if (opset < 10) {
        starts = attrs(n, "starts");
        ends = attrs(n, "ends");
        axes = attrs(n, "axes");
        steps = null;
      } else {
        starts = constants(in(n, 1));
        ends = constants(in(n, 2));
        axes = n.getInputCount() > 3 && !n.getInput(3).isEmpty() ? constants(in(n, 3)) : null;
        steps = n.getInputCount() > 4 && !n.getInput(4).isEmpty() ? constants(in(n, 4)) : null;
        if (n.getInputCount() > 3 && !n.getInput(3).isEmpty() && axes == null) {
          return null;
        }
      }
      if (starts == null || ends == null) {
        return new Val(x.type(), null, null);
      }
      int r = x.rank();
      Sz[] d = x.dims().clone();
      int[] from = new int[r];
      int[] step = new int[r];
      Arrays.fill(step, 1);
      boolean valuesOk = r == 1 && x.values() != null;
      for (int i = 0; i < starts.length; i++) {
        int axis = axes == null ? i : (int) norm(axes[i], r, false);
        long st = steps == null ? 1 : steps[i];
        Sz size = d[axis];
        if (size == null || size.b()) {
          // the whole batch axis: start 0 and an end past it
          if (size != null && starts[i] == 0 && ends[i] >= Integer.MAX_VALUE && st == 1) {
            continue;
          }
          d[axis] = null;
          valuesOk = false;
          continue;
        }
        long dim = size.k();
        long s = clampIndex(starts[i], dim, st > 0);
        long e = clampIndex(ends[i], dim, st > 0);
        long len = st > 0 ? Math.max(0, (e - s + st - 1) / st) : Math.max(0, (s - e + (-st) - 1) / (-st));
        d[axis] = new Sz(len, false);
        from[axis] = (int) s;
        step[axis] = (int) st;
      }
      Sz[] v = null;
      if (valuesOk && d[0] != null) {
        v = new Sz[(int) d[0].k()];
        for (int i = 0; i < v.length; i++) {
          v[i] = x.values()[from[0] + i * step[0]];
        }
      }
      return new Val(x.type(), d, v);
    }

    private static long clampIndex(long i, long dim, boolean forward) {
      if (i < 0) {
        i += dim;
      }
      return forward ? Math.max(0, Math.min(dim, i)) : Math.max(-1, Math.min(dim - 1, i));
    }

    private Val gather(OnnxMl.NodeProto n, Val x, Val idx) {
      if (x.dims() == null || idx.dims() == null) {
        return null;
      }
      int r = x.rank();
      int axis = (int) norm(attr(n, "axis", 0), r, false);
      List<Sz> d = new ArrayList<>();
      for (int i = 0; i < axis; i++) {
        d.add(x.dims()[i]);
      }
      d.addAll(Arrays.asList(idx.dims()));
      for (int i = axis + 1; i < r; i++) {
        d.add(x.dims()[i]);
      }
      Sz[] v = null;
      if (r == 1 && x.values() != null && idx.constant()) {
        long len = x.dims()[0] == null || x.dims()[0].b() ? -1 : x.dims()[0].k();
        v = new Sz[idx.values().length];
        for (int i = 0; i < v.length; i++) {
          long j = idx.values()[i].k();
          if (j < 0) {
            j += len;
          }
          if (j < 0 || j >= x.values().length) {
            return new Val(x.type(), d.toArray(new Sz[0]), null);
          }
          v[i] = x.values()[(int) j];
        }
      }
      return new Val(x.type(), d.toArray(new Sz[0]), v);
    }

    /** The output dims of an Einsum (explicit or implicit output, with an ellipsis broadcast). */
    private Sz[] einsum(OnnxMl.NodeProto n) {
      String eq = attrString(n, "equation", "").replace(" ", "");
      String[] io = eq.split("->", -1);
      String[] terms = io[0].split(",", -1);
      if (terms.length != n.getInputCount()) {
        return null;
      }
      Map<Character, Sz> size = new HashMap<>();
      Map<Character, Integer> seen = new HashMap<>();
      Sz[] ellipsis = new Sz[0];
      for (int t = 0; t < terms.length; t++) {
        Sz[] d = in(n, t).dims();
        if (d == null) {
          return null;
        }
        String term = terms[t];
        int e = term.indexOf("...");
        String before = e < 0 ? term : term.substring(0, e);
        String after = e < 0 ? "" : term.substring(e + 3);
        int ellRank = d.length - before.length() - after.length();
        if (ellRank < 0 || (e < 0 && ellRank != 0)) {
          return null;
        }
        for (int i = 0; i < before.length(); i++) {
          put(size, seen, before.charAt(i), d[i]);
        }
        for (int i = 0; i < after.length(); i++) {
          put(size, seen, after.charAt(i), d[before.length() + ellRank + i]);
        }
        if (e >= 0) {
          ellipsis = broadcast(ellipsis, Arrays.copyOfRange(d, before.length(), before.length() + ellRank));
          if (ellipsis == null) {
            return null;
          }
        }
      }
      String out;
      if (io.length == 2) {
        out = io[1];
      } else {
        StringBuilder sb = new StringBuilder(eq.contains("...") ? "..." : "");
        seen.entrySet().stream().filter(en -> en.getValue() == 1).map(Map.Entry::getKey).sorted().forEach(sb::append);
        out = sb.toString();
      }
      List<Sz> d = new ArrayList<>();
      for (int i = 0; i < out.length(); i++) {
        if (out.startsWith("...", i)) {
          d.addAll(Arrays.asList(ellipsis));
          i += 2;
        } else {
          d.add(size.get(out.charAt(i)));
        }
      }
      return d.toArray(new Sz[0]);
    }

    private static void put(Map<Character, Sz> size, Map<Character, Integer> seen, char c, Sz d) {
      seen.merge(c, 1, Integer::sum);
      Sz old = size.get(c);
      if (old == null || old.one()) {
        size.put(c, d);
      }
    }

    private static Sz[] matmul(Sz[] a, Sz[] b) {
      if (a == null || b == null || a.length == 0 || b.length == 0) {
        return null;
      }
      Sz[] aa = a.length == 1 ? new Sz[] {Sz.ONE, a[0]} : a;
      Sz[] bb = b.length == 1 ? new Sz[] {b[0], Sz.ONE} : b;
      Sz[] batch = broadcast(Arrays.copyOf(aa, aa.length - 2), Arrays.copyOf(bb, bb.length - 2));
      if (batch == null) {
        return null;
      }
      List<Sz> d = new ArrayList<>(Arrays.asList(batch));
      if (a.length > 1) {
        d.add(aa[aa.length - 2]);
      }
      if (b.length > 1) {
        d.add(bb[bb.length - 1]);
      }
      return d.toArray(new Sz[0]);
    }

    private Sz[] conv(OnnxMl.NodeProto n, Sz[] x, Sz[] w, boolean transpose) {
      if (x == null || w == null || x.length != w.length || x.length < 3) {
        return null;
      }
      int sp = x.length - 2;
      long[] kernel = attrs(n, "kernel_shape");
      long[] strides = attrs(n, "strides");
      long[] pads = attrs(n, "pads");
      long[] dil = attrs(n, "dilations");
      long[] outPad = attrs(n, "output_padding");
      long group = attr(n, "group", 1);
      String autoPad = attrString(n, "auto_pad", "NOTSET");
      Sz[] out = new Sz[x.length];
      out[0] = x[0];
      if (transpose) {
        out[1] = w[1] == null ? null : new Sz(w[1].k() * group, false);
      } else {
        out[1] = w[0];
      }
      for (int i = 0; i < sp; i++) {
        Sz in = x[2 + i];
        long k = kernel != null ? kernel[i] : w[2 + i] == null ? -1 : w[2 + i].k();
        if (in == null || in.b() || k < 0) {
          out[2 + i] = null;
          continue;
        }
        long s = strides == null ? 1 : strides[i];
        long dl = dil == null ? 1 : dil[i];
        long pb = pads == null ? 0 : pads[i];
        long pe = pads == null ? 0 : pads[i + sp];
        long ek = dl * (k - 1) + 1;
        long o;
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
          o = transpose ? in.k() * s : (in.k() + s - 1) / s;
        } else if (transpose) {
          o = s * (in.k() - 1) + (outPad == null ? 0 : outPad[i]) + ek - pb - pe;
        } else {
          o = (in.k() + pb + pe - ek) / s + 1;
        }
        out[2 + i] = new Sz(o, false);
      }
      return out;
    }
  }

  // ----- shape helpers

  static boolean allFixed(Sz[] d) {
    for (Sz s : d) {
      if (s == null || s.b()) {
        return false;
      }
    }
    return true;
  }

  static Sz count(Sz[] d) {
    if (d == null) {
      return null;
    }
    Sz c = Sz.ONE;
    for (Sz s : d) {
      if (s == null || (s.b() && c.b())) {
        return null;
      }
      c = c.times(s);
    }
    return c;
  }

  static Sz[] broadcast(Sz[] a, Sz[] b) {
    if (a == null || b == null) {
      return null;
    }
    int r = Math.max(a.length, b.length);
    Sz[] d = new Sz[r];
    for (int i = 0; i < r; i++) {
      Sz x = i < r - a.length ? Sz.ONE : a[i - (r - a.length)];
      Sz y = i < r - b.length ? Sz.ONE : b[i - (r - b.length)];
      if (x != null && x.one()) {
        d[i] = y;
      } else if (y != null && y.one()) {
        d[i] = x;
      } else if (x != null && x.equals(y)) {
        d[i] = x;
      } else if (x == null || y == null) {
        // one side unknown: broadcasting needs it to be 1 or equal to the known side, so the result is the known side
        // (unless that is 1, handled above)
        d[i] = x != null ? x : y;
      } else {
        d[i] = null; // sizes that cannot broadcast: the graph is not followed
      }
    }
    return d;
  }

  /** The element of {@code v} (broadcast to {@code dims}) at flat index {@code i}. */
  private static Sz at(Val v, Sz[] dims, int i) {
    Sz[] vd = v.dims();
    if (v.values().length == 1) {
      return v.values()[0];
    }
    int r = dims.length;
    long[] coord = new long[r];
    long rem = i;
    for (int k = r - 1; k >= 0; k--) {
      coord[k] = rem % dims[k].k();
      rem /= dims[k].k();
    }
    long idx = 0;
    int off = r - vd.length;
    for (int k = 0; k < vd.length; k++) {
      long size = vd[k].k();
      idx = idx * size + (size == 1 ? 0 : coord[k + off]);
    }
    return v.values()[(int) idx];
  }

  static Sz[] reshape(Sz[] in, Sz[] target, boolean allowZero) {
    Sz[] d = new Sz[target.length];
    int unknown = -1;
    Sz known = Sz.ONE;
    for (int i = 0; i < target.length; i++) {
      Sz t = target[i];
      if (t == null) {
        return d.length == 0 ? d : new Sz[target.length];
      }
      if (!t.b() && t.k() == 0 && !allowZero) {
        if (in == null || i >= in.length) {
          return new Sz[target.length];
        }
        d[i] = in[i];
      } else if (!t.b() && t.k() == -1) {
        unknown = i;
        continue;
      } else {
        d[i] = t;
      }
      if (d[i] == null || (d[i].b() && known.b())) {
        return new Sz[target.length];
      }
      known = known.times(d[i]);
    }
    if (unknown >= 0) {
      Sz total = count(in);
      d[unknown] = total == null ? null : total.over(known);
    }
    return d;
  }

  private static Sz[] map(Sz[] v, java.util.function.UnaryOperator<Sz> f) {
    Sz[] r = new Sz[v.length];
    for (int i = 0; i < v.length; i++) {
      r[i] = v[i] == null ? null : f.apply(v[i]);
    }
    return r;
  }

  private static long norm(long axis, int rank, boolean clamp) {
    long a = axis < 0 ? axis + rank : axis;
    return clamp ? Math.max(0, Math.min(rank, a)) : a;
  }

  // ----- tensors

  static Val longs(long[] v) {
    Sz[] s = new Sz[v.length];
    for (int i = 0; i < v.length; i++) {
      s[i] = new Sz(v[i], false);
    }
    return new Val(INT64, new Sz[] {new Sz(v.length, false)}, s);
  }

  private static Val floatVal(Sz[] dims, double[] v) {
    Sz[] s = new Sz[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] != Math.rint(v[i]) || Double.isInfinite(v[i])) {
        return new Val(FLOAT, dims, null);
      }
      s[i] = new Sz((long) v[i], false);
    }
    return new Val(FLOAT, dims, s);
  }

  /** The dims and, for a small integer or integral float tensor stored inline, the values. */
  static Val fromTensor(OnnxMl.TensorProto t) {
    Sz[] dims = new Sz[t.getDimsCount()];
    long count = 1;
    for (int i = 0; i < dims.length; i++) {
      long d = t.getDims(i);
      if (d < 0) {
        throw new VideoJamException("tensor '" + t.getName() + "' has a negative dim " + d + " in " + t.getDimsList()
            + "; the ONNX file is damaged");
      }
      dims[i] = new Sz(d, false);
      count = d > 0 && count > Long.MAX_VALUE / d ? Long.MAX_VALUE : count * d; // only compared with MAX_VALUES
    }
    int type = t.getDataType();
    if (count > MAX_VALUES || OnnxModels.isExternal(t)) {
      return new Val(type, dims, null);
    }
    int n = (int) count;
    int width = switch (type) {
      case OnnxMl.TensorProto.DataType.INT64_VALUE, OnnxMl.TensorProto.DataType.DOUBLE_VALUE -> 8;
      case OnnxMl.TensorProto.DataType.INT32_VALUE, OnnxMl.TensorProto.DataType.FLOAT_VALUE -> 4;
      case OnnxMl.TensorProto.DataType.BOOL_VALUE -> 1;
      default -> 0;
    };
    if (width > 0) {
      long held = !t.getRawData().isEmpty() ? t.getRawData().size() / width
          : switch (type) {
            case OnnxMl.TensorProto.DataType.INT64_VALUE -> t.getInt64DataCount();
            case OnnxMl.TensorProto.DataType.DOUBLE_VALUE -> t.getDoubleDataCount();
            case OnnxMl.TensorProto.DataType.FLOAT_VALUE -> t.getFloatDataCount();
            default -> t.getInt32DataCount();
          };
      if (held < n) {
        throw new VideoJamException("tensor '" + t.getName() + "' has dims " + t.getDimsList() + " (" + n + " values) but holds "
            + held + "; the ONNX file is damaged");
      }
    }
    ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    boolean hasRaw = !t.getRawData().isEmpty();
    Sz[] v = new Sz[n];
    switch (type) {
      case OnnxMl.TensorProto.DataType.INT64_VALUE -> {
        for (int i = 0; i < n; i++) {
          v[i] = new Sz(hasRaw ? raw.getLong(i * 8) : t.getInt64Data(i), false);
        }
      }
      case OnnxMl.TensorProto.DataType.INT32_VALUE, OnnxMl.TensorProto.DataType.BOOL_VALUE -> {
        for (int i = 0; i < n; i++) {
          long x = hasRaw ? (type == BOOL ? raw.get(i) : raw.getInt(i * 4)) : t.getInt32Data(i);
          v[i] = new Sz(x, false);
        }
      }
      case OnnxMl.TensorProto.DataType.FLOAT_VALUE -> {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = hasRaw ? raw.getFloat(i * 4) : t.getFloatData(i);
        }
        return floatVal(dims, d);
      }
      case OnnxMl.TensorProto.DataType.DOUBLE_VALUE -> {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = hasRaw ? raw.getDouble(i * 8) : t.getDoubleData(i);
        }
        Val f = floatVal(dims, d);
        return new Val(DOUBLE, dims, f.values());
      }
      default -> {
        return new Val(type, dims, null);
      }
    }
    return new Val(type, dims, v);
  }

  static OnnxMl.TensorProto toTensor(String name, Val v) {
    int n = v.values().length;
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(v.type());
    for (Sz d : v.dims()) {
      t.addDims(d.k());
    }
    ByteBuffer buf;
    switch (v.type()) {
      case OnnxMl.TensorProto.DataType.INT64_VALUE -> {
        buf = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Sz s : v.values()) {
          buf.putLong(s.k());
        }
      }
      case OnnxMl.TensorProto.DataType.INT32_VALUE -> {
        buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (Sz s : v.values()) {
          buf.putInt((int) s.k());
        }
      }
      case OnnxMl.TensorProto.DataType.BOOL_VALUE, OnnxMl.TensorProto.DataType.UINT8_VALUE, OnnxMl.TensorProto.DataType.INT8_VALUE -> {
        buf = ByteBuffer.allocate(n);
        for (Sz s : v.values()) {
          buf.put((byte) s.k());
        }
      }
      case OnnxMl.TensorProto.DataType.FLOAT_VALUE -> {
        buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (Sz s : v.values()) {
          buf.putFloat(s.k());
        }
      }
      case OnnxMl.TensorProto.DataType.DOUBLE_VALUE -> {
        buf = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (Sz s : v.values()) {
          buf.putDouble(s.k());
        }
      }
      default -> throw new IllegalStateException("type " + v.type());
    }
    return t.setRawData(ByteString.copyFrom(buf.array())).build();
  }

  static OnnxMl.TensorProto longTensor(String name, long[] v) {
    return toTensor(name, longs(v));
  }

  /** An INT attribute of {@code n}, or {@code dflt}. */
  static long attr(OnnxMl.NodeProto n, String name, long dflt) {
    for (OnnxMl.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return dflt;
  }

  private static String attrString(OnnxMl.NodeProto n, String name, String dflt) {
    for (OnnxMl.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getS().toStringUtf8();
      }
    }
    return dflt;
  }

  /** An INTS attribute of {@code n}, or null. */
  static long[] attrs(OnnxMl.NodeProto n, String name) {
    for (OnnxMl.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
      }
    }
    return null;
  }

  private static OnnxMl.AttributeProto intAttr(String name, long v) {
    return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT).setI(v).build();
  }
}
