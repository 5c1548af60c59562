package io.videojam.jamworld;

/**
 * Clip size: {@code frames} frames of {@code height x width} RGB, each drawn at
 * {@code supersample} times the resolution and area-averaged down (anti-aliasing).
 */
public record WorldConfig(int frames, int height, int width, int supersample) {
  public WorldConfig {
    if (frames < 3 || height < 4 || width < 4 || supersample < 1) {
      throw new IllegalArgumentException("need frames >= 3, height and width >= 4, supersample >= 1; got "
          + frames + ", " + height + ", " + width + ", " + supersample);
    }
  }

  /** 8 frames of 16 x 16, drawn at 64 x 64. */
  public static WorldConfig defaults() {
    return new WorldConfig(8, 16, 16, 4);
  }
}
