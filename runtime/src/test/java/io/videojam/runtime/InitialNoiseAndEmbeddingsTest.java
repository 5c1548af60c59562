package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request's initial noise, and text type {@code embeddings} against an ONNX text encoder that
 * produces the same tensors, on a denoiser whose velocity is linear in its float text input:
 * v = -0.5 x + sum(text * K) (the same value on every latent element).
 */
class InitialNoiseAndEmbeddingsTest {
  static final int CA = 2;
  static final int CM = 1;
  static final int C = CA + CM;
  static final int T = 2;
  static final int H = 2;
  static final int W = 2;
  static final int L = 4;
  static final int D = 2;
  /** The text weights K[l][d]. */
  static final float[] K = {0.5f, -0.25f, 0.125f, 1f, -0.75f, 0.0625f, 0.25f, -0.5f};
  static final String TOKENIZER_JSON = """
      {"version": "1.0", "truncation": null, "padding": null,
       "added_tokens": [
         {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
       "normalizer": {"type": "Lowercase"},
       "pre_tokenizer": {"type": "Whitespace"},
       "post_processor": null,
       "decoder": null,
       "model": {"type": "WordLevel", "unk_token": "[UNK]",
         "vocab": {"[PAD]": 0, "[UNK]": 1, "a": 2, "red": 3, "ball": 4, "moving": 5, "left": 6}}}
      """;

  @TempDir
  static Path tmp;

  static Path encoderModel;
  static Path embeddingsModel;

  @BeforeAll
  static void writeModels() throws Exception {
    encoderModel = tmp.resolve("encoder-model");
    Files.createDirectories(encoderModel);
    Files.writeString(encoderModel.resolve("tokenizer.json"), TOKENIZER_JSON);
    // text encoder: E[v] = (v + 0.5, 1 - 0.25 v); the padding id 0 gives a non-zero null embedding
    GraphBuilder te = new GraphBuilder("text", 17);
    float[] table = new float[7 * D];
    for (int v = 0; v < 7; v++) {
      table[D * v] = v + 0.5f;
      table[D * v + 1] = 1 - 0.25f * v;
    }
    String ids = te.input("input_ids", ElementType.INT64, "batch", "len");
    te.output("last_hidden_state", te.op("Gather", Map.of("axis", 0L), te.constant("E", table, 7, D), ids), ElementType.FLOAT,
        "batch", "len", (long) D);
    OnnxModels.write(te.build(), encoderModel.resolve("text.onnx"));
    writeDenoiser(encoderModel);
    writeJson(encoderModel, Map.of("type", "hf-onnx", "tokenizer", "tokenizer.json", "encoder", "text.onnx", "max-tokens", L, "null", "empty"));

    // the same denoiser, with the encoder's tensors saved as .npy files
    embeddingsModel = tmp.resolve("embeddings-model");
    Files.createDirectories(embeddingsModel.resolve("embeddings"));
    writeDenoiser(embeddingsModel);
    Map<String, String> index = new LinkedHashMap<>();
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(encoderModel))) {
      var encoder = jam.videoModel().textEncoder();
      Npy.write((FloatTensor) encoder.nullCondition(1), embeddingsModel.resolve("embeddings/null.npy"));
      int k = 0;
      for (String prompt : List.of("a red ball", "a ball moving left")) {
        FloatTensor e = (FloatTensor) encoder.encode(List.of(prompt));
        String file = "embeddings/p" + k++ + ".npy";
        // one saved [L, D], the other [1, L, D]: both are accepted
        Npy.write(k == 1 ? new FloatTensor(new long[] {L, D}, e.data()) : e, embeddingsModel.resolve(file));
        index.put(prompt, file);
      }
    }
    new ObjectMapper().writeValue(embeddingsModel.resolve("embeddings/index.json").toFile(), index);
    writeJson(embeddingsModel, Map.of("type", "embeddings", "prompts", "embeddings/index.json", "null", "embeddings/null.npy"));
  }

  static void writeDenoiser(Path dir) throws Exception {
    GraphBuilder d = new GraphBuilder("denoiser", 17);
    String x = d.input("x", ElementType.FLOAT, "B", C, T, H, W);
    d.input("t", ElementType.FLOAT, "B");
    String text = d.input("text", ElementType.FLOAT, "B", L, D);
    String weighted = d.op("Mul", text, d.constant("K", K, 1, L, D));
    String s = d.op("ReduceSum", Map.of("keepdims", 0L), weighted, d.constant("ax", new long[] {1, 2}, 2));
    String s5 = d.op("Reshape", s, d.constant("s5", new long[] {-1, 1, 1, 1, 1}, 5));
    d.output("v", d.op("Add", d.op("Mul", x, d.scalar(-0.5f)), s5), ElementType.FLOAT, "B", C, T, H, W);
    OnnxModels.write(d.build(), dir.resolve("denoiser.onnx"));
  }

  static void writeJson(Path dir, Map<String, Object> text) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", 1);
    m.put("name", "linear-text");
    m.put("denoiser", Map.of("onnx", "denoiser.onnx", "inputs", Map.of("latent", "x", "time", "t", "text", "text"),
        "outputs", Map.of("velocity", "v")));
    m.put("channels", Map.of("appearance", CA, "motion", CM));
    m.put("video", Map.of("frames", T, "height", H, "width", W, "fps", 4));
    m.put("codec", Map.of("type", "identity"));
    m.put("text", text);
    m.put("motion", Map.of("representation", "flow-rgb", "sigma", 0.15));
    new ObjectMapper().writeValue(dir.resolve("model.json").toFile(), m);
  }

  static GenerationRequest request(String prompt, long seed) {
    return GenerationRequest.of(prompt, seed).withSteps(3);
  }

  /** sum(e * K) of a [1, L, D] embedding file. */
  static double weightedSum(Path npy) {
    float[] e = Npy.readFloat(npy).data();
    double s = 0;
    for (int i = 0; i < K.length; i++) {
      s += e[i] * K[i];
    }
    return s;
  }

  @Test
  void theSeedsNoiseIsReportedAndGivenNoiseReproducesTheLatentBitForBit() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(encoderModel))) {
      Generation a = jam.generate(request("a red ball", 7), StepListener.NONE);
      float[] expected = new float[C * T * H * W];
      SplittableRandom random = new SplittableRandom(7);
      for (int i = 0; i < expected.length; i++) {
        expected[i] = (float) random.nextGaussian();
      }
      assertThat(a.initialNoise().shape()).containsExactly(1, C, T, H, W);
      assertThat(a.initialNoise().data()).containsExactly(expected);
      assertThat(a.settings()).containsEntry("initial-noise", "seed");

      Generation b = jam.generate(request("a red ball", 7).withInitialNoise(a.initialNoise()), StepListener.NONE);
      Generation c = jam.generate(request("a red ball", 12345).withInitialNoise(a.initialNoise()), StepListener.NONE);
      Generation other = jam.generate(request("a red ball", 12345), StepListener.NONE);
      assertThat(b.latent()).isEqualTo(a.latent());
      assertThat(c.latent()).isEqualTo(a.latent());
      assertThat(c.video()).isEqualTo(a.video());
      assertThat(c.initialNoise()).isEqualTo(a.initialNoise());
      assertThat(c.settings()).containsEntry("initial-noise", "given");
      assertThat(other.latent()).isNotEqualTo(a.latent());
    }
  }

  @Test
  void givenNoiseIsNotChangedBySampling() {
    float[] v = new float[C * T * H * W];
    java.util.Arrays.fill(v, 0.25f);
    FloatTensor noise = new FloatTensor(new long[] {1, C, T, H, W}, v);
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(encoderModel))) {
      Generation g = jam.generate(request("a red ball", 1).withInitialNoise(noise), StepListener.NONE);
      assertThat(noise.data()).containsOnly(0.25f);
      assertThat(g.initialNoise().data()).containsOnly(0.25f);
    }
  }

  @Test
  void noiseOfAnotherShapeOrWithNaNIsRefusedInOneLine() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(encoderModel))) {
      GenerationRequest r = request("a red ball", 1).withInitialNoise(FloatTensor.zeros(1, C, T, H, W + 1));
      assertThatThrownBy(() -> jam.generate(r, StepListener.NONE)).isInstanceOf(VideoJamException.class)
          .hasMessage("initial noise (--init-noise) has shape [1, 3, 2, 2, 3] but the model's latent is [1, 3, 2, 2, 2] [B, C, T, H, W]; "
              + "pass noise of that shape");
    }
    assertThatThrownBy(() -> request("x", 1).withInitialNoise(FloatTensor.zeros(C, T, H, W)))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("initial noise (--init-noise)").hasMessageContaining("[1, C, T, H, W]");
    float[] v = new float[C * T * H * W];
    v[5] = Float.NaN;
    assertThatThrownBy(() -> request("x", 1).withInitialNoise(new FloatTensor(new long[] {1, C, T, H, W}, v)))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("holds NaN at flat index 5").hasMessageNotContaining("\n");
  }

  /** The same tensors through the ONNX encoder and through .npy files: the same video, bit for bit. */
  @ParameterizedTest
  @ValueSource(strings = {"inner:batched", "inner:sequential", "cfg:batched", "ip2p:sequential"})
  void embeddingsGiveTheSameVideoAsTheEncoderThatMadeThem(String setup) {
    String[] s = setup.split(":");
    GenerationRequest r = request("a ball moving left", 5).withGuidance(s[0], Settings.empty("g")).withPassMode(PassMode.parse(s[1]));
    Generation viaEncoder;
    Generation viaFiles;
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(encoderModel))) {
      viaEncoder = jam.generate(r, StepListener.NONE);
    }
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(embeddingsModel))) {
      viaFiles = jam.generate(r, StepListener.NONE);
      // a prompt that is a path ending .npy reads that file
      Generation direct = jam.generate(r.withGuidance(s[0], Settings.empty("g")).withInitialNoise(viaFiles.initialNoise())
          .withPassMode(PassMode.parse(s[1])), StepListener.NONE);
      assertThat(direct.latent()).isEqualTo(viaFiles.latent());
      GenerationRequest byPath = new GenerationRequest(embeddingsModel.resolve("embeddings/p1.npy").toString(), 5, 3, r.solver(), r.schedule(),
          r.scheduleSettings(), r.guidance(), r.guidanceSettings(), r.passMode(), r.memoryBudgetBytes());
      assertThat(jam.generate(byPath, StepListener.NONE).latent()).isEqualTo(viaFiles.latent());
    }
    assertThat(viaFiles.latent()).isEqualTo(viaEncoder.latent());
    assertThat(viaFiles.video()).isEqualTo(viaEncoder.video());
  }

  /**
   * One Euler step from t = 0 to 1 under cfg (w = 5): x1 = x0 + 6 v(text) - 5 v(null), with
   * v = -0.5 x + sum(e K); by hand from the files' numbers. The null file is what the text-dropped
   * pass gets, and the batch of passes stacks the prompt's and the null embedding.
   */
  @ParameterizedTest
  @ValueSource(strings = {"batched", "sequential"})
  void theTextDroppedPassReceivesTheNullEmbedding(String mode) {
    double text = weightedSum(embeddingsModel.resolve("embeddings/p0.npy"));
    double nul = weightedSum(embeddingsModel.resolve("embeddings/null.npy"));
    assertThat(Math.abs(text - nul)).isGreaterThan(0.5);
    assertThat(Math.abs(nul)).isGreaterThan(0.1);
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(embeddingsModel))) {
      GenerationRequest r = request("a red ball", 3).withSteps(1).withSchedule("uniform", Settings.empty("s"))
          .withGuidance("cfg", new Settings(Map.of("w", 5.0), "g")).withPassMode(PassMode.parse(mode));
      Generation g = jam.generate(r, StepListener.NONE);
      float[] x0 = g.initialNoise().data();
      float[] x1 = g.latent().data();
      for (int i = 0; i < x1.length; i++) {
        double expected = x0[i] + 6 * (-0.5 * x0[i] + text) - 5 * (-0.5 * x0[i] + nul);
        assertThat((double) x1[i]).as("element %d", i).isCloseTo(expected, within(1e-4));
      }
    }
  }

  @Test
  void unknownPromptsBadFilesAndOtherShapesFailInOneLine() throws Exception {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(embeddingsModel))) {
      assertThatThrownBy(() -> jam.generate(request("a blue cube", 1), StepListener.NONE)).isInstanceOf(VideoJamException.class)
          .hasMessageEndingWith("model.json \"text\": no embedding for prompt \"a blue cube\"; save it with np.save(FILE.npy, emb.astype(np.float32)) "
              + "and add \"a blue cube\": \"FILE.npy\" to embeddings/index.json, or pass the path of the .npy file as the prompt");
      Path wrong = tmp.resolve("wrong.npy");
      Npy.write(FloatTensor.zeros(L + 1, D), wrong);
      assertThatThrownBy(() -> jam.generate(request(wrong.toString(), 1), StepListener.NONE))
          .hasMessageContaining("has shape [5, 2] but the null embedding is [1, 4, 2]").hasMessageNotContaining("\n");
      float[] nan = new float[L * D];
      nan[3] = Float.NaN;
      Path bad = tmp.resolve("nan.npy");
      Npy.write(new FloatTensor(new long[] {1, L, D}, nan), bad);
      assertThatThrownBy(() -> jam.generate(request(bad.toString(), 1), StepListener.NONE)).hasMessageContaining("holds NaN at flat index 3");
      assertThatThrownBy(() -> jam.generate(request(tmp.resolve("missing.npy").toString(), 1), StepListener.NONE))
          .hasMessageContaining("does not exist");
    }
    // a null embedding of another width than the graph's text input fails when the model opens
    Path other = tmp.resolve("other-null");
    Files.createDirectories(other);
    for (String f : List.of("denoiser.onnx", "model.json")) {
      Files.copy(embeddingsModel.resolve(f), other.resolve(f));
    }
    Npy.write(FloatTensor.zeros(1, 1, L, D), other.resolve("null.npy"));
    io.videojam.model.TestModels.editJson(other, m -> m.put("text", Map.of("type", "embeddings", "null", "null.npy")));
    assertThatThrownBy(() -> VideoJam.open(RuntimeConfig.cpu(other)).close()).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("an embedding is [L, D] or [1, L, D]");
  }
}
