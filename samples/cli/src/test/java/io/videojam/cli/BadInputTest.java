package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.model.FixtureModel;
import io.videojam.model.TestModels;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: exit code 2, one line naming the file and the fix, nothing left behind. */
class BadInputTest {
  @TempDir
  static Path tmp;

  static Path fixture;

  @BeforeAll
  static void writeFixture() {
    fixture = tmp.resolve("fixture");
    FixtureModel.write(fixture, "fixture", FixtureModel.config());
  }

  /** Runs generate into a fresh folder and checks the failure contract; returns the error line. */
  static String fails(Path workDir, String... extra) throws Exception {
    Files.createDirectories(workDir);
    Path out = workDir.resolve("out");
    List<String> args = new ArrayList<>(List.of("generate", "--prompt", "a red ball", "--steps", "2", "--no-progress", "--out", out.toString()));
    args.addAll(List.of(extra));
    Cli c = Cli.run(args.toArray(String[]::new));
    assertThat(c.exit()).as(c.err()).isEqualTo(2);
    String err = c.err().strip();
    assertThat(err).startsWith("videojam: error: ").doesNotContain("\n").doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(out).doesNotExist();
    try (Stream<Path> left = Files.list(workDir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".videojam-staging"));
    }
    return err;
  }

  static Path copyFixture(String name) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(fixture)) {
      for (Path p : files.toList()) {
        Files.copy(p, dir.resolve(p.getFileName()));
      }
    }
    return dir;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.get(key);
  }

  @Test
  void missingModelJsonKey() throws Exception {
    Path m = copyFixture("no-fps");
    TestModels.editJson(m, j -> child(j, "video").remove("fps"));
    assertThat(fails(tmp.resolve("w1"), "--model", m.toString())).contains("model.json \"video\": missing key \"fps\"");
  }

  @Test
  void onnxInputNameNotFound() throws Exception {
    Path m = copyFixture("bad-name");
    TestModels.editJson(m, j -> child(j, "denoiser").put("inputs", Map.of("latent", "hidden_states", "time", "t", "text", "text")));
    assertThat(fails(tmp.resolve("w2"), "--model", m.toString())).contains("'hidden_states'").contains("fix denoiser.inputs.latent");
  }

  @Test
  void shapeThatDisagreesWithModelJson() throws Exception {
    Path m = copyFixture("bad-shape");
    TestModels.editJson(m, j -> child(j, "video").put("frames", 8));
    assertThat(fails(tmp.resolve("w3"), "--model", m.toString())).contains("has shape [-1, 6, 16, 32, 32]").contains("[-1, 6, 8, 32, 32]");
  }

  @Test
  void infinityInTheModelOutputNamesTheStep() throws Exception {
    Path m = TestModels.infAtHalf(tmp.resolve("inf"));
    assertThat(fails(tmp.resolve("w4"), "--model", m.toString(), "--steps", "4", "--schedule", "uniform", "--guidance", "none"))
        .contains("Inf at step 3 of 4");
  }

  @Test
  void unwritableOutputFolder() throws Exception {
    Path work = tmp.resolve("w5");
    Files.createDirectories(work);
    Path file = Files.writeString(work.resolve("a-file"), "x");
    Cli c = Cli.run("generate", "--model", fixture.toString(), "--prompt", "x", "--steps", "1", "--no-progress", "--out",
        file.resolve("out").toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err().strip()).startsWith("videojam: error: cannot write to").doesNotContain("\n");
  }

  @Test
  void unknownPluginNames() throws Exception {
    assertThat(fails(tmp.resolve("w6"), "--model", fixture.toString(), "--guidance", "magic"))
        .contains("unknown --guidance 'magic'; available:").contains("inner");
    assertThat(fails(tmp.resolve("w7"), "--model", fixture.toString(), "--solver", "rk4")).contains("available: dpm++2m, euler, heun, unipc");
    assertThat(fails(tmp.resolve("w8"), "--model", fixture.toString(), "--backend", "metal")).contains("unknown --backend 'metal'");
  }

  @Test
  void unavailableGpuBackends() throws Exception {
    assertThat(fails(tmp.resolve("w9"), "--model", fixture.toString(), "--backend", "cuda")).contains("-Pgpu");
    assertThat(fails(tmp.resolve("w10"), "--model", fixture.toString(), "--backend", "tensorrt")).contains("TensorRT");
  }

  @Test
  void badSettings() throws Exception {
    assertThat(fails(tmp.resolve("w11"), "--model", fixture.toString(), "--steps", "0")).contains("--steps");
    assertThat(fails(tmp.resolve("w12"), "--model", fixture.toString(), "--w1", "-2")).contains("w1");
    assertThat(fails(tmp.resolve("w13"), "--model", fixture.toString(), "--pass-mode", "parallel")).contains("auto, batched or sequential");
    assertThat(fails(tmp.resolve("w14"), "--model", tmp.resolve("nowhere").toString())).contains("nowhere");
  }

  @Test
  void limitsAreCheckedBeforeAnyWork() throws Exception {
    assertThat(fails(tmp.resolve("l1"), "--model", fixture.toString(), "--steps", "10001"))
        .isEqualTo("videojam: error: --steps must be in [1, 10000], got 10001");
    assertThat(fails(tmp.resolve("l2"), "--model", fixture.toString(), "--threads", "100000"))
        .isEqualTo("videojam: error: --threads must be in [0, 1024] (0 = backend default), got 100000");
    assertThat(fails(tmp.resolve("l3"), "--model", fixture.toString(), "--scale", "0")).isEqualTo("videojam: error: --scale must be in [1, 64], got 0");
    assertThat(fails(tmp.resolve("l4"), "--model", fixture.toString(), "--prompt", "x".repeat(20_001)))
        .startsWith("videojam: error: --prompt has 20001 characters, over the limit of 20000");
    assertThat(fails(tmp.resolve("l5"), "--model", fixture.toString(), "--max-batch", "0")).isEqualTo("videojam: error: --max-batch must be in [1, 256], got 0");
  }

  @Test
  void aModelWhoseLatentCannotFitIsRefusedWithTheSizeAndTheLimit() throws Exception {
    Path huge = copyFixture("huge");
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> m = json.readValue(huge.resolve("model.json").toFile(), Map.class);
    child(m, "video").putAll(Map.of("frames", 64, "height", 4096, "width", 4096));
    json.writeValue(huge.resolve("model.json").toFile(), m);
    assertThat(fails(tmp.resolve("l6"), "--model", huge.toString())).contains("model.json").contains("64 frames x 4096 x 4096").contains("over the limit");
    child(m, "video").put("frames", 2_000_000_000);
    json.writeValue(huge.resolve("model.json").toFile(), m);
    assertThat(fails(tmp.resolve("l7"), "--model", huge.toString())).contains("2000000000").contains("over the limit");
  }

  @Test
  void otherCommandsCheckTheirCountsAndFolders() throws Exception {
    Path file = Files.writeString(tmp.resolve("report.html"), "x");
    String[][] cases = {
      {"--repeats must be in [1, 100000], got 0", "bench", "--repeats", "0", "--model", fixture.toString()},
      {"--size must be in [16, 4096], got 0", "bench", "flow", "--size", "0"},
      {"--pairs must be in [1, 1000000], got 0", "bench", "flow", "--pairs", "0"},
      {"--minutes must be in [0, 525600], got -1", "train", "--minutes", "-1", "--work", tmp.resolve("train").toString()},
      {"--out " + file + " is a file; this command writes a folder there, so name a new or existing folder", "eval", "--out", file.toString()},
      {"the output folder is empty; name a folder (e.g. runs/first)", "generate", "--model", fixture.toString(), "--prompt", "x", "--out", ""},
    };
    for (String[] c : cases) {
      Cli r = Cli.run(java.util.Arrays.copyOfRange(c, 1, c.length));
      assertThat(r.exit()).as(String.join(" ", c)).isEqualTo(2);
      assertThat(r.err().strip()).isEqualTo("videojam: error: " + c[0]);
    }
    assertThat(tmp.resolve("train")).doesNotExist();
  }

  @Test
  void baseModelRejectsInnerGuidanceButRunsCfgByDefault() throws Exception {
    Path base = tmp.resolve("base");
    FixtureModel.write(base, "base", FixtureModel.config().withChannels(3, 0));
    assertThat(fails(tmp.resolve("w15"), "--model", base.toString(), "--guidance", "inner")).contains("--guidance cfg");
    Path out = tmp.resolve("w16/out");
    Cli ok = Cli.run("generate", "--model", base.toString(), "--prompt", "x", "--steps", "1", "--no-progress", "--out", out.toString());
    assertThat(ok.exit()).as(ok.err()).isEqualTo(0);
    assertThat(out.resolve("video.mp4")).exists();
    assertThat(out.resolve("motion.mp4")).doesNotExist();
  }
}
