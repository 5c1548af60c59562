package io.videojam.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.VideoJamException;
import io.videojam.jamworld.Category;
import io.videojam.jamworld.ClipSpec;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A prompt suite: prompts with an id and a category, and for the synthetic motion world the
 * clip's world parameters (so generated clips can be scored against the truth).
 *
 * <p>Two file formats. JSON Lines ({@code .jsonl}): one object per line with {@code id},
 * {@code category}, {@code prompt} and optionally {@code spec} (a {@link ClipSpec}'s fields).
 * Text ({@code .txt}): one prompt per line, optionally {@code CATEGORY | prompt}; blank lines and
 * lines starting with {@code #} are skipped; ids are {@code p000, p001, ...}.
 *
 * <p>Built-in suites live in {@code suites/} of the repository and are named without extension:
 * {@code jamworld-bench} (128 held-out clips of the synthetic world, 32 per category) and
 * {@code videojam-bench-examples} (the public examples of the paper's VideoJAM-bench).
 */
public record PromptSuite(String name, List<Prompt> prompts) {
  /** One prompt; {@code spec} is null for text-only suites. */
  public record Prompt(String id, String category, String prompt, ClipSpec spec) {}

  /** The name of the built-in suite of the synthetic world. */
  public static final String JAMWORLD_BENCH = "jamworld-bench";
  /** Seed of {@link JamWorld#suite} that made jamworld-bench. */
  static final long JAMWORLD_BENCH_SEED = 777;
  static final int JAMWORLD_BENCH_PER_CATEGORY = 32;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether every prompt carries world parameters. */
  public boolean hasTruth() {
    return !prompts.isEmpty() && prompts.stream().allMatch(p -> p.spec() != null);
  }

  /** The categories in first-seen order. */
  public List<String> categories() {
    List<String> out = new ArrayList<>();
    for (Prompt p : prompts) {
      if (!out.contains(p.category())) {
        out.add(p.category());
      }
    }
    return out;
  }

  /** The first {@code perCategory} prompts of each category (for quick runs); all when {@code <= 0}. */
  public PromptSuite limit(int perCategory) {
    if (perCategory <= 0) {
      return this;
    }
    List<Prompt> out = new ArrayList<>();
    for (String c : categories()) {
      prompts.stream().filter(p -> p.category().equals(c)).limit(perCategory).forEach(out::add);
    }
    return new PromptSuite(name, out);
  }

  /** jamworld-bench as generated from the world (the shipped file must equal {@link #toJsonl} of this). */
  public static PromptSuite jamworldBench() {
    List<ClipSpec> specs = new JamWorld(WorldConfig.defaults()).suite(Split.HELDOUT, JAMWORLD_BENCH_PER_CATEGORY, JAMWORLD_BENCH_SEED);
    List<Prompt> out = new ArrayList<>();
    int[] counts = new int[Category.values().length];
    for (ClipSpec s : specs) {
      String id = String.format(Locale.ROOT, "%s-%02d", s.category().name().toLowerCase(Locale.ROOT), counts[s.category().ordinal()]++);
      out.add(new Prompt(id, s.category().name(), s.prompt(), s));
    }
    return new PromptSuite(JAMWORLD_BENCH, out);
  }

  /** The suite as JSON Lines, one prompt per line (the {@code .jsonl} format {@link #parse} reads). */
  public String toJsonl() {
    StringBuilder b = new StringBuilder();
    for (Prompt p : prompts) {
      var node = JSON.createObjectNode();
      node.put("id", p.id());
      node.put("category", p.category());
      node.put("prompt", p.prompt());
      if (p.spec() != null) {
        node.set("spec", JSON.valueToTree(p.spec()));
      }
      b.append(node).append('\n');
    }
    return b.toString();
  }

  /**
   * Where the built-in suites are: {@code suites/} under the repository, the system property
   * {@code videojam.home} (the working directory when it is unset).
   */
  public static Path builtinDir() {
    String home = System.getProperty("videojam.home");
    return (home != null ? Path.of(home) : Path.of("").toAbsolutePath()).resolve("suites");
  }

  /** A built-in suite by name (suites/NAME.jsonl or .txt under the repository, {@link #builtinDir}) or a file. */
  public static PromptSuite load(String nameOrFile) {
    Path file = Path.of(nameOrFile);
    if (!Files.isRegularFile(file)) {
      Path dir = builtinDir();
      for (String ext : List.of(".jsonl", ".txt")) {
        if (Files.isRegularFile(dir.resolve(nameOrFile + ext))) {
          file = dir.resolve(nameOrFile + ext);
        }
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException("prompt suite '" + nameOrFile + "' not found: pass a .jsonl or .txt file, or a built-in name ("
          + JAMWORLD_BENCH + ", videojam-bench-examples, from " + builtinDir() + ")");
    }
    return read(file);
  }

  /** A suite file: {@code .jsonl}, else text. */
  public static PromptSuite read(Path file) {
    try {
      return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new VideoJamException("cannot read prompt suite " + file + ": " + e.getMessage());
    }
  }

  /** A suite from its file's lines; {@code file} (its name or path) tells the format (.jsonl or text) and names it in errors. */
  public static PromptSuite parse(String file, List<String> lines) {
    String base = file.replace('\\', '/').substring(file.replace('\\', '/').lastIndexOf('/') + 1);
    String name = base.replaceFirst("\\.(jsonl|txt)$", "");
    boolean jsonl = file.endsWith(".jsonl");
    List<Prompt> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Prompt p = jsonl ? jsonLine(file, i + 1, line) : textLine(out.size(), line);
      if (!ids.add(p.id())) {
        throw new VideoJamException(file + " line " + (i + 1) + ": id '" + p.id() + "' appears twice; ids must be unique");
      }
      out.add(p);
    }
    if (out.isEmpty()) {
      throw new VideoJamException(file + " holds no prompts; write one prompt per line (.txt) or one JSON object per line (.jsonl)");
    }
    return new PromptSuite(name, List.copyOf(out));
  }

  private static Prompt textLine(int index, String line) {
    int bar = line.indexOf('|');
    String category = bar > 0 ? line.substring(0, bar).strip() : "ALL";
    String prompt = bar > 0 ? line.substring(bar + 1).strip() : line;
    return new Prompt(String.format(Locale.ROOT, "p%03d", index), category.isEmpty() ? "ALL" : category, prompt, null);
  }

  private static Prompt jsonLine(String file, int lineNo, String line) {
    try {
      JsonNode n = JSON.readTree(line);
      if (n == null || !n.isObject() || !text(n, "id") || !text(n, "prompt") || n.get("id").asText().isBlank()
          || (n.hasNonNull("category") && !text(n, "category"))) {
        throw new VideoJamException(file + " line " + lineNo + ": each line needs \"id\" and \"prompt\" (and may have \"category\" and \"spec\"),"
            + " each a string");
      }
      ClipSpec spec = n.hasNonNull("spec") ? JSON.treeToValue(n.get("spec"), ClipSpec.class) : null;
      if (spec != null) {
        checkSpec(file, lineNo, spec);
      }
      String category = n.hasNonNull("category") ? n.get("category").asText() : spec != null ? spec.category().name() : "ALL";
      if (spec != null && !spec.prompt().equals(n.get("prompt").asText())) {
        throw new VideoJamException(file + " line " + lineNo + ": \"prompt\" differs from spec.prompt; they must be the same text");
      }
      return new Prompt(n.get("id").asText(), category, n.get("prompt").asText(), spec);
    } catch (IOException | IllegalArgumentException e) {
      throw new VideoJamException(file + " line " + lineNo + " is not a valid suite entry: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static boolean text(JsonNode n, String key) {
    return n.hasNonNull(key) && (n.get(key).isTextual() || n.get(key).isNumber());
  }

  /** A spec renders a clip: every name is given and every number finite. */
  private static void checkSpec(String file, int lineNo, ClipSpec s) {
    String missing = s.category() == null ? "category" : s.motion() == null ? "motion" : s.prompt() == null ? "prompt"
        : s.background() == null ? "background" : s.shape() == null ? "shape" : s.colour() == null ? "colour" : null;
    if (missing != null) {
      throw new VideoJamException(file + " line " + lineNo + ": \"spec\" has no \"" + missing + "\"; a spec needs every field of a"
          + " jamworld-bench entry");
    }
    double[] numbers = {s.gradient(), s.x0(), s.y0(), s.speed(), s.angle0(), s.phase(), s.extra()};
    for (double v : numbers) {
      if (!Double.isFinite(v)) {
        throw new VideoJamException(file + " line " + lineNo + ": \"spec\" has a number that is not finite (" + v + ")");
      }
    }
  }
}
