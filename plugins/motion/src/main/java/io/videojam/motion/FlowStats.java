package io.videojam.motion;

import io.videojam.api.FlowField;
import java.util.List;

/**
 * Summary of a clip's flow fields: mean and 95th-percentile speed (pixels per frame) and the share of
 * pixels at or above Eq. 5's saturation speed.
 *
 * <p>The 95th percentile is the speed of rank {@code floor(0.95 n)} (0-based) among the n speeds in
 * ascending order, read from a histogram of the speeds' float bit patterns with 2^20 bins (the
 * exponent and the top 11 mantissa bits): the value is the middle of that rank's bin, within a
 * relative 2^-12 (0.025 %) of the exact speed. So memory does not grow with the clip, and flows can
 * be added one at a time, in any order ({@link Accumulator}). The mean is exact (summed in double).
 */
public record FlowStats(double mean, double p95, double saturated) {
  /** Relative error bound of {@link #p95()}: half a histogram bin, 2^-12. */
  public static final double P95_RELATIVE_ERROR = 0x1p-12;

  public static FlowStats of(List<FlowField> flows, double saturationSpeed) {
    Accumulator a = new Accumulator(saturationSpeed);
    for (int i = 0; i < flows.size(); i++) {
      a.add(i, flows.get(i));
    }
    return a.result();
  }

  /**
   * Collects flows one at a time (from any thread, in any order) into a {@link FlowStats}; the
   * result does not depend on the order (each flow's sum is kept under its index and added in
   * index order).
   */
  public static final class Accumulator {
    private static final int SHIFT = 11;
    private final double saturationSpeed;
    private final int[] histogram = new int[1 << (31 - SHIFT)];
    private final java.util.TreeMap<Integer, Double> sums = new java.util.TreeMap<>();
    private long count;
    private long saturated;

    public Accumulator(double saturationSpeed) {
      this.saturationSpeed = saturationSpeed;
    }

    /** Adds flow {@code index} (each index once). */
    public void add(int index, FlowField f) {
      float[] u = f.u();
      float[] v = f.v();
      int n = u.length;
      float[] speed = new float[n];
      for (int i = 0; i < n; i++) { // a loop of its own, so that it vectorises
        float a = u[i];
        float b = v[i];
        speed[i] = (float) Math.sqrt(a * a + b * b);
      }
      double sum = 0;
      long sat = 0;
      for (float s : speed) {
        sum += s;
        sat += s >= saturationSpeed ? 1 : 0;
      }
      synchronized (this) {
        if (sums.put(index, sum) != null) {
          throw new IllegalArgumentException("flow " + index + " added twice");
        }
        for (float s : speed) {
          histogram[Float.floatToRawIntBits(s) >>> SHIFT]++; // s >= 0: the bits order like the values
        }
        count += n;
        saturated += sat;
      }
    }

    /** The statistics of every flow added. */
    public synchronized FlowStats result() {
      if (count == 0) {
        throw new IllegalArgumentException("no flow values");
      }
      double sum = 0;
      for (double s : sums.values()) {
        sum += s;
      }
      long rank = (long) Math.min(count - 1, Math.floor(0.95 * count));
      long seen = 0;
      int bin = 0;
      while (seen + histogram[bin] <= rank) {
        seen += histogram[bin++];
      }
      // the bin's middle; bin 0 holds 0 and the denormals below 2^-139: read as 0
      float p95 = bin == 0 ? 0f : Float.intBitsToFloat((bin << SHIFT) | (1 << (SHIFT - 1)));
      return new FlowStats(sum / count, p95, (double) saturated / count);
    }
  }
}
