package io.videojam.model;

import io.videojam.api.FloatTensor;
import io.videojam.api.LatentShape;
import io.videojam.api.LongTensor;
import io.videojam.api.Npy;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;


/**
 * A graph input besides the latent, the time and the text: an attention mask, a pooled text
 * embedding, a guidance-scale input, the latent's sizes. Described in model.json under {@code
 * "denoiser": {"extra-inputs": {NAME: {...}}}} as a constant or as a value the framework computes
 * for every pass:
 *
 * <ul>
 *   <li>{@code {"value": 6.0}} or {@code {"value": [1, 0, ...]}}: a number filled over the input's
 *       shape, or the values of one batch row (repeated for every row);
 *   <li>{@code {"npy": "pooled.npy"}}: one batch row read from a .npy file beside model.json;
 *   <li>{@code {"value": "frames" | "height" | "width" | "tokens"}}: the latent's frames, height,
 *       width or frames x height x width;
 *   <li>{@code {"value": "text-mask"}}: ones of shape [B, L], L the text condition's length.
 * </ul>
 *
 * The input's batch axis (a free axis 0) is the pass batch; other free axes need {@code "shape"}
 * (one batch row's dims). Float32 and int64 inputs are supported.
 */
record ExtraInput(String name, ElementType type, long[] rowShape, boolean batched, String source, double[] values) {
  /** The most elements of one batch row of an extra input (a mask or an embedding has thousands). */
  static final long MAX_ROW_ELEMENTS = 1L << 24;

  /** The extra inputs of {@code den}; every graph input not in {@code known} must be described. */
  static List<ExtraInput> parse(Settings den, List<TensorInfo> inputs, List<String> known, Path onnx) {
    Settings extra = den.has("extra-inputs") ? den.child("extra-inputs") : null;
    List<ExtraInput> out = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (TensorInfo in : inputs) {
      if (known.contains(in.name())) {
        continue;
      }
      if (extra == null || !extra.has(in.name())) {
        missing.add(in.toString());
        continue;
      }
      out.add(of(extra.child(in.name()), in, onnx));
    }
    if (!missing.isEmpty()) {
      throw new VideoJamException(onnx.getFileName() + " has inputs " + missing + " that " + den.origin()
          + " does not describe; add each under \"denoiser\": {\"extra-inputs\": {NAME: {\"value\": NUMBER | [ROW] | \"text-mask\""
          + " | \"frames\" | \"height\" | \"width\" | \"tokens\"} or {\"npy\": FILE}}} (see docs: bring your own model)");
    }
    if (extra != null) {
      for (String k : extra.values().keySet()) {
        if (inputs.stream().noneMatch(i -> i.name().equals(k))) {
          throw new VideoJamException(den.origin() + ": extra-inputs names '" + k + "' but " + onnx.getFileName() + " has no such input; "
              + "its inputs are " + inputs);
        }
      }
    }
    return out;
  }

  private static ExtraInput of(Settings spec, TensorInfo in, Path onnx) {
    String where = spec.origin();
    if (in.type() == ElementType.OTHER) {
      throw new VideoJamException(where + ": graph input " + in + " is neither float32 nor int64; only those extra inputs can be fed"
          + " (re-export it as float32 or int64)");
    }
    long[] shape = in.shape();
    boolean batched = shape.length > 0 && shape[0] < 0;
    long[] row = Arrays.copyOfRange(shape, batched ? 1 : 0, shape.length);
    if (spec.has("shape")) {
      Object s = spec.values().get("shape");
      if (!(s instanceof List<?> l) || l.size() != row.length) {
        throw new VideoJamException(where + ": \"shape\" must list one batch row's " + row.length + " dims of " + in);
      }
      for (int i = 0; i < row.length; i++) {
        if (!(l.get(i) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1
            || n.doubleValue() > MAX_ROW_ELEMENTS || (row[i] > 0 && row[i] != n.longValue())) {
          throw new VideoJamException(where + ": \"shape\" " + Settings.describe(l.get(i)) + " at " + i + " does not fit " + in
              + "; give one batch row's dims as whole numbers >= 1");
        }
        row[i] = n.longValue();
      }
    }
    // the row is allocated for every pass: its size is checked here, exactly, before anything is allocated
    long elements = 1;
    for (long d : row) {
      if (d > 0 && elements > MAX_ROW_ELEMENTS / d) {
        throw new VideoJamException(where + ": one batch row of " + in + " " + Arrays.toString(row) + " has more than "
            + MAX_ROW_ELEMENTS + " elements, the most an extra input may have; check the graph input and \"shape\"");
      }
      elements *= Math.max(d, 1);
    }
    Object v = spec.values().get("value");
    if (spec.has("npy")) {
      Path file;
      try {
        file = onnx.resolveSibling(spec.string("npy"));
      } catch (java.nio.file.InvalidPathException e) {
        throw new VideoJamException(where + ": \"npy\" " + Settings.describe(spec.string("npy")) + " is not a file name ("
            + e.getReason() + ")");
      }
      FloatTensor t;
      try {
        t = Npy.readFloat(file);
      } catch (VideoJamException e) {
        throw new VideoJamException(where + ": \"npy\": " + e.getMessage(), e);
      }
      long[] ts = t.shape();
      long[] r = ts.length == row.length + 1 && ts[0] == 1 ? Arrays.copyOfRange(ts, 1, ts.length) : ts;
      check(where, in, row, r);
      if (t.data().length > MAX_ROW_ELEMENTS) {
        throw new VideoJamException(where + ": " + file.getFileName() + " holds " + t.data().length + " values, more than the "
            + MAX_ROW_ELEMENTS + " of one batch row an extra input may have");
      }
      return new ExtraInput(in.name(), in.type(), r, batched, "npy", toDouble(t.data()));
    }
    if (v instanceof Number n) {
      requireFixed(where, in, row);
      return new ExtraInput(in.name(), in.type(), row, batched, "fill", new double[] {n.doubleValue()});
    }
    if (v instanceof List<?> list) {
      double[] d = new double[list.size()];
      for (int i = 0; i < d.length; i++) {
        if (!(list.get(i) instanceof Number n)) {
          throw new VideoJamException(where + ": \"value\" must be a number, a list of numbers or a name, got "
              + Settings.describe(list.get(i)) + " at " + i);
        }
        d[i] = n.doubleValue();
      }
      requireFixed(where, in, row);
      if (elements != d.length) {
        throw new VideoJamException(where + ": \"value\" has " + d.length + " numbers but one batch row of " + in + " has " + elements);
      }
      return new ExtraInput(in.name(), in.type(), row, batched, "row", d);
    }
    if (v instanceof String name) {
      switch (name) {
        case "frames", "height", "width", "tokens" -> {
          requireFixed(where, in, row);
          if (elements != 1) {
            throw new VideoJamException(where + ": \"" + name + "\" is one number, but " + in + " holds more per batch row");
          }
          return new ExtraInput(in.name(), in.type(), row, batched, name, null);
        }
        case "text-mask" -> {
          if (!batched || row.length != 1) {
            throw new VideoJamException(where + ": \"text-mask\" fills a [B, L] input, but the graph declares " + in);
          }
          return new ExtraInput(in.name(), in.type(), row, true, name, null);
        }
        default -> throw new VideoJamException(where + ": \"value\" " + Settings.describe(name) + " is not one of frames, height, width, tokens, text-mask");
      }
    }
    throw new VideoJamException(where + ": describe graph input " + in + " with \"value\" (a number, a row of numbers, or one of"
        + " frames, height, width, tokens, text-mask) or \"npy\" (a file with one batch row)");
  }

  private static void requireFixed(String where, TensorInfo in, long[] row) {
    for (long d : row) {
      if (d < 1) {
        throw new VideoJamException(where + ": graph input " + in + " has free axes besides the batch; give one batch row's dims as"
            + " \"shape\"");
      }
    }
  }

  private static void check(String where, TensorInfo in, long[] row, long[] got) {
    boolean ok = got.length == row.length;
    for (int i = 0; ok && i < row.length; i++) {
      ok = row[i] < 1 || row[i] == got[i];
    }
    if (!ok) {
      throw new VideoJamException(where + ": the .npy holds " + Arrays.toString(got) + " but one batch row of " + in + " is "
          + Arrays.toString(row));
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** The input for one pass of batch {@code b}. */
  Tensor tensor(int b, LatentShape latent, Tensor text) {
    long[] row = rowShape.clone();
    double[] one;
    switch (source) {
      case "frames" -> one = new double[] {latent.frames()};
      case "height" -> one = new double[] {latent.height()};
      case "width" -> one = new double[] {latent.width()};
      case "tokens" -> one = new double[] {(double) latent.frames() * latent.height() * latent.width()};
      case "text-mask" -> {
        row = new long[] {text.shape().length > 1 ? text.shape()[1] : 1};
        one = new double[] {1};
      }
      default -> one = values;
    }
    int per = (int) Arrays.stream(row).reduce(1, Math::multiplyExact);
    int rows = batched ? b : 1;
    long[] shape = new long[row.length + (batched ? 1 : 0)];
    if (batched) {
      shape[0] = b;
    }
    System.arraycopy(row, 0, shape, batched ? 1 : 0, row.length);
    if (type == ElementType.INT64) {
      long[] d = new long[rows * per];
      for (int i = 0; i < d.length; i++) {
        d[i] = Math.round(one[one.length == 1 ? 0 : i % per]);
      }
      return new LongTensor(shape, d);
    }
    float[] d = new float[rows * per];
    for (int i = 0; i < d.length; i++) {
      d[i] = (float) one[one.length == 1 ? 0 : i % per];
    }
    return new FloatTensor(shape, d);
  }

}
