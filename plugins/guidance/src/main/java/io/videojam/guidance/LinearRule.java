package io.videojam.guidance;

import io.videojam.api.GuidanceRule;
import io.videojam.api.LatentShape;
import io.videojam.api.Pass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule whose guided velocity is a fixed linear combination of its passes, with separate
 * coefficients for appearance and motion channels. Passes whose coefficients are zero for both
 * kinds of channel are not run.
 */
final class LinearRule implements GuidanceRule {
  private final String name;
  private final List<Pass> passes = new ArrayList<>();
  private final double[] appearance;
  private final double[] motion;
  private final Map<String, Object> settings;

  LinearRule(String name, List<Pass> allPasses, double[] appearance, double[] motion, Map<String, Object> settings) {
    this.name = name;
    List<Double> a = new ArrayList<>();
    List<Double> m = new ArrayList<>();
    for (int k = 0; k < allPasses.size(); k++) {
      if (appearance[k] != 0 || motion[k] != 0 || k == 0) {
        passes.add(allPasses.get(k));
        a.add(appearance[k]);
        m.add(motion[k]);
      }
    }
    this.appearance = a.stream().mapToDouble(Double::doubleValue).toArray();
    this.motion = m.stream().mapToDouble(Double::doubleValue).toArray();
    Map<String, Object> s = new LinkedHashMap<>(settings);
    s.put("passes", passes.stream().map(Pass::toString).toList());
    this.settings = Collections.unmodifiableMap(s);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Pass> passes() {
    return Collections.unmodifiableList(passes);
  }

  @Override
  public void combine(List<float[]> outputs, LatentShape shape, float[] out) {
    if (outputs.size() != passes.size()) {
      throw new IllegalArgumentException(name + " needs " + passes.size() + " pass outputs, got " + outputs.size());
    }
    if (passes.size() == 1 && appearance[0] == 1 && motion[0] == 1) {
      System.arraycopy(outputs.get(0), 0, out, 0, out.length);
      return;
    }
    Rules.split(outputs, shape, appearance, motion, out);
  }

  /** Reads the passes where a batched run left them: no copies. */
  @Override
  public void combineBatched(float[] batched, LatentShape shape, float[] out) {
    int n = out.length;
    if (batched.length != (long) passes.size() * n) {
      throw new IllegalArgumentException(name + " needs " + passes.size() + " pass outputs of " + n + " values, got " + batched.length + " values");
    }
    float[][] src = new float[passes.size()][];
    int[] off = new int[passes.size()];
    for (int k = 0; k < src.length; k++) {
      src[k] = batched;
      off[k] = k * n;
    }
    Rules.split(src, off, shape, appearance, motion, out);
  }

  @Override
  public java.util.Optional<Coefficients> coefficients() {
    return java.util.Optional.of(new Coefficients(appearance, motion));
  }

  @Override
  public Map<String, Object> settings() {
    return settings;
  }
}
