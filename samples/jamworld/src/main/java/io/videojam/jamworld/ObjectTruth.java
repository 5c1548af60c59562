package io.videojam.jamworld;

/**
 * Ground truth of one object, per frame. {@code x, y}: the object's centre in pixels of the
 * output frame, where pixel column i covers [i, i + 1) (so its centre is i + 0.5) and y grows
 * downwards. {@code angle}: the object's orientation in radians, positive = clockwise on screen
 * (x right, y down). {@code visible}: the centre lies inside the frame.
 */
public record ObjectTruth(String colour, String shape, float[] x, float[] y, float[] angle, boolean[] visible) {}
