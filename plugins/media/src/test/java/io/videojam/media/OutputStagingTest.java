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
    assertThat(out.resolve("video.mp4")).hasContent("v");
    assertThat(out.resolve("frames/0000.png")).hasContent("f0");
    assertThat(names(dir)).containsExactly("out"); // staging gone
    Path plain = Files.createDirectory(dir.resolve("plain"));
    assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
  }

  @Test
  void commitIntoAnExistingFolderReplacesSameNamesAndKeepsOthers() throws Exception {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("video.mp4"), "old");
    Files.writeString(out.resolve("notes.txt"), "mine");
    try (OutputStaging s = OutputStaging.begin(out)) {
      Files.writeString(s.file("video.mp4"), "new");
      Files.writeString(s.file("sheet.png"), "sheet");
      s.commit();
    }
    assertThat(out.resolve("video.mp4")).hasContent("new");
    assertThat(out.resolve("notes.txt")).hasContent("mine");
    assertThat(out.resolve("sheet.png")).hasContent("sheet");
    assertThat(names(dir)).containsExactly("out");
    assertThat(names(out)).containsExactly("notes.txt", "sheet.png", "video.mp4");
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
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("video.mp4"), "old");
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
    assertThat(names(out)).containsExactly("frames", "video.gif", "video.mp4");
    assertThat(names(out.resolve("frames"))).hasSize(12);
    assertThat(VideoReader.readImages(out.resolve("video.mp4"))).hasSize(12);
  }

  private static List<String> names(Path folder) throws Exception {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
