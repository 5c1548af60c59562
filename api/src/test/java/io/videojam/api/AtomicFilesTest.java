package io.videojam.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file is the complete new one or the old one, and no temporary sibling outlives the write, even under SIGTERM. */
class AtomicFilesTest {
  @TempDir
  Path dir;

  static List<String> names(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aFailedWriteLeavesTheOldFileAndNoTemporarySibling() throws Exception {
    Path target = Files.writeString(dir.resolve("out.txt"), "old");
    assertThatThrownBy(() -> AtomicFiles.write(target, "text", tmp -> {
      Files.writeString(tmp, "half");
      throw new java.io.IOException("disk full");
    })).isInstanceOf(VideoJamException.class).hasMessage("cannot write text " + target + ": disk full");
    assertThat(names(dir)).containsExactly("out.txt");
    assertThat(Files.readString(target)).isEqualTo("old");
    AtomicFiles.write(target, "text", tmp -> Files.writeString(tmp, "new"));
    assertThat(names(dir)).containsExactly("out.txt");
    assertThat(Files.readString(target)).isEqualTo("new");
  }

  /** A child JVM writing through {@link AtomicFiles} is sent SIGTERM mid-write: its temporary file goes, the old file stays. */
  @Test
  void sigtermMidWriteLeavesTheOldFileAndNoTemporarySibling() throws Exception {
    Path target = Files.writeString(dir.resolve("video.mp4"), "old");
    Process p = writer(target); // its temporary file exists and holds part of the content
    assertThat(names(dir)).hasSize(2).anyMatch(n -> n.startsWith(".video.mp4." + p.pid() + "-") && n.endsWith(".tmp"));
    p.destroy(); // SIGTERM: shutdown hooks run, the writing thread's finally block does not
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(names(dir)).containsExactly("video.mp4");
    assertThat(Files.readString(target)).isEqualTo("old");
  }

  /** SIGKILL runs no cleanup: the first write into the folder by a later process removes what the killed one left, not a live one's. */
  @Test
  void aKilledWritersTemporaryFileIsSweptByTheNextWriteIntoItsFolderButALiveOnesIsNot() throws Exception {
    Path target = Files.writeString(dir.resolve("video.mp4"), "old");
    Process live = writer(dir.resolve("motion.mp4"));
    try {
      Process killed = writer(target); // its own first write sweeps the folder too, and keeps the live writer's file
      killed.destroyForcibly(); // SIGKILL: no hook runs
      assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(names(dir)).hasSize(3).anyMatch(n -> n.startsWith(".video.mp4." + killed.pid() + "-") && n.endsWith(".tmp"))
          .anyMatch(n -> n.startsWith(".motion.mp4." + live.pid() + "-"));
      AtomicFiles.write(dir.resolve("run.json"), "run record", tmp -> Files.writeString(tmp, "{}"));
      assertThat(names(dir)).hasSize(3).contains("run.json", "video.mp4").anyMatch(n -> n.startsWith(".motion.mp4." + live.pid() + "-"));
    } finally {
      live.destroy();
      assertThat(live.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(names(dir)).containsExactly("run.json", "video.mp4");
    assertThat(Files.readString(target)).isEqualTo("old");
  }

  /** A child JVM writing {@code target} through {@link SlowWriter}, once its temporary file holds part of the content. */
  static Process writer(Path target) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        SlowWriter.class.getName(), target.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(out.readLine()).isEqualTo("writing");
    return p;
  }

  /** Writes part of a file through {@link AtomicFiles}, says so, and waits to be stopped. */
  public static final class SlowWriter {
    public static void main(String[] args) {
      AtomicFiles.write(Path.of(args[0]), "MP4 video", tmp -> {
        Files.writeString(tmp, "partial");
        System.out.println("writing");
        System.out.flush();
        Thread.sleep(60_000);
        Files.writeString(tmp, "complete");
      });
    }
  }
}
