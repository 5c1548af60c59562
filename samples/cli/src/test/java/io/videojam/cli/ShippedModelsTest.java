package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.ExtendOptions;
import io.videojam.onnx.ModelExtender;
import io.videojam.onnx.OnnxModels;
import io.videojam.onnx.WeightSpec;
import io.videojam.training.DitTorch;
import io.videojam.training.DitWeights;
import io.videojam.training.recipe.Recipe;
import io.videojam.training.recipe.TrainExport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The three shipped models: their ONNX graphs compute what the training framework computes with
 * the same weights (parity within 1e-4), and the VideoJAM fine-tune started from exactly what
 * {@code videojam extend} makes of the shipped base.
 */
class ShippedModelsTest {
  static final Path MODELS = BuiltinModelTest.REPO.resolve("models");

  static DitConfig config(String name) {
    DitConfig base = Recipe.base(false);
    return name.equals("jamworld-videojam") ? base.withChannels(3, 3) : base;
  }

  static Map<String, float[]> weights(OnnxMl.ModelProto model, DitConfig cfg) {
    Map<String, OnnxMl.TensorProto> byName = new HashMap<>();
    model.getGraph().getInitializerList().forEach(t -> byName.put(t.getName(), t));
    Map<String, float[]> out = new LinkedHashMap<>();
    for (WeightSpec w : DitBuilder.weightSpecs(cfg)) {
      OnnxMl.TensorProto t = byName.get(w.name());
      assertThat(t).as(w.name()).isNotNull();
      float[] v = new float[(int) w.size()];
      if (t.getFloatDataCount() > 0) {
        for (int i = 0; i < v.length; i++) {
          v[i] = t.getFloatData(i);
        }
      } else {
        ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      }
      out.put(w.name(), v);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"jamworld-base", "jamworld-videojam", "jamworld-control"})
  void onnxRuntimeMatchesTheTrainingFramework(String name) throws Exception {
    Path dir = MODELS.resolve(name);
    DitConfig cfg = config(name);
    OnnxMl.ModelProto model = OnnxModels.read(dir.resolve("denoiser.onnx"));
    Map<String, float[]> w = weights(model, cfg);
    assertThat(DitBuilder.build(cfg, w).getGraph().getNodeList()).as("same graph as the builder's").isEqualTo(model.getGraph().getNodeList());
    int b = 3, n = b * cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    Random r = new Random(5);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    float[] t = {0.1f, 0.5f, 0.9f};
    long[] text = new long[b * cfg.maxTextTokens()];
    long[] prompt = new io.videojam.conditioning.WordVocabTextEncoder(Files.readAllLines(dir.resolve("vocab.txt")), cfg.maxTextTokens())
        .ids("a red square moving right");
    System.arraycopy(prompt, 0, text, 0, prompt.length);
    System.arraycopy(prompt, 0, text, 2 * cfg.maxTextTokens(), prompt.length);
    float[] torch;
    try (NDManager m = NDManager.newBaseManager(null, "PyTorch"); DitTorch net = DitTorch.create(m, cfg, w)) {
      NDArray v = net.forward(m.create(x, new Shape(b, cfg.channels(), cfg.frames(), cfg.height(), cfg.width())),
          m.create(t, new Shape(b)), m.create(text, new Shape(b, cfg.maxTextTokens())));
      torch = v.toFloatArray();
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[] ort;
    try (OrtSession s = env.createSession(Files.readAllBytes(dir.resolve("denoiser.onnx")), new OrtSession.SessionOptions());
        OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {b, cfg.channels(), cfg.frames(), cfg.height(), cfg.width()});
        OnnxTensor tt = OnnxTensor.createTensor(env, FloatBuffer.wrap(t), new long[] {b});
        OnnxTensor ty = OnnxTensor.createTensor(env, LongBuffer.wrap(text), new long[] {b, cfg.maxTextTokens()});
        OrtSession.Result res = s.run(Map.of("x", tx, "t", tt, "text", ty))) {
      FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
      ort = new float[fb.remaining()];
      fb.get(ort);
    }
    double max = 0;
    for (int i = 0; i < ort.length; i++) {
      max = Math.max(max, Math.abs(ort[i] - torch[i]));
    }
    assertThat(max).as(name + ": max |ONNX Runtime - PyTorch|").isLessThan(1e-4);
  }

  @Test
  void videojamStartedFromVideojamExtendOfTheShippedBase() {
    DitConfig base = config("jamworld-base");
    OnnxMl.ModelProto baseModel = OnnxModels.read(MODELS.resolve("jamworld-base").resolve("denoiser.onnx"));
    OnnxMl.ModelProto ours = DitBuilder.build(base.withChannels(3, 3), DitWeights.extend(base, weights(baseModel, base), 3));
    OnnxMl.ModelProto extended = ModelExtender.extend(baseModel, ExtendOptions.defaults()).model();
    Map<String, OnnxMl.TensorProto> got = new HashMap<>();
    extended.getGraph().getInitializerList().forEach(t -> got.put(t.getName(), t));
    for (OnnxMl.TensorProto t : ours.getGraph().getInitializerList()) {
      assertThat(got.get(t.getName())).as(t.getName()).isEqualTo(t);
    }
    assertThat(extended.getGraph().getNodeList()).isEqualTo(ours.getGraph().getNodeList());
    // and the fine-tune recorded that it started from exactly these weights
    String json = readString(MODELS.resolve("jamworld-videojam").resolve("model.json"));
    assertThat(json).contains("\"init_weights_sha256\" : \"" + TrainExport.sha256(DitWeights.extend(base, weights(baseModel, base), 3)) + "\"");
    String control = readString(MODELS.resolve("jamworld-control").resolve("model.json"));
    assertThat(control).contains("\"init_weights_sha256\" : \"" + TrainExport.sha256(weights(baseModel, base)) + "\"");
  }

  /** The README's first command and the prompts: known words only; "circle" is no shape of this world. */
  @Test
  void theDefaultModelWarnsAboutWordsOutsideItsVocabularyOnly(@org.junit.jupiter.api.io.TempDir Path tmp) {
    String vj = MODELS.resolve("jamworld-videojam").toString(); // the default of generate, named as tests run elsewhere
    for (String prompt : java.util.List.of("a red square moving right", "a blue ball moving left", "a green triangle moving up",
        "a yellow square moving down")) {
      Cli c = Cli.run("generate", "--model", vj, "--prompt", prompt, "--steps", "1", "--no-progress", "--out",
          tmp.resolve(prompt.replace(' ', '-')).toString());
      assertThat(c.exit()).as(c.err()).isEqualTo(0);
      assertThat(c.err()).as(prompt).doesNotContain("warning");
    }
    Cli c = Cli.run("generate", "--model", vj, "--prompt", "a blue circle moving left", "--steps", "1", "--no-progress", "--out",
        tmp.resolve("circle").toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(c.err().lines().filter(l -> l.contains("warning")).toList()).singleElement().asString()
        .contains("lacks \"circle\"").contains("it knows: a red green blue yellow white square ball triangle bar wheel moving");
  }

  @Test
  void theShippedModelsRecommendTheirSweptGuidance() {
    for (String name : java.util.List.of("jamworld-videojam", "jamworld-control", "jamworld-base")) {
      Map<String, Object> r = io.videojam.eval.Configurations.recommended(MODELS.resolve(name));
      Map<String, Object> expected = new LinkedHashMap<>(Recipe.GUIDANCE.get(name.substring("jamworld-".length())));
      expected.remove("rule");
      assertThat(r).as(name).isEqualTo(expected);
    }
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
