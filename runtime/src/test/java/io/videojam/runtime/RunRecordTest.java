package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.Settings;
import io.videojam.model.FixtureModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.json written by a library user: the typed record, as the CLI writes it. */
class RunRecordTest {
  @Test
  void theRecordAndRunJsonAgree(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    FixtureModel.write(model, "fixture", FixtureModel.config());
    RuntimeConfig config = RuntimeConfig.cpu(model);
    try (VideoJam jam = VideoJam.open(config)) {
      GenerationRequest request = GenerationRequest.of("a red ball bouncing", 42).withSteps(3)
          .withGuidance("inner", new Settings(Map.of("w1", 4.0, "w2", 2.0), "test")).withPassMode(PassMode.SEQUENTIAL);
      Generation g = jam.generate(request, null);
      GenerationRecord r = g.record();
      assertThat(r.prompt()).isEqualTo("a red ball bouncing");
      assertThat(r.seed()).isEqualTo(42);
      assertThat(r.steps()).isEqualTo(3);
      assertThat(r.times()).hasSize(4).startsWith(0.0).endsWith(1.0);
      assertThat(r.guidance()).isEqualTo("inner");
      assertThat(r.guidanceSettings()).containsEntry("w1", 4.0).containsEntry("w2", 2.0);
      assertThat(r.passMode()).isEqualTo(PassMode.SEQUENTIAL);
      assertThat(r.modelRuns()).isEqualTo(9); // 3 steps x 3 Inner-Guidance passes, one run each
      assertThat(r.modelHash()).isEqualTo(jam.model().hash()).hasSize(64);
      assertThat(r.backend()).isEqualTo("cpu");
      Path file = dir.resolve("run.json");
      RunRecord.write(file, RunRecord.of(g, jam.model(), config, jam.backend(), RunRecord.Extras.none()));
      JsonNode run = new ObjectMapper().readTree(Files.readString(file));
      assertThat(run.get("format").asInt()).isEqualTo(RunRecord.FORMAT);
      assertThat(run.get("command").asText()).isEqualTo("library");
      assertThat(run.at("/model/sha256").asText()).isEqualTo(r.modelHash());
      assertThat(run.at("/backend/name").asText()).isEqualTo("cpu");
      assertThat(run.at("/settings/seed").asLong()).isEqualTo(42);
      assertThat(run.at("/settings/pass-mode").asText()).isEqualTo("sequential");
      assertThat(run.at("/settings/guidance-settings/w1").asDouble()).isEqualTo(4.0);
      assertThat(run.at("/settings/times").size()).isEqualTo(4);
      assertThat(run.at("/timings/model-runs").asLong()).isEqualTo(9);
      assertThat(run.has("outputs")).isFalse(); // the library user wrote no files through it
      assertThat(run.has("display-scale")).isFalse();
    }
  }
}
