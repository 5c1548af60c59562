package io.videojam.eval;

import io.videojam.api.Refusals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fuzzes prompt suites ({@link PromptSuite#read}, .jsonl and .txt): whatever the file holds, reading either gives a
 * suite of prompts with unique ids, each with an id, a category and a prompt (and a complete spec where it has one),
 * or fails with a one-line {@link VideoJamException} naming the file.
 *
 * <p>The last byte picks the input (its two lowest bits): 0, 1: the other bytes are a .jsonl or .txt file; 2: a
 * .jsonl of lines built from a jamworld-bench entry with fields the fuzzer sets (missing, null, wrong types, huge
 * or non-finite numbers, repeated ids). Seeds: {@code PromptSuiteFuzzTestInputs/read/}.
 */
class PromptSuiteFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] FIELDS = {"id", "category", "prompt", "spec", "spec.category", "spec.motion", "spec.prompt",
      "spec.background", "spec.seed", "spec.shape", "spec.colour", "spec.colour2", "spec.gradient", "spec.x0", "spec.y0",
      "spec.speed", "spec.angle0", "spec.phase", "spec.extra", "spec.unknown"};
  private static final Object[] VALUES = {null, "", "BASIC", "COMPLEX", "nope", "up", "a red ball moving up", 0, -1, 1e308,
      Long.MAX_VALUE, "NaN", "Infinity", 1.5, true, Map.of(), java.util.List.of(1, 2), "x\ny", "\u0000"};

  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("suite-fuzz");
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({"\"id\"", "\"prompt\"", "\"category\"", "\"spec\"", "\"motion\"", "BASIC", "|", "#"})
  void read(FuzzedDataProvider data) throws IOException {
    int kind = data.consumeByte() & 3;
    Path file = folder().resolve(kind == 1 ? "suite.txt" : "suite.jsonl");
    Files.write(file, kind == 2 ? jsonl(data) : data.consumeRemainingAsBytes());
    PromptSuite suite;
    try {
      suite = PromptSuite.read(file);
    } catch (VideoJamException e) {
      Refusals.check(e, file.getFileName().toString());
      return;
    }
    HashSet<String> ids = new HashSet<>();
    for (PromptSuite.Prompt p : suite.prompts()) {
      if (p.id() == null || p.category() == null || p.prompt() == null || !ids.add(p.id())
          || (p.spec() != null && (p.spec().category() == null || !p.spec().prompt().equals(p.prompt())))) {
        throw new AssertionError("accepted an incomplete or repeated prompt " + p);
      }
    }
    suite.categories();
    suite.limit(1);
    suite.hasTruth();
  }

  /** Up to eight lines, each a jamworld-bench entry with some fields set as the fuzzer picks. */
  @SuppressWarnings("unchecked")
  private static byte[] jsonl(FuzzedDataProvider data) throws IOException {
    StringBuilder out = new StringBuilder();
    for (int n = data.consumeInt(1, 8); n > 0; n--) {
      Map<String, Object> line = JSON.readValue(SEED, Map.class);
      for (int edits = data.consumeInt(0, 3); edits > 0; edits--) {
        String[] path = data.pickValue(FIELDS).split("\\.");
        Map<String, Object> at = line;
        if (path.length == 2) {
          if (!(line.get("spec") instanceof Map)) {
            line.put("spec", new LinkedHashMap<String, Object>());
          }
          at = (Map<String, Object>) line.get("spec");
        }
        if (data.consumeInt(0, 4) == 0) {
          at.remove(path[path.length - 1]);
        } else {
          Object v = data.consumeBoolean() ? data.pickValue(VALUES) : data.consumeString(12);
          at.put(path[path.length - 1], v instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : v instanceof java.util.List<?> l
              ? new java.util.ArrayList<>(l) : v);
        }
      }
      out.append(JSON.writeValueAsString(line)).append('\n');
    }
    return out.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static final String SEED = "{\"id\":\"basic-00\",\"category\":\"BASIC\",\"prompt\":\"a yellow triangle moving up\",\"spec\":"
      + "{\"category\":\"BASIC\",\"motion\":\"up\",\"prompt\":\"a yellow triangle moving up\",\"background\":\"black\",\"seed\":3108009324,"
      + "\"shape\":\"triangle\",\"colour\":\"yellow\",\"colour2\":\"\",\"gradient\":0.0,\"x0\":8.88,\"y0\":12.59,\"speed\":1.56,"
      + "\"angle0\":0.0,\"phase\":0.0,\"extra\":0.0}}";
}
