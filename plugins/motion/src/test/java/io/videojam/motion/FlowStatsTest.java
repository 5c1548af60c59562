package io.videojam.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.FlowField;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The clip statistics against a direct computation: the mean summed in double, the 95th percentile
 * by sorting every speed, the saturated share by counting.
 */
class FlowStatsTest {
  private static List<FlowField> randomFlows(int count, int h, int w, long seed) {
    Random r = new Random(seed);
    List<FlowField> flows = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      float[] u = new float[h * w];
      float[] v = new float[h * w];
      for (int i = 0; i < u.length; i++) {
        double scale = Math.exp(2 * r.nextGaussian()); // speeds over several decades
        u[i] = (float) (scale * r.nextGaussian());
        v[i] = (float) (scale * r.nextGaussian());
      }
      flows.add(new FlowField(h, w, u, v));
    }
    return flows;
  }

  @Test
  void meanPercentileAndSaturationMatchSortingEverySpeed() {
    List<FlowField> flows = randomFlows(5, 17, 23, 1);
    double limit = 3.0;
    List<Double> speeds = new ArrayList<>();
    double sum = 0;
    int sat = 0;
    for (FlowField f : flows) {
      for (int i = 0; i < f.u().length; i++) {
        double s = Math.hypot(f.u()[i], f.v()[i]);
        speeds.add(s);
        sum += s;
        sat += (float) s >= limit ? 1 : 0;
      }
    }
    Collections.sort(speeds);
    int n = speeds.size();
    double p95 = speeds.get((int) Math.floor(0.95 * n));
    FlowStats st = FlowStats.of(flows, limit);
    assertThat(st.mean()).isCloseTo(sum / n, within(1e-6 * sum / n));
    assertThat(st.p95()).isCloseTo(p95, within(FlowStats.P95_RELATIVE_ERROR * p95 + 1e-6 * p95));
    assertThat(st.p95()).isNotEqualTo(speeds.get((int) Math.floor(0.9 * n))); // the rank, not another quantile
    assertThat(st.saturated()).isEqualTo((double) sat / n);
  }

  @Test
  void theOrderOfAddingDoesNotMatter() {
    List<FlowField> flows = randomFlows(6, 8, 9, 2);
    FlowStats.Accumulator forward = new FlowStats.Accumulator(1.0);
    FlowStats.Accumulator backward = new FlowStats.Accumulator(1.0);
    for (int i = 0; i < flows.size(); i++) {
      forward.add(i, flows.get(i));
      backward.add(flows.size() - 1 - i, flows.get(flows.size() - 1 - i));
    }
    assertThat(backward.result()).isEqualTo(forward.result()); // the same doubles, bit for bit
    assertThatThrownBy(() -> forward.add(3, flows.get(0))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flow 3 added twice");
  }

  @Test
  void exactValuesOnAKnownField() {
    // 20 pixels: 19 at speed 5 (3-4-5 triangles), 1 at speed 0; rank floor(0.95 * 20) = 19 of 0..19
    float[] u = new float[20];
    float[] v = new float[20];
    Arrays.fill(u, 1, 20, 3f);
    Arrays.fill(v, 1, 20, -4f);
    FlowStats st = FlowStats.of(List.of(new FlowField(4, 5, u, v)), 5.0);
    assertThat(st.mean()).isEqualTo(19 * 5.0 / 20);
    assertThat(st.p95()).isCloseTo(5.0, within(5.0 * FlowStats.P95_RELATIVE_ERROR));
    assertThat(st.p95()).isGreaterThan(5.0); // 5 is the lower edge of its bin: the middle is read
    assertThat(st.saturated()).isEqualTo(19 / 20.0); // at the limit counts as saturated
    // all still: the percentile is exactly 0, not the smallest float of the histogram's first bin
    FlowStats still = FlowStats.of(List.of(new FlowField(2, 2, new float[4], new float[4])), 1.0);
    assertThat(still.p95()).isEqualTo(0.0);
    assertThat(still.mean()).isEqualTo(0.0);
    assertThatThrownBy(() -> FlowStats.of(List.of(), 1.0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no flow values");
  }
}
