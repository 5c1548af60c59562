package io.videojam.cli;

/**
 * What is left here of the clip scoring, for {@link TrainCompare} until it moves with training:
 * the scoring is {@link io.videojam.eval.ClipScoring}. Delete this class once nothing in this
 * package uses it.
 */
final class ClipScoring {
  private ClipScoring() {}

  /** {@link io.videojam.eval.ClipScoring#noiseSeed}: the noise seed of a prompt's clip for seed number {@code seed}. */
  static long noiseSeed(long seed, String id) {
    return io.videojam.eval.ClipScoring.noiseSeed(seed, id);
  }
}
