package io.videojam.api;

/** ServiceLoader entry for guidance rules, selected by {@code --guidance NAME}. */
public interface GuidanceProvider extends Named {
  /**
   * Creates the rule. The runtime keeps the rule and reuses it for later generations with the same
   * name and settings (on the same model), possibly from several threads: a rule must hold no state
   * between {@code combine} calls.
   *
   * @param settings the rule's parameters (for example {@code w1}, {@code w2}); absent keys take the rule's defaults
   * @param model the model it will guide (a rule that needs motion channels rejects a model without them)
   */
  GuidanceRule create(Settings settings, ModelInfo model);
}
