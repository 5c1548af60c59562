package io.videojam.cli;

import io.videojam.api.StepListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar with ETA on stderr, or nothing with {@code --no-progress}. */
final class Progress implements StepListener, AutoCloseable {
  private final ProgressBar bar;

  Progress(String task, int total, boolean enabled) {
    this.bar = enabled
        ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
            .setUpdateIntervalMillis(250).setConsumer(new ConsoleProgressBarConsumer(System.err)).build()
        : null;
  }

  @Override
  public void step(int done, int total) {
    if (bar != null) {
      bar.maxHint(total);
      bar.stepTo(done);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
