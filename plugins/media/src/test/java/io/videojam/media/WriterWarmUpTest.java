package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The writers' warm-up cleans up after itself and after killed processes, and runs once. */
class WriterWarmUpTest {
  @Test
  void leavesNoFolderAndSweepsTheFolderOfADeadProcess() throws Exception {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long dead = 4_000_000_000L; // above any pid Linux hands out
    assertThat(ProcessHandle.of(dead)).isEmpty();
    Path leftover = Files.createDirectories(tmp.resolve(WriterWarmUp.PREFIX + dead).resolve("frames"));
    Path alive = Files.createDirectories(tmp.resolve(WriterWarmUp.PREFIX + ProcessHandle.current().parent().orElseThrow().pid() + "-kept"));
    try {
      Thread t = WriterWarmUp.start();
      assertThat(WriterWarmUp.start()).isSameAs(t);
      t.join(60_000);
      assertThat(t.isAlive()).isFalse();
      assertThat(leftover.getParent()).doesNotExist();
      assertThat(tmp.resolve(WriterWarmUp.PREFIX + ProcessHandle.current().pid())).doesNotExist();
      assertThat(alive).exists(); // not a warm-up folder name: left alone
    } finally {
      Files.deleteIfExists(alive);
    }
  }
}
