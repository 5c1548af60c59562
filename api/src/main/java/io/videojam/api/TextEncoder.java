package io.videojam.api;

import java.util.List;

/** Turns prompts into the denoiser's text input. */
public interface TextEncoder extends AutoCloseable {
  /** Encodes a batch of prompts; the first dimension of the result is the batch. */
  Tensor encode(List<String> prompts);

  /** The null condition (dropped text) for {@code batch} samples, as model.json defines it. */
  Tensor nullCondition(int batch);

  @Override
  default void close() {}
}
