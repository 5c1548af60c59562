package io.videojam.backend.ort;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LongTensor;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An ONNX Runtime session. Inputs, and outputs whose shapes the caller states, live in native
 * (direct) buffers owned by the session and reused from run to run while their shapes stay the
 * same: a run copies the inputs in and the outputs out, and allocates nothing native. Everything
 * is released by {@link #close()}.
 */
final class OrtGraphSession implements GraphSession {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Path file;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  /** Shapes kept pinned per input or output name. */
  private static final int SHAPES_PER_NAME = 3;

  private final Map<String, List<Pinned>> pinnedInputs = new HashMap<>();
  private final Map<String, List<Pinned>> pinnedOutputs = new HashMap<>();
  private long runNanos;
  private long runCount;
  private boolean closed;

  /** A native tensor over a direct buffer that the session owns. */
  private static final class Pinned {
    final long[] shape;
    final boolean isFloat;
    final ByteBuffer buffer;
    final OnnxTensor tensor;
    /** The host tensor the buffer was last filled from (tensors are not modified once passed). */
    Tensor source;

    Pinned(long[] shape, boolean isFloat, ByteBuffer buffer, OnnxTensor tensor) {
      this.shape = shape;
      this.isFloat = isFloat;
      this.buffer = buffer;
      this.tensor = tensor;
    }

    /** Closes the native tensor, then frees the direct buffer now rather than at some later GC. */
    void release() {
      tensor.close();
      DirectBuffers.free(buffer);
    }
  }

  OrtGraphSession(OrtEnvironment env, OrtSession session, Path file) throws OrtException {
    this.env = env;
    this.session = session;
    this.file = file;
    this.inputs = describe(session.getInputInfo());
    this.outputs = describe(session.getOutputInfo());
  }

  private static List<TensorInfo> describe(Map<String, NodeInfo> nodes) {
    List<TensorInfo> out = new ArrayList<>();
    for (NodeInfo n : nodes.values()) {
      if (n.getInfo() instanceof ai.onnxruntime.TensorInfo t) {
        TensorInfo.ElementType type = t.type == OnnxJavaType.FLOAT ? TensorInfo.ElementType.FLOAT
            : t.type == OnnxJavaType.INT64 ? TensorInfo.ElementType.INT64 : TensorInfo.ElementType.OTHER;
        out.add(new TensorInfo(n.getName(), type, t.getShape()));
      } else {
        out.add(new TensorInfo(n.getName(), TensorInfo.ElementType.OTHER, new long[0]));
      }
    }
    return List.copyOf(out);
  }

  @Override
  public List<TensorInfo> inputs() {
    return inputs;
  }

  @Override
  public List<TensorInfo> outputs() {
    return outputs;
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> feed, List<String> outputNames) {
    Map<String, long[]> unknown = new LinkedHashMap<>();
    outputNames.forEach(n -> unknown.put(n, null));
    return run(feed, unknown);
  }

  @Override
  public void runInto(Map<String, Tensor> feed, String output, long[] shape, float[] into) {
    run(feed, Map.of(output, shape), into);
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> feed, Map<String, long[]> wanted) {
    return run(feed, wanted, null);
  }

  /** The input is written straight into its pinned buffer and the output read from its own: no copies. */
  @Override
  public synchronized void runInPlace(Map<String, Tensor> feed, String input, long[] inputShape, Consumer<FloatBuffer> fill, String output,
      long[] outputShape, Consumer<FloatBuffer> read) {
    if (closed) {
      throw closedError();
    }
    try {
      Pinned in = pin(pinnedInputs, input, inputShape, true);
      in.source = null; // its contents are the caller's now, not a host tensor's
      fill.accept(in.buffer.clear().asFloatBuffer());
      Pinned out = pin(pinnedOutputs, output, outputShape, true);
      Map<String, OnnxTensor> tensors = tensors(feed);
      tensors.put(input, in.tensor);
      long start = System.nanoTime();
      try (OrtSession.Result result = session.run(tensors, Set.of(), Map.of(output, out.tensor))) {
        runNanos += System.nanoTime() - start;
        runCount++;
      }
      read.accept(out.buffer.clear().asFloatBuffer().asReadOnlyBuffer());
    } catch (OrtException e) {
      throw runError(e);
    }
  }

  /**
   * Runs; with {@code into}, the single pinned output is copied there and nothing is returned. One run
   * at a time: runs share the pinned buffers, and close() must not free them under a run.
   */
  private synchronized Map<String, Tensor> run(Map<String, Tensor> feed, Map<String, long[]> wanted, float[] into) {
    if (closed) {
      throw closedError();
    }
    try {
      Map<String, OnnxTensor> in = tensors(feed);
      Map<String, OnnxTensor> pinned = new HashMap<>();
      Map<String, Pinned> pinnedByName = new HashMap<>();
      for (Map.Entry<String, long[]> e : wanted.entrySet()) {
        if (e.getValue() != null) {
          Pinned p = pin(pinnedOutputs, e.getKey(), e.getValue(), true);
          pinned.put(e.getKey(), p.tensor);
          pinnedByName.put(e.getKey(), p);
        }
      }
      Map<String, Tensor> out = new LinkedHashMap<>();
      long start = System.nanoTime();
      HashSet<String> requested = new HashSet<>(wanted.keySet());
      requested.removeAll(pinned.keySet());
      try (OrtSession.Result result = session.run(in, requested, pinned)) {
        runNanos += System.nanoTime() - start;
        runCount++;
        for (String name : wanted.keySet()) {
          Pinned p = pinnedByName.get(name);
          if (into != null) {
            if (into.length * Float.BYTES != p.buffer.capacity()) {
              throw new IllegalArgumentException("output '" + name + "' holds " + p.buffer.capacity() / Float.BYTES
                  + " values, the destination " + into.length);
            }
            p.buffer.clear().asFloatBuffer().get(into);
          } else if (p != null) {
            float[] data = new float[p.buffer.capacity() / Float.BYTES];
            p.buffer.clear().asFloatBuffer().get(data);
            out.put(name, new FloatTensor(p.shape.clone(), data));
          } else {
            OnnxValue v = result.get(name).orElseThrow();
            out.put(name, fromOnnx(name, (OnnxTensor) v));
          }
        }
      }
      return out;
    } catch (OrtException e) {
      throw runError(e);
    }
  }

  /** The pinned native tensors of {@code feed}, each filled from its host tensor unless it holds that very tensor already. */
  private Map<String, OnnxTensor> tensors(Map<String, Tensor> feed) throws OrtException {
    Map<String, OnnxTensor> in = new HashMap<>();
    for (Map.Entry<String, Tensor> e : feed.entrySet()) {
      Tensor t = e.getValue();
      Pinned p = pin(pinnedInputs, e.getKey(), t.shape(), t instanceof FloatTensor);
      if (p.source != t) { // the same tensor as last run is already there (guidance passes share the latent)
        if (t instanceof FloatTensor f) {
          p.buffer.clear().asFloatBuffer().put(f.data());
        } else {
          p.buffer.clear().asLongBuffer().put(((LongTensor) t).data());
        }
        p.source = t;
      }
      in.put(e.getKey(), p.tensor);
    }
    return in;
  }

  private VideoJamException closedError() {
    return new VideoJamException("the ONNX Runtime session of " + file + " is closed; open the model again");
  }

  private VideoJamException runError(OrtException e) {
    return new VideoJamException("ONNX Runtime failed running " + file + ": " + OrtBackend.firstLine(e.getMessage())
        + "; check model.json's input names, layout and shapes against the graph's");
  }

  /**
   * The pinned tensor for {@code name} with this shape and type, made on first use. A few shapes
   * are kept per name (batch 1 and batch 3 alternate when guidance passes switch between
   * sequential and batched); the oldest is closed when a name has more. A run uses each name once,
   * so a tensor closed here is never one the current run holds.
   */
  private Pinned pin(Map<String, List<Pinned>> cache, String name, long[] shape, boolean isFloat) throws OrtException {
    List<Pinned> kept = cache.computeIfAbsent(name, k -> new ArrayList<>());
    for (Pinned p : kept) {
      if (p.isFloat == isFloat && Arrays.equals(p.shape, shape)) {
        return p;
      }
    }
    if (kept.size() >= SHAPES_PER_NAME) {
      kept.remove(0).release();
    }
    long n = io.videojam.api.Shapes.count(shape);
    ByteBuffer buffer = ByteBuffer.allocateDirect(Math.toIntExact(n * (isFloat ? Float.BYTES : Long.BYTES))).order(ByteOrder.nativeOrder());
    OnnxTensor tensor = isFloat ? OnnxTensor.createTensor(env, buffer.asFloatBuffer(), shape)
        : OnnxTensor.createTensor(env, buffer.asLongBuffer(), shape);
    Pinned p = new Pinned(shape.clone(), isFloat, buffer, tensor);
    kept.add(p);
    return p;
  }

  private Tensor fromOnnx(String name, OnnxTensor t) {
    ai.onnxruntime.TensorInfo info = t.getInfo();
    long[] shape = info.getShape();
    if (info.type == OnnxJavaType.FLOAT) {
      FloatBuffer b = t.getFloatBuffer();
      float[] data = new float[b.remaining()];
      b.get(data);
      return new FloatTensor(shape, data);
    }
    if (info.type == OnnxJavaType.INT64) {
      LongBuffer b = t.getLongBuffer();
      long[] data = new long[b.remaining()];
      b.get(data);
      return new LongTensor(shape, data);
    }
    throw new VideoJamException(file + ": output '" + name + "' has element type " + info.type + "; only float32 and int64 outputs are supported");
  }

  @Override
  public long runNanos() {
    return runNanos;
  }

  @Override
  public long runCount() {
    return runCount;
  }

  /** Frees the pinned buffers and the session; a second call does nothing. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    pinnedInputs.values().forEach(l -> l.forEach(Pinned::release));
    pinnedOutputs.values().forEach(l -> l.forEach(Pinned::release));
    pinnedInputs.clear();
    pinnedOutputs.clear();
    try {
      session.close();
    } catch (OrtException e) {
      throw new VideoJamException("closing ONNX Runtime session of " + file + ": " + e.getMessage());
    }
  }
}
