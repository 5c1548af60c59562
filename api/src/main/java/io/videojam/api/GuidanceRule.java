package io.videojam.api;

import java.util.List;
import java.util.Map;

/**
 * Seam 3, the guidance rule: which passes a sampling step needs and how to combine their outputs.
 * A rule never calls the model; the sampler runs the passes (batched or one by one) and hands the
 * velocities back in the order of {@link #passes()}.
 */
public interface GuidanceRule {
  String name();

  List<Pass> passes();

  /**
   * Combines the passes' velocities into the guided velocity.
   *
   * @param outputs one {@code [B, C, T, H, W]} velocity per pass, in the order of {@link #passes()}
   * @param shape the joint latent shape (tells appearance from motion channels)
   * @param out where the guided velocity goes (same length as each output; not one of them)
   */
  void combine(List<float[]> outputs, LatentShape shape, float[] out);

  /**
   * {@link #combine} with the passes' velocities one after another in one array, as a batched run
   * returns them: pass k at {@code [k * n, (k + 1) * n)}, {@code n = out.length}. The default
   * copies them apart and calls {@link #combine}; a rule can read them in place.
   */
  default void combineBatched(float[] batched, LatentShape shape, float[] out) {
    int n = out.length;
    int p = passes().size();
    if (batched.length != (long) p * n) {
      throw new IllegalArgumentException(name() + " needs " + p + " pass outputs of " + n + " values, got " + batched.length + " values");
    }
    List<float[]> parts = new java.util.ArrayList<>(p);
    for (int k = 0; k < p; k++) {
      parts.add(java.util.Arrays.copyOfRange(batched, k * n, (k + 1) * n));
    }
    combine(parts, shape, out);
  }

  /**
   * A rule whose guided velocity is a fixed linear combination of its passes' velocities, {@code
   * sum_k c_k v_k}, with one coefficient per pass for appearance channels and one for motion
   * channels, gives them here: a model can then combine the passes where its backend leaves them
   * ({@link VideoModel#linearGuidance}). Empty (the default) for any other rule.
   */
  default java.util.Optional<Coefficients> coefficients() {
    return java.util.Optional.empty();
  }

  /**
   * Per-pass coefficients of a linear rule, in the order of {@link #passes()}.
   *
   * @param appearance c_k on appearance channels
   * @param motion c_k on motion channels
   */
  record Coefficients(double[] appearance, double[] motion) {
    public Coefficients {
      if (appearance.length != motion.length) {
        throw new IllegalArgumentException("one appearance and one motion coefficient per pass, got " + appearance.length + " and " + motion.length);
      }
      appearance = appearance.clone();
      motion = motion.clone();
    }

    @Override
    public double[] appearance() {
      return appearance.clone();
    }

    @Override
    public double[] motion() {
      return motion.clone();
    }
  }

  /** The rule's effective settings, recorded in run.json. */
  Map<String, Object> settings();
}
