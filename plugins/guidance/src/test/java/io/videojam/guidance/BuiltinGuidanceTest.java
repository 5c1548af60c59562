package io.videojam.guidance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.GuidanceProvider;
import io.videojam.api.GuidanceRule;
import io.videojam.api.LatentShape;
import io.videojam.api.ModelInfo;
import io.videojam.api.Pass;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.VideoFormat;
import io.videojam.api.VideoJamException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule against Eq. 8 / CFG / InstructPix2Pix written out by hand for a 2-sample batch. */
class BuiltinGuidanceTest {
  // batch 2, 2 appearance channels, 1 motion channel, T=1, H=1, W=2: sample size 6, motion = indices 4,5 and 10,11
  static final LatentShape SHAPE = new LatentShape(2, 2, 1, 1, 1, 2);
  static final ModelInfo JOINT = new ModelInfo("m", SHAPE.withBatch(1), new VideoFormat(1, 1, 2, 8), "h");
  static final ModelInfo BASE = new ModelInfo("b", new LatentShape(1, 2, 0, 1, 1, 2), new VideoFormat(1, 1, 2, 8), "h");

  static float[] ramp(float start, float step) {
    float[] v = new float[12];
    for (int i = 0; i < v.length; i++) {
      v[i] = start + step * i;
    }
    return v;
  }

  static final float[] FULL = ramp(1f, 0.5f);
  static final float[] NO_TEXT = ramp(-2f, 0.25f);
  static final float[] NO_MOTION = ramp(0.5f, -0.75f);
  static final float[] NONE = ramp(3f, -0.1f);

  static GuidanceRule rule(String name, Map<String, Object> params, ModelInfo model) {
    return Plugins.find(GuidanceProvider.class, name, "--guidance").create(new Settings(params, "test"), model);
  }

  static float[] combine(GuidanceRule r) {
    List<float[]> outs = r.passes().stream().map(p -> p.equals(Pass.FULL) ? FULL : p.equals(Pass.NO_TEXT) ? NO_TEXT
        : p.equals(Pass.NO_MOTION) ? NO_MOTION : NONE).toList();
    return combine(r, outs);
  }

  static float[] combine(GuidanceRule r, List<float[]> outputs) {
    float[] out = new float[outputs.get(0).length];
    r.combine(outputs.stream().map(float[]::clone).toList(), SHAPE, out);
    return out;
  }

  static boolean motion(int i) {
    return i % 6 >= 4;
  }

  @Test
  void allFiveRulesAreFoundByName() {
    assertThat(Plugins.all(GuidanceProvider.class)).extracting(GuidanceProvider::name)
        .contains("none", "cfg", "inner", "ip2p", "motion-off");
  }

  @Test
  void innerGuidanceDefaultsAreEq8OnAppearanceAndTextCfgOnMotion() {
    GuidanceRule r = rule("inner", Map.of(), JOINT);
    assertThat(r.passes()).containsExactly(Pass.FULL, Pass.NO_TEXT, Pass.NO_MOTION);
    float[] u = combine(r);
    for (int i = 0; i < 12; i++) {
      // Eq. 8 with w1 = 5, w2 = 3: 9 u(d,y) - 5 u(d,null) - 3 u(0,y); motion channels: 6 u(d,y) - 5 u(d,null)
      double expected = motion(i) ? 6 * FULL[i] - 5 * NO_TEXT[i] : 9 * FULL[i] - 5 * NO_TEXT[i] - 3 * NO_MOTION[i];
      assertThat((double) u[i]).as("index %d", i).isCloseTo(expected, within(1e-5));
    }
    assertThat(r.settings()).containsEntry("w1", 5.0).containsEntry("w2", 3.0).containsEntry("motion-policy", "text-only");
  }

  /**
   * The coefficients a linear rule gives (the model combines batched passes with them) are its
   * combination: sum_k c_k v_k, with the appearance weights on appearance channels and the motion
   * weights on motion channels, in the order of its passes.
   */
  @Test
  void everyRulesCoefficientsReproduceItsCombination() {
    List<GuidanceRule> rules = List.of(rule("none", Map.of(), JOINT), rule("cfg", Map.of("w", 4.0), JOINT), rule("inner", Map.of(), JOINT),
        rule("inner", Map.of("w1", 2.0, "w2", 1.5, "motion-policy", "whole"), JOINT), rule("inner", Map.of("w1", 0.0), JOINT),
        rule("ip2p", Map.of(), JOINT), rule("motion-off", Map.of(), JOINT));
    for (GuidanceRule r : rules) {
      GuidanceRule.Coefficients c = r.coefficients().orElseThrow();
      double[] a = c.appearance();
      double[] m = c.motion();
      assertThat(a).hasSize(r.passes().size());
      List<float[]> outs = r.passes().stream().map(p -> p.equals(Pass.FULL) ? FULL : p.equals(Pass.NO_TEXT) ? NO_TEXT
          : p.equals(Pass.NO_MOTION) ? NO_MOTION : NONE).toList();
      float[] u = combine(r, outs);
      for (int i = 0; i < 12; i++) {
        double expected = 0;
        for (int k = 0; k < outs.size(); k++) {
          expected += (motion(i) ? m[k] : a[k]) * outs.get(k)[i];
        }
        assertThat((double) u[i]).as("%s %s, index %d", r.name(), r.settings(), i).isCloseTo(expected, within(1e-5));
      }
    }
    // the weights are copies: changing them changes nothing in the rule
    GuidanceRule cfg = rule("cfg", Map.of("w", 4.0), JOINT);
    cfg.coefficients().orElseThrow().appearance()[0] = 100;
    assertThat(cfg.coefficients().orElseThrow().appearance()).containsExactly(5.0, -4.0);
    assertThat(cfg.coefficients().orElseThrow().motion()).containsExactly(5.0, -4.0);
  }

  @Test
  void innerGuidanceWholePolicyAppliesEq8ToMotionChannelsToo() {
    float[] u = combine(rule("inner", Map.of("w1", 2.0, "w2", 1.5, "motion-policy", "whole"), JOINT));
    for (int i = 0; i < 12; i++) {
      double expected = 4.5 * FULL[i] - 2 * NO_TEXT[i] - 1.5 * NO_MOTION[i];
      assertThat((double) u[i]).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void zeroWeightsDropTheirPasses() {
    assertThat(rule("inner", Map.of("w2", 0.0), JOINT).passes()).containsExactly(Pass.FULL, Pass.NO_TEXT);
    assertThat(rule("inner", Map.of("w1", 0.0), JOINT).passes()).containsExactly(Pass.FULL, Pass.NO_MOTION);
    GuidanceRule noText = rule("inner", Map.of("w1", 0.0), JOINT);
    float[] u = combine(noText, List.of(FULL, NO_MOTION));
    for (int i = 0; i < 12; i++) {
      double expected = motion(i) ? FULL[i] : 4 * FULL[i] - 3 * NO_MOTION[i];
      assertThat((double) u[i]).isCloseTo(expected, within(1e-5));
    }
  }

  @Test
  void cfgIsOnePlusWTimesConditionalMinusWTimesNull() {
    GuidanceRule r = rule("cfg", Map.of("w", 7.5), BASE);
    assertThat(r.passes()).containsExactly(Pass.FULL, Pass.NO_TEXT);
    float[] u = combine(r);
    for (int i = 0; i < 12; i++) {
      assertThat((double) u[i]).isCloseTo(8.5 * FULL[i] - 7.5 * NO_TEXT[i], within(1e-5));
    }
  }

  @Test
  void instructPix2PixMatchesItsFormula() {
    GuidanceRule r = rule("ip2p", Map.of("s-text", 6.0, "s-image", 4.0, "motion-policy", "whole"), JOINT);
    float[] u = combine(r);
    for (int i = 0; i < 12; i++) {
      // u(0,0) + sI (u(d,0) - u(0,0)) + sT (u(d,y) - u(d,0)), c_T = text, c_I = motion
      double expected = NONE[i] + 4 * (NO_TEXT[i] - NONE[i]) + 6 * (FULL[i] - NO_TEXT[i]);
      assertThat((double) u[i]).isCloseTo(expected, within(1e-4));
    }
    float[] textOnly = combine(rule("ip2p", Map.of("s-text", 6.0, "s-image", 4.0), JOINT));
    for (int i = 4; i < 6; i++) {
      assertThat((double) textOnly[i]).isCloseTo(NO_TEXT[i] + 6 * (FULL[i] - NO_TEXT[i]), within(1e-4));
    }
  }

  @Test
  void motionOffZeroesMotionInEveryPass() {
    GuidanceRule r = rule("motion-off", Map.of(), JOINT);
    assertThat(r.passes()).allMatch(Pass::dropMotion).containsExactly(Pass.NO_MOTION, Pass.NO_TEXT_NO_MOTION);
    float[] u = combine(r, List.of(NO_MOTION, NONE));
    for (int i = 0; i < 12; i++) {
      assertThat((double) u[i]).isCloseTo(6 * NO_MOTION[i] - 5 * NONE[i], within(1e-5));
    }
  }

  @Test
  void noneReturnsTheFullPass() {
    GuidanceRule r = rule("none", Map.of(), JOINT);
    assertThat(r.passes()).containsExactly(Pass.FULL);
    assertThat(combine(r, List.of(FULL))).containsExactly(FULL);
  }

  @Test
  void badSettingsAndModelsWithoutMotionAreOneLineErrors() {
    assertThatThrownBy(() -> rule("inner", Map.of(), BASE)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("no").hasMessageContaining("--guidance cfg");
    assertThatThrownBy(() -> rule("inner", Map.of("w1", -1.0), JOINT)).isInstanceOf(VideoJamException.class).hasMessageContaining("w1");
    assertThatThrownBy(() -> rule("inner", Map.of("motion-policy", "grey"), JOINT)).hasMessageContaining("text-only or whole");
    assertThatThrownBy(() -> rule("cfgg", Map.of(), JOINT)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("unknown --guidance 'cfgg'").hasMessageContaining("inner");
  }
}
