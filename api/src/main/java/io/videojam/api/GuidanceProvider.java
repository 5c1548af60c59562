package io.videojam.api;

/** ServiceLoader entry for guidance rules, selected by {@code --guidance NAME}. */
public interface GuidanceProvider extends Named {
  /**
   * Creates the rule.
   *
   * @param settings the rule's parameters (for example {@code w1}, {@code w2}); absent keys take the rule's defaults
   * @param model the model it will guide (a rule that needs motion channels rejects a model without them)
   */
  GuidanceRule create(Settings settings, ModelInfo model);
}
