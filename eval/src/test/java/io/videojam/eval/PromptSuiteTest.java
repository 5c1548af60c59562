package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import io.videojam.jamworld.Category;
import io.videojam.jamworld.JamWorld;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped prompt suites and the suite file formats. */
class PromptSuiteTest {
  /** The repository root (the eval module's parent). */
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  @Test
  void theShippedJamworldBenchIsTheGeneratedOneHeldOutAndBalanced() throws Exception {
    Path file = REPO.resolve("suites/jamworld-bench.jsonl");
    assertThat(Files.readString(file, StandardCharsets.UTF_8))
        .as("suites/jamworld-bench.jsonl is stale; regenerate it with ./videojam eval --out /tmp/x --write-suite suites/jamworld-bench.jsonl")
        .isEqualTo(PromptSuite.jamworldBench().toJsonl());
    PromptSuite s = PromptSuite.read(file);
    assertThat(s.prompts()).hasSize(128);
    assertThat(s.hasTruth()).isTrue();
    Map<String, Long> perCategory = s.prompts().stream().collect(Collectors.groupingBy(PromptSuite.Prompt::category, Collectors.counting()));
    for (Category c : Category.values()) {
      assertThat(perCategory.get(c.name())).as(c.name()).isEqualTo(32L);
    }
    for (PromptSuite.Prompt p : s.prompts()) {
      assertThat(JamWorld.heldOut(p.spec())).as(p.id() + " " + p.prompt()).isTrue();
      assertThat(p.spec().prompt()).isEqualTo(p.prompt());
      assertThat(p.category()).isEqualTo(p.spec().category().name());
    }
    // the file round-trips: reading gives back the generated specs exactly
    assertThat(s.prompts()).isEqualTo(PromptSuite.jamworldBench().prompts());
    assertThat(s.limit(2).prompts()).hasSize(8).extracting(PromptSuite.Prompt::id).startsWith("basic-00", "basic-01", "complex-00");
  }

  @Test
  void textSuitesTakeAnOptionalCategoryAndSkipComments() throws Exception {
    PromptSuite s = PromptSuite.read(REPO.resolve("suites/videojam-bench-examples.txt"));
    assertThat(s.prompts()).hasSize(5);
    assertThat(s.hasTruth()).isFalse();
    assertThat(s.prompts().get(0)).isEqualTo(new PromptSuite.Prompt("p000", "ROTATIONAL", "A hand spinning a yellow fidget spinner.", null));
    assertThat(s.categories()).containsExactly("ROTATIONAL", "BASIC", "COMPLEX");
    Path plain = tmp.resolve("mine.txt");
    Files.writeString(plain, "# comment\n\na red square moving right\n");
    assertThat(PromptSuite.read(plain).prompts()).containsExactly(new PromptSuite.Prompt("p000", "ALL", "a red square moving right", null));
  }

  @Test
  void badSuitesNameTheFileAndLine() throws Exception {
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, "{\"id\":\"a\",\"prompt\":\"x\"}\n{\"id\":\"b\"}\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).isInstanceOf(VideoJamException.class).hasMessageContaining("bad.jsonl line 2")
        .hasMessageContaining("\"prompt\"");
    Files.writeString(bad, "{\"id\":\"a\",\"prompt\":\"x\"}\n{\"id\":\"a\",\"prompt\":\"y\"}\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).hasMessageContaining("id 'a' appears twice");
    Files.writeString(bad, "{not json\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).isInstanceOf(VideoJamException.class).hasMessageContaining("line 1 is not a valid suite entry");
    Path empty = tmp.resolve("empty.txt");
    Files.writeString(empty, "# nothing\n");
    assertThatThrownBy(() -> PromptSuite.read(empty)).hasMessageContaining("holds no prompts");
    assertThatThrownBy(() -> PromptSuite.load(tmp.resolve("missing.jsonl").toString())).hasMessageContaining("not found");
  }

  @Test
  void incompleteSpecsAreRefusedNotCrashedOn() throws Exception {
    // found by PromptSuiteFuzzTest: a spec without "prompt" threw NullPointerException, one without "category" was
    // accepted (and threw NullPointerException where the line had no "category" either)
    Path bad = tmp.resolve("specs.jsonl");
    String spec = "\"motion\":\"up\",\"background\":\"black\",\"seed\":1,\"shape\":\"ball\",\"colour\":\"red\",\"colour2\":\"\"";
    Files.writeString(bad, "{\"id\":\"a\",\"prompt\":\"x\",\"spec\":{\"category\":\"BASIC\"," + spec + "}}\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).isInstanceOf(VideoJamException.class)
        .hasMessage(bad + " line 1: \"spec\" has no \"prompt\"; a spec needs every field of a jamworld-bench entry");
    Files.writeString(bad, "{\"id\":\"a\",\"prompt\":\"x\",\"spec\":{\"prompt\":\"x\"," + spec + "}}\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).isInstanceOf(VideoJamException.class).hasMessageContaining("has no \"category\"");
    Files.writeString(bad, "{\"id\":\"a\",\"prompt\":\"x\",\"spec\":{\"category\":\"BASIC\",\"prompt\":\"x\",\"x0\":\"NaN\"," + spec + "}}\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).isInstanceOf(VideoJamException.class).hasMessageContaining("not finite (NaN)");
    Files.writeString(bad, "{\"id\":{},\"prompt\":\"x\"}\n");
    assertThatThrownBy(() -> PromptSuite.read(bad)).isInstanceOf(VideoJamException.class).hasMessageContaining("each a string");
  }
}
