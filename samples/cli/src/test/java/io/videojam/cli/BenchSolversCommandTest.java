package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.sampling.SolverBench;
import io.videojam.sampling.Schedules;
import org.junit.jupiter.api.Test;

class BenchSolversCommandTest {
  @Test
  void printsTheTableOfTheReadme() {
    Cli r = Cli.run("bench", "solvers", "--evaluations", "10,20");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains(SolverBench.HEADER);
    // the rows are the library's own, for the same seed and schedule
    for (SolverBench.Row row : SolverBench.table(SolverBench.Gaussian.of(0), Schedules.uniform(), new int[] {10, 20})) {
      assertThat(r.out()).contains(row.format());
    }
    assertThat(r.out()).contains("| unipc    |    20 |          20 |  2.80e-02 |");
    assertThat(r.out()).contains("| dpm++2m  |    10 |          10 |  8.64e-02 |");
  }

  @Test
  void unknownScheduleIsOneLine() {
    Cli r = Cli.run("bench", "solvers", "--schedule", "cosine");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("unknown --schedule 'cosine'");
  }
}
