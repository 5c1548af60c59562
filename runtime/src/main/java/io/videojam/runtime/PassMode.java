package io.videojam.runtime;

import io.videojam.api.VideoJamException;
import java.util.Locale;

/** How the sampler runs a guidance rule's passes in one step. */
public enum PassMode {
  /** Batched when the estimated memory of one batched run fits the budget, else sequential. */
  AUTO,
  /** All passes as one model run with batch P * B. */
  BATCHED,
  /** One model run per pass. */
  SEQUENTIAL;

  public static PassMode parse(String s) {
    try {
      return valueOf(s.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new VideoJamException("unknown pass mode '" + s + "'; use auto, batched or sequential");
    }
  }

  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }
}
