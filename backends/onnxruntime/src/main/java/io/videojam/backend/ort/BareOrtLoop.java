package io.videojam.backend.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.videojam.api.FloatTensor;
import io.videojam.api.LongTensor;
import io.videojam.api.Tensor;
import io.videojam.api.VideoJamException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The loop a user writes with ONNX Runtime's Java API and nothing else, for benchmarks: its own
 * session on the graph file (the same thread counts and optimisation level as the framework's CPU
 * backend), and per run the input tensors made from the arrays, {@code session.run}, and the output
 * copied into a new array. It is the floor for the framework's cost around a graph run.
 */
public final class BareOrtLoop implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private long runNanos;

  /**
   * @param intraOpThreads as {@code BackendOptions.intraOpThreads} (0: ONNX Runtime's default)
   * @param interOpThreads as {@code BackendOptions.interOpThreads}
   */
  public BareOrtLoop(Path graph, int intraOpThreads, int interOpThreads) {
    this.env = OrtProcess.environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      so.setIntraOpNumThreads(intraOpThreads);
      so.setInterOpNumThreads(interOpThreads);
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      this.session = env.createSession(graph.toString(), so);
    } catch (OrtException e) {
      throw new VideoJamException("ONNX Runtime cannot load " + graph + ": " + OrtBackend.firstLine(e.getMessage()));
    }
  }

  /** One run: the inputs as new tensors, the output as a new array. */
  public float[] run(Map<String, Tensor> inputs, String output) {
    Map<String, OnnxTensor> feed = new HashMap<>();
    try {
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        Tensor t = e.getValue();
        feed.put(e.getKey(), t instanceof FloatTensor f ? OnnxTensor.createTensor(env, FloatBuffer.wrap(f.data()), f.shape())
            : OnnxTensor.createTensor(env, LongBuffer.wrap(((LongTensor) t).data()), t.shape()));
      }
      long start = System.nanoTime();
      try (OrtSession.Result r = session.run(feed, Set.of(output))) {
        runNanos += System.nanoTime() - start;
        FloatBuffer b = ((OnnxTensor) r.get(output).orElseThrow()).getFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
      }
    } catch (OrtException e) {
      throw new VideoJamException("ONNX Runtime failed: " + OrtBackend.firstLine(e.getMessage()));
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  /** Nanoseconds inside {@code session.run} so far. */
  public long runNanos() {
    return runNanos;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new VideoJamException("closing ONNX Runtime session: " + e.getMessage());
    }
  }
}
