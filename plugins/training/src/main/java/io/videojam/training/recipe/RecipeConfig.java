package io.videojam.training.recipe;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one run of the recipe ({@link TrainRecipe}) does. {@link #builder(Path, Path)} starts from the
 * shipped recipe's values. A smoke run is tiny whatever the sizes asked: at most 300 base steps, 40
 * steps per fine-tune, batch 8 and 64 clips, at a peak base learning rate of 1e-2 (the constructor
 * applies this, so the record always holds the sizes the run uses).
 *
 * @param work checkpoints, logs and previews (a folder, created when missing)
 * @param models where the model folders go (export) and are read from (compare)
 * @param stage what this run does
 * @param baseSteps base steps
 * @param finetuneSteps steps of each fine-tune
 * @param batch clips per step
 * @param clips training clips rendered
 * @param baseLr peak learning rate of the base
 * @param prediction what the network predicts: {@code velocity} (x1 - x0) or {@code sample} (the
 *     clean clip); checked when a stage needs it
 * @param temporalPatch frames per DiT patch, 1 or 2; checked when a stage needs it
 * @param threads PyTorch threads of the base stage
 * @param minutes stop (resumably) at the first checkpoint after this many minutes of this run; 0 = no limit
 * @param comparePrompts held-out prompts per category of the comparison
 * @param compareSeeds seeds per prompt of the comparison
 * @param compareW1 the comparison's Inner-Guidance w1 of videojam and text guidance w of control and base
 * @param compareW2 the comparison's Inner-Guidance w2 of videojam
 * @param only run one fine-tune ({@code videojam} or {@code control}) in this process; null: both, side by side
 * @param smoke a tiny run (small model, a few steps) for tests
 */
public record RecipeConfig(
    Path work,
    Path models,
    Stage stage,
    int baseSteps,
    int finetuneSteps,
    int batch,
    int clips,
    double baseLr,
    String prediction,
    int temporalPatch,
    int threads,
    double minutes,
    int comparePrompts,
    int compareSeeds,
    double compareW1,
    double compareW2,
    String only,
    boolean smoke) {

  /** The most minutes a run may be limited to: a year. */
  public static final double MAX_MINUTES = 525_600;
  public static final int MAX_THREADS = 256;

  /** What a run does: one stage, or every training stage in turn ({@link #ALL}: bank, base, fine-tunes, export). */
  public enum Stage {
    BANK, BASE, FINETUNE, EXPORT, COMPARE, ALL;

    /** The stage of a name (any case). */
    public static Stage of(String name) {
      for (Stage s : values()) {
        if (s.name().equalsIgnoreCase(name)) {
          return s;
        }
      }
      throw new VideoJamException("stage must be bank, base, finetune, export, compare or all, got " + name);
    }

    /** Whether a run of this stage runs {@code s}. */
    boolean runs(Stage s) {
      return this == s || this == ALL;
    }
  }

  public RecipeConfig {
    if (work == null || models == null) {
      throw new VideoJamException("work and models must be set");
    }
    if (stage == null) {
      throw new VideoJamException("stage must be set");
    }
    if (prediction == null) {
      throw new VideoJamException("prediction must be velocity or sample, got null");
    }
    if (smoke) {
      baseSteps = Math.min(baseSteps, 300);
      finetuneSteps = Math.min(finetuneSteps, 40);
      batch = Math.min(batch, 8);
      clips = Math.min(clips, 64);
      baseLr = 1e-2;
    }
  }

  /** The shipped recipe's values, writing into {@code work} and {@code models}. */
  public static Builder builder(Path work, Path models) {
    return new Builder(work, models);
  }

  /** A builder holding this configuration's values. */
  public Builder toBuilder() {
    return new Builder(work, models).stage(stage).baseSteps(baseSteps).finetuneSteps(finetuneSteps).batch(batch).clips(clips)
        .baseLr(baseLr).prediction(prediction).temporalPatch(temporalPatch).threads(threads).minutes(minutes)
        .comparePrompts(comparePrompts).compareSeeds(compareSeeds).compareW1(compareW1).compareW2(compareW2).only(only).smoke(smoke);
  }

  /**
   * Throws for values no run can use, naming the parameter ("baseSteps must be >= 1, got 0").
   * {@link #prediction} and {@link #temporalPatch} are checked where a stage needs them.
   */
  public void validate() {
    if (!(minutes >= 0 && minutes <= MAX_MINUTES)) {
      throw new VideoJamException("minutes must be in [0, " + (long) MAX_MINUTES + "], got " + minutes);
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new VideoJamException("threads must be in [1, " + MAX_THREADS + "], got " + threads);
    }
    if (Files.exists(work) && !Files.isDirectory(work)) {
      throw new VideoJamException("work " + work + " is a file; name a new or existing folder");
    }
    atLeast("baseSteps", baseSteps, 1);
    atLeast("finetuneSteps", finetuneSteps, 1);
    atLeast("batch", batch, 1);
    if (clips < batch) {
      throw new VideoJamException("clips must be >= batch (" + batch + "), got " + clips);
    }
  }

  private static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new VideoJamException(name + " must be >= " + min + ", got " + value);
    }
  }

  /** Whether the network predicts the clean clip (sample) rather than the velocity. */
  public boolean predictSample() {
    return switch (prediction) {
      case "sample" -> true;
      case "velocity" -> false;
      default -> throw new VideoJamException("prediction must be velocity or sample, got " + prediction);
    };
  }

  /** Where the comparison writes: {@code compare-w1-W1-w2-W2} under {@link #work}. */
  public Path compareDir() {
    return work.resolve(String.format(Locale.ROOT, "compare-w1-%s-w2-%s", compareW1, compareW2));
  }

  /** The configuration as {@code name=value} arguments ({@link #fromArgs}: a fine-tune's child process). */
  List<String> toArgs() {
    List<String> a = new ArrayList<>(List.of("work=" + work, "models=" + models, "stage=" + stage.name(), "baseSteps=" + baseSteps,
        "finetuneSteps=" + finetuneSteps, "batch=" + batch, "clips=" + clips, "baseLr=" + baseLr, "prediction=" + prediction,
        "temporalPatch=" + temporalPatch, "threads=" + threads, "minutes=" + minutes, "comparePrompts=" + comparePrompts,
        "compareSeeds=" + compareSeeds, "compareW1=" + compareW1, "compareW2=" + compareW2, "smoke=" + smoke));
    if (only != null) {
      a.add("only=" + only);
    }
    return a;
  }

  /** The configuration of {@link #toArgs} arguments. */
  static RecipeConfig fromArgs(List<String> args) {
    Map<String, String> v = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new VideoJamException("expected name=value, got " + a);
      }
      v.put(a.substring(0, eq), a.substring(eq + 1));
    }
    try {
      return new RecipeConfig(Path.of(get(v, "work")), Path.of(get(v, "models")), Stage.valueOf(get(v, "stage")),
          Integer.parseInt(get(v, "baseSteps")), Integer.parseInt(get(v, "finetuneSteps")), Integer.parseInt(get(v, "batch")),
          Integer.parseInt(get(v, "clips")), Double.parseDouble(get(v, "baseLr")), get(v, "prediction"),
          Integer.parseInt(get(v, "temporalPatch")), Integer.parseInt(get(v, "threads")), Double.parseDouble(get(v, "minutes")),
          Integer.parseInt(get(v, "comparePrompts")), Integer.parseInt(get(v, "compareSeeds")),
          Double.parseDouble(get(v, "compareW1")), Double.parseDouble(get(v, "compareW2")), v.get("only"),
          Boolean.parseBoolean(get(v, "smoke")));
    } catch (IllegalArgumentException e) {
      throw new VideoJamException("bad recipe arguments " + args + ": " + e.getMessage());
    }
  }

  private static String get(Map<String, String> v, String name) {
    String s = v.get(name);
    if (s == null) {
      throw new VideoJamException("recipe argument " + name + " is missing");
    }
    return s;
  }

  /** Builds a {@link RecipeConfig}; every value starts at the shipped recipe's. */
  public static final class Builder {
    private final Path work;
    private final Path models;
    private Stage stage = Stage.ALL;
    private int baseSteps = Recipe.BASE_STEPS;
    private int finetuneSteps = Recipe.FINETUNE_STEPS;
    private int batch = Recipe.BATCH;
    private int clips = Recipe.CLIPS;
    private double baseLr = Recipe.BASE_LR;
    private String prediction = Recipe.PREDICTION;
    private int temporalPatch = Recipe.TEMPORAL_PATCH;
    private int threads = 2;
    private double minutes = 0;
    private int comparePrompts = 16;
    private int compareSeeds = 2;
    private double compareW1 = 5;
    private double compareW2 = 3;
    private String only;
    private boolean smoke;

    private Builder(Path work, Path models) {
      this.work = work;
      this.models = models;
    }

    public Builder stage(Stage v) {
      stage = v;
      return this;
    }

    public Builder baseSteps(int v) {
      baseSteps = v;
      return this;
    }

    public Builder finetuneSteps(int v) {
      finetuneSteps = v;
      return this;
    }

    public Builder batch(int v) {
      batch = v;
      return this;
    }

    public Builder clips(int v) {
      clips = v;
      return this;
    }

    public Builder baseLr(double v) {
      baseLr = v;
      return this;
    }

    public Builder prediction(String v) {
      prediction = v;
      return this;
    }

    public Builder temporalPatch(int v) {
      temporalPatch = v;
      return this;
    }

    public Builder threads(int v) {
      threads = v;
      return this;
    }

    public Builder minutes(double v) {
      minutes = v;
      return this;
    }

    public Builder comparePrompts(int v) {
      comparePrompts = v;
      return this;
    }

    public Builder compareSeeds(int v) {
      compareSeeds = v;
      return this;
    }

    public Builder compareW1(double v) {
      compareW1 = v;
      return this;
    }

    public Builder compareW2(double v) {
      compareW2 = v;
      return this;
    }

    public Builder only(String v) {
      only = v;
      return this;
    }

    public Builder smoke(boolean v) {
      smoke = v;
      return this;
    }

    public RecipeConfig build() {
      return new RecipeConfig(work, models, stage, baseSteps, finetuneSteps, batch, clips, baseLr, prediction, temporalPatch, threads,
          minutes, comparePrompts, compareSeeds, compareW1, compareW2, only, smoke);
    }
  }
}
