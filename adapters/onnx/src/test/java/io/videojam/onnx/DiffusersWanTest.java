package io.videojam.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The diffusers WanTransformer3DModel export in the shared fixtures, as the exporter wrote it
 * (dynamic batch, every size computed from Shape nodes): folded and extended, it must still
 * compute what PyTorch computed (ref/ at batch 2, ref_b1/ at batch 1).
 */
class DiffusersWanTest {
  static final Path DIR = Path.of(System.getProperty("videojam.fixtures", "../shared/fixtures"), "diffusers-wan-tiny");
  static OnnxMl.ModelProto model;

  @BeforeAll
  static void load() {
    assumeTrue(Files.isRegularFile(DIR.resolve("denoiser.onnx")), "the shared fixtures are not beside this checkout (" + DIR + ")");
    model = OnnxModels.read(DIR.resolve("denoiser.onnx"));
  }

  static Map<String, Ort.In> inputs(String ref) {
    Map<String, Ort.In> in = new HashMap<>();
    for (String name : new String[] {"hidden_states", "timestep", "encoder_hidden_states"}) {
      FloatTensor t = Npy.readFloat(DIR.resolve(ref).resolve(name + ".npy"));
      in.put(name, new Ort.In(t.data(), t.shape()));
    }
    return in;
  }


  @Test
  void foldingKeepsPyTorchsOutputAtEveryBatch() throws Exception {
    ShapeFolder.Result r = ShapeFolder.fold(model);
    assertThat(r.reshapes()).isGreaterThanOrEqualTo(4);
    assertThat(r.removed()).isPositive();
    OnnxMl.ValueInfoProto out = r.model().getGraph().getOutput(0);
    assertThat(out.getType().getTensorType().getShape().getDim(1).getDimValue()).isEqualTo(4);
    try (Ort ort = new Ort(r.model())) {
      for (String ref : new String[] {"ref", "ref_b1"}) {
        float[] want = Npy.readFloat(DIR.resolve(ref).resolve("noise_pred.npy")).data();
        float[] got = ort.run(inputs(ref)).get("noise_pred").data();
        assertThat(ModelExtenderTest.maxAbsDiff(got, want)).as(ref).isLessThan(2e-5);
      }
    }
  }

  /** [x, d] on the channel axis of [B, C, T, H, W]. */
  static float[] joint(float[] x, float[] d, int b, int c, int inner) {
    float[] j = new float[x.length + d.length];
    for (int n = 0; n < b; n++) {
      System.arraycopy(x, n * c * inner, j, n * 2 * c * inner, c * inner);
      System.arraycopy(d, n * c * inner, j, (n * 2 + 1) * c * inner, c * inner);
    }
    return j;
  }

  @Test
  void extendedAsExportedEqualsPyTorchForZeroAndRandomMotion() throws Exception {
    ExtendResult r = ModelExtender.extend(model, ExtendOptions.defaults(), DIR);
    assertThat(r.appearanceChannels()).isEqualTo(4);
    assertThat(r.motionChannels()).isEqualTo(4);
    assertThat(r.inputProjection()).contains("patch_embedding");
    assertThat(r.notes()).anyMatch(n -> n.startsWith("shape arithmetic folded"));
    int inner = 3 * 8 * 8;
    try (Ort ort = new Ort(r.model())) {
      for (String ref : new String[] {"ref", "ref_b1"}) {
        Map<String, Ort.In> in = inputs(ref);
        float[] x = (float[]) in.get("hidden_states").data();
        int b = x.length / (4 * inner);
        float[] want = Npy.readFloat(DIR.resolve(ref).resolve("noise_pred.npy")).data();
        float[] motion = ref.equals("ref") ? Npy.readFloat(DIR.resolve("ref/motion.npy")).data() : new float[x.length];
        for (float[] d : new float[][] {new float[x.length], motion}) {
          in.put("hidden_states", new Ort.In(joint(x, d, b, 4, inner), b, 8, 3, 8, 8));
          Ort.Out out = ort.run(in).get("noise_pred");
          assertThat(out.shape()).containsExactly(b, 8, 3, 8, 8);
          float[] appearance = new float[want.length];
          for (int n = 0; n < b; n++) {
            System.arraycopy(out.data(), n * 8 * inner, appearance, n * 4 * inner, 4 * inner);
          }
          assertThat(ModelExtenderTest.maxAbsDiff(appearance, want)).as(ref).isLessThan(2e-5);
        }
      }
    }
  }
}
