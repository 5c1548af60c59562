package io.videojam.guidance;

import io.videojam.api.GuidanceProvider;
import io.videojam.api.GuidanceRule;
import io.videojam.api.ModelInfo;
import io.videojam.api.Pass;
import io.videojam.api.Settings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The built-in guidance rules. Scales follow Eq. 8: a weight w pushes by (1 + w) u_c - w u_u. */
public final class BuiltinGuidance {
  private BuiltinGuidance() {}

  /** No guidance: one full pass. */
  public static final class None implements GuidanceProvider {
    @Override
    public String name() {
      return "none";
    }

    @Override
    public String description() {
      return "no guidance: u = u(d, y)";
    }

    @Override
    public GuidanceRule create(Settings s, ModelInfo model) {
      return new LinearRule(name(), List.of(Pass.FULL), new double[] {1}, new double[] {1}, Map.of());
    }
  }

  /** Text classifier-free guidance: u = (1 + w) u(d, y) - w u(d, null); w defaults to 5. */
  public static final class Cfg implements GuidanceProvider {
    @Override
    public String name() {
      return "cfg";
    }

    @Override
    public String description() {
      return "text CFG: (1+w) u(d,y) - w u(d,null), w=5";
    }

    @Override
    public GuidanceRule create(Settings s, ModelInfo model) {
      double w = Rules.nonNegative(s, "w", 5);
      double[] c = {1 + w, -w};
      return new LinearRule(name(), List.of(Pass.FULL, Pass.NO_TEXT), c, c, Map.of("w", w));
    }
  }

  /**
   * Inner-Guidance (Eq. 8): u = (1 + w1 + w2) u(d, y) - w1 u(d, null) - w2 u(0, y) on the
   * appearance channels; motion channels follow the {@link MotionChannelPolicy}.
   */
  public static final class Inner implements GuidanceProvider {
    @Override
    public String name() {
      return "inner";
    }

    @Override
    public String description() {
      return "Inner-Guidance (Eq. 8): (1+w1+w2) u(d,y) - w1 u(d,null) - w2 u(0,y), w1=5 w2=3";
    }

    @Override
    public GuidanceRule create(Settings s, ModelInfo model) {
      Rules.requireMotion(model, name());
      double w1 = Rules.nonNegative(s, "w1", 5);
      double w2 = Rules.nonNegative(s, "w2", 3);
      MotionChannelPolicy policy = MotionChannelPolicy.from(s);
      double[] appearance = {1 + w1 + w2, -w1, -w2};
      double[] motion = policy == MotionChannelPolicy.WHOLE ? appearance : new double[] {1 + w1, -w1, 0};
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("w1", w1);
      settings.put("w2", w2);
      settings.put("motion-policy", policy.key());
      return new LinearRule(name(), List.of(Pass.FULL, Pass.NO_TEXT, Pass.NO_MOTION), appearance, motion, settings);
    }
  }

  /**
   * InstructPix2Pix guidance with c_T = text and c_I = motion (spec section 5):
   * u = u(0, null) + s_I (u(d, null) - u(0, null)) + s_T (u(d, y) - u(d, null)). Defaults s_T = 6
   * and s_I = 4 are the guidance scales (1 + w) of Inner-Guidance's defaults. Under the default
   * motion policy the motion channels get u(d, null) + s_T (u(d, y) - u(d, null)).
   */
  public static final class InstructPix2Pix implements GuidanceProvider {
    @Override
    public String name() {
      return "ip2p";
    }

    @Override
    public String description() {
      return "InstructPix2Pix: u(0,0) + sI (u(d,0) - u(0,0)) + sT (u(d,y) - u(d,0)), sT=6 sI=4";
    }

    @Override
    public GuidanceRule create(Settings s, ModelInfo model) {
      Rules.requireMotion(model, name());
      double sText = Rules.nonNegative(s, "s-text", 6);
      double sImage = Rules.nonNegative(s, "s-image", 4);
      MotionChannelPolicy policy = MotionChannelPolicy.from(s);
      double[] appearance = {1 - sImage, sImage - sText, sText};
      double[] motion = policy == MotionChannelPolicy.WHOLE ? appearance : new double[] {0, 1 - sText, sText};
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("s-text", sText);
      settings.put("s-image", sImage);
      settings.put("motion-policy", policy.key());
      return new LinearRule(name(), List.of(Pass.FULL, Pass.NO_TEXT, Pass.NO_TEXT_NO_MOTION),
          reorder(appearance), reorder(motion), settings);
    }

    /** From (u00, ud0, udy) order to (full, no-text, no-text-no-motion) order. */
    private static double[] reorder(double[] c) {
      return new double[] {c[2], c[1], c[0]};
    }
  }

  /** Motion off at inference (d = 0 every step) with text CFG w (default 5). */
  public static final class MotionOff implements GuidanceProvider {
    @Override
    public String name() {
      return "motion-off";
    }

    @Override
    public String description() {
      return "no motion at inference: (1+w) u(0,y) - w u(0,null), w=5";
    }

    @Override
    public GuidanceRule create(Settings s, ModelInfo model) {
      double w = Rules.nonNegative(s, "w", 5);
      double[] c = {1 + w, -w};
      return new LinearRule(name(), List.of(Pass.NO_MOTION, Pass.NO_TEXT_NO_MOTION), c, c, Map.of("w", w));
    }
  }
}
