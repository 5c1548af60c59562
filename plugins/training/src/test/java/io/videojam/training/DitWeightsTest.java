package io.videojam.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.ExtendOptions;
import io.videojam.onnx.ExtendResult;
import io.videojam.onnx.ModelExtender;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The VideoJAM fine-tune starts from exactly what {@code videojam extend} makes of the base. */
class DitWeightsTest {
  @Test
  void extendedWeightsBuildTheGraphThatModelExtenderMakesOfTheBase() {
    DitConfig base = new DitConfig(3, 0, 4, 8, 8, 4, 1, 32, 2, 4, 2, 20, 6, 5L, DitConfig.MotionInit.ZERO);
    Map<String, float[]> w = DitTorch.trainingInit(base);
    // perturb every weight so that no structure of the initialisation hides a mistake
    w.replaceAll((k, v) -> {
      float[] c = v.clone();
      float[] noise = DitTorch.gaussian(k.hashCode(), c.length);
      for (int i = 0; i < c.length; i++) {
        c[i] += 0.1f * noise[i];
      }
      if (k.equals(DitBuilder.TEXT_EMBED)) {
        java.util.Arrays.fill(c, 0, base.hiddenSize(), 0f);
      }
      return c;
    });
    OnnxMl.ModelProto ours = DitBuilder.build(base.withChannels(3, 3), DitWeights.extend(base, w, 3));
    ExtendResult theirs = ModelExtender.extend(DitBuilder.build(base, w), ExtendOptions.defaults());

    Map<String, OnnxMl.TensorProto> got = new HashMap<>();
    theirs.model().getGraph().getInitializerList().forEach(t -> got.put(t.getName(), t));
    assertThat(got).hasSize(ours.getGraph().getInitializerCount());
    for (OnnxMl.TensorProto t : ours.getGraph().getInitializerList()) {
      assertThat(got.get(t.getName())).as(t.getName()).isEqualTo(t);
    }
    assertThat(theirs.model().getGraph().getNodeList()).isEqualTo(ours.getGraph().getNodeList());
    assertThat(theirs.model().getGraph().getOutputList()).isEqualTo(ours.getGraph().getOutputList());
  }

  @Test
  void motionRowsAreZeroAndTheHeadIsACopy() {
    DitConfig base = new DitConfig(3, 0, 4, 8, 8, 4, 1, 32, 2, 4, 2, 20, 6, 5L, DitConfig.MotionInit.ZERO);
    Map<String, float[]> w = DitBuilder.initialWeights(base);
    Map<String, float[]> x = DitWeights.extend(base, w, 3);
    int block = 16, d = 32;
    float[] win = x.get(DitBuilder.W_IN);
    assertThat(win).hasSize(6 * block * d);
    for (int i = 3 * block * d; i < win.length; i++) {
      assertThat(win[i]).isZero();
    }
    float[] wout = x.get(DitBuilder.W_OUT), old = w.get(DitBuilder.W_OUT);
    // row 5, motion channel 1 (output column (3 + 1) * 16 + 7) copies appearance channel 1
    assertThat(wout[5 * 6 * block + 4 * block + 7]).isEqualTo(old[5 * 3 * block + block + 7]);
    assertThat(x.get(DitBuilder.W_OUT_BIAS)[5 * block + 2]).isEqualTo(w.get(DitBuilder.W_OUT_BIAS)[2 * block + 2]);
  }
}
