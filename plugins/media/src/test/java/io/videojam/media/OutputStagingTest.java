package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputStagingTest {
  @TempDir Path dir;

  @Test
  void commitMovesFilesIntoANewFolder() throws Exception {
    Path out = dir.resolve("out");
    List<Path> committed;
    try (OutputStaging s = OutputStaging.begin(out)) {
      assertThat(s.stagingDir().getParent()).isEqualTo(dir);
      assertThat(s.stagingDir().getFileName().toString()).startsWith(".videojam-staging-");
      Files.writeString(s.file("video.mp4"), "v");
      Files.writeString(s.file("frames/0000.png"), "f0");
      assertThat(out).doesNotExist(); // nothing visible before commit
      committed = s.commit();
      assertThat(s.committed()).isTrue();
    }
    assertThat(committed).containsExactly(out.resolve("frames/0000.png"), out.resolve("video.mp4"));
    assertThat(out.resolve(OutputStaging.MARKER)).exists();
    assertThat(out.resolve("video.mp4")).hasContent("v");
    assertThat(out.resolve("frames/0000.png")).hasContent("f0");
    assertThat(names(dir)).containsExactly("out"); // staging gone
    Path plain = Files.createDirectory(dir.resolve("plain"));
    assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
  }

  @Test
  void aSecondRunReplacesThePreviousOutputWhole() throws Exception {
    Path out = dir.resolve("out");
    write(out, 16, "first", true);
    write(out, 8, "second", false);
    assertThat(names(out)).containsExactly(OutputStaging.MARKER, "frames", "video.mp4"); // no motion.mp4 left over
    assertThat(names(out.resolve("frames"))).hasSize(8); // no frames 8-15 left over
    assertThat(out.resolve("video.mp4")).hasContent("second");
    assertThat(names(dir)).containsExactly("out");
  }

  @Test
  void aFolderHoldingOtherFilesIsRefusedAndKeptAsItWas() throws Exception {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("video.mp4"), "old");
    Files.writeString(out.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> OutputStaging.begin(out)).isExactlyInstanceOf(VideoJamException.class)
        .hasMessage("cannot write to " + out + ": it holds files videojam did not write (notes.txt, video.mp4); "
            + "choose a new or empty folder (an output folder is replaced whole)");
    assertThat(names(out)).containsExactly("notes.txt", "video.mp4");
    assertThat(names(dir)).containsExactly("out");
    Path empty = Files.createDirectory(dir.resolve("empty")); // an empty folder is fine
    write(empty, 2, "x", false);
    assertThat(names(empty)).containsExactly(OutputStaging.MARKER, "frames", "video.mp4");
  }

  @Test
  void anEmptyNameOrTheCurrentFolderIsRefused() {
    assertThatThrownBy(() -> OutputStaging.begin(Path.of(""))).isExactlyInstanceOf(VideoJamException.class)
        .hasMessage("the output folder is empty; name a folder (e.g. runs/first)");
    assertThatThrownBy(() -> OutputStaging.begin(Path.of("."))).isExactlyInstanceOf(VideoJamException.class)
        .hasMessageContaining("it is the current folder or holds it");
  }

  @Test
  void leftoversOfKilledProcessesAreSweptAndAnInterruptedReplacementIsUndone() throws Exception {
    long dead = deadPid();
    Path staging = Files.createDirectories(dir.resolve(".videojam-staging-" + dead + "-abc"));
    Files.writeString(staging.resolve("video.mp4"), "half");
    Path aside = Files.createDirectories(dir.resolve(".videojam-old-" + dead + "-xyz-out"));
    Files.writeString(aside.resolve("video.mp4"), "previous");
    Files.writeString(aside.resolve(OutputStaging.MARKER), "");
    Path alive = Files.createDirectories(dir.resolve(".videojam-staging-" + ProcessHandle.current().parent().orElseThrow().pid() + "-live"));
    Path foreign = Files.createDirectories(dir.resolve(".videojam-staging-notapid"));
    try (OutputStaging s = OutputStaging.begin(dir.resolve("other"))) {
      assertThat(staging).doesNotExist();
      assertThat(dir.resolve("out/video.mp4")).hasContent("previous"); // the kill came between the renames
      assertThat(alive).exists(); // a running process's staging stays
      assertThat(foreign).exists();
    }
  }

  @Test
  void concurrentRunsIntoOneFolderLeaveOneCompleteOutput() throws Exception {
    Path out = dir.resolve("out");
    int runs = 8;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
      for (int i = 0; i < runs; i++) {
        int id = i;
        fs.add(pool.submit(() -> {
          write(out, 2 + id, "run" + id, false);
          return null;
        }));
      }
      for (var f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    String winner = Files.readString(out.resolve("video.mp4"));
    int frames = Integer.parseInt(winner.substring(3)) + 2;
    assertThat(names(out.resolve("frames"))).hasSize(frames);
    for (int f = 0; f < frames; f++) {
      assertThat(out.resolve(String.format("frames/%04d.png", f))).hasContent(winner);
    }
    assertThat(names(dir)).containsExactly("out");
  }

  /** One run's output: {@code frames} frame files and a video, each holding {@code tag}. */
  static void write(Path out, int frames, String tag, boolean motion) throws Exception {
    try (OutputStaging s = OutputStaging.begin(out)) {
      for (int f = 0; f < frames; f++) {
        Files.writeString(s.file(String.format("frames/%04d.png", f)), tag);
      }
      Files.writeString(s.file("video.mp4"), tag);
      if (motion) {
        Files.writeString(s.file("motion.mp4"), tag);
      }
      s.commit();
    }
  }

  static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  @Test
  void failureBeforeCommitLeavesNoTrace() throws Exception {
    Path out = dir.resolve("a").resolve("b").resolve("out"); // begin creates a/b
    assertThatThrownBy(() -> {
          try (OutputStaging s = OutputStaging.begin(out)) {
            Files.writeString(s.file("video.mp4"), "half");
            throw new IllegalStateException("generation failed");
          }
        })
        .isInstanceOf(IllegalStateException.class);
    assertThat(out).doesNotExist();
    assertThat(names(dir)).isEmpty(); // no staging folder, and the parents begin made are gone too
  }

  @Test
  void failureBeforeCommitKeepsAnExistingFolderUntouched() throws Exception {
    Path out = dir.resolve("out");
    write(out, 1, "old", false);
    try (OutputStaging s = OutputStaging.begin(out)) {
      Files.writeString(s.file("video.mp4"), "new");
    }
    assertThat(out.resolve("video.mp4")).hasContent("old");
    assertThat(names(dir)).containsExactly("out");
  }

  @Test
  void unwritableDestinationIsOneLine() throws Exception {
    Path file = Files.writeString(dir.resolve("plain.txt"), "x");
    Path under = file.resolve("out"); // parent is a regular file: unwritable even for root
    assertThatThrownBy(() -> OutputStaging.begin(under))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessageStartingWith("cannot write to " + under + ": ")
        .hasMessageEndingWith("; choose a writable --out folder")
        .hasMessageContaining("plain.txt is a file")
        .hasMessageNotContaining("\n");
    Path deeper = file.resolve("x").resolve("out");
    assertThatThrownBy(() -> OutputStaging.begin(deeper))
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> OutputStaging.begin(file)) // the out folder itself is a file
        .isExactlyInstanceOf(VideoJamException.class)
        .hasMessage("cannot write to " + file + ": it is a file, not a folder; choose a writable --out folder");
    assertThat(names(dir)).containsExactly("plain.txt");
  }

  @Test
  void stagedPathsStayInside() {
    try (OutputStaging s = OutputStaging.begin(dir.resolve("out"))) {
      assertThatThrownBy(() -> s.file("../escape.txt")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.file("/abs.txt")).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> s.file(".")).isInstanceOf(IllegalArgumentException.class);
      assertThat(s.file("a/../b.txt")).isEqualTo(s.stagingDir().resolve("b.txt"));
    }
  }

  @Test
  void writersWorkInsideStaging() throws Exception {
    Path out = dir.resolve("run");
    try (OutputStaging s = OutputStaging.begin(out)) {
      Mp4Writer.write(s.file("video.mp4"), Synthetic.clip(), 8);
      GifWriter.write(s.file("video.gif"), Synthetic.clip(), 8);
      PngWriter.writeFrames(s.file("frames/0000.png").getParent(), Synthetic.clip());
      s.commit();
    }
    assertThat(names(out)).containsExactly(OutputStaging.MARKER, "frames", "video.gif", "video.mp4");
    assertThat(names(out.resolve("frames"))).hasSize(12);
    assertThat(VideoReader.readImages(out.resolve("video.mp4"))).hasSize(12);
  }

  private static List<String> names(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
