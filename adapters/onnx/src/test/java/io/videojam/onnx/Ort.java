package io.videojam.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test helper: runs a built model in ONNX Runtime (CPU) and returns float outputs. */
final class Ort implements AutoCloseable {
  /** A float or int64 input: data and shape. */
  record In(Object data, long... shape) {}

  /** A float output: data and shape. */
  record Out(float[] data, long[] shape) {}

  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession session;

  Ort(ai.onnx.proto.OnnxMl.ModelProto model) throws OrtException {
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      session = env.createSession(model.toByteArray(), opts);
    }
  }

  /** A model file; ONNX Runtime resolves its external data relative to the file. */
  Ort(java.nio.file.Path file) throws OrtException {
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      opts.setIntraOpNumThreads(2);
      session = env.createSession(file.toString(), opts);
    }
  }

  List<String> outputNames() {
    return List.copyOf(session.getOutputNames());
  }

  Map<String, Out> run(Map<String, In> inputs) throws OrtException {
    Map<String, OnnxTensor> tensors = new HashMap<>();
    try {
      for (Map.Entry<String, In> e : inputs.entrySet()) {
        In in = e.getValue();
        OnnxTensor t =
            in.data() instanceof float[] f
                ? OnnxTensor.createTensor(env, FloatBuffer.wrap(f), in.shape())
                : OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) in.data()), in.shape());
        tensors.put(e.getKey(), t);
      }
      Map<String, Out> out = new HashMap<>();
      try (OrtSession.Result r = session.run(tensors)) {
        for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : r) {
          OnnxTensor t = (OnnxTensor) e.getValue();
          FloatBuffer fb = t.getFloatBuffer();
          float[] data = new float[fb.remaining()];
          fb.get(data);
          out.put(e.getKey(), new Out(data, t.getInfo().getShape()));
        }
      }
      return out;
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
