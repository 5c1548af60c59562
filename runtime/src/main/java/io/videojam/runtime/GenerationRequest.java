package io.videojam.runtime;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.Map;

/**
 * Everything that decides a generated video, besides the model.
 *
 * @param prompt the text prompt
 * @param seed noise seed (same seed, same model, same machine: the same video, bit for bit)
 * @param steps sampling steps
 * @param solver {@code euler} or {@code heun} (or a plugin)
 * @param schedule {@code auto} (the model's own schedule where model.json defines one, else shifted),
 *     {@code model}, {@code uniform}, {@code shifted}, {@code karras} (or a plugin)
 * @param scheduleSettings e.g. {@code shift}
 * @param guidance rule name; null picks {@code inner} for models with motion channels, else {@code cfg}
 * @param guidanceSettings the rule's parameters ({@code w}, {@code w1}, {@code w2}, {@code s-text}, ...)
 * @param passMode batched, sequential or auto
 * @param memoryBudgetBytes the budget {@link PassMode#AUTO} compares a batched run's estimate against
 */
public record GenerationRequest(String prompt, long seed, int steps, String solver, String schedule, Settings scheduleSettings,
    String guidance, Settings guidanceSettings, PassMode passMode, long memoryBudgetBytes) {
  public static final long DEFAULT_MEMORY_BUDGET = 2L << 30;

  public GenerationRequest {
    if (prompt == null) {
      throw new VideoJamException("--prompt is required");
    }
    if (steps < 1 || steps > 10_000) {
      throw new VideoJamException("--steps must be between 1 and 10000, got " + steps);
    }
    if (memoryBudgetBytes <= 0) {
      throw new VideoJamException("--memory-budget must be > 0, got " + memoryBudgetBytes);
    }
  }

  /**
   * Defaults: 30 Euler steps on the auto schedule (the model's own for vp and edm models, else shifted
   * with shift 3), the model's default guidance, auto pass mode.
   */
  public static GenerationRequest of(String prompt, long seed) {
    return new GenerationRequest(prompt, seed, 30, "euler", "auto", new Settings(Map.of("shift", 3.0), "--shift"),
        null, Settings.empty("guidance options"), PassMode.AUTO, DEFAULT_MEMORY_BUDGET);
  }

  public GenerationRequest withSteps(int n) {
    return new GenerationRequest(prompt, seed, n, solver, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes);
  }

  public GenerationRequest withGuidance(String name, Settings settings) {
    return new GenerationRequest(prompt, seed, steps, solver, schedule, scheduleSettings, name, settings, passMode, memoryBudgetBytes);
  }

  public GenerationRequest withPassMode(PassMode mode) {
    return new GenerationRequest(prompt, seed, steps, solver, schedule, scheduleSettings, guidance, guidanceSettings, mode, memoryBudgetBytes);
  }

  public GenerationRequest withSolver(String name) {
    return new GenerationRequest(prompt, seed, steps, name, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes);
  }

  public GenerationRequest withSchedule(String name, Settings settings) {
    return new GenerationRequest(prompt, seed, steps, solver, name, settings, guidance, guidanceSettings, passMode, memoryBudgetBytes);
  }
}
