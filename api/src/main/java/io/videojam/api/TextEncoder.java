package io.videojam.api;

import java.util.List;

/** Turns prompts into the denoiser's text input. */
public interface TextEncoder extends AutoCloseable {
  /** Encodes a batch of prompts; the first dimension of the result is the batch. */
  Tensor encode(List<String> prompts);

  /** The null condition (dropped text) for {@code batch} samples, as model.json defines it. */
  Tensor nullCondition(int batch);

  /**
   * What of {@code prompt} this encoder drops: words outside its vocabulary, and words past its
   * token limit. Empty for an encoder that reads any text (a tokenizer with sub-words).
   */
  default PromptCoverage coverage(String prompt) {
    return PromptCoverage.FULL;
  }

  /**
   * What an encoder made of a prompt.
   *
   * @param unknown words outside the vocabulary, in prompt order, each once
   * @param truncated words cut because the prompt has more than the encoder's token limit
   * @param known the whole vocabulary, for messages (empty for an open vocabulary)
   */
  record PromptCoverage(List<String> unknown, List<String> truncated, List<String> known) {
    public static final PromptCoverage FULL = new PromptCoverage(List.of(), List.of(), List.of());

    public PromptCoverage {
      unknown = List.copyOf(unknown);
      truncated = List.copyOf(truncated);
      known = List.copyOf(known);
    }

    /** Whether every word of the prompt reaches the model. */
    public boolean complete() {
      return unknown.isEmpty() && truncated.isEmpty();
    }
  }

  @Override
  default void close() {}
}
