package io.videojam.cli;

import static io.videojam.training.recipe.Recipe.BASE_LR;
import static io.videojam.training.recipe.Recipe.BASE_STEPS;
import static io.videojam.training.recipe.Recipe.BATCH;
import static io.videojam.training.recipe.Recipe.CLIPS;
import static io.videojam.training.recipe.Recipe.FINETUNE_STEPS;
import static io.videojam.training.recipe.Recipe.PREDICTION;
import static io.videojam.training.recipe.Recipe.TEMPORAL_PATCH;

import io.videojam.api.VideoJamException;
import io.videojam.training.recipe.RecipeConfig;
import io.videojam.training.recipe.RecipeListener;
import io.videojam.training.recipe.RecipeResult;
import io.videojam.training.recipe.TrainCompare;
import io.videojam.training.recipe.TrainRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code videojam train}: the built-in models' recipe on the synthetic motion world, from scratch,
 * resumable: base pre-training, then the VideoJAM and control fine-tunes side by side, then export
 * of the three model folders. The recipe is the training module's ({@link TrainRecipe}); this
 * command parses its options, runs it and prints what it did.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Train the built-in JamWorld models from scratch on this CPU (PyTorch through",
        "DJL; nothing is downloaded):",
        "  1. render 8,192 clips of the synthetic motion world with motion targets",
        "     (DIS flow on 4x supersampled frames, masked to textured pixels, Eq. 5 RGB,",
        "     sigma 0.1);",
        "  2. base: flow matching on appearance only, the network predicting the clean",
        "     clip, logit-normal times, text dropout 10%%;",
        "  3. videojam: base + zero W+_in motion rows + copied W+_out motion head, all",
        "     weights fine-tuned on [video, motion], text dropout 30%% and motion",
        "     dropout 20%% (Eq. 6); control: base fine-tuned for the same steps on the",
        "     same clips without motion; the two run side by side, one core each;",
        "  4. export base, videojam and control as model folders.",
        "Every stage checkpoints into --work and resumes when run again; every",
        "checkpoint logs the permutation gap, a held-out BASIC motion pass and the",
        "loss against the mean-clip baseline (NAME-milestones.csv).",
        "Measured on the 2-core machine that made the shipped models: rendering 60 s;",
        "base 42 min (15,000 steps, about 0.14 s/step on two threads); fine-tunes 37 min",
        "(8,000 steps each, side by side, 0.27 s/step); about 80 min in all.",
    })
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--work", paramLabel = "DIR", description = "checkpoints, logs, previews (default: target/jamworld-train)")
  Path work;

  @Option(names = "--out", paramLabel = "DIR", description = "where the model folders go (default: models/ of the repository)")
  Path out;

  @Option(names = "--stage", defaultValue = "all", description = "bank, base, finetune, export, compare (VideoJAM vs control vs base on held-out prompts) or all (default: ${DEFAULT-VALUE})")
  String stage;

  @Option(names = "--base-steps", defaultValue = "" + BASE_STEPS, description = "base steps (default: ${DEFAULT-VALUE})")
  int baseSteps;

  @Option(names = "--finetune-steps", defaultValue = "" + FINETUNE_STEPS, description = "steps of each fine-tune (default: ${DEFAULT-VALUE})")
  int finetuneSteps;

  @Option(names = "--batch", defaultValue = "" + BATCH, description = "clips per step (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--clips", defaultValue = "" + CLIPS, description = "training clips rendered (default: ${DEFAULT-VALUE})")
  int clips;

  @Option(names = "--base-lr", defaultValue = "" + BASE_LR, description = "peak learning rate of the base (default: ${DEFAULT-VALUE})")
  double baseLr;

  @Option(names = "--prediction", defaultValue = PREDICTION, description = "what the network predicts: velocity (x1 - x0) or sample (the clean clip, converted to velocity when sampling) (default: ${DEFAULT-VALUE})")
  String prediction;

  @Option(names = "--temporal-patch", defaultValue = "" + TEMPORAL_PATCH, description = "frames per DiT patch, 1 or 2 (default: ${DEFAULT-VALUE})")
  int temporalPatch;

  @Option(names = "--threads", defaultValue = "2", description = "PyTorch threads of the base stage (default: ${DEFAULT-VALUE}: about 0.14 s/step here against 0.22 on one)")
  int threads;

  @Option(names = "--minutes", defaultValue = "0", description = "stop (resumably) after this many minutes of this run; 0 = no limit")
  double minutes;

  @Option(names = "--compare-prompts", defaultValue = "16", description = "held-out prompts per category for --stage compare (default: ${DEFAULT-VALUE})")
  int comparePerCategory;

  @Option(names = "--compare-seeds", defaultValue = "2", description = "seeds per prompt for --stage compare (default: ${DEFAULT-VALUE})")
  int compareSeeds;

  @Option(names = "--compare-w1", defaultValue = "5", description = "--stage compare: Inner-Guidance w1 of videojam and text guidance w of control and base (default: ${DEFAULT-VALUE})")
  double compareW1;

  @Option(names = "--compare-w2", defaultValue = "3", description = "--stage compare: Inner-Guidance w2 of videojam (default: ${DEFAULT-VALUE})")
  double compareW2;

  @Option(names = "--only", hidden = true, description = "run one fine-tune (videojam or control) in this process")
  String only;

  @Option(names = "--smoke", description = "a tiny run (64 clips, a few steps, small model) for tests: checks the loss falls")
  boolean smoke;

  @Option(names = "--no-progress", negatable = true, description = "hide the progress bars")
  boolean noProgress;

  /** The recipe's parameters that it checks only when a stage needs them, and their flags. */
  private static final Map<String, String> FLAGS = Map.of("prediction", "--prediction", "temporalPatch", "--temporal-patch");

  @Override
  public Integer call() throws IOException {
    Path home = BuiltinModel.home();
    Path dir = work != null ? work : home.resolve("target").resolve(smoke ? "jamworld-smoke" : "jamworld-train");
    Path models = out != null ? out : smoke ? dir.resolve("models") : home.resolve("models");
    Checks.range("--minutes", minutes, 0, 525_600); // 0: no limit; at most a year
    Checks.range("--threads", threads, 1, 256);
    if (work != null) {
      Checks.workFolder("--work", work);
    }
    String s = stage.toLowerCase(Locale.ROOT);
    if (!List.of("bank", "base", "finetune", "export", "compare", "all").contains(s)) {
      throw new VideoJamException("--stage must be bank, base, finetune, export, compare or all, got " + stage);
    }
    // --smoke caps the sizes (the config applies it) before they are checked
    RecipeConfig config = RecipeConfig.builder(dir, models).stage(RecipeConfig.Stage.of(s)).baseSteps(baseSteps)
        .finetuneSteps(finetuneSteps).batch(batch).clips(clips).baseLr(baseLr).prediction(prediction).temporalPatch(temporalPatch)
        .threads(threads).minutes(minutes).comparePrompts(comparePerCategory).compareSeeds(compareSeeds).compareW1(compareW1)
        .compareW2(compareW2).only(only).smoke(smoke).build();
    if (config.baseSteps() < 1 || config.finetuneSteps() < 1 || config.batch() < 1 || config.clips() < config.batch()) {
      throw new VideoJamException("--base-steps, --finetune-steps and --batch must be positive and --clips at least --batch");
    }
    RecipeResult r;
    try {
      r = TrainRecipe.run(config, listener(), SCORING);
    } catch (VideoJamException e) {
      int space = e.getMessage() == null ? -1 : e.getMessage().indexOf(' ');
      String flag = space > 0 ? FLAGS.get(e.getMessage().substring(0, space)) : null;
      throw flag == null ? e : new VideoJamException(flag + e.getMessage().substring(space), e);
    }
    switch (r.outcome()) {
      case COMPARED -> System.out.println(r.comparison().markdown());
      case STOPPED -> System.out.println("train: stopped after --minutes " + minutes + "; run the same command again to resume from " + dir);
      case FINISHED -> {
        if (r.exportedTo() != null) {
          System.out.println("models written to " + r.exportedTo().toAbsolutePath());
        }
        System.out.printf(Locale.ROOT, "train: this run took %.1f min; logs and previews in %s%n", r.minutes(), dir);
      }
      case BANK -> { }
    }
    return 0;
  }

  /** Progress bars on stderr (none with --no-progress); the stages' summaries on stderr. */
  private RecipeListener listener() {
    return new RecipeListener() {
      @Override
      public Task task(String name, int total) {
        Progress p = new Progress(name, total, !noProgress);
        return new Task() {
          @Override
          public void step(int done, int all) {
            p.step(done, all);
          }

          @Override
          public void close() {
            p.close();
          }
        };
      }

      @Override
      public void status(String line) {
        System.err.println(line);
      }
    };
  }

  /** The comparison's noise seeds and statistics: videojam eval's. */
  private static final TrainCompare.Scoring SCORING = new TrainCompare.Scoring() {
    @Override
    public long noiseSeed(long seed, String id) {
      return io.videojam.eval.ClipScoring.noiseSeed(seed, id);
    }

    @Override
    public TrainCompare.Stat stat(List<Double> values) {
      io.videojam.eval.Stat s = io.videojam.eval.Stat.of(values);
      return new TrainCompare.Stat(s.mean(), s.se(), s.n());
    }
  };
}
