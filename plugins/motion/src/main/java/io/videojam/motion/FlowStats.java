package io.videojam.motion;

import io.videojam.api.FlowField;
import java.util.Arrays;
import java.util.List;

/**
 * Summary of a clip's flow fields: mean and 95th-percentile speed (pixels per frame) and the share of
 * pixels at or above Eq. 5's saturation speed.
 */
public record FlowStats(double mean, double p95, double saturated) {
  public static FlowStats of(List<FlowField> flows, double saturationSpeed) {
    int n = 0;
    for (FlowField f : flows) {
      n += f.u().length;
    }
    if (n == 0) {
      throw new IllegalArgumentException("no flow values");
    }
    float[] speed = new float[n];
    int k = 0;
    double sum = 0;
    int sat = 0;
    for (FlowField f : flows) {
      for (int i = 0; i < f.u().length; i++) {
        float s = (float) Math.hypot(f.u()[i], f.v()[i]);
        speed[k++] = s;
        sum += s;
        sat += s >= saturationSpeed ? 1 : 0;
      }
    }
    Arrays.sort(speed);
    return new FlowStats(sum / n, speed[(int) Math.min(n - 1, Math.floor(0.95 * n))], (double) sat / n);
  }
}
