package io.videojam.runtime;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The sampling and guidance settings a front end collects (the CLI's flags, the HTTP service's JSON
 * fields), and the one way they become a {@link GenerationRequest}: the same settings give the same
 * request, so {@code videojam generate} and {@code videojam serve} write the same video for them.
 *
 * @param seed noise seed
 * @param steps sampling steps
 * @param solver solver name
 * @param schedule schedule name
 * @param shift shift of the shifted schedule
 * @param guidance guidance rule, or null for the model's default
 * @param guidanceSettings the rule's weights in the order {@link #guidanceSettings} puts them
 * @param guidanceStart first guided sampling time
 * @param guidanceStop last guided sampling time
 * @param passMode auto, batched or sequential
 * @param memoryBudgetBytes the budget auto pass mode checks a batched run against
 */
public record SamplingSettings(long seed, int steps, String solver, String schedule, double shift, String guidance,
    Map<String, Object> guidanceSettings, double guidanceStart, double guidanceStop, String passMode, long memoryBudgetBytes) {
  /** The CLI's defaults: seed 0, 30 Euler steps, auto schedule with shift 3, the model's guidance, auto pass mode, a 2 GiB budget. */
  public static final SamplingSettings DEFAULTS = new SamplingSettings(0, 30, "euler", "auto", 3, null, Map.of(), 0, 1, "auto",
      GenerationRequest.DEFAULT_MEMORY_BUDGET);

  public SamplingSettings {
    guidanceSettings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(guidanceSettings == null ? Map.of() : guidanceSettings));
  }

  /**
   * A guidance rule's parameters, in the order the CLI has always put them: {@code w}, {@code w1},
   * {@code w2}, {@code s-text}, {@code s-image} (those not null), {@code motion-policy}, then the
   * extra parameters, where a string that reads as a number becomes that number.
   */
  public static Map<String, Object> guidanceSettings(Double w, Double w1, Double w2, Double sText, Double sImage, String motionPolicy,
      Map<String, ?> extra) {
    Map<String, Object> g = new LinkedHashMap<>();
    put(g, "w", w);
    put(g, "w1", w1);
    put(g, "w2", w2);
    put(g, "s-text", sText);
    put(g, "s-image", sImage);
    if (motionPolicy != null) {
      g.put("motion-policy", motionPolicy);
    }
    if (extra != null) {
      extra.forEach((k, v) -> {
        if (v instanceof String s) {
          try {
            g.put(k, Double.parseDouble(s));
          } catch (NumberFormatException e) {
            g.put(k, s);
          }
        } else if (v instanceof Number n) {
          g.put(k, n.doubleValue());
        } else {
          g.put(k, v);
        }
      });
    }
    return g;
  }

  private static void put(Map<String, Object> m, String k, Double v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  /**
   * The request for {@code prompt}. Messages about these settings name them through {@code name},
   * which maps a setting ({@code guidance-start}, {@code guidance-stop}) to how the front end spells
   * it ({@code --guidance-start}, {@code guidance_start}).
   */
  public GenerationRequest request(String prompt, UnaryOperator<String> name) {
    if (!(guidanceStart >= 0 && guidanceStart <= guidanceStop && guidanceStop <= 1)) {
      throw new VideoJamException(name.apply("guidance-start") + " " + guidanceStart + " and " + name.apply("guidance-stop") + " "
          + guidanceStop + " must satisfy 0 <= start <= stop <= 1");
    }
    return new GenerationRequest(prompt, seed, steps, solver, schedule, new Settings(Map.of("shift", shift), name.apply("shift")), guidance,
        new Settings(guidanceSettings, "guidance options"), PassMode.parse(passMode), memoryBudgetBytes, null,
        new GuidanceWindow(guidanceStart, guidanceStop));
  }
}
