package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videojam.jamworld.Judgement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Statistics and the text reports on hand-made rows with known answers. */
class StatisticsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void statIsMeanStandardErrorAndCountOfTheFiniteValues() {
    Stat s = Stat.of(List.of(1.0, 2.0, 3.0, Double.NaN, Double.POSITIVE_INFINITY));
    assertThat(s.mean()).isEqualTo(2.0);
    assertThat(s.se()).isCloseTo(Math.sqrt(1.0 / 3), within(1e-12));
    assertThat(s.n()).isEqualTo(3);
    assertThat(s.text()).isEqualTo("2.000 (0.577)");
    assertThat(Stat.of(List.of(5.0)).text()).isEqualTo("5.000");
    assertThat(Stat.of(List.of()).text()).isEqualTo("n/a");
    assertThat(Stat.of(List.of(Double.NaN)).n()).isZero();
  }

  /** Two models, a BASIC and a ROTATIONAL prompt of jamworld-bench, seeds 0 and 1. */
  static Statistics twoModels() {
    PromptSuite bench = PromptSuite.read(PromptSuiteTest.REPO.resolve("suites/jamworld-bench.jsonl"));
    PromptSuite.Prompt basic = bench.prompts().stream().filter(p -> p.category().equals("BASIC")).findFirst().orElseThrow();
    PromptSuite.Prompt rot = bench.prompts().stream().filter(p -> p.category().equals("ROTATIONAL")).findFirst().orElseThrow();
    PromptSuite suite = new PromptSuite("two", List.of(basic, rot));
    Path m = Path.of("models/x");
    List<Configuration> configs = List.of(new Configuration("videojam", "VideoJAM", m, "inner", Map.of()),
        new Configuration("base", "base", m, "cfg", Map.of()));
    List<JsonNode> rows = new ArrayList<>();
    // videojam: BASIC direction 0.8, 0.6; ROTATIONAL rotation 2 (clamped to 1), 0.5
    rows.add(row("videojam", basic, 0, 0.8, 0));
    rows.add(row("videojam", basic, 1, 0.6, 0));
    rows.add(row("videojam", rot, 0, 0, 2.0));
    rows.add(row("videojam", rot, 1, 0, 0.5));
    // base: BASIC direction 0.4, 0.2; ROTATIONAL rotation 0.5, not measurable (scores 0)
    rows.add(row("base", basic, 0, 0.4, 0));
    rows.add(row("base", basic, 1, 0.2, 0));
    rows.add(row("base", rot, 0, 0, 0.5));
    rows.add(row("base", rot, 1, 0, Double.NaN));
    return new Statistics(suite, configs, new long[] {0, 1}, rows);
  }

  static JsonNode row(String config, PromptSuite.Prompt p, long seed, double direction, double rotation) {
    ObjectNode r = JSON.createObjectNode();
    r.put("config", config);
    r.put("id", p.id());
    r.put("category", p.category());
    r.put("prompt", p.prompt());
    r.put("seed", seed);
    r.put("noise_seed", ClipScoring.noiseSeed(seed, p.id()));
    ObjectNode g = r.putObject("generic");
    for (String k : Statistics.GENERIC) {
      g.put(k, 0.5);
    }
    for (String v : List.of("prompt_scores", "opposite", "shuffled")) {
      ObjectNode s = r.putObject(v);
      double sign = v.equals("prompt_scores") ? 1 : -1;
      s.put("colour", 0.9);
      s.put("objects", 0.7);
      s.put("direction", sign * direction);
      s.put("direction_pass", sign * direction >= 0.5 ? 1.0 : 0.0);
      if (Double.isNaN(rotation)) {
        s.putNull("rotation");
      } else {
        s.put("rotation", sign * rotation);
      }
      s.put("rotation_pass", sign * rotation > 0.25 ? 1.0 : 0.0);
    }
    return r;
  }

  @Test
  void summaryScoresFollowThePromptCategory() {
    Statistics st = twoModels();
    List<JsonNode> rows = st.rows();
    assertThat(Statistics.summary(rows.get(0), "prompt_scores", "motion")).isEqualTo(0.8);
    assertThat(Statistics.summary(rows.get(2), "prompt_scores", "motion")).isEqualTo(1.0);
    assertThat(Statistics.summary(rows.get(7), "prompt_scores", "motion")).isEqualTo(0.0);
    assertThat(Statistics.summary(rows.get(0), "prompt_scores", "appearance")).isCloseTo(0.8, within(1e-12));
    assertThat(Statistics.summary(rows.get(0), "opposite", "motion")).isEqualTo(-0.8);
    assertThat(Statistics.summary(rows.get(0), "other", "motion")).isNaN();
    assertThat(Statistics.value(rows.get(0), "dynamic_degree")).isEqualTo(0.5);
    assertThat(Statistics.value(rows.get(0), "direction_pass")).isEqualTo(1.0);
  }

  @Test
  void meansSpreadsAndPairedDifferences() {
    Statistics st = twoModels();
    assertThat(st.categories()).containsExactly("BASIC", "ROTATIONAL", "ALL");
    assertThat(st.models()).extracting(Configuration::key).containsExactly("videojam", "base");
    assertThat(st.stat("videojam", "ALL", "motion").mean()).isCloseTo(0.725, within(1e-12));
    assertThat(st.stat("base", "ALL", "motion").mean()).isCloseTo(0.275, within(1e-12));
    assertThat(st.stat("base", "BASIC", "motion").mean()).isCloseTo(0.3, within(1e-12));
    // per-seed means 0.9 and 0.55 (videojam), 0.45 and 0.1 (base): standard deviation 0.35 / sqrt 2
    assertThat(st.seedSpread("videojam", "motion")).isCloseTo(0.35 / Math.sqrt(2), within(1e-12));
    assertThat(st.spreadOf("videojam", "base", "motion")).isCloseTo(0.35 / Math.sqrt(2), within(1e-12));
    Stat d = st.difference("videojam", "base", "motion");
    assertThat(d.mean()).isCloseTo(0.45, within(1e-12));
    assertThat(d.se()).isCloseTo(Math.sqrt(0.01 / 3 / 4), within(1e-12));
    assertThat(st.differenceText("videojam", "base", "motion")).isEqualTo("+0.450 (0.029)");
    // no difference is within the seed-to-seed spread
    assertThat(st.differenceText("videojam", "videojam", "motion")).isEqualTo("+0.000 (0.000) ~");
  }

  @Test
  void csvMarkdownAndJsonCarryTheStatistics() {
    Statistics st = twoModels();
    List<String> csv = CsvReport.of(st).lines().toList();
    assertThat(csv).hasSize(1 + 8);
    assertThat(csv.get(0)).startsWith("config,id,category,prompt,seed,noise_seed," + String.join(",", Statistics.GENERIC) + ","
        + String.join(",", Judgement.NAMES)).endsWith(",shuffled_motion_pass,other_category");
    assertThat(csv.get(1)).startsWith("videojam,basic-00,BASIC,\"");

    String md = MarkdownSummary.of(st, false);
    assertThat(md).startsWith("Suite two: 2 prompts x 2 seeds per configuration.").contains("| VideoJAM | 4 | 0.800 (0.000) | 0.725 (")
        .doesNotContain("paper (VBench");
    String table = MarkdownSummary.of(st, true);
    assertThat(table).contains("| VideoJAM | 2 x 2 | 0.800 +/- 0.000 | 0.725 +/- 0.247 |", "75.1 / 93.7", "| base | 2 x 2 |", "-0.450 (0.029)");

    ObjectNode json = MetricsJson.of(st, JSON.createObjectNode());
    assertThat(json.at("/summary/videojam/ALL/motion/mean").asDouble()).isEqualTo(0.725);
    assertThat(json.at("/summary/videojam/ALL/null_opposite/motion/mean").asDouble()).isEqualTo(-0.725);
    assertThat(json.at("/differences/reference").asText()).isEqualTo("videojam");
    assertThat(json.at("/differences/base/motion/mean").asDouble()).isEqualTo(-0.45);
    assertThat(json.at("/differences/base/motion/within_seed_spread").asBoolean()).isFalse();
    assertThat(json.at("/seed_spread/base/motion").asDouble()).isEqualTo(0.2475);
  }
}
