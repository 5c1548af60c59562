package io.videojam.api;

/**
 * One model evaluation a guidance rule needs in a sampling step: which conditions it drops.
 * Dropped text uses the text encoder's null condition; dropped motion sets the motion input
 * channels to zero (as in training).
 */
public record Pass(boolean dropText, boolean dropMotion) {
  public static final Pass FULL = new Pass(false, false);
  public static final Pass NO_TEXT = new Pass(true, false);
  public static final Pass NO_MOTION = new Pass(false, true);
  public static final Pass NO_TEXT_NO_MOTION = new Pass(true, true);

  @Override
  public String toString() {
    return (dropText ? "null" : "y") + "," + (dropMotion ? "0" : "d");
  }
}
