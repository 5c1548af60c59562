package io.videojam.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe's resume logic (its end-to-end run is the command line's smoke test, TrainCommandTest). */
class TrainRecipeTest {
  @TempDir
  Path tmp;

  @Test
  void resumingDropsRowsLoggedAfterTheCheckpointAndTornLines() throws Exception {
    Path csv = tmp.resolve("x-loss.csv");
    Files.writeString(csv, "step,loss,seconds\n1,0.5,1\n2,0.4,2\n3,0.3,3\n4,0.2\n5,0.1,5\n");
    TrainRecipe.keepUpTo(csv, 3);
    assertThat(Files.readAllLines(csv)).containsExactly("step,loss,seconds", "1,0.5,1", "2,0.4,2", "3,0.3,3");
    TrainRecipe.keepUpTo(csv, 4); // nothing after 3 to keep: "4,0.2" was torn
    assertThat(Files.readAllLines(csv)).hasSize(4);
  }
}
