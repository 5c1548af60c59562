package io.videojam.training.recipe;

import io.videojam.api.StepListener;

/**
 * What a run of the recipe tells its caller while it works: the progress of each long task, and
 * status lines (a stage's summary). The default ignores both.
 */
public interface RecipeListener {
  RecipeListener NONE = new RecipeListener() {};

  /**
   * A long task starts: {@code render clips}, a stage ({@code base}, {@code videojam}),
   * {@code videojam+control} (the two fine-tunes side by side) or {@code compare}. The recipe
   * reports its steps to the returned task and closes it when the task ends.
   */
  default Task task(String name, int total) {
    return Task.NONE;
  }

  /** A line for the user, such as "base: steps 0..300 in 0.4 min". */
  default void status(String line) {}

  /** The progress of one task. */
  interface Task extends StepListener, AutoCloseable {
    Task NONE = new Task() {
      @Override
      public void step(int done, int total) {}

      @Override
      public void close() {}
    };

    @Override
    void close();
  }
}
