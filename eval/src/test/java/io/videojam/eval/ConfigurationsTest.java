package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configurations of an evaluation and the checks of its config. */
class ConfigurationsTest {
  static final Path MODELS = PromptSuiteTest.REPO.resolve("models");

  @TempDir
  Path tmp;

  @Test
  void gridPointsAreEveryCombinationInOrderAndNameTheirConfigurations() {
    Map<String, List<Double>> grid = new LinkedHashMap<>();
    grid.put("w1", List.of(1.0, 3.0));
    grid.put("w2", List.of(0.0, 2.0, 5.0));
    List<Map<String, Object>> points = Configurations.gridPoints(grid);
    assertThat(points).hasSize(6);
    assertThat(points.get(0)).containsExactly(Map.entry("w1", 1.0), Map.entry("w2", 0.0));
    assertThat(points.get(5)).containsExactly(Map.entry("w1", 3.0), Map.entry("w2", 5.0));
    assertThat(Configurations.gridPoints(Map.of())).containsExactly(Map.of());

    Path vj = MODELS.resolve("jamworld-videojam");
    List<Configuration> cs = Configurations.forModels(List.of(vj, vj), "inner", Map.of("w1", 7.0, "motion-policy", "whole"),
        Map.of("w1", List.of(1.0, 2.0)));
    assertThat(cs).extracting(Configuration::key)
        .containsExactly("jamworld-videojam-w1-1.0", "jamworld-videojam-w1-2.0", "jamworld-videojam-w1-1.0-2", "jamworld-videojam-w1-2.0-2");
    assertThat(cs.get(1).settings()).containsEntry("w1", 2.0).containsEntry("motion-policy", "whole");
    assertThat(cs.get(0).guidance()).isEqualTo("inner");
    assertThat(Configurations.forModels(List.of(Path.of("My Model!")), null, Map.of(), Map.of()).get(0).key()).isEqualTo("my-model");
  }

  @Test
  void ablationsUseTheWeightsTheModelsRecommend() {
    List<Configuration> a = Configurations.ablations(MODELS);
    assertThat(a).extracting(Configuration::key)
        .containsExactly("videojam", "no-text-guidance", "no-motion-guidance", "motion-off", "ip2p", "base", "control");
    assertThat(a.get(0).label()).isEqualTo("VideoJAM, Inner-Guidance w1 = 1, w2 = 3");
    assertThat(a.get(4).settings()).isEqualTo(Map.of("s-text", 2.0, "s-image", 4.0));
    assertThat(a.get(6).label()).isEqualTo("control (base fine-tuned without motion), text guidance 3");
    // without model.json: the paper's weights
    List<Configuration> none = Configurations.ablations(tmp);
    assertThat(none.get(0).settings()).isEqualTo(Map.of("w1", 5.0, "w2", 3.0));
    assertThat(Configurations.recommended(tmp)).isEmpty();
  }

  @Test
  void theConfigNamesItsParameters() {
    PromptSuite suite = PromptSuite.parse("s.txt", List.of("a red square moving right"));
    List<Configuration> one = Configurations.forModels(List.of(MODELS.resolve("jamworld-videojam")), null, Map.of(), Map.of());
    EvaluationConfig c = EvaluationConfig.builder(suite, one, tmp).seeds(4, 2).build();
    assertThat(c.seedNumbers()).containsExactly(4, 5);
    assertThat(c.sampling().steps()).isEqualTo(30);
    assertThat(c.estimator()).isEqualTo("dis:medium");
    assertThatThrownBy(() -> EvaluationConfig.builder(suite, one, tmp).seeds(0, 0).build()).isInstanceOf(VideoJamException.class)
        .hasMessage("seeds must be >= 1, got 0");
    assertThatThrownBy(() -> EvaluationConfig.builder(suite, List.of(), tmp).build()).hasMessageStartingWith("configurations is empty");
    assertThatThrownBy(() -> EvaluationConfig.builder(suite, one, null).build()).hasMessage("out is required (null)");
    assertThatThrownBy(() -> EvaluationConfig.builder(suite, List.of(one.get(0), one.get(0)), tmp).build()).hasMessageContaining("appears twice");
    assertThatThrownBy(() -> EvaluationConfig.builder(suite, List.of(Configuration.ofReference("truth")), tmp).build())
        .hasMessageContaining("has no model folder");
  }
}
