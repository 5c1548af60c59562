package io.videojam.training.recipe;

import io.videojam.jamworld.ClipBank;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import io.videojam.onnx.DitConfig;
import io.videojam.training.TrainConfig;
import java.util.List;
import java.util.Map;

/** The shipped recipe of the built-in JamWorld models: its constants, model sizes and stage recipes. */
public final class Recipe {
  public static final int BASE_STEPS = 15000;
  public static final int FINETUNE_STEPS = 8000;
  public static final int BATCH = 16;
  public static final int CLIPS = 8192;
  public static final double BASE_LR = 1e-3;
  public static final double SIGMA = 0.1;
  public static final String ESTIMATOR = "dis:medium";
  public static final int MAX_TOKENS = 12;
  public static final long SEED = 2025;
  public static final String PREDICTION = "sample";
  public static final int TEMPORAL_PATCH = 1;
  public static final TrainConfig.TimeSampling TIMES = TrainConfig.TimeSampling.LOGIT_NORMAL;
  /**
   * The guidance each exported model recommends in its model.json, chosen by the sweep on
   * jamworld-bench in the README (the framework's own defaults stay the paper's).
   */
  public static final Map<String, Map<String, Object>> GUIDANCE = Map.of(
      "videojam", Map.of("rule", "inner", "w1", 1.0, "w2", 3.0),
      "control", Map.of("rule", "cfg", "w", 3.0),
      "base", Map.of("rule", "cfg", "w", 1.0));

  /** The prompts of training previews: two per category. */
  public static final List<String> PREVIEW_PROMPTS = List.of(
      "a red square moving right", "a blue ball moving up",
      "a green triangle moving up", "a white bar moving right in a zig zag",
      "a yellow bar spinning clockwise", "a white wheel spinning counterclockwise",
      "a red ball falling and bouncing", "a green ball bouncing off the right wall");

  private Recipe() {}

  /** Held-out clips (seeds 99 on) with motion targets: the permutation probe's and diagnostic's clips. */
  public static ClipBank heldOut(int count, int threads) {
    return ClipBank.build(WorldConfig.defaults(), Split.HELDOUT, count, 99, ESTIMATOR, SIGMA, MAX_TOKENS, threads, null);
  }

  /** The base model's shape: the shipped one, or a tiny one for smoke runs. */
  public static DitConfig base(boolean smoke) {
    return base(smoke, TEMPORAL_PATCH);
  }

  public static DitConfig base(boolean smoke, int temporalPatch) {
    int vocab = JamWorld.vocabulary().size();
    return smoke
        ? new DitConfig(3, 0, 8, 16, 16, 4, temporalPatch, 32, 1, 2, 2, vocab, MAX_TOKENS, SEED, DitConfig.MotionInit.ZERO)
        : new DitConfig(3, 0, 8, 16, 16, 4, temporalPatch, 128, 4, 4, 4, vocab, MAX_TOKENS, SEED, DitConfig.MotionInit.ZERO);
  }

  /**
   * The recipe of a stage: {@code base}, {@code videojam} or {@code control}.
   *
   * @throws IllegalArgumentException for another name
   */
  public static TrainConfig stage(String which, RecipeConfig c) {
    return switch (which) {
      case "base" -> new TrainConfig(c.baseSteps(), c.batch(), c.baseLr(), Math.min(300, c.baseSteps() / 10), 0.1, 1.0, 0.999, 0.1, 0,
          SEED, 500, c.predictSample(), TIMES);
      case "videojam" -> new TrainConfig(c.finetuneSteps(), c.batch(), 3e-4, Math.min(100, c.finetuneSteps() / 10), 0.1, 1.0, 0.998, 0.3,
          0.2, SEED + 1, 250, c.predictSample(), TIMES);
      case "control" -> new TrainConfig(c.finetuneSteps(), c.batch(), 3e-4, Math.min(100, c.finetuneSteps() / 10), 0.1, 1.0, 0.998, 0.3,
          0, SEED + 1, 250, c.predictSample(), TIMES);
      default -> throw new IllegalArgumentException(which);
    };
  }
}
