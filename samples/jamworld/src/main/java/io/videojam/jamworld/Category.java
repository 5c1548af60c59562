package io.videojam.jamworld;

/** The four motion categories of the VideoJAM paper's VideoJAM-bench. */
public enum Category {
  /** Straight-line translation in one of 8 directions. */
  BASIC,
  /** Zig-zag, speeding up. */
  COMPLEX,
  /** Spinning in place, clockwise or counterclockwise. */
  ROTATIONAL,
  /** Falling and bouncing, bouncing off a wall. */
  PHYSICS
}
