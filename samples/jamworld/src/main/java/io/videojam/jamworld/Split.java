package io.videojam.jamworld;

/** Which part of JamWorld's combinations a clip is drawn from (see {@link JamWorld#heldOut}). */
public enum Split {
  /** Combinations used for training: never a held-out (colour, shape, motion) triple. */
  TRAIN,
  /** Only the held-out (colour, shape, motion) triples, for evaluating generalisation. */
  HELDOUT
}
