package io.videojam.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.videojam.runtime.RuntimeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web page in a real browser: Debian's chromium, headless, driven by Playwright
 * (src/test/browser/serve-page.mjs) clicks Generate and waits until the video and its motion
 * prediction can play; the screenshot goes to target/browser/serve-page.png. Skipped, with the
 * reason, where chromium, node or the script's node_modules ({@code npm ci} in src/test/browser) are missing.
 */
class BrowserTest {
  @Test
  void generateOnThePageShowsPlayableVideoAndMotionSideBySide(@TempDir Path tmp) throws Exception {
    Path dir = Path.of(System.getProperty("serve.browser.dir", "src/test/browser"));
    Path out = Path.of(System.getProperty("serve.browser.out", "target/browser"));
    Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    assumeTrue(Files.isExecutable(chromium), "no chromium at " + chromium + " (apt-get install chromium, or set CHROMIUM)");
    assumeTrue(onPath("node"), "no node on the PATH (apt-get install nodejs npm)");
    assumeTrue(Files.isDirectory(dir.resolve("node_modules").resolve("playwright-core")),
        "no node_modules in " + dir + " (run npm ci there)");
    Files.createDirectories(out);
    Path screenshot = out.resolve("serve-page.png");
    Files.deleteIfExists(screenshot);
    // the trained built-in model, so the screenshot shows what the page is for
    Path model = Http.fixture().resolveSibling("jamworld-videojam");
    ServeConfig config = ServeConfig.defaults(RuntimeConfig.cpu(model), tmp.resolve("outputs")).withPort(0);
    try (VideoServer server = VideoServer.start(config)) {
      Process p = new ProcessBuilder("node", dir.resolve("serve-page.mjs").toString(), server.url(), screenshot.toString())
          .redirectError(tmp.resolve("stderr.txt").toFile()).start();
      String stdout = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(tmp.resolve("stderr.txt"))).isZero();
      List<String> lines = stdout.lines().toList();
      JsonNode seen = Http.JSON.readTree(lines.get(lines.size() - 1));
      for (String id : new String[] {"video", "motion"}) {
        JsonNode v = seen.get(id);
        assertThat(v.get("readyState").asInt()).as(id).isGreaterThanOrEqualTo(2);
        assertThat(v.get("duration").asDouble()).as(id).isEqualTo(1.0); // 8 frames at 8 fps
        assertThat(v.get("width").asInt()).as(id).isEqualTo(256);
        assertThat(v.get("src").asText()).as(id).startsWith(server.url() + "/v1/videos/video_").endsWith("variant=" + id);
      }
      assertThat(seen.get("video").get("currentTime").asDouble()).isPositive(); // it plays
      assertThat(seen.get("status").asText()).endsWith("succeeded, step 60 of 60");
      assertThat(seen.get("pageErrors")).isEmpty();
      // the bar followed the events: never backwards, through intermediate steps, to the end
      JsonNode bar = seen.get("bar");
      int previous = 0;
      java.util.Set<Integer> values = new java.util.HashSet<>();
      for (JsonNode b : bar) {
        assertThat(b.get(0).asInt()).isGreaterThanOrEqualTo(previous);
        previous = b.get(0).asInt();
        values.add(previous);
      }
      assertThat(previous).isEqualTo(60);
      assertThat(values.stream().filter(x -> x > 0 && x < 60)).isNotEmpty();
      assertThat(screenshot).isRegularFile();
      byte[] png = Files.readAllBytes(screenshot);
      assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }
  }

  private static boolean onPath(String exe) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, exe))) {
        return true;
      }
    }
    return false;
  }
}
