package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.GuidanceRule;
import io.videojam.api.Settings;
import io.videojam.model.FixtureModel;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** model.json's "guidance" is the default rule and weights; the request's own choices win. */
class GuidanceDefaultsTest {
  @TempDir
  Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void modelRecommendedGuidanceAppliesWhenTheRequestNamesNone() throws Exception {
    Path dir = tmp.resolve("m");
    FixtureModel.write(dir, "m", FixtureModel.config());
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> m = json.readValue(dir.resolve("model.json").toFile(), LinkedHashMap.class);
    m.put("guidance", Map.of("rule", "inner", "w1", 1.5, "w2", 0.5));
    json.writeValue(dir.resolve("model.json").toFile(), m);

    try (VideoJam vj = VideoJam.open(RuntimeConfig.cpu(dir))) {
      GuidanceRule def = vj.generator().rule(GenerationRequest.of("a red ball", 0));
      assertThat(def.name()).isEqualTo("inner");
      assertThat(def.settings()).containsEntry("w1", 1.5).containsEntry("w2", 0.5);

      GuidanceRule partly = vj.generator().rule(GenerationRequest.of("a red ball", 0)
          .withGuidance(null, new Settings(Map.of("w2", 3.0), "test")));
      assertThat(partly.settings()).containsEntry("w1", 1.5).containsEntry("w2", 3.0);

      GuidanceRule named = vj.generator().rule(GenerationRequest.of("a red ball", 0)
          .withGuidance("cfg", Settings.empty("test")));
      assertThat(named.name()).isEqualTo("cfg");
      assertThat(named.settings()).containsEntry("w", 5.0);
    }
  }

  @Test
  void withoutAGuidanceKeyTheRulesOwnDefaultsApply() throws Exception {
    Path dir = tmp.resolve("plain");
    FixtureModel.write(dir, "plain", FixtureModel.config());
    try (VideoJam vj = VideoJam.open(RuntimeConfig.cpu(dir))) {
      GuidanceRule def = vj.generator().rule(GenerationRequest.of("a red ball", 0));
      assertThat(def.name()).isEqualTo("inner");
      assertThat(def.settings()).containsEntry("w1", 5.0).containsEntry("w2", 3.0);
    }
  }
}
