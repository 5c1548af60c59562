package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.videojam.api.VideoJamException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The {@code videojam extend} surgery (spec section 3): turns a base video DiT exported to ONNX
 * into a VideoJAM model by widening exactly two linear layers.
 *
 * <ul>
 *   <li>W+_in: the input projection (patch embedding) that first consumes the latent input gets
 *       C_m more input channels with ZERO weights; the latent input becomes {@code [x, d]}
 *       ({@code C_a + C_m} channels, appearance first). The extended model computes exactly what
 *       the base model computed, whatever d is.
 *   <li>W+_out: the output projection that produces the patch vector of the velocity output gets
 *       C_m more channels' worth of columns (a motion head, see {@link MotionHeadInit}); the
 *       velocity output becomes {@code [u_x, u_d]}.
 * </ul>
 *
 * <p>Supported input projections: a Conv on the channel axis, either over the rank-5 latent
 * (Conv3d patch embedding) or per frame after a Transpose/Reshape to {@code [B*T, C, H, W]}
 * (Conv2d); or a MatMul with an initializer weight {@code [K, D]} after a Reshape/Transpose
 * patchify chain, whose rows may be ordered with the channel anywhere in the patch vector
 * ({@code (c, dt, dy, dx)}, {@code (dt, dy, dx, c)}, ...): the layout is found by tracing how the
 * channel axis moves through every Reshape and Transpose. Supported output projections: a MatMul
 * (optionally + bias Add) followed by a Reshape/Transpose unpatchify chain, or a Conv /
 * ConvTranspose (with its own bias) whose output reaches the velocity output through Identity,
 * Reshape and Transpose. Reshape shapes must be constants (initializers or Constant nodes); the
 * explicit sizes that count channels are rescaled, 0 and -1 entries are kept.
 *
 * <p>Everything else fails with a one-line {@link VideoJamException} that says what was looked
 * for and how to export a graph that works.
 */
public final class ModelExtender {
  /** How many nodes the search walks from the latent input or back from the velocity output. */
  public static final int MAX_NODES = 32;

  private ModelExtender() {}

  /** Extends a model whose tensors are all inside the protobuf. */
  public static ExtendResult extend(OnnxMl.ModelProto base, ExtendOptions options) {
    return extend(base, options, null);
  }

  /**
   * Extends a model whose large tensors may be stored as external data: only the tensors it edits
   * (the two projections' weights and biases, the reshape shapes) are read from the data files
   * under {@code externalDataDir} (the folder of the model file); all others stay external, so
   * write the result with {@link OnnxModels#write(OnnxMl.ModelProto, Path, ExternalDataPolicy)}
   * and {@code ExternalDataPolicy.from(externalDataDir)}.
   */
  public static ExtendResult extend(
      OnnxMl.ModelProto base, ExtendOptions options, Path externalDataDir) {
    try {
      ShapeFolder.Result folded = ShapeFolder.fold(base, withVelocitySizes(base, options));
      return new Surgery(folded, options, externalDataDir).run();
    } catch (VideoJamException e) {
      String m = String.valueOf(e.getMessage());
      if (m.chars().anyMatch(c -> c < 0x20)) { // a name in the graph with a line break or other control character
        throw new VideoJamException(m.replaceAll("\\p{Cntrl}", "?"), e);
      }
      throw e;
    }
  }

  /**
   * The sizes to fold against: the caller's, and the velocity output's taken to be the latent's
   * (a denoiser's contract), so the unpatchify chain can be followed where the exporter left its
   * sizes symbolic.
   */
  private static Map<String, long[]> withVelocitySizes(OnnxMl.ModelProto base, ExtendOptions options) {
    Map<String, long[]> sizes = new HashMap<>(options.inputSizes());
    List<OnnxMl.ValueInfoProto> ins = base.getGraph().getInputList();
    List<OnnxMl.ValueInfoProto> outs = base.getGraph().getOutputList();
    OnnxMl.ValueInfoProto latent = ins.stream().filter(v -> v.getName().equals(options.latentInput())).findFirst()
        .orElse(ins.stream().filter(v -> isFloat(v) && rank(v) == options.layout().rank()).findFirst().orElse(null));
    OnnxMl.ValueInfoProto velocity = outs.stream().filter(v -> v.getName().equals(options.velocityOutput())).findFirst()
        .orElse(outs.size() == 1 ? outs.get(0) : null);
    if (latent == null || velocity == null || rank(velocity) != rank(latent) || sizes.containsKey(velocity.getName())) {
      return sizes;
    }
    long[] d = sizes.get(latent.getName());
    if (d == null) {
      d = new long[rank(latent)];
      for (int i = 0; i < d.length; i++) {
        d[i] = i == 0 ? -1 : dimValue(latent, i);
        if (i > 0 && d[i] <= 0) {
          return sizes;
        }
      }
    }
    sizes.put(velocity.getName(), d);
    return sizes;
  }

  // ---------------------------------------------------------------------------------------------
  // Sizes and atoms: the layout of a tensor as axes, each a list of atoms (major to minor).

  /** A size k, times the symbolic batch size when {@code b}. */
  public record Sz(long k, boolean b) {
    static final Sz ONE = new Sz(1, false);

    Sz times(Sz o) {
      if (b && o.b) {
        throw new VideoJamException("extend: the batch dimension appears twice in one tensor");
      }
      try {
        return new Sz(Math.multiplyExact(k, o.k), b || o.b);
      } catch (ArithmeticException e) {
        throw new VideoJamException("extend: a tensor size overflows 64 bits (" + this + " x " + o + "); the graph's shapes are damaged");
      }
    }

    /** this / o, or null when not an exact quotient. */
    Sz over(Sz o) {
      if ((o.b && !b) || o.k == 0 || k % o.k != 0) {
        return null;
      }
      return new Sz(k / o.k, b && !o.b);
    }

    boolean one() {
      return k == 1 && !b;
    }

    @Override
    public String toString() {
      return b ? (k == 1 ? "B" : "B*" + k) : Long.toString(k);
    }
  }

  enum Kind {
    /** The latent's channel axis: never split. */
    CHANNEL,
    /** The output projection's columns: split into pieces by reshapes. */
    PATCH,
    OTHER
  }

  static final class Atom {
    final Atom parent;
    final Sz size;
    final Kind kind;
    Atom head;
    Atom tail;

    Atom(Atom parent, Sz size, Kind kind) {
      this.parent = parent;
      this.size = size;
      this.kind = kind;
    }

    boolean isAncestorOrSelf(Atom a) {
      for (Atom x = a; x != null; x = x.parent) {
        if (x == this) {
          return true;
        }
      }
      return false;
    }
  }

  /** A Reshape on a traced path: its node, shape source and the atoms of each target dim. */
  record ReshapeStep(int node, long[] target, List<List<Atom>> dims) {}

  private static Sz size(List<Atom> axis) {
    Sz s = Sz.ONE;
    for (Atom a : axis) {
      s = s.times(a.size);
    }
    return s;
  }

  private static Sz total(List<List<Atom>> axes) {
    Sz s = Sz.ONE;
    for (List<Atom> ax : axes) {
      s = s.times(size(ax));
    }
    return s;
  }

  /**
   * The axes after a Reshape to {@code target}. {@code realAxes}: the axes are the tensor's real
   * axes (so a 0 entry copies axis i); otherwise 0 entries are solved like -1.
   */
  static List<List<Atom>> reshape(
      List<List<Atom>> in, long[] target, boolean realAxes, String where) {
    Sz total = total(in);
    Sz[] sizes = new Sz[target.length];
    List<Integer> unknown = new ArrayList<>();
    for (int i = 0; i < target.length; i++) {
      long v = target[i];
      if (v > 0) {
        sizes[i] = new Sz(v, false);
      } else if (v == 0 && realAxes && i < in.size()) {
        sizes[i] = size(in.get(i));
      } else if (v == 0 || v == -1) {
        unknown.add(i);
      } else {
        throw new VideoJamException("extend: " + where + " has an invalid shape entry " + v);
      }
    }
    if (unknown.size() > 1 && unknown.get(0) == 0 && target[0] == 0 && total.b()) {
      sizes[0] = new Sz(1, true); // 0 in front: the batch
      unknown.remove(0);
    }
    if (unknown.size() > 1) {
      throw new VideoJamException("extend: cannot resolve the shape " + Arrays.toString(target)
          + " of " + where + " (several unknown entries); export the reshapes with fixed sizes");
    }
    Sz known = Sz.ONE;
    for (Sz s : sizes) {
      if (s != null) {
        known = known.times(s);
      }
    }
    if (unknown.size() == 1) {
      Sz rest = total.over(known);
      if (rest == null) {
        throw new VideoJamException("extend: the shape " + Arrays.toString(target) + " of " + where
            + " does not fit a tensor of " + total + " elements");
      }
      sizes[unknown.get(0)] = rest;
      known = total;
    }
    if (!known.equals(total)) {
      throw new VideoJamException("extend: the shape " + Arrays.toString(target) + " of " + where
          + " (" + known + " elements) does not fit a tensor of " + total
          + " elements (a hard-coded batch size? export with a dynamic batch axis)");
    }
    Deque<Atom> q = new ArrayDeque<>();
    in.forEach(q::addAll);
    List<List<Atom>> out = new ArrayList<>();
    for (Sz size : sizes) {
      List<Atom> dim = new ArrayList<>();
      Sz need = size;
      while (!need.one()) {
        Atom a = q.poll();
        if (a == null) {
          throw new VideoJamException("extend: cannot follow the layout through " + where);
        }
        if (a.size.equals(need)) {
          dim.add(a);
          need = Sz.ONE;
          continue;
        }
        Sz rest = need.over(a.size);
        if (rest != null) {
          dim.add(a);
          need = rest;
          continue;
        }
        Sz tailSize = a.size.over(need);
        if (tailSize == null) {
          throw new VideoJamException("extend: " + where + " regroups axes in a way that cannot be"
              + " followed (size " + a.size + " against " + need + ")");
        }
        if (a.kind == Kind.CHANNEL) {
          throw new VideoJamException("extend: " + where + " splits the channel axis of the latent"
              + "; the extender needs the channels kept together (one axis or one factor of a"
              + " patch vector)");
        }
        a.head = new Atom(a, need, a.kind);
        a.tail = new Atom(a, tailSize, a.kind);
        dim.add(a.head);
        q.addFirst(a.tail);
        need = Sz.ONE;
      }
      out.add(dim);
    }
    while (!q.isEmpty()) {
      Atom a = q.poll();
      if (!a.size.one() || out.isEmpty()) {
        throw new VideoJamException("extend: cannot follow the layout through " + where);
      }
      out.get(out.size() - 1).add(a);
    }
    return out;
  }

  /**
   * For each index of a widened vector whose layout is the given factors (major to minor; factor
   * {@code ci} is the channel, {@code ca} wide before and {@code ca + cm} after): the old index
   * for appearance entries, or {@code -1 - source} for motion entries, where source is the old
   * index of the same position in appearance channel {@code (c - ca) mod ca}.
   */
  static int[] channelMap(long[] factors, int ci, int ca, int cm) {
    long[] newF = factors.clone();
    newF[ci] = ca + cm;
    long n = 1;
    for (long f : newF) {
      n *= f;
    }
    int[] map = new int[Math.toIntExact(n)];
    long[] coord = new long[factors.length];
    for (int j = 0; j < map.length; j++) {
      long r = j;
      for (int k = factors.length - 1; k >= 0; k--) {
        coord[k] = r % newF[k];
        r /= newF[k];
      }
      boolean motion = coord[ci] >= ca;
      if (motion) {
        coord[ci] = (coord[ci] - ca) % ca;
      }
      long old = 0;
      for (int k = 0; k < factors.length; k++) {
        old = old * factors[k] + coord[k];
      }
      map[j] = motion ? (int) (-1 - old) : (int) old;
    }
    return map;
  }

  // ---------------------------------------------------------------------------------------------

  private static final class Surgery {
    private final OnnxMl.ModelProto base;
    private final ExtendOptions opt;
    private final Path dataDir;
    private final OnnxMl.ModelProto.Builder mb;
    private final OnnxMl.GraphProto.Builder g;
    private final Map<String, Integer> producer = new HashMap<>();
    private final Map<String, List<Integer>> consumers = new HashMap<>();
    private final Map<String, Integer> inits = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    private final Set<String> touchedValues = new HashSet<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Sz[]> dims;
    private final int ch;
    private final int rank;
    private int ca;
    private int cm;

    Surgery(ShapeFolder.Result folded, ExtendOptions opt, Path dataDir) {
      this.base = folded.model();
      this.dims = folded.dims();
      this.ch = opt.layout().channelAxis();
      this.rank = opt.layout().rank();
      if (folded.folded() + folded.reshapes() + folded.shapes() + folded.boolWheres() > 0) {
        notes.add(folded.summary());
      }
      this.opt = opt;
      this.dataDir = dataDir;
      this.mb = base.toBuilder();
      this.g = mb.getGraphBuilder();
      for (int i = 0; i < g.getNodeCount(); i++) {
        OnnxMl.NodeProto n = g.getNode(i);
        for (String o : n.getOutputList()) {
          producer.put(o, i);
        }
        for (String in : new LinkedHashSet<>(n.getInputList())) {
          if (!in.isEmpty()) {
            consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(i);
          }
        }
      }
      for (int i = 0; i < g.getInitializerCount(); i++) {
        inits.put(g.getInitializer(i).getName(), i);
      }
      g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
    }

    ExtendResult run() {
      OnnxMl.ValueInfoProto latent = findLatent();
      List<OnnxMl.TensorShapeProto.Dimension> ld = latent.getType().getTensorType().getShape().getDimList();
      if (!ld.get(ch).hasDimValue() || ld.get(ch).getDimValue() <= 0) {
        throw new VideoJamException("extend: the channel axis (" + ch + ", layout " + opt.layout() + ") of the latent input '"
            + latent.getName() + "' is not a fixed size; export it with a fixed channel count");
      }
      ca = (int) ld.get(ch).getDimValue();
      cm = opt.motionChannels() == 0 ? ca : opt.motionChannels();
      OnnxMl.ValueInfoProto velocity = findVelocity(latent);
      String inProj = extendInput(latent);
      String outProj = extendOutput(latent, velocity);
      setChannels(g.getInputBuilderList(), latent.getName());
      setChannels(g.getOutputBuilderList(), velocity.getName());
      // intermediate shapes on the traced paths changed: drop their stale value_info
      for (int i = g.getValueInfoCount() - 1; i >= 0; i--) {
        if (touchedValues.contains(g.getValueInfo(i).getName())) {
          g.removeValueInfo(i);
        }
      }
      meta("videojam.appearance_channels", Integer.toString(ca));
      meta("videojam.motion_channels", Integer.toString(cm));
      meta("videojam.extended", "input projection " + inProj + ", output projection " + outProj
          + ", motion head " + opt.headInit().name().toLowerCase(java.util.Locale.ROOT));
      return new ExtendResult(mb.build(), inProj, outProj, ca, cm, notes);
    }

    // ----- finding the latent input and the velocity output

    private OnnxMl.ValueInfoProto findLatent() {
      List<String> seen = new ArrayList<>();
      for (OnnxMl.ValueInfoProto v : base.getGraph().getInputList()) {
        if (inits.containsKey(v.getName())) {
          continue;
        }
        seen.add(describe(v));
        if (opt.latentInput() != null) {
          if (v.getName().equals(opt.latentInput())) {
            if (!isFloat(v) || rank(v) != rank) {
              throw new VideoJamException("extend: the latent input '" + v.getName() + "' is "
                  + describe(v) + "; layout " + opt.layout() + " needs a rank-" + rank + " float tensor (export the"
                  + " video latent with its frame axis, not per frame, or set the layout: BCTHW, BTCHW or BNC)");
            }
            return v;
          }
        } else if (isFloat(v) && rank(v) == rank) {
          return v;
        }
      }
      if (opt.latentInput() != null) {
        throw new VideoJamException("extend: the model has no input '" + opt.latentInput()
            + "' (inputs: " + String.join(", ", seen) + ")");
      }
      throw new VideoJamException("extend: no rank-" + rank + " float input (layout " + opt.layout() + ") among the model's"
          + " inputs (" + String.join(", ", seen) + "); export the video latent as one"
          + " [B, C, T, H, W] input, or set the layout (BTCHW, BNC) and name the latent input");
    }

    private OnnxMl.ValueInfoProto findVelocity(OnnxMl.ValueInfoProto latent) {
      List<String> seen = new ArrayList<>();
      for (OnnxMl.ValueInfoProto v : base.getGraph().getOutputList()) {
        seen.add(describe(v));
        if (opt.velocityOutput() != null ? v.getName().equals(opt.velocityOutput())
            : isFloat(v) && rank(v) == rank && dimValue(v, ch) == ca) {
          if (!isFloat(v) || rank(v) != rank || dimValue(v, ch) != ca) {
            throw new VideoJamException("extend: the velocity output '" + v.getName() + "' is "
                + describe(v) + "; it must be a float tensor with " + ca + " channels on axis " + ch + " (layout "
                + opt.layout() + ") like the latent input '" + latent.getName() + "'");
          }
          return v;
        }
      }
      if (opt.velocityOutput() != null) {
        throw new VideoJamException("extend: the model has no output '" + opt.velocityOutput()
            + "' (outputs: " + String.join(", ", seen) + ")");
      }
      throw new VideoJamException("extend: no rank-" + rank + " float output with " + ca + " channels on axis " + ch
          + " among the model's outputs (" + String.join(", ", seen) + "); export the velocity with the"
          + " latent's shape or name it with the velocity output option");
    }

    /** Expected sizes of a [B, C, T, H, W] value: fixed dims of v, else of the latent. */
    private Sz[] videoSizes(OnnxMl.ValueInfoProto v, OnnxMl.ValueInfoProto latent) {
      Sz[] s = new Sz[rank];
      for (int i = 0; i < rank; i++) {
        long d = dimValue(v, i);
        if (d <= 0 && i > 0) {
          d = dimValue(latent, i);
        }
        if (i == 0) {
          s[0] = d > 0 ? new Sz(d, false) : new Sz(1, true);
        } else if (d <= 0) {
          throw new VideoJamException("extend: axis " + i + " of '" + v.getName() + "' has no fixed"
              + " size; export the latent with fixed T, H and W (only the batch may be dynamic), or give the sizes"
              + " to fold the graph against");
        } else {
          s[i] = new Sz(d, false);
        }
      }
      return s;
    }

    // ----- W+_in

    private String extendInput(OnnxMl.ValueInfoProto latent) {
      Sz[] sizes = videoSizes(latent, latent);
      Atom channel = new Atom(null, sizes[ch], Kind.CHANNEL);
      List<List<Atom>> axes = new ArrayList<>();
      for (int i = 0; i < rank; i++) {
        axes.add(new ArrayList<>(List.of(i == ch ? channel : new Atom(null, sizes[i], Kind.OTHER))));
      }
      List<ReshapeStep> steps = new ArrayList<>();
      String cur = latent.getName();
      for (int n = 0; ; n++) {
        List<Integer> cons = new ArrayList<>(consumers.getOrDefault(cur, List.of()));
        cons.removeIf(this::readsOnlyTheBatch);
        if (n >= MAX_NODES || cons.isEmpty() || graphOutputs.contains(cur)) {
          throw noPatchEmbed(latent, n, null);
        }
        if (cons.size() > 1) {
          throw new VideoJamException("extend: the latent input '" + latent.getName() + "' "
              + (cur.equals(latent.getName()) ? "" : "(as '" + cur + "') ")
              + "is used by " + cons.size() + " nodes (" + nodeList(cons) + "); the extender follows"
              + " one Reshape/Transpose chain to the patch embedding; export the patchify without"
              + " side branches (e.g. no Shape of the latent)");
        }
        int idx = cons.get(0);
        OnnxMl.NodeProto node = g.getNode(idx);
        String where = node.getOpType() + " '" + node.getName() + "'";
        touchedValues.add(cur);
        switch (node.getOpType()) {
          case "Identity", "Cast" -> { }
          case "Reshape" -> {
            requireFirstInput(node, cur, where);
            long[] target = shapeOf(node, where);
            axes = reshape(axes, target, true, where);
            steps.add(new ReshapeStep(idx, target, axes));
          }
          case "Transpose" -> axes = transpose(axes, node);
          case "Squeeze", "Unsqueeze", "Flatten", "Slice" -> axes = reshapeLike(node, axes, where);
          case "Conv" -> {
            requireFirstInput(node, cur, where);
            String name = widenConvInput(idx, node, axes, channel, where);
            rewriteShapes(steps, a -> a == channel);
            return name;
          }
          case "MatMul", "Gemm" -> {
            if (!node.getInput(0).equals(cur) || ShapeFolder.attr(node, "transA", 0) != 0) {
              throw noPatchEmbed(latent, n, where + " takes the latent as its right operand");
            }
            String name = widenMatMulInput(node, axes, channel, where);
            rewriteShapes(steps, a -> a == channel);
            return name;
          }
          default -> throw noPatchEmbed(latent, n, "it reaches " + where + " first");
        }
        cur = node.getOutput(0);
      }
    }

    private VideoJamException noPatchEmbed(OnnxMl.ValueInfoProto latent, int n, String detail) {
      return new VideoJamException("extend: no Conv or MatMul consumes the latent input '"
          + latent.getName() + "' within " + Math.max(n, 1) + " node" + (n == 1 ? "" : "s")
          + (detail == null ? "" : " (" + detail + ")")
          + "; export the patch embedding as a Conv (kernel = stride = patch) or a MatMul after a"
          + " Reshape/Transpose patchify, fed directly by the latent");
    }

    private String widenConvInput(
        int idx, OnnxMl.NodeProto node, List<List<Atom>> axes, Atom channel, String where) {
      if (axes.size() < 3 || axes.get(1).size() != 1 || axes.get(1).get(0) != channel) {
        throw new VideoJamException("extend: the patch embedding " + where + " does not read the"
            + " latent's channels on its channel axis (axis 1); check the layout (the latent's channels are on axis "
            + ch + " in " + opt.layout() + "; CogVideoX-style [B, T, C, H, W] latents need \"layout\": \"BTCHW\")"
            + " or export it on [B, C, T, H, W] or per frame on [B*T, C, H, W]");
      }
      requireNoChannel(axes, 1, where);
      if (ShapeFolder.attr(node, "group", 1) != 1) {
        throw new VideoJamException("extend: the patch embedding " + where + " is a grouped Conv;"
            + " only group = 1 can be widened");
      }
      OnnxMl.TensorProto w = initializer(node.getInput(1), where);
      long[] dims = dims(w);
      if (dims.length != axes.size() || dims.length < 3 || dims[1] != ca) {
        throw new VideoJamException("extend: the weight '" + w.getName() + "' of " + where + " has"
            + " shape " + Arrays.toString(dims) + "; expected [D, " + ca + ", kernel...]");
      }
      long[] kernel = Arrays.copyOfRange(dims, 2, dims.length);
      long[] strides = ShapeFolder.attrs(node, "strides");
      if (strides != null && !Arrays.equals(kernel, strides)) {
        notes.add("note: " + where + " has kernel " + Arrays.toString(kernel) + " and strides "
            + Arrays.toString(strides) + " (not a plain patch embedding); widened all the same");
      }
      int[] map = channelMap(new long[] {ca}, 0, ca, cm);
      float[] nw = widen(floats(w), dims, 1, map, MotionHeadInit.ZERO, null, 0f);
      long[] nd = dims.clone();
      nd[1] = ca + cm;
      replaceInitializer(w, nw, nd);
      notes.add("W+_in: " + where + " weight '" + w.getName() + "' " + Arrays.toString(dims) + " -> "
          + Arrays.toString(nd) + " (motion input channels zero)");
      touchedValues.add(node.getOutput(0));
      return node.getName();
    }

    private String widenMatMulInput(
        OnnxMl.NodeProto node, List<List<Atom>> axes, Atom channel, String where) {
      List<Atom> last = axes.get(axes.size() - 1);
      int ci = last.indexOf(channel);
      if (ci < 0) {
        throw new VideoJamException("extend: the patch embedding " + where + " does not take the"
            + " latent's channels in its last (contracted) axis; the patchify must put the"
            + " channels into the patch vector");
      }
      requireNoChannel(axes, axes.size() - 1, where);
      OnnxMl.TensorProto w = initializer(node.getInput(1), where);
      long[] dims = dims(w);
      boolean transB = node.getOpType().equals("Gemm") && ShapeFolder.attr(node, "transB", 0) != 0;
      int rowAxis = transB ? 1 : 0;
      long[] factors = new long[last.size()];
      long k = 1;
      for (int i = 0; i < factors.length; i++) {
        if (last.get(i).size.b()) {
          throw new VideoJamException("extend: " + where + " contracts over the batch axis");
        }
        factors[i] = last.get(i).size.k();
        k *= factors[i];
      }
      if (dims.length != 2 || dims[rowAxis] != k) {
        throw new VideoJamException("extend: the weight '" + w.getName() + "' of " + where
            + " has shape " + Arrays.toString(dims) + "; expected a matrix " + (transB ? "[D, " + k + "]" : "[" + k + ", D]"));
      }
      int[] map = channelMap(factors, ci, ca, cm);
      float[] nw = widen(floats(w), dims, rowAxis, map, MotionHeadInit.ZERO, null, 0f);
      long[] nd = transB ? new long[] {dims[0], map.length} : new long[] {map.length, dims[1]};
      replaceInitializer(w, nw, nd);
      notes.add("W+_in: " + where + " weight '" + w.getName() + "' " + Arrays.toString(dims) + " -> "
          + Arrays.toString(nd) + " (patch rows " + layout(factors, ci) + ", motion rows zero)");
      touchedValues.add(node.getOutput(0));
      return node.getName();
    }

    private static String layout(long[] factors, int ci) {
      StringBuilder sb = new StringBuilder("(");
      for (int i = 0; i < factors.length; i++) {
        sb.append(i > 0 ? ", " : "").append(i == ci ? "c" : Long.toString(factors[i]));
      }
      return sb.append(")").toString();
    }

    private void requireNoChannel(List<List<Atom>> axes, int except, String where) {
      for (int i = 0; i < axes.size(); i++) {
        for (Atom a : axes.get(i)) {
          if (i != except && a.kind == Kind.CHANNEL) {
            throw new VideoJamException("extend: the latent's channels reach " + where
                + " on axis " + i + ", not the axis the projection contracts");
          }
        }
      }
    }

    // ----- W+_out

    private String extendOutput(OnnxMl.ValueInfoProto latent, OnnxMl.ValueInfoProto velocity) {
      String v = velocity.getName();
      List<Integer> chain = new ArrayList<>();
      int proj = -1;
      int bias = -1;
      for (int n = 0; ; n++) {
        Integer p = producer.get(v);
        if (n >= MAX_NODES || p == null) {
          throw noHead(velocity, n, p == null ? "'" + v + "' is not produced by a node" : null);
        }
        OnnxMl.NodeProto node = g.getNode(p);
        String op = node.getOpType();
        if (List.of("Identity", "Reshape", "Transpose", "Cast", "Squeeze", "Unsqueeze", "Flatten").contains(op)) {
          chain.add(0, p);
          v = node.getInput(0);
        } else if (op.equals("MatMul") || op.equals("Gemm") || op.equals("Conv") || op.equals("ConvTranspose")) {
          proj = p;
          break;
        } else if (op.equals("Add") && bias < 0) {
          int wi = inits.containsKey(node.getInput(1)) ? 1 : inits.containsKey(node.getInput(0)) ? 0 : -1;
          Integer q = wi < 0 ? null : producer.get(node.getInput(1 - wi));
          if (q == null || !g.getNode(q).getOpType().equals("MatMul")) {
            throw noHead(velocity, n, "it comes from Add '" + node.getName() + "', which is not a"
                + " MatMul plus a constant bias");
          }
          bias = p;
          chain.add(0, p);
          v = node.getInput(1 - wi);
        } else {
          throw noHead(velocity, n, "it comes from " + op + " '" + node.getName() + "'");
        }
      }
      OnnxMl.NodeProto pn = g.getNode(proj);
      String where = pn.getOpType() + " '" + pn.getName() + "'";
      // every value between the projection and the output feeds only the next step
      String value = pn.getOutput(0);
      for (int idx : chain) {
        List<Integer> cons = new ArrayList<>(consumers.getOrDefault(value, List.of()));
        cons.removeIf(this::readsOnlyTheBatch);
        if (cons.size() != 1 || graphOutputs.contains(value)) {
          throw new VideoJamException("extend: the output of " + where + " ('" + value + "') is"
              + " used by " + cons.size() + " nodes on its way to '" + velocity.getName() + "'; the"
              + " motion head needs a plain Reshape/Transpose unpatchify");
        }
        touchedValues.add(value);
        value = g.getNode(idx).getOutput(0);
      }
      touchedValues.add(value);

      Sz[] sizes = videoSizes(velocity, latent);
      Sz tot = Sz.ONE;
      for (Sz s : sizes) {
        tot = tot.times(s);
      }
      OnnxMl.TensorProto w = initializer(pn.getInput(1), where);
      long[] wd = dims(w);
      int colAxis;
      long cols;
      List<List<Atom>> axes = new ArrayList<>();
      Atom patch;
      boolean real;
      if (pn.getOpType().equals("MatMul") || pn.getOpType().equals("Gemm")) {
        if (wd.length != 2) {
          throw new VideoJamException("extend: the output projection " + where + " weight '"
              + w.getName() + "' is not a matrix: " + Arrays.toString(wd));
        }
        colAxis = pn.getOpType().equals("Gemm") && ShapeFolder.attr(pn, "transB", 0) != 0 ? 0 : 1;
        cols = wd[colAxis];
        patch = new Atom(null, new Sz(cols, false), Kind.PATCH);
        Sz rows = tot.over(patch.size);
        if (rows == null) {
          throw new VideoJamException("extend: " + where + " produces " + cols + " values per token,"
              + " which do not divide the velocity output " + Arrays.toString(sizes));
        }
        Sz[] known = dims.get(pn.getOutput(0));
        boolean direct = chain.stream().allMatch(i -> List.of("Identity", "Cast", "Add").contains(g.getNode(i).getOpType()));
        if (direct && (known == null || Arrays.stream(known).anyMatch(java.util.Objects::isNull))) {
          known = sizes; // the projection is the velocity itself (a token-sequence head): the velocity's sizes
        }
        real = known != null && known.length >= 2 && Arrays.stream(known).allMatch(java.util.Objects::nonNull)
            && known[known.length - 1].equals(patch.size);
        if (real) {
          for (int i = 0; i < known.length - 1; i++) {
            axes.add(new ArrayList<>(List.of(new Atom(null, known[i], Kind.OTHER))));
          }
        } else {
          axes.add(new ArrayList<>(List.of(new Atom(null, rows, Kind.OTHER))));
        }
        axes.add(new ArrayList<>(List.of(patch)));
        int first = chain.isEmpty() ? -1 : chain.get(0) == bias ? (chain.size() > 1 ? chain.get(1) : -1) : chain.get(0);
        if (!real && (first < 0 || g.getNode(first).getOpType().equals("Transpose"))) {
          throw new VideoJamException("extend: the output projection " + where + " must be followed"
              + " by a Reshape (unpatchify) before any Transpose");
        }
      } else {
        if (ShapeFolder.attr(pn, "group", 1) != 1) {
          throw new VideoJamException("extend: the output projection " + where + " is a grouped"
              + " convolution; only group = 1 can be widened");
        }
        int spatial = wd.length - 2;
        if (spatial < 1 || spatial > 3) {
          throw new VideoJamException("extend: the output projection " + where + " has a weight of"
              + " rank " + wd.length + "; expected a 1-3-D convolution");
        }
        colAxis = pn.getOpType().equals("Conv") ? 0 : 1;
        cols = wd[colAxis];
        patch = new Atom(null, new Sz(cols, false), Kind.PATCH);
        // assume the convolution produces full-resolution frames: [A, Cout, (T,) H, W]
        Sz rest = patch.size;
        List<Atom> sp = new ArrayList<>();
        for (int i = 5 - spatial; i < 5; i++) {
          sp.add(new Atom(null, sizes[i], Kind.OTHER));
          rest = rest.times(sizes[i]);
        }
        Sz lead = tot.over(rest);
        if (lead == null) {
          throw new VideoJamException("extend: cannot trace the channels of '" + velocity.getName()
              + "' back to " + where + " (its output is not [.., C, H, W] at the video's"
              + " resolution); export the unpatchify as a MatMul + Reshape/Transpose");
        }
        axes.add(new ArrayList<>(List.of(new Atom(null, lead, Kind.OTHER))));
        axes.add(new ArrayList<>(List.of(patch)));
        sp.forEach(a -> axes.add(new ArrayList<>(List.of(a))));
        real = true;
      }
      List<ReshapeStep> steps = new ArrayList<>();
      List<List<Atom>> cur = axes;
      for (int idx : chain) {
        OnnxMl.NodeProto node = g.getNode(idx);
        String nw = node.getOpType() + " '" + node.getName() + "'";
        switch (node.getOpType()) {
          case "Reshape" -> {
            long[] target = shapeOf(node, nw);
            cur = reshape(cur, target, real, nw);
            steps.add(new ReshapeStep(idx, target, cur));
            real = true;
          }
          case "Transpose" -> {
            if (!real) {
              throw new VideoJamException("extend: cannot follow " + nw + " right after " + where);
            }
            cur = transpose(cur, node);
          }
          case "Squeeze", "Unsqueeze", "Flatten" -> {
            if (!real) {
              throw new VideoJamException("extend: cannot follow " + nw + " right after " + where);
            }
            cur = reshapeLike(node, cur, nw);
          }
          default -> { } // Identity, Cast, bias Add
        }
      }
      // the velocity must come out as [B, C_a, T, H, W] with C_a one piece of the projection
      boolean ok = cur.size() == rank;
      for (int i = 0; ok && i < rank; i++) {
        ok = size(cur.get(i)).equals(sizes[i]);
      }
      Atom channel = ok && cur.get(ch).size() == 1 ? cur.get(ch).get(0) : null;
      if (channel == null || channel.kind != Kind.PATCH || channel.size.k() != ca) {
        throw new VideoJamException("extend: cannot trace the channel axis of the velocity output '"
            + velocity.getName() + "' back to one factor of the columns of " + where + "; export"
            + " the unpatchify as Reshape/Transpose with the channels one factor of the patch vector");
      }
      List<Atom> leaves = new ArrayList<>();
      collectLeaves(patch, leaves);
      long[] factors = new long[leaves.size()];
      for (int i = 0; i < factors.length; i++) {
        factors[i] = leaves.get(i).size.k();
      }
      int ci = leaves.indexOf(channel);
      int[] map = channelMap(factors, ci, ca, cm);

      float[] wv = floats(w);
      float std = opt.headInit() == MotionHeadInit.RANDOM ? std(wv) : 0f;
      Random rnd = new Random(opt.seed());
      float[] nwv = widen(wv, wd, colAxis, map, opt.headInit(), rnd, std);
      long[] nwd = wd.clone();
      nwd[colAxis] = map.length;
      replaceInitializer(w, nwv, nwd);
      notes.add("W+_out: " + where + " weight '" + w.getName() + "' " + Arrays.toString(wd) + " -> "
          + Arrays.toString(nwd) + " (columns " + layout(factors, ci) + ", motion head "
          + opt.headInit().name().toLowerCase(java.util.Locale.ROOT) + ")");
      String biasName = null;
      if (bias >= 0) {
        OnnxMl.NodeProto bn = g.getNode(bias);
        biasName = inits.containsKey(bn.getInput(1)) ? bn.getInput(1) : bn.getInput(0);
      } else if (!pn.getOpType().equals("MatMul") && pn.getInputCount() > 2
          && !pn.getInput(2).isEmpty()) { // Conv, ConvTranspose and Gemm carry their bias as input 2
        biasName = pn.getInput(2);
      }
      if (biasName != null) {
        OnnxMl.TensorProto b = initializer(biasName, where + " bias");
        long[] bd = dims(b);
        long bn = 1;
        for (long d : bd) {
          bn *= d;
        }
        if (bd.length == 0 || bd[bd.length - 1] != cols || bn != cols) { // (a Gemm bias broadcast from one value is refused too)
          throw new VideoJamException("extend: the bias '" + biasName + "' of " + where + " has shape "
              + Arrays.toString(bd) + "; expected one value per output column (" + cols + ")");
        }
        MotionHeadInit bi = opt.headInit() == MotionHeadInit.COPY ? MotionHeadInit.COPY : MotionHeadInit.ZERO;
        float[] nb = widen(floats(b), bd, bd.length - 1, map, bi, null, 0f);
        long[] nbd = bd.clone();
        nbd[bd.length - 1] = map.length;
        replaceInitializer(b, nb, nbd);
        notes.add("W+_out: bias '" + biasName + "' " + Arrays.toString(bd) + " -> " + Arrays.toString(nbd));
      }
      // a dim that holds the channel piece, or an atom it was split from, grows
      rewriteShapes(steps, a -> a.isAncestorOrSelf(channel));
      return pn.getName();
    }

    private VideoJamException noHead(OnnxMl.ValueInfoProto velocity, int n, String detail) {
      return new VideoJamException("extend: no MatMul, Conv or ConvTranspose produces the velocity"
          + " output '" + velocity.getName() + "' within " + Math.max(n, 1) + " nodes"
          + (detail == null ? "" : " (" + detail + ")") + "; export the final projection as a MatMul"
          + " (+ bias) followed only by a Reshape/Transpose unpatchify, or as a Conv/ConvTranspose");
    }

    private static void collectLeaves(Atom a, List<Atom> out) {
      if (a.head == null) {
        out.add(a);
      } else {
        collectLeaves(a.head, out);
        collectLeaves(a.tail, out);
      }
    }

    // ----- rewriting

    private void rewriteShapes(List<ReshapeStep> steps, java.util.function.Predicate<Atom> grows) {
      for (ReshapeStep s : steps) {
        long[] t = s.target().clone();
        boolean changed = false;
        for (int i = 0; i < t.length; i++) {
          if (t[i] > 0 && s.dims().get(i).stream().anyMatch(grows)) {
            if (t[i] % ca != 0) {
              throw new VideoJamException("extend: cannot rewrite the shape " + Arrays.toString(t)
                  + " of Reshape '" + g.getNode(s.node()).getName() + "'");
            }
            t[i] = t[i] / ca * (ca + cm);
            changed = true;
          }
        }
        if (changed) {
          setShape(s.node(), t);
        }
      }
    }

    private void setShape(int nodeIdx, long[] t) {
      OnnxMl.NodeProto node = g.getNode(nodeIdx);
      String src = node.getInput(1);
      long[] before = shapeOf(node, "Reshape '" + node.getName() + "'");
      ByteBuffer buf = ByteBuffer.allocate(t.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      for (long v : t) {
        buf.putLong(v);
      }
      OnnxMl.TensorProto tensor = OnnxMl.TensorProto.newBuilder()
          .setDataType(OnnxMl.TensorProto.DataType.INT64_VALUE)
          .addDims(t.length)
          .setRawData(ByteString.copyFrom(buf.array()))
          .build();
      boolean shared = consumers.getOrDefault(src, List.of()).size() > 1;
      if (inits.containsKey(src)) {
        int ii = inits.get(src);
        if (shared) {
          String name = fresh(src + ".videojam");
          g.addInitializer(tensor.toBuilder().setName(name));
          inits.put(name, g.getInitializerCount() - 1);
          g.getNodeBuilder(nodeIdx).setInput(1, name);
        } else {
          g.setInitializer(ii, tensor.toBuilder().setName(src));
        }
      } else {
        int p = producer.get(src);
        OnnxMl.NodeProto.Builder c = g.getNodeBuilder(p);
        if (shared) {
          String name = fresh(src + ".videojam");
          g.addInitializer(tensor.toBuilder().setName(name));
          inits.put(name, g.getInitializerCount() - 1);
          g.getNodeBuilder(nodeIdx).setInput(1, name);
        } else {
          for (OnnxMl.AttributeProto.Builder a : c.getAttributeBuilderList()) {
            if (a.getName().equals("value")) {
              a.setT(tensor.toBuilder().setName(a.getT().getName()));
            }
          }
        }
      }
      notes.add("Reshape '" + node.getName() + "': shape " + Arrays.toString(before) + " -> "
          + Arrays.toString(t));
    }

    private String fresh(String name) {
      String n = name;
      for (int i = 1; inits.containsKey(n) || producer.containsKey(n); i++) {
        n = name + i;
      }
      return n;
    }

    private void replaceInitializer(OnnxMl.TensorProto old, float[] values, long[] dims) {
      ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(values);
      OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder()
          .setName(old.getName())
          .setDataType(OnnxMl.TensorProto.DataType.FLOAT_VALUE)
          .setRawData(ByteString.copyFrom(buf.array()));
      if (old.hasDocString()) {
        t.setDocString(old.getDocString());
      }
      for (long d : dims) {
        t.addDims(d);
      }
      g.setInitializer(inits.get(old.getName()), t);
    }

    private void setChannels(List<OnnxMl.ValueInfoProto.Builder> list, String name) {
      for (OnnxMl.ValueInfoProto.Builder v : list) {
        if (v.getName().equals(name)) {
          if (v.getType().getTensorType().getShape().getDimCount() <= ch) {
            throw new VideoJamException("extend: '" + name + "' is declared with rank "
                + v.getType().getTensorType().getShape().getDimCount() + ", too low for channel axis " + ch + "; the graph is damaged");
          }
          v.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(ch)
              .clearDimParam().setDimValue(ca + cm);
        }
      }
    }

    private void meta(String key, String value) {
      for (OnnxMl.StringStringEntryProto.Builder e : mb.getMetadataPropsBuilderList()) {
        if (e.getKey().equals(key)) {
          e.setValue(value);
          return;
        }
      }
      mb.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    // ----- graph helpers

    private List<List<Atom>> transpose(List<List<Atom>> axes, OnnxMl.NodeProto node) {
      long[] perm = ShapeFolder.attrs(node, "perm");
      if (perm == null) {
        perm = new long[axes.size()];
        for (int i = 0; i < perm.length; i++) {
          perm[i] = perm.length - 1 - i;
        }
      }
      if (perm.length != axes.size() || Arrays.stream(perm).sorted().distinct().count() != perm.length
          || Arrays.stream(perm).anyMatch(p -> p < 0 || p >= axes.size())) {
        throw new VideoJamException("extend: Transpose '" + node.getName() + "' has perm "
            + Arrays.toString(perm) + " for a rank-" + axes.size() + " tensor; a perm lists each axis once");
      }
      List<List<Atom>> out = new ArrayList<>();
      for (long p : perm) {
        out.add(axes.get((int) p));
      }
      return out;
    }

    /** A Shape node that reads only axis 0 (the batch, which widening leaves alone). */
    private boolean readsOnlyTheBatch(int nodeIdx) {
      OnnxMl.NodeProto n = g.getNode(nodeIdx);
      long start = ShapeFolder.attr(n, "start", -1);
      Sz[] d = dims.get(n.getInput(0));
      return n.getOpType().equals("Shape") && start >= 0 && ShapeFolder.attr(n, "end", -1) == start + 1 && d != null && start < d.length
          && d[(int) start] != null && d[(int) start].b();
    }

    /** Squeeze, Unsqueeze, Flatten or a whole-tensor Slice on real axes. */
    private List<List<Atom>> reshapeLike(OnnxMl.NodeProto node, List<List<Atom>> axes, String where) {
      int r = axes.size();
      switch (node.getOpType()) {
        case "Flatten" -> {
          long a = ShapeFolder.attr(node, "axis", 1);
          int axis = (int) (a < 0 ? a + r : a);
          List<List<Atom>> out = new ArrayList<>();
          List<Atom> head = new ArrayList<>();
          List<Atom> tail = new ArrayList<>();
          for (int i = 0; i < r; i++) {
            (i < axis ? head : tail).addAll(axes.get(i));
          }
          out.add(head);
          out.add(tail);
          return out;
        }
        case "Slice" -> {
          Sz[] in = dims.get(node.getInput(0));
          Sz[] out = dims.get(node.getOutput(0));
          if (in == null || !Arrays.equals(in, out)) {
            throw new VideoJamException("extend: " + where + " cuts the latent on its way to the patch embedding; only a"
                + " Slice that keeps the whole tensor can be followed");
          }
          return axes;
        }
        default -> {
          long[] ax = ShapeFolder.attrs(node, "axes");
          if (ax == null && node.getInputCount() > 1) {
            ax = constLongs(node.getInput(1), where);
          }
          boolean unsq = node.getOpType().equals("Unsqueeze");
          int outRank = unsq ? r + (ax == null ? 0 : ax.length) : r;
          Set<Integer> set = new HashSet<>();
          if (ax != null) {
            int rank = unsq ? outRank : r;
            for (long a : ax) {
              long axis = a < 0 ? a + rank : a;
              if (axis < 0 || axis >= rank || !set.add((int) axis)) {
                throw new VideoJamException("extend: " + where + " has axes " + Arrays.toString(ax) + ", out of range or repeated"
                    + " for rank " + rank + "; the graph is damaged");
              }
            }
          }
          List<List<Atom>> out = new ArrayList<>();
          if (unsq) {
            int j = 0;
            for (int i = 0; i < outRank; i++) {
              out.add(set.contains(i) ? new ArrayList<>() : axes.get(j++));
            }
            return out;
          }
          for (int i = 0; i < r; i++) {
            boolean drop = ax == null ? size(axes.get(i)).one() : set.contains(i);
            if (!drop) {
              out.add(axes.get(i));
            } else if (axes.get(i).stream().anyMatch(a -> a.kind != Kind.OTHER)) {
              throw new VideoJamException("extend: " + where + " squeezes away the latent's channels");
            }
          }
          return out;
        }
      }
    }

    private long[] constLongs(String name, String where) {
      OnnxMl.TensorProto t = null;
      if (inits.containsKey(name)) {
        t = g.getInitializer(inits.get(name));
      } else if (producer.containsKey(name) && g.getNode(producer.get(name)).getOpType().equals("Constant")) {
        for (OnnxMl.AttributeProto a : g.getNode(producer.get(name)).getAttributeList()) {
          if (a.getName().equals("value")) {
            t = a.getT();
          }
        }
      }
      if (t == null) {
        throw new VideoJamException("extend: the axes of " + where + " are computed at run time; export them as constants");
      }
      return longs(t, where);
    }

    private void requireFirstInput(OnnxMl.NodeProto node, String value, String where) {
      if (!node.getInput(0).equals(value)) {
        throw new VideoJamException("extend: the latent reaches " + where + " as a weight or shape");
      }
    }

    /** The constant target shape of a Reshape. */
    private long[] shapeOf(OnnxMl.NodeProto node, String where) {
      if (ShapeFolder.attr(node, "allowzero", 0) != 0) {
        throw new VideoJamException("extend: " + where + " uses allowzero = 1; not supported");
      }
      String src = node.getInputCount() > 1 ? node.getInput(1) : "";
      OnnxMl.TensorProto t = null;
      if (inits.containsKey(src)) {
        t = load(g.getInitializer(inits.get(src)));
      } else if (producer.containsKey(src)) {
        OnnxMl.NodeProto c = g.getNode(producer.get(src));
        if (c.getOpType().equals("Constant")) {
          for (OnnxMl.AttributeProto a : c.getAttributeList()) {
            if (a.getName().equals("value")) {
              t = a.getT();
            }
          }
        }
      }
      if (t == null) {
        throw new VideoJamException("extend: the shape of " + where + " is computed at run time ('"
            + src + "'); the extender rewrites only constant shapes; export with static shapes"
            + " (e.g. torch.onnx.export without dynamic shape arithmetic on the latent)");
      }
      return longs(t, where);
    }

    private OnnxMl.TensorProto initializer(String name, String where) {
      Integer i = inits.get(name);
      if (i == null) {
        throw new VideoJamException("extend: the weight '" + name + "' of " + where + " is not an"
            + " initializer (a constant tensor); export with constant folding so it is one");
      }
      OnnxMl.TensorProto t = g.getInitializer(i);
      if (OnnxModels.isExternal(t)) {
        t = load(t);
        g.setInitializer(i, t);
      }
      return t;
    }

    private OnnxMl.TensorProto load(OnnxMl.TensorProto t) {
      if (!OnnxModels.isExternal(t)) {
        return t;
      }
      if (dataDir == null) {
        throw new VideoJamException("extend: tensor '" + t.getName() + "' is stored in external"
            + " data; extend the model with the folder of its .onnx file (extend(model, options,"
            + " folder))");
      }
      return OnnxModels.loadExternal(t, dataDir);
    }

    private String nodeList(List<Integer> idx) {
      List<String> s = new ArrayList<>();
      for (int i : idx) {
        s.add(g.getNode(i).getOpType() + " '" + g.getNode(i).getName() + "'");
      }
      return String.join(", ", s);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tensors

  /**
   * Widens {@code w} (shape {@code dims}) along {@code axis} by {@code map} (see {@link
   * #channelMap}); motion entries are filled by {@code init}.
   */
  static float[] widen(
      float[] w, long[] dims, int axis, int[] map, MotionHeadInit init, Random rnd, float std) {
    long outer = 1;
    long inner = 1;
    for (int i = 0; i < axis; i++) {
      outer *= dims[i];
    }
    for (int i = axis + 1; i < dims.length; i++) {
      inner *= dims[i];
    }
    int n = (int) dims[axis];
    int in = (int) inner;
    float[] out = new float[Math.toIntExact(outer * map.length * inner)];
    for (int o = 0; o < outer; o++) {
      for (int j = 0; j < map.length; j++) {
        int src = map[j] >= 0 ? map[j] : -1 - map[j];
        boolean motion = map[j] < 0;
        int from = (o * n + src) * in;
        int to = (o * map.length + j) * in;
        if (!motion || init == MotionHeadInit.COPY) {
          System.arraycopy(w, from, out, to, in);
        } else if (init == MotionHeadInit.RANDOM) {
          for (int k = 0; k < in; k++) {
            out[to + k] = (float) (rnd.nextGaussian() * std);
          }
        } // ZERO: already zero
      }
    }
    return out;
  }

  private static float std(float[] v) {
    double s = 0;
    double s2 = 0;
    for (float f : v) {
      s += f;
      s2 += (double) f * f;
    }
    double mean = s / Math.max(1, v.length);
    double var = s2 / Math.max(1, v.length) - mean * mean;
    return (float) Math.sqrt(Math.max(var, 0));
  }

  static float[] floats(OnnxMl.TensorProto t) {
    if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
      throw new VideoJamException("extend: weight '" + t.getName() + "' is not float32 (ONNX type "
          + t.getDataType() + "); export the model in float32 and convert it after extending");
    }
    long n = 1;
    for (long d : t.getDimsList()) {
      if (d < 0 || (d > 0 && n > Integer.MAX_VALUE / d)) {
        throw new VideoJamException("extend: weight '" + t.getName() + "' has dims " + t.getDimsList()
            + ", negative or over 2^31 values; the file is damaged");
      }
      n *= d;
    }
    float[] v = OnnxPrecision.floats(t);
    if (v.length != n) {
      throw new VideoJamException("extend: weight '" + t.getName() + "' has dims " + t.getDimsList() + " (" + n
          + " values) but holds " + v.length + "; the file is damaged");
    }
    return v;
  }

  private static long[] longs(OnnxMl.TensorProto t, String where) {
    if (t.getDataType() != OnnxMl.TensorProto.DataType.INT64_VALUE) {
      throw new VideoJamException("extend: the shape of " + where + " is not int64");
    }
    if (t.getInt64DataCount() > 0) {
      return t.getInt64DataList().stream().mapToLong(Long::longValue).toArray();
    }
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long[] v = new long[b.remaining() / 8];
    b.asLongBuffer().get(v);
    return v;
  }

  private static long[] dims(OnnxMl.TensorProto t) {
    return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
  }



  private static boolean isFloat(OnnxMl.ValueInfoProto v) {
    return v.getType().hasTensorType()
        && v.getType().getTensorType().getElemType() == OnnxMl.TensorProto.DataType.FLOAT_VALUE;
  }

  private static int rank(OnnxMl.ValueInfoProto v) {
    return v.getType().getTensorType().getShape().getDimCount();
  }

  private static long dimValue(OnnxMl.ValueInfoProto v, int i) {
    OnnxMl.TensorShapeProto s = v.getType().getTensorType().getShape();
    if (i >= s.getDimCount() || !s.getDim(i).hasDimValue()) {
      return -1;
    }
    return s.getDim(i).getDimValue();
  }

  private static String describe(OnnxMl.ValueInfoProto v) {
    StringBuilder sb = new StringBuilder(v.getName()).append('[');
    if (v.getType().hasTensorType()) {
      List<OnnxMl.TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
      for (int i = 0; i < dims.size(); i++) {
        OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
        sb.append(i > 0 ? "," : "").append(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.getDimParam());
      }
      sb.append("] ").append(OnnxMl.TensorProto.DataType.forNumber(
          v.getType().getTensorType().getElemType())).append("");
    } else {
      sb.append("] non-tensor");
    }
    return sb.toString().replace("FLOAT", "float").replace("INT64", "int64");
  }
}
