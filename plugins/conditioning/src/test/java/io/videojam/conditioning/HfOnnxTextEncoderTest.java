package io.videojam.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.LongTensor;
import io.videojam.api.Settings;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.TextEncoder;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.VideoJamException;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfOnnxTextEncoderTest {
  static final OrtBackend CPU = new OrtBackend(OrtBackend.Device.CPU);
  static final int D = 2;

  /**
   * A WordLevel tokenizer: lower-cased, split on whitespace/punctuation, wrapped as [BOS] ... [EOS].
   * Ids: [PAD] 0, [UNK] 1, [BOS] 2, [EOS] 3, a 4, red 5, ball 6, moving 7, left 8.
   */
  static final String TOKENIZER_JSON = """
      {"version": "1.0", "truncation": null, "padding": null,
       "added_tokens": [
         {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 2, "content": "[BOS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 3, "content": "[EOS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
       "normalizer": {"type": "Lowercase"},
       "pre_tokenizer": {"type": "Whitespace"},
       "post_processor": {"type": "TemplateProcessing",
         "single": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
         "pair": [{"SpecialToken": {"id": "[BOS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
         "special_tokens": {"[BOS]": {"id": "[BOS]", "ids": [2], "tokens": ["[BOS]"]}, "[EOS]": {"id": "[EOS]", "ids": [3], "tokens": ["[EOS]"]}}},
       "decoder": null,
       "model": {"type": "WordLevel", "unk_token": "[UNK]",
         "vocab": {"[PAD]": 0, "[UNK]": 1, "[BOS]": 2, "[EOS]": 3, "a": 4, "red": 5, "ball": 6, "moving": 7, "left": 8}}}
      """;

  /** Embedding E[v] = (10 v, 10 v + 1), times the attention mask when the graph has one. */
  static void writeEncoder(Path file, String idsName, String maskName, String outName) {
    GraphBuilder g = new GraphBuilder("text", 17);
    float[] table = new float[9 * D];
    for (int v = 0; v < 9; v++) {
      table[v * D] = 10 * v;
      table[v * D + 1] = 10 * v + 1;
    }
    String e = g.constant("E", table, 9, D);
    String ids = g.input(idsName, ElementType.INT64, "batch", "len");
    String h = g.op("Gather", Map.of("axis", 0L), e, ids);
    if (maskName != null) {
      String mask = g.input(maskName, ElementType.INT64, "batch", "len");
      String mf = g.op("Cast", Map.of("to", 1L), mask);
      String m3 = g.op("Unsqueeze", mf, g.constant("axes", new long[] {-1}, 1));
      h = g.op("Mul", h, m3);
    }
    g.output(outName, h, ElementType.FLOAT, "batch", "len", (long) D);
    OnnxModels.write(g.build(), file);
  }

  static Settings settings(Object... kv) {
    Map<String, Object> m = new HashMap<>(Map.of("tokenizer", "tokenizer.json", "encoder", "text.onnx", "max-tokens", 5));
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        m.remove((String) kv[i]);
      } else {
        m.put((String) kv[i], kv[i + 1]);
      }
    }
    return new Settings(m, "model.json \"text\"");
  }

  static Path modelDir(Path dir) throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER_JSON, StandardCharsets.UTF_8);
    writeEncoder(dir.resolve("text.onnx"), "input_ids", "attention_mask", "last_hidden_state");
    return dir;
  }

  static TextEncoder create(Path dir, Settings s) {
    return new HfOnnxTextEncoder.Provider().create(dir, s, CPU, BackendOptions.defaults());
  }

  /** Expected hidden states: (10 v, 10 v + 1) for each listed id, 0 after them (masked padding). */
  static float[] expected(int maxTokens, long[]... rows) {
    float[] out = new float[rows.length * maxTokens * D];
    for (int b = 0; b < rows.length; b++) {
      for (int j = 0; j < rows[b].length; j++) {
        out[(b * maxTokens + j) * D] = 10 * rows[b][j];
        out[(b * maxTokens + j) * D + 1] = 10 * rows[b][j] + 1;
      }
    }
    return out;
  }

  @Test
  void tokenIdsArePaddedAndTruncatedKeepingSpecialTokens(@TempDir Path dir) throws Exception {
    try (HfOnnxTextEncoder e = (HfOnnxTextEncoder) create(modelDir(dir), settings())) {
      LongTensor[] t = e.tokens(List.of("A red ball", "red purple", "a red ball moving left"));
      assertThat(t[0].shape()).containsExactly(3, 5);
      assertThat(t[0].data()).containsExactly(
          2, 4, 5, 6, 3,   // [BOS] a red ball [EOS]
          2, 5, 1, 3, 0,   // unknown word -> [UNK], then padding
          2, 4, 5, 6, 3);  // truncated to 5 with [EOS] kept
      assertThat(t[1].data()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1);
    }
  }

  @Test
  void encoderRunsOnIdsAndMask(@TempDir Path dir) throws Exception {
    try (TextEncoder e = create(modelDir(dir), settings("max-tokens", 6))) {
      FloatTensor h = (FloatTensor) e.encode(List.of("red ball", "left"));
      assertThat(h.shape()).containsExactly(2, 6, D);
      // padding has id 0, whose embedding (0, 1) the mask sets to 0: the mask reached the graph
      assertThat(h.data()).containsExactly(expected(6, new long[] {2, 5, 6, 3}, new long[] {2, 8, 3}));
    }
  }

  @Test
  void graphWithoutMaskInputGetsIdsOnlyAndPadIdIsUsed(@TempDir Path dir) throws Exception {
    modelDir(dir);
    writeEncoder(dir.resolve("ids-only.onnx"), "ids", null, "hidden");
    try (TextEncoder e = create(dir, settings("encoder", "ids-only.onnx", "input-ids", "ids", "output", "hidden", "pad-id", 7))) {
      FloatTensor h = (FloatTensor) e.encode(List.of("ball"));
      assertThat(h.data()).containsExactly(expected(5, new long[] {2, 6, 3, 7, 7}));
    }
  }

  @Test
  void nullConditionEmptyIsTheEncodedEmptyPrompt(@TempDir Path dir) throws Exception {
    try (TextEncoder e = create(modelDir(dir), settings("null", "empty"))) {
      FloatTensor n = (FloatTensor) e.nullCondition(2);
      assertThat(n.shape()).containsExactly(2, 5, D);
      assertThat(n.data()).containsExactly(expected(5, new long[] {2, 3}, new long[] {2, 3}));
      assertThat(n).isEqualTo(e.encode(List.of("", "")));
    }
  }

  @Test
  void nullConditionZerosIsAllZeroOfTheOutputShape(@TempDir Path dir) throws Exception {
    try (TextEncoder e = create(modelDir(dir), settings("null", "zeros"))) {
      FloatTensor n = (FloatTensor) e.nullCondition(3);
      assertThat(n.shape()).containsExactly(3, 5, D);
      assertThat(n.data()).hasSize(30).containsOnly(0f);
    }
  }

  @Test
  void tokensTypeGivesIdsAsTheTextInput(@TempDir Path dir) throws Exception {
    modelDir(dir);
    var p = new HfOnnxTextEncoder.TokensProvider();
    try (TextEncoder e = p.create(dir, settings("encoder", null, "max-tokens", 4), null, BackendOptions.defaults())) {
      LongTensor t = (LongTensor) e.encode(List.of("moving ball"));
      assertThat(t.shape()).containsExactly(1, 4);
      assertThat(t.data()).containsExactly(2, 7, 6, 3);
      assertThat(((LongTensor) e.nullCondition(2)).data()).containsExactly(2, 3, 0, 0, 2, 3, 0, 0);
    }
    try (TextEncoder e = p.create(dir, settings("max-tokens", 4, "null", "zeros"), null, BackendOptions.defaults())) {
      assertThat(((LongTensor) e.nullCondition(1)).data()).containsExactly(0, 0, 0, 0);
    }
  }

  /**
   * Offline mode makes DJL take the CPU library bundled in its jar (no CUDA download) and skip
   * telemetry. Surefire's argLine already sets ai.djl.offline, so the property is cleared here first:
   * loading a tokenizer must set both switches itself, and must leave a value the user chose alone.
   */
  @Test
  void loadingATokenizerSetsDjlOfflineUnlessTheUserChose(@TempDir Path dir) throws Exception {
    String offline = System.getProperty("ai.djl.offline");
    String tracking = System.getProperty("OPT_OUT_TRACKING");
    boolean envOffline = System.getenv("DJL_OFFLINE") != null;
    boolean envTracking = System.getenv("OPT_OUT_TRACKING") != null;
    modelDir(dir);
    try {
      System.clearProperty("ai.djl.offline");
      System.clearProperty("OPT_OUT_TRACKING");
      try (TextEncoder e = create(dir, settings())) {
        assertThat(e.encode(List.of("a")).shape()).containsExactly(1, 5, D);
      }
      // set by the load, unless the environment variable (which DJL reads itself) already chose
      assertThat(System.getProperty("ai.djl.offline")).isEqualTo(envOffline ? null : "true");
      assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo(envTracking ? null : "true");
      // a choice made with -D is kept
      System.setProperty("ai.djl.offline", "false");
      System.setProperty("OPT_OUT_TRACKING", "false");
      try (TextEncoder e = create(dir, settings())) {
        assertThat(e.encode(List.of("a")).shape()).containsExactly(1, 5, D);
      }
      assertThat(System.getProperty("ai.djl.offline")).isEqualTo("false");
      assertThat(System.getProperty("OPT_OUT_TRACKING")).isEqualTo("false");
    } finally {
      restore("ai.djl.offline", offline);
      restore("OPT_OUT_TRACKING", tracking);
    }
  }

  static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  @Test
  void providersAreRegistered() {
    List<String> names = ServiceLoader.load(TextEncoderProvider.class).stream().map(p -> p.get().name()).toList();
    assertThat(names).contains("word-vocab", "hf-onnx", "hf-tokens");
  }

  @Test
  void missingTokenizerIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
    modelDir(dir);
    assertThatThrownBy(() -> create(dir, settings("tokenizer", "nope.json")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("model.json \"text\"").hasMessageContaining("nope.json").hasMessageContaining("does not exist")
        .hasMessageNotContaining("\n");
  }

  @Test
  void corruptTokenizerIsOneLineNamingTheFile(@TempDir Path dir) throws Exception {
    modelDir(dir);
    Files.writeString(dir.resolve("bad.json"), "{\"model\": {\"type\": \"WordLevel\", \"vocab\": ");
    Files.writeString(dir.resolve("wrong.json"), "{\"hello\": 1}");
    for (String f : List.of("bad.json", "wrong.json")) {
      assertThatThrownBy(() -> create(dir, settings("tokenizer", f)))
          .isInstanceOf(VideoJamException.class)
          .hasMessageContaining(f).hasMessageContaining("not a valid HuggingFace tokenizer.json")
          .hasMessageNotContaining("\n");
    }
  }

  @Test
  void encoderNameMismatchesAreOneLine(@TempDir Path dir) throws Exception {
    modelDir(dir);
    writeEncoder(dir.resolve("other.onnx"), "ids", "mask", "hidden");
    assertThatThrownBy(() -> create(dir, settings("encoder", "other.onnx")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("other.onnx has no input 'input_ids'").hasMessageContaining("[ids, mask]")
        .hasMessageContaining("\"input-ids\"").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> create(dir, settings("encoder", "other.onnx", "input-ids", "ids")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("'mask'").hasMessageContaining("\"attention-mask\"").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> create(dir, settings("encoder", "other.onnx", "input-ids", "ids", "attention-mask", "mask")))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("has no output 'last_hidden_state'").hasMessageContaining("[hidden]")
        .hasMessageContaining("\"output\"").hasMessageNotContaining("\n");
    try (TextEncoder e = create(dir, settings("encoder", "other.onnx", "input-ids", "ids", "attention-mask", "mask", "output", "hidden"))) {
      assertThat(((FloatTensor) e.encode(List.of("a"))).data()).containsExactly(expected(5, new long[] {2, 4, 3}));
    }
  }

  @Test
  void badSettingsAreOneLine(@TempDir Path dir) throws Exception {
    modelDir(dir);
    assertThatThrownBy(() -> create(dir, settings("encoder", "missing.onnx")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("missing.onnx").hasMessageContaining("\"encoder\"");
    assertThatThrownBy(() -> create(dir, settings("null", "mean")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("\"empty\"").hasMessageContaining("\"zeros\"");
    assertThatThrownBy(() -> create(dir, settings("max-tokens", 0)))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("max-tokens");
    assertThatThrownBy(() -> new HfOnnxTextEncoder.Provider().create(dir, settings(), null, BackendOptions.defaults()))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("needs a backend");
  }

  @Test
  void closeIsIdempotentAndEncodeAfterCloseFails(@TempDir Path dir) throws Exception {
    TextEncoder e = create(modelDir(dir), settings());
    e.close();
    e.close();
    assertThatThrownBy(() -> e.encode(List.of("a"))).isInstanceOf(IllegalStateException.class);
  }
}
