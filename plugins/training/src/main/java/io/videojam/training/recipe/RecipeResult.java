package io.videojam.training.recipe;

import java.nio.file.Path;

/**
 * What a run of the recipe did.
 *
 * @param outcome how it ended
 * @param work the folder of checkpoints, logs and previews
 * @param exportedTo where the model folders were written; null when this run exported nothing
 * @param minutes how long this run took (0 for a comparison)
 * @param comparison the comparison's result (outcome {@link Outcome#COMPARED}); null otherwise
 */
public record RecipeResult(Outcome outcome, Path work, Path exportedTo, double minutes, TrainCompare.Result comparison) {
  /** How a run ended. */
  public enum Outcome {
    /** Stage bank: the training clips are rendered (or were already). */
    BANK,
    /** The time limit ({@link RecipeConfig#minutes}) stopped it at a checkpoint; running again resumes. */
    STOPPED,
    /** Every stage it was asked for is done. */
    FINISHED,
    /** Stage compare: the comparison is written. */
    COMPARED
  }
}
