package io.videojam.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.TextEncoder;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingsTextEncoderTest {
  @TempDir
  Path dir;

  static FloatTensor emb(float base, long... shape) {
    float[] v = new float[3 * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = base + i;
    }
    return new FloatTensor(shape, v);
  }

  @BeforeEach
  void files() throws Exception {
    Files.createDirectories(dir.resolve("embeddings"));
    Npy.write(emb(100, 3, 2), dir.resolve("embeddings/null.npy"));
    Npy.write(emb(10, 1, 3, 2), dir.resolve("embeddings/red.npy"));
    Npy.write(emb(20, 3, 2), dir.resolve("embeddings/blue.npy"));
    Files.writeString(dir.resolve("embeddings/index.json"), "{\"a red ball\": \"embeddings/red.npy\", \"a blue ball\": \"embeddings/blue.npy\"}");
  }

  TextEncoder open(Map<String, Object> s) {
    return Plugins.find(TextEncoderProvider.class, "embeddings", "text type").create(dir, new Settings(s, "model.json \"text\""), null, null);
  }

  @Test
  void batchesConcatenateOnTheFirstAxisAndTheNullIsRepeated() {
    try (TextEncoder te = open(Map.of("type", "embeddings", "prompts", "embeddings/index.json", "null", "embeddings/null.npy"))) {
      FloatTensor b = (FloatTensor) te.encode(List.of("a blue ball", "a red ball", "a blue ball"));
      assertThat(b.shape()).containsExactly(3, 3, 2);
      assertThat(b.data()).containsExactly(20, 21, 22, 23, 24, 25, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25);
      FloatTensor n = (FloatTensor) te.nullCondition(2);
      assertThat(n.shape()).containsExactly(2, 3, 2);
      assertThat(n.data()).containsExactly(100, 101, 102, 103, 104, 105, 100, 101, 102, 103, 104, 105);
      // results are copies: changing one does not change the next
      b.data()[0] = -1;
      n.data()[0] = -1;
      assertThat(((FloatTensor) te.encode(List.of("a blue ball"))).data()[0]).isEqualTo(20);
      assertThat(((FloatTensor) te.nullCondition(1)).data()[0]).isEqualTo(100);
      FloatTensor direct = (FloatTensor) te.encode(List.of(dir.resolve("embeddings/red.npy").toString()));
      assertThat(direct.shape()).containsExactly(1, 3, 2);
      assertThat(direct.data()[0]).isEqualTo(10);
    }
  }

  @Test
  void promptsMayBeInlineOrAbsent() {
    try (TextEncoder te = open(Map.of("type", "embeddings", "prompts", Map.of("red", "embeddings/red.npy"), "null", "embeddings/null.npy"))) {
      assertThat(((FloatTensor) te.encode(List.of("red"))).data()[0]).isEqualTo(10);
      assertThatThrownBy(() -> te.encode(List.of("blue"))).hasMessageContaining("add \"blue\": \"FILE.npy\" to \"prompts\"");
    }
    try (TextEncoder te = open(Map.of("type", "embeddings", "null", "embeddings/null.npy"))) {
      assertThat(((FloatTensor) te.encode(List.of(dir.resolve("embeddings/blue.npy").toString()))).data()[0]).isEqualTo(20);
    }
  }

  @Test
  void badConfigurationFailsWhenOpenedInOneLine() throws Exception {
    assertThatThrownBy(() -> open(Map.of("type", "embeddings"))).isInstanceOf(VideoJamException.class).hasMessageContaining("missing key \"null\"");
    assertThatThrownBy(() -> open(Map.of("type", "embeddings", "null", "nope.npy"))).hasMessageContaining("\"null\" names").hasMessageContaining("does not exist");
    Files.writeString(dir.resolve("bad.json"), "{\"a\": \"embeddings/missing.npy\"}");
    assertThatThrownBy(() -> open(Map.of("type", "embeddings", "prompts", "bad.json", "null", "embeddings/null.npy")))
        .hasMessageContaining("the embedding of \"a\" names").hasMessageContaining("does not exist");
    Files.writeString(dir.resolve("bad.json"), "{\"a\": 3}");
    assertThatThrownBy(() -> open(Map.of("type", "embeddings", "prompts", "bad.json", "null", "embeddings/null.npy")))
        .hasMessageContaining("must be a .npy path");
    Files.writeString(dir.resolve("bad.json"), "[1, 2");
    assertThatThrownBy(() -> open(Map.of("type", "embeddings", "prompts", "bad.json", "null", "embeddings/null.npy")))
        .hasMessageContaining("is not readable JSON").hasMessageNotContaining("\n");
    Npy.write(emb(0, 2, 3, 1), dir.resolve("null3.npy"));
    assertThatThrownBy(() -> open(Map.of("type", "embeddings", "null", "null3.npy"))).hasMessageContaining("has shape [2, 3, 1]")
        .hasMessageContaining("[L, D] or [1, L, D]");
  }

  @Test
  void embeddingsOfAnotherShapeAreRefused() throws Exception {
    Npy.write(emb(0, 2, 3), dir.resolve("embeddings/red.npy"));
    try (TextEncoder te = open(Map.of("type", "embeddings", "prompts", "embeddings/index.json", "null", "embeddings/null.npy"))) {
      assertThatThrownBy(() -> te.encode(List.of("a red ball"))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("the embedding of \"a red ball\" (embeddings/index.json)").hasMessageContaining("has shape [2, 3]")
          .hasMessageContaining("the null embedding is [1, 3, 2]");
    }
  }
}
