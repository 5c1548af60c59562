package io.videojam.training.recipe;

import io.videojam.api.VideoJamException;
import java.util.List;
import java.util.Locale;

/**
 * The child process of one fine-tune, which {@link TrainRecipe} starts twice side by side (DJL
 * allows one gradient collector per process). Its arguments are a {@link RecipeConfig} as {@code
 * name=value}; its output (status lines, and an error as the last line) goes to {@code NAME.log}
 * in the work folder. Exit codes: 0 done or stopped at the time limit, 2 bad input, 1 internal error.
 */
public final class FinetuneProcess {
  private FinetuneProcess() {}

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    // as the command line: JavaCPP (OpenCV, for the held-out clips' motion) logs through SLF4J, errors only
    setIfAbsent("org.bytedeco.javacpp.logger", "slf4j");
    setIfAbsent("org.slf4j.simpleLogger.log.org.bytedeco", "error");
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    System.exit(run(args));
  }

  static int run(String... args) {
    try {
      RecipeConfig config = RecipeConfig.fromArgs(List.of(args));
      RecipeResult r = TrainRecipe.run(config, new RecipeListener() {
        @Override
        public void status(String line) {
          System.err.println(line);
        }
      }, null);
      System.err.println(r.outcome() == RecipeResult.Outcome.STOPPED
          ? "train: stopped after " + config.minutes() + " minutes; running the recipe again resumes from " + r.work()
          : String.format(Locale.ROOT, "train: this run took %.1f min; logs and previews in %s", r.minutes(), r.work()));
      return 0;
    } catch (VideoJamException e) {
      System.err.println("videojam: error: " + e.getMessage());
      return 2;
    } catch (Exception | OutOfMemoryError e) {
      e.printStackTrace();
      System.err.println("videojam: internal error: " + e);
      return 1;
    }
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
