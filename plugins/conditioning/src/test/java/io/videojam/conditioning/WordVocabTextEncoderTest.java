package io.videojam.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.BackendOptions;
import io.videojam.api.LongTensor;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordVocabTextEncoderTest {
  static final List<String> VOCAB = List.of("<pad>", "<unk>", "a", "red", "ball", "moving", "left");

  @Test
  void wordsBecomeTheirLineNumbersPaddedWithZeros() {
    WordVocabTextEncoder e = new WordVocabTextEncoder(VOCAB, 5);
    assertThat(e.ids("A red ball, moving LEFT!")).containsExactly(2, 3, 4, 5, 6);
    assertThat(e.ids("red ball")).containsExactly(3, 4, 0, 0, 0);
    assertThat(e.ids("a purple ball")).containsExactly(2, 1, 4, 0, 0); // unknown word -> 1
    assertThat(e.ids("a red ball moving left and on")).containsExactly(2, 3, 4, 5, 6); // cut at max-tokens
    LongTensor batch = (LongTensor) e.encode(List.of("red", "ball left"));
    assertThat(batch.shape()).containsExactly(2, 5);
    assertThat(batch.data()).containsExactly(3, 0, 0, 0, 0, 4, 6, 0, 0, 0);
  }

  @Test
  void coverageNamesUnknownAndTruncatedWordsOnceInPromptOrder() {
    WordVocabTextEncoder e = new WordVocabTextEncoder(VOCAB, 4);
    var full = e.coverage("Red BALL");
    assertThat(full.complete()).isTrue();
    assertThat(full.known()).isEqualTo(VOCAB.subList(2, VOCAB.size()));
    var c = e.coverage("a hexagon, a hexagon red");
    assertThat(c.unknown()).containsExactly("hexagon");
    assertThat(c.truncated()).containsExactly("red");
    assertThat(c.complete()).isFalse();
    // the ids agree: unknown words are id 1, the fifth word is cut
    assertThat(e.ids("a hexagon, a hexagon red")).containsExactly(2, 1, 2, 1);
  }

  @Test
  void theNullPromptIsTheEncodedEmptyPrompt() {
    WordVocabTextEncoder e = new WordVocabTextEncoder(VOCAB, 4);
    assertThat(e.nullCondition(3)).isEqualTo(e.encode(List.of("", "", "")));
    assertThat(((LongTensor) e.nullCondition(2)).data()).containsOnly(0L).hasSize(8);
  }

  @Test
  void providerReadsTheVocabularyAndNamesBadSettings(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("vocab.txt"), VOCAB);
    var p = new WordVocabTextEncoder.Provider();
    var e = p.create(dir, new Settings(Map.of("vocab", "vocab.txt", "max-tokens", 3), "model.json \"text\""), null, BackendOptions.defaults());
    assertThat(((LongTensor) e.encode(List.of("red ball"))).data()).containsExactly(3, 4, 0);
    assertThatThrownBy(() -> p.create(dir, new Settings(Map.of("vocab", "missing.txt"), "model.json \"text\""), null, BackendOptions.defaults()))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("missing.txt not found");
    assertThatThrownBy(() -> p.create(dir, new Settings(Map.of("vocab", "vocab.txt", "null", "mean"), "model.json \"text\""), null,
        BackendOptions.defaults())).isInstanceOf(VideoJamException.class).hasMessageContaining("\"empty\" or \"zeros\"");
    assertThatThrownBy(() -> new WordVocabTextEncoder(VOCAB, 0)).isInstanceOf(VideoJamException.class);
  }

  @Test
  void identityCodecPassesVideosThrough() {
    var v = io.videojam.api.FloatTensor.zeros(1, 3, 2, 4, 4);
    var c = new IdentityCodec();
    assertThat(c.decode(c.encode(v))).isSameAs(v);
  }
}
