package io.videojam.runtime;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decided a generated clip, as the generator resolved it: what the request asked
 * for, and what "auto" and the model's defaults became.
 *
 * @param prompt the text prompt
 * @param seed the noise seed
 * @param noiseGiven whether the request gave the initial noise (then the seed did not draw it)
 * @param steps sampling steps
 * @param solver the solver's name
 * @param schedule the schedule as requested ({@code auto}, {@code shifted}, ...)
 * @param scheduleSettings the schedule's settings (e.g. {@code shift})
 * @param times the sampling times t_0 = 0 < ... < t_steps = 1 the schedule gave
 * @param guidance the rule's name (after defaults: the model's, else inner or cfg)
 * @param guidanceSettings the rule's effective weights and passes
 * @param guidanceWindow the sampling times at which the rule guided
 * @param passMode the pass mode used
 * @param passModeRequested the pass mode asked for ({@code auto} picks)
 * @param memoryBudgetBytes the budget auto compared a batched run against
 * @param batchedEstimateBytes the estimated memory of a batched run
 * @param modelRuns graph runs made
 * @param motionVisualization why the motion video was not made, or null when it was (or the model has no motion)
 * @param modelName the model's name
 * @param modelHash the SHA-256 of the model's graph
 * @param backend the backend's name
 */
public record GenerationRecord(String prompt, long seed, boolean noiseGiven, int steps, String solver, String schedule,
    Map<String, Object> scheduleSettings, double[] times, String guidance, Map<String, Object> guidanceSettings, GuidanceWindow guidanceWindow, PassMode passMode,
    PassMode passModeRequested, long memoryBudgetBytes, long batchedEstimateBytes, long modelRuns, String motionVisualization,
    String modelName, String modelHash, String backend) {
  public GenerationRecord {
    scheduleSettings = Map.copyOf(scheduleSettings);
    guidanceSettings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(guidanceSettings));
    times = times.clone();
  }

  @Override
  public double[] times() {
    return times.clone();
  }

  /** The settings as run.json's {@code "settings"} object writes them (keys in this order). */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (motionVisualization != null) {
      m.put("motion-visualization", motionVisualization);
    }
    m.put("prompt", prompt);
    m.put("seed", seed);
    m.put("initial-noise", noiseGiven ? "given" : "seed");
    m.put("steps", steps);
    m.put("solver", solver);
    m.put("schedule", schedule);
    m.put("schedule-settings", scheduleSettings);
    m.put("times", times.clone());
    m.put("guidance", guidance);
    m.put("guidance-settings", guidanceSettings);
    m.put("guidance-window", java.util.List.of(guidanceWindow.start(), guidanceWindow.stop()));
    m.put("pass-mode", passMode.key());
    m.put("pass-mode-requested", passModeRequested.key());
    m.put("memory-budget-bytes", memoryBudgetBytes);
    m.put("batched-estimate-bytes", batchedEstimateBytes);
    m.put("model-runs", modelRuns);
    return m;
  }
}
