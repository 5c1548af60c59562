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
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An ONNX Runtime session. Native tensors are created and closed inside each {@link #run}. */
final class OrtGraphSession implements GraphSession {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final Path file;
  private final List<TensorInfo> inputs;
  private final List<TensorInfo> outputs;
  private long runNanos;
  private long runCount;

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
    Map<String, OnnxTensor> onnx = new HashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : feed.entrySet()) {
        onnx.put(e.getKey(), toOnnx(e.getValue()));
      }
      long start = System.nanoTime();
      try (OrtSession.Result result = session.run(onnx, new HashSet<>(outputNames))) {
        runNanos += System.nanoTime() - start;
        runCount++;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : outputNames) {
          OnnxValue v = result.get(name).orElseThrow();
          out.put(name, fromOnnx(name, (OnnxTensor) v));
        }
        return out;
      }
    } catch (OrtException e) {
      throw new VideoJamException("ONNX Runtime failed running " + file + ": " + OrtBackend.firstLine(e.getMessage())
          + "; check model.json's input names, layout and shapes against 'videojam inspect " + file + "'");
    } finally {
      onnx.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor toOnnx(Tensor t) throws OrtException {
    if (t instanceof FloatTensor f) {
      return OnnxTensor.createTensor(env, FloatBuffer.wrap(f.data()), f.shape());
    }
    LongTensor l = (LongTensor) t;
    return OnnxTensor.createTensor(env, LongBuffer.wrap(l.data()), l.shape());
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

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new VideoJamException("closing ONNX Runtime session of " + file + ": " + e.getMessage());
    }
  }
}
