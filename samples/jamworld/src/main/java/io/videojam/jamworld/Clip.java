package io.videojam.jamworld;

import java.util.List;

/**
 * A rendered clip: {@code video} is {@code [3, T, H, W]} channel-major with values in [-1, 1]
 * (a channel c in [0, 1] is stored as 2c - 1); {@code truth} has one entry per object, drawing
 * order (the last is on top); {@code config} is the world configuration it was rendered with.
 */
public record Clip(ClipSpec spec, float[] video, List<ObjectTruth> truth, WorldConfig config) {}
