package io.videojam.runtime;

import io.videojam.api.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's recommended guidance, from model.json's optional {@code "guidance"} object, for
 * example {@code {"rule": "inner", "w1": 1.0, "w2": 1.0}}: used when a request names no rule.
 * Small models trained briefly can need weaker guidance than the paper's defaults.
 *
 * @param rule guidance rule name, or null for none recommended
 * @param settings the rule's weights
 */
public record GuidanceDefaults(String rule, Map<String, Object> settings) {
  /** No recommendation. */
  public static final GuidanceDefaults NONE = new GuidanceDefaults(null, Map.of());

  public GuidanceDefaults {
    settings = Map.copyOf(settings);
  }

  /** Reads {@code "guidance"} of a model.json (NONE when absent). */
  public static GuidanceDefaults of(Settings modelJson) {
    if (!modelJson.has("guidance")) {
      return NONE;
    }
    Settings g = modelJson.child("guidance");
    Map<String, Object> s = new LinkedHashMap<>(g.values());
    String rule = g.string("rule");
    s.remove("rule");
    return new GuidanceDefaults(rule, s);
  }
}
