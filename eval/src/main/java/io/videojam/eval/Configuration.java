package io.videojam.eval;

import java.nio.file.Path;
import java.util.Map;

/**
 * What one configuration of an evaluation generates with: a model folder, a guidance rule and its
 * weights. A configuration without a model ({@code model} null) is a reference null: clips made
 * without a model ({@link Evaluation#REFERENCES}).
 *
 * @param key short name: file names under the output folder, table rows, the rows' {@code config}
 * @param label longer name for tables
 * @param model the model folder, or null for a reference
 * @param guidance guidance rule; null for the model's default
 * @param settings the rule's weights ({@code w}, {@code w1}, {@code w2}, ...)
 */
public record Configuration(String key, String label, Path model, String guidance, Map<String, Object> settings) {
  /** Whether this is a reference null (no model). */
  public boolean reference() {
    return model == null;
  }

  /** The reference null {@code name} of {@link Evaluation#REFERENCES}: key {@code ref-NAME}. */
  static Configuration ofReference(String name) {
    return new Configuration("ref-" + name, "ref: " + name, null, null, Map.of());
  }
}
