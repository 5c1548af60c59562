package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.media.OutputStaging;
import io.videojam.model.FixtureModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code videojam generate} in a child JVM, killed with SIGKILL or SIGTERM at different moments while
 * it replaces an earlier run's folder: the folder is always one complete run (the earlier or the new),
 * never a mix, and the next run leaves no hidden leftovers beside it.
 */
class KilledRunTest {
  @TempDir
  Path dir;

  @Test
  void aKilledRunNeverLeavesAMixedOrHalfWrittenFolder() throws Exception {
    Path model = dir.resolve("model");
    FixtureModel.write(model, "fixture", FixtureModel.config());
    Path runs = Files.createDirectories(dir.resolve("runs"));
    Path out = runs.resolve("out");
    assertThat(child(model, out, 1).waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertComplete(out, 1);
    long seed = 2;
    long held = 1; // the run the folder held before this one
    for (long delayMs : new long[] {300, 800, 1300, 1800, 2600}) {
      for (boolean hard : new boolean[] {true, false}) {
        Process p = child(model, out, seed);
        Thread.sleep(delayMs);
        if (hard) {
          p.destroyForcibly(); // SIGKILL
        } else {
          p.destroy(); // SIGTERM: shutdown hooks run
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        long seen = assertComplete(out, -1);
        // the killed run finished (its folder) or did not (the previous folder, untouched)
        assertThat(seen).as("after a kill at %d ms", delayMs).isIn(held, seed);
        held = seen;
        if (!hard) {
          // its own staging is gone (a SIGKILLed run's may remain until a run gets as far as starting its output)
          assertThat(hidden(runs)).as("SIGTERM at %d ms", delayMs).noneMatch(n -> n.contains("-" + p.pid() + "-"));
        }
        seed++;
      }
    }
    Process last = child(model, out, 99);
    assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(last.exitValue()).isZero();
    assertComplete(out, 99);
    assertThat(hidden(runs)).as("leftovers of killed runs, swept by the next run").isEmpty();
  }

  /** The folder holds one whole run: run.json lists every file there is, and each exists; returns its seed. */
  static long assertComplete(Path out, long seed) throws Exception {
    assertThat(out.resolve(OutputStaging.MARKER)).exists();
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    List<String> listed = new ArrayList<>();
    run.get("outputs").fieldNames().forEachRemaining(listed::add);
    List<String> present;
    try (Stream<Path> s = Files.walk(out)) {
      present = s.filter(Files::isRegularFile).map(p -> out.relativize(p).toString())
          .filter(n -> !n.equals("run.json") && !n.equals(OutputStaging.MARKER)).sorted().toList();
    }
    assertThat(present).containsExactlyInAnyOrderElementsOf(listed);
    for (String name : listed) {
      assertThat(Files.size(out.resolve(name))).as(name).isEqualTo(run.get("outputs").get(name).asLong());
    }
    long s = run.get("settings").get("seed").asLong();
    if (seed >= 0) {
      assertThat(s).isEqualTo(seed);
    }
    return s;
  }

  static List<String> hidden(Path runs) throws Exception {
    try (Stream<Path> s = Files.list(runs)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }

  static Process child(Path model, Path out, long seed) throws Exception {
    // a JVM killed inside native code may write a crash report: into the test's folder, not the module's
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true",
        "-XX:ErrorFile=" + out.getParent().getParent().resolve("hs_err_pid%p.log"),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "generate", "--model", model.toString(),
        "--prompt", "a red ball bouncing", "--steps", "4", "--seed", String.valueOf(seed), "--scale", "8", "--no-progress",
        "--out", out.toString());
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }
}
