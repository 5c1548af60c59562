package io.videojam.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trained network and its ONNX export compute the same function. */
class DitTorchParityTest {
  static final DitConfig CFG = new DitConfig(3, 3, 4, 8, 8, 4, 2, 32, 2, 4, 2, 20, 6, 7L, DitConfig.MotionInit.RANDOM);

  @Test
  void torchForwardEqualsOnnxRuntimeOnTheExportedGraph() throws Exception {
    Map<String, float[]> weights = DitBuilder.initialWeights(CFG); // random adaLN: every path is live
    int b = 3, n = b * CFG.channels() * CFG.frames() * CFG.height() * CFG.width();
    float[] x = DitTorch.gaussian(1, n);
    float[] t = {0.05f, 0.5f, 0.93f};
    long[] text = {2, 5, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 19, 3, 3, 3, 3, 1};
    float[] torch;
    try (NDManager m = NDManager.newBaseManager(null, "PyTorch"); DitTorch model = DitTorch.create(m, CFG, weights)) {
      NDArray v = model.forward(m.create(x, new Shape(b, 6, 4, 8, 8)), m.create(t, new Shape(b)), m.create(text, new Shape(b, 6)));
      torch = v.toFloatArray();
    }
    float[] ort = runOnnx(DitBuilder.build(CFG, weights).toByteArray(), x, t, text, b);
    assertThat(torch).hasSameSizeAs(ort);
    double maxDiff = 0, maxAbs = 0;
    for (int i = 0; i < ort.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(ort[i] - torch[i]));
      maxAbs = Math.max(maxAbs, Math.abs(ort[i]));
    }
    assertThat(maxAbs).as("the output is not trivially small").isGreaterThan(0.5);
    assertThat(maxDiff).isLessThan(1e-4);
  }

  static float[] runOnnx(byte[] model, float[] x, float[] t, long[] text, int b) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(model, new OrtSession.SessionOptions());
        OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {b, CFG.channels(), CFG.frames(), CFG.height(), CFG.width()});
        OnnxTensor tt = OnnxTensor.createTensor(env, FloatBuffer.wrap(t), new long[] {b});
        OnnxTensor ty = OnnxTensor.createTensor(env, LongBuffer.wrap(text), new long[] {b, CFG.maxTextTokens()});
        OrtSession.Result r = s.run(Map.of(DitBuilder.X, tx, DitBuilder.T, tt, DitBuilder.TEXT, ty))) {
      FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] out = new float[fb.remaining()];
      fb.get(out);
      return out;
    }
  }
}
