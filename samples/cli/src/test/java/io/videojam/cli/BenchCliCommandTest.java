package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The whole-command bench refuses what it cannot run in one line, before it starts anything. */
class BenchCliCommandTest {
  @Test
  void badOptionsAreOneLineWithExitCode2() {
    assertOneLine(Cli.run("bench", "cli", "--runs", "0"), "--runs must be in [1, 1000], got 0");
    assertOneLine(Cli.run("bench", "cli", "--preset", "slow"), "--preset must be ultrafast, fast or medium, got 'slow'");
    assertOneLine(Cli.run("bench", "cli", "--frames", "1"), "--frames must be in [2, 100000], got 1");
  }

  @Test
  void withoutTheLauncherItSaysHowToRunIt() {
    String home = System.clearProperty("videojam.home");
    try {
      assertOneLine(Cli.run("bench", "cli"), "start it through ./videojam");
    } finally {
      if (home != null) {
        System.setProperty("videojam.home", home);
      }
    }
  }

  private static void assertOneLine(Cli r, String message) {
    assertThat(r.exit()).as(r.err()).isEqualTo(2);
    assertThat(r.err().strip()).doesNotContain("\n").contains(message);
  }
}
