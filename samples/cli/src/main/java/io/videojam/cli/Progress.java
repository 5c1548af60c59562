package io.videojam.cli;

import io.videojam.api.StepListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with ETA on stderr, or nothing with {@code --no-progress}. The bar appears with
 * the first finished step, so work that fails at once prints only its one-line error.
 */
final class Progress implements StepListener, AutoCloseable {
  private final String task;
  private final boolean enabled;
  private ProgressBar bar;

  Progress(String task, int total, boolean enabled) {
    this.task = task;
    this.enabled = enabled && total > 0;
  }

  /** A bar whose total comes with its steps (work that counts its own steps, e.g. a library call). */
  Progress(String task, boolean enabled) {
    this(task, 1, enabled);
  }

  @Override
  public void step(int done, int total) {
    if (!enabled) {
      return;
    }
    if (bar == null) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }
    bar.maxHint(total);
    bar.stepTo(done);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
