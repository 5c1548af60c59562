package io.videojam.guidance;

import static io.videojam.guidance.BuiltinGuidanceTest.FULL;
import static io.videojam.guidance.BuiltinGuidanceTest.JOINT;
import static io.videojam.guidance.BuiltinGuidanceTest.NONE;
import static io.videojam.guidance.BuiltinGuidanceTest.NO_MOTION;
import static io.videojam.guidance.BuiltinGuidanceTest.NO_TEXT;
import static io.videojam.guidance.BuiltinGuidanceTest.SHAPE;
import static io.videojam.guidance.BuiltinGuidanceTest.BASE;
import static io.videojam.guidance.BuiltinGuidanceTest.combine;
import static io.videojam.guidance.BuiltinGuidanceTest.motion;
import static io.videojam.guidance.BuiltinGuidanceTest.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.GuidanceProvider;
import io.videojam.api.GuidanceRule;
import io.videojam.api.LatentShape;
import io.videojam.api.Pass;
import io.videojam.api.Plugins;
import io.videojam.api.VideoJamException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The linear combination behind every rule, on cases the built-in defaults never reach: coefficients
 * that vanish for one kind of channel only, a single pass with a weight other than 1, more than three
 * passes, and the settings the rules must refuse. Expected values are the sums written out by hand.
 */
class LinearRuleTest {
  @Test
  void aPassIsKeptWhenOnlyItsMotionCoefficientIsNonZero() {
    // ip2p with s-text = s-image = 4, text-only motion: appearance u(d,null) coefficient sI - sT = 0,
    // but the motion channels still need u(d,null): u_d = u(d,null) + 4 (u(d,y) - u(d,null))
    GuidanceRule r = rule("ip2p", Map.of("s-text", 4.0, "s-image", 4.0), JOINT);
    assertThat(r.passes()).containsExactly(Pass.FULL, Pass.NO_TEXT, Pass.NO_TEXT_NO_MOTION);
    float[] u = combine(r);
    for (int i = 0; i < 12; i++) {
      double expected = motion(i) ? NO_TEXT[i] + 4 * (FULL[i] - NO_TEXT[i]) : NONE[i] + 4 * (FULL[i] - NONE[i]);
      assertThat((double) u[i]).as("index %d", i).isCloseTo(expected, within(1e-4));
    }
  }

  @Test
  void theFullPassIsAlwaysRunEvenWithAZeroCoefficient() {
    // ip2p with s-text = 0: u = u(0,0) + sI (u(d,0) - u(0,0)); u(d,y) has weight 0 everywhere, yet the
    // rule keeps it (the runtime reads the motion prediction off the full pass)
    GuidanceRule r = rule("ip2p", Map.of("s-text", 0.0, "s-image", 2.0), JOINT);
    assertThat(r.passes()).first().isEqualTo(Pass.FULL);
    assertThat(r.passes()).containsExactly(Pass.FULL, Pass.NO_TEXT, Pass.NO_TEXT_NO_MOTION);
    float[] u = combine(r);
    for (int i = 0; i < 12; i++) {
      double expected = motion(i) ? NO_TEXT[i] : NONE[i] + 2 * (NO_TEXT[i] - NONE[i]);
      assertThat((double) u[i]).as("index %d", i).isCloseTo(expected, within(1e-4));
    }
    // and a pass whose coefficients are zero for both kinds of channel is dropped: s-image = 1 gives
    // u(0,0) the weight 1 - sI = 0 under the whole policy
    assertThat(rule("ip2p", Map.of("s-text", 3.0, "s-image", 1.0, "motion-policy", "whole"), JOINT).passes())
        .containsExactly(Pass.FULL, Pass.NO_TEXT);
  }

  @Test
  void aSinglePassIsScaledByItsOwnCoefficients() {
    LinearRule twice = new LinearRule("x", List.of(Pass.FULL), new double[] {2}, new double[] {2}, Map.of());
    float[] out = new float[12];
    twice.combine(List.of(FULL.clone()), SHAPE, out);
    for (int i = 0; i < 12; i++) {
      assertThat(out[i]).isEqualTo(2 * FULL[i]);
    }
    LinearRule motionOnly = new LinearRule("x", List.of(Pass.FULL), new double[] {1}, new double[] {-3}, Map.of());
    motionOnly.combine(List.of(FULL.clone()), SHAPE, out);
    for (int i = 0; i < 12; i++) {
      assertThat(out[i]).as("index %d", i).isEqualTo(motion(i) ? -3 * FULL[i] : FULL[i]);
    }
    LinearRule appearanceOnly = new LinearRule("x", List.of(Pass.FULL), new double[] {-2}, new double[] {1}, Map.of());
    appearanceOnly.combine(List.of(FULL.clone()), SHAPE, out);
    for (int i = 0; i < 12; i++) {
      assertThat(out[i]).as("index %d", i).isEqualTo(motion(i) ? FULL[i] : -2 * FULL[i]);
    }
    LinearRule sum = new LinearRule("x", List.of(Pass.FULL, Pass.NO_TEXT), new double[] {1, 1}, new double[] {1, 1}, Map.of());
    sum.combine(List.of(FULL.clone(), NO_TEXT.clone()), SHAPE, out);
    for (int i = 0; i < 12; i++) {
      assertThat(out[i]).isEqualTo(FULL[i] + NO_TEXT[i]);
    }
  }

  @Test
  void fourPassesCombineLikeTheSumWrittenOut() {
    List<float[]> outs = List.of(FULL, NO_TEXT, NO_MOTION, NONE);
    double[] c = {1.5, -0.5, 2, -1};
    float[] out = new float[12];
    Rules.mix(outs, c, out, 2, 9);
    for (int i = 0; i < 12; i++) {
      double expected = i < 2 || i >= 9 ? 0 : 1.5 * FULL[i] - 0.5 * NO_TEXT[i] + 2 * NO_MOTION[i] - NONE[i];
      assertThat((double) out[i]).as("index %d", i).isCloseTo(expected, within(1e-5));
    }
    LinearRule r = new LinearRule("four", List.of(Pass.FULL, Pass.NO_TEXT, Pass.NO_MOTION, Pass.NO_TEXT_NO_MOTION), c,
        new double[] {1, 0, 0, 1}, Map.of());
    r.combine(outs, SHAPE, out);
    for (int i = 0; i < 12; i++) {
      double expected = motion(i) ? FULL[i] + NONE[i] : 1.5 * FULL[i] - 0.5 * NO_TEXT[i] + 2 * NO_MOTION[i] - NONE[i];
      assertThat((double) out[i]).as("index %d", i).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void motionChannelsAreSplitPerSampleOfTheBatch() {
    // 3 samples, 1 appearance + 2 motion channels, planes of 2: sample size 6, motion at 2..5 of each
    LatentShape shape = new LatentShape(3, 1, 2, 1, 1, 2);
    float[] a = new float[18];
    float[] b = new float[18];
    for (int i = 0; i < 18; i++) {
      a[i] = i + 1;
      b[i] = 0.5f * i - 3;
    }
    LinearRule r = new LinearRule("x", List.of(Pass.FULL, Pass.NO_TEXT), new double[] {2, -1}, new double[] {3, -2}, Map.of());
    float[] out = new float[18];
    r.combine(List.of(a, b), shape, out);
    for (int i = 0; i < 18; i++) {
      double expected = i % 6 >= 2 ? 3 * a[i] - 2 * b[i] : 2 * a[i] - b[i];
      assertThat((double) out[i]).as("index %d", i).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void aBatchedRunsOutputsCombineInPlaceAsTheSeparateOnesDo() {
    // 2 samples, 1 appearance + 2 motion channels, planes of 2 (sample size 6), three passes with
    // different appearance and motion weights: pass k of the batched array is at [k * 12, (k + 1) * 12)
    LatentShape shape = new LatentShape(2, 1, 2, 1, 1, 2);
    int n = 12;
    float[] batched = new float[3 * n];
    for (int i = 0; i < batched.length; i++) {
      batched[i] = (float) Math.sin(1.7 * i + 0.3) * (i + 1);
    }
    double[] a = {1.5, -0.25, 2};
    double[] m = {-1, 3, 0.5};
    LinearRule r = new LinearRule("three", List.of(Pass.FULL, Pass.NO_TEXT, Pass.NO_MOTION), a, m, Map.of());
    float[] out = new float[n];
    r.combineBatched(batched, shape, out);
    for (int i = 0; i < n; i++) {
      double[] c = i % 6 >= 2 ? m : a;
      double expected = c[0] * batched[i] + c[1] * batched[n + i] + c[2] * batched[2 * n + i];
      assertThat((double) out[i]).as("index %d", i).isCloseTo(expected, within(1e-5));
    }
    // the interface's default (copies, then combine) agrees with the override exactly
    GuidanceRule viaDefault = new GuidanceRule() {
      @Override
      public String name() {
        return r.name();
      }

      @Override
      public List<Pass> passes() {
        return r.passes();
      }

      @Override
      public void combine(List<float[]> outputs, LatentShape s, float[] o) {
        r.combine(outputs, s, o);
      }

      @Override
      public Map<String, Object> settings() {
        return r.settings();
      }
    };
    float[] byDefault = new float[n];
    viaDefault.combineBatched(batched, shape, byDefault);
    assertThat(byDefault).containsExactly(out);
    assertThatThrownBy(() -> r.combineBatched(new float[2 * n], shape, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("three needs 3 pass outputs of 12 values, got 24 values");
    assertThatThrownBy(() -> viaDefault.combineBatched(new float[2 * n], shape, out)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("three needs 3 pass outputs of 12 values, got 24 values");
  }

  @Test
  void fourBatchedPassesMixLikeTheSumWrittenOut() {
    int n = 12;
    float[] batched = new float[4 * n];
    List<float[]> outs = List.of(FULL, NO_TEXT, NO_MOTION, NONE);
    for (int k = 0; k < 4; k++) {
      System.arraycopy(outs.get(k), 0, batched, k * n, n);
    }
    double[] c = {1.5, -0.5, 2, -1};
    LinearRule r = new LinearRule("four", List.of(Pass.FULL, Pass.NO_TEXT, Pass.NO_MOTION, Pass.NO_TEXT_NO_MOTION), c, c, Map.of());
    float[] out = new float[n];
    r.combineBatched(batched, SHAPE, out);
    for (int i = 0; i < n; i++) {
      double expected = 1.5 * FULL[i] - 0.5 * NO_TEXT[i] + 2 * NO_MOTION[i] - NONE[i];
      assertThat((double) out[i]).as("index %d", i).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void theWrongNumberOfOutputsIsRefused() {
    GuidanceRule r = rule("inner", Map.of(), JOINT);
    assertThatThrownBy(() -> r.combine(List.of(FULL, NO_TEXT), SHAPE, new float[12]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inner needs 3 pass outputs, got 2");
  }

  @Test
  void rulesReportTheirNameAndPasses() {
    for (GuidanceProvider p : Plugins.all(GuidanceProvider.class)) {
      if (List.of("none", "cfg", "inner", "ip2p", "motion-off").contains(p.name())) {
        GuidanceRule r = p.create(new io.videojam.api.Settings(Map.of(), "t"), JOINT);
        assertThat(r.name()).isEqualTo(p.name());
        assertThat(r.settings().get("passes")).isEqualTo(r.passes().stream().map(Pass::toString).toList());
      }
    }
  }

  @Test
  void descriptionsStateTheDefaultsTheRulesUse() {
    Map<String, List<String>> defaults = Map.of("none", List.of("u(d, y)"), "cfg", List.of("w=5"), "inner",
        List.of("w1=5", "w2=3"), "ip2p", List.of("sT=6", "sI=4"), "motion-off", List.of("w=5"));
    defaults.forEach((name, values) -> assertThat(Plugins.find(GuidanceProvider.class, name, "--guidance").description())
        .as(name).contains(values));
  }

  @Test
  void infiniteAndNanWeightsAndMotionlessModelsAreRefused() {
    assertThatThrownBy(() -> rule("cfg", Map.of("w", Double.POSITIVE_INFINITY), BASE)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("w must be a finite number >= 0");
    assertThatThrownBy(() -> rule("cfg", Map.of("w", Double.NaN), BASE)).isInstanceOf(VideoJamException.class);
    assertThatThrownBy(() -> rule("ip2p", Map.of(), BASE)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("guidance ip2p needs a model with motion channels");
    // a weight of exactly 0 is allowed
    assertThat(rule("cfg", Map.of("w", 0.0), BASE).passes()).containsExactly(Pass.FULL);
  }
}
