package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README and docs/: every relative link and image resolves, every anchor exists, every page is reachable. */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*)$");

  static Path repo() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("docs")) && Files.isRegularFile(p.resolve("pom.xml"))) {
        return p;
      }
    }
    throw new IllegalStateException("no repository root above " + Path.of("").toAbsolutePath());
  }

  static List<Path> pages(Path repo) throws IOException {
    List<Path> pages = new ArrayList<>(List.of(repo.resolve("README.md")));
    try (Stream<Path> s = Files.list(repo.resolve("docs"))) {
      s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /** GitHub's anchor of a heading: lower case, punctuation but hyphens and underscores dropped, spaces to hyphens. */
  static String slug(String heading) {
    return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  static Set<String> anchors(Path page) throws IOException {
    Set<String> out = new HashSet<>();
    boolean code = false;
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("```")) {
        code = !code;
      }
      Matcher m = HEADING.matcher(line);
      if (!code && m.matches()) {
        out.add(slug(m.group(1)));
      }
    }
    return out;
  }

  @Test
  void everyLinkResolvesAndEveryPageIsReachable() throws IOException {
    Path repo = repo();
    List<String> broken = new ArrayList<>();
    Set<Path> linked = new HashSet<>();
    for (Path page : pages(repo)) {
      String text = Files.readString(page);
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String target = m.group(1);
        if (target.matches("^[a-z]+:.*")) {
          continue; // http(s), mailto: not checked (no network at test time)
        }
        int hash = target.indexOf('#');
        String file = hash >= 0 ? target.substring(0, hash) : target;
        String anchor = hash >= 0 ? target.substring(hash + 1) : null;
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
          broken.add(repo.relativize(page) + ": " + target + " (no such file)");
          continue;
        }
        linked.add(resolved);
        if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
          broken.add(repo.relativize(page) + ": " + target + " (no such heading)");
        }
      }
    }
    assertThat(broken).as("broken links").isEmpty();
    for (Path page : pages(repo)) {
      if (!page.getFileName().toString().equals("README.md")) {
        assertThat(linked).as("a link to " + repo.relativize(page)).contains(page);
      }
    }
  }

  @Test
  void theReadmeStaysShort() throws IOException {
    assertThat(Files.readAllLines(repo().resolve("README.md"))).hasSizeLessThanOrEqualTo(250);
  }

  @Test
  void slugsFollowGitHub() {
    assertThat(slug("3. The ablation table (Table 3 analogue)")).isEqualTo("3-the-ablation-table-table-3-analogue");
    assertThat(slug("Schedules and solvers")).isEqualTo("schedules-and-solvers");
    assertThat(slug("What `generate` writes")).isEqualTo("what-generate-writes");
  }
}
