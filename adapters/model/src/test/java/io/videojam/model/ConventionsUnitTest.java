package io.videojam.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each convention's settings and conversions without a graph: model.json values at the edges of what
 * is allowed, and the velocity from a model output at the clamped ends of the time range, written
 * out by hand from the definitions (x_t = t x1 + (1 - t) x0, VP z = alpha x1 + sigma eps, EDM z =
 * x1 + sigma eps).
 */
class ConventionsUnitTest {
  /** {"prediction": ..., "time": {time...}} plus extra denoiser keys. */
  static Conventions of(Map<String, Object> time, Object... denoiser) {
    Map<String, Object> d = new HashMap<>();
    for (int i = 0; i < denoiser.length; i += 2) {
      d.put((String) denoiser[i], denoiser[i + 1]);
    }
    d.put("time", time);
    return Conventions.from(new Settings(d, "model.json \"denoiser\""));
  }

  static float velocity(Conventions c, double x, double out, double t) {
    float[] o = {(float) out};
    c.toVelocity(o, new float[] {(float) x}, t);
    return o[0];
  }

  @Test
  void flowSettingsAtTheirEdges() {
    assertThat(of(Map.of("scale", 1e-9)).modelTime(0.5)).isCloseTo(0.5e-9, within(1e-20));
    for (double bad : new double[] {0, -1, Double.POSITIVE_INFINITY, Double.NaN}) {
      assertThatThrownBy(() -> of(Map.of("scale", bad))).as("scale %s", bad).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("time \"scale\" must be > 0");
    }
    assertThat(velocity(of(Map.of(), "prediction", "epsilon", "prediction-eps", 0.999), 1, 0.5, 0.1)).isCloseTo(0.5f / 0.999f, within(1e-6f));
    assertThat(velocity(of(Map.of(), "prediction", "epsilon", "prediction-eps", 1e-6), 1, 0.5, 0.1)).isCloseTo(5f, within(1e-5f));
    for (double bad : new double[] {0, 1, -0.1, Double.NaN}) {
      assertThatThrownBy(() -> of(Map.of(), "prediction", "epsilon", "prediction-eps", bad)).as("eps %s", bad)
          .isInstanceOf(VideoJamException.class).hasMessageContaining("\"prediction-eps\" must be in (0, 1)");
    }
    assertThatThrownBy(() -> of(Map.of(), "prediction", "v")).hasMessageContaining("belongs to \"time\": {\"convention\": \"vp\"}");
    assertThatThrownBy(() -> of(Map.of(), "prediction", "v_prediction")).hasMessageContaining("\"convention\": \"vp\"");
    assertThatThrownBy(() -> of(Map.of(), "prediction", "noise")).hasMessageContaining("velocity, epsilon or sample, got noise")
        .hasMessageNotContaining("vp");
    assertThatThrownBy(() -> of(Map.of("convention", "sigma"))).hasMessageContaining("data_at_1, noise_at_1, vp or edm");
  }

  @Test
  void flowConversionsByHand() {
    // noise_at_1: time sigma = 1 - t scaled, velocity negated; epsilon at t = 0 uses the clamp 0.05
    Conventions sd3 = of(Map.of("convention", "noise_at_1", "scale", 1000.0));
    assertThat(sd3.modelTime(0.25)).isCloseTo(750, within(1e-9));
    assertThat(sd3.inputScale(0.25)).isEqualTo(1.0);
    assertThat(velocity(sd3, 0.3, 0.8, 0.25)).isEqualTo(-0.8f);
    assertThat(velocity(of(Map.of()), 0.3, 0.8, 0.25)).isEqualTo(0.8f);
    assertThat(velocity(of(Map.of(), "prediction", "epsilon"), 0.3, 0.8, 0)).isCloseTo((0.3f - 0.8f) / 0.05f, within(1e-5f));
    assertThat(velocity(of(Map.of(), "prediction", "epsilon"), 0.3, 0.8, 0.5)).isCloseTo((0.3f - 0.8f) / 0.5f, within(1e-6f));
    assertThat(velocity(of(Map.of(), "prediction", "sample"), 0.3, 0.8, 1)).isCloseTo((0.8f - 0.3f) / 0.05f, within(1e-5f));
    assertThat(velocity(of(Map.of(), "prediction", "sample"), 0.3, 0.8, 0.5)).isCloseTo((0.8f - 0.3f) / 0.5f, within(1e-6f));
  }

  /** linear betas .1, .2, .3 over 3 train steps: alphabar .9, .72, .504. */
  static Map<String, Object> vp(Object... extra) {
    Map<String, Object> t = new HashMap<>(Map.of("convention", "vp", "betas", "linear", "beta-start", 0.1, "beta-end", 0.3, "train-steps", 3));
    for (int i = 0; i < extra.length; i += 2) {
      t.put((String) extra[i], extra[i + 1]);
    }
    return t;
  }

  @Test
  void vpSettingsAtTheirEdges() {
    of(vp("steps-offset", 2)); // the last allowed offset
    of(vp("train-steps", 2, "beta-end", 0.2)); // the fewest train steps
    of(vp("beta-start", 0.5, "beta-end", 0.9));
    assertThatThrownBy(() -> of(vp("steps-offset", 3))).hasMessageContaining("\"steps-offset\" must be in [0, train-steps)");
    assertThatThrownBy(() -> of(vp("steps-offset", -1))).hasMessageContaining("\"steps-offset\"");
    assertThatThrownBy(() -> of(vp("train-steps", 1))).hasMessageContaining("\"train-steps\" must be 2..100000");
    assertThatThrownBy(() -> of(vp("beta-end", 1.0))).hasMessageContaining("must be < 1");
    assertThatThrownBy(() -> of(vp("beta-start", 1.0, "beta-end", 0.5))).hasMessageContaining("must be < 1");
    assertThatThrownBy(() -> of(vp("beta-start", 0.0))).hasMessageContaining("\"beta-start\" must be a finite number > 0");
    assertThatThrownBy(() -> of(vp("beta-end", Double.POSITIVE_INFINITY))).hasMessageContaining("\"beta-end\" must be a finite number > 0");
    assertThatThrownBy(() -> of(vp("betas", "cosine"))).hasMessageContaining("\"betas\" must be");
    assertThatThrownBy(() -> of(vp("spacing", "even"))).hasMessageContaining("\"spacing\" must be");
    assertThatThrownBy(() -> of(vp(), "prediction", "velocity")).hasMessageContaining("epsilon, v or sample under");
    for (String betas : new String[] {"linear", "scaled_linear", "squaredcos_cap_v2"}) {
      of(vp("betas", betas, "beta-start", 0.01, "beta-end", 0.02));
    }
    for (String spacing : new String[] {"leading", "trailing", "linspace"}) {
      assertThat(((Conventions.Vp) of(vp("spacing", spacing))).nativeSchedule().orElseThrow().times(2)).hasSize(3);
    }
  }

  @Test
  void vpVelocityAtBothClampedEnds() {
    double a0 = Math.sqrt(0.9), s0 = Math.sqrt(0.1); // timestep 0
    double al = Math.sqrt(0.504), sl = Math.sqrt(0.496); // timestep 2, the noisiest
    double x = 0.7, o = 0.2;
    // t = 0.999 is cleaner than timestep 0 (alphabar ~ 1 > 0.9): the model runs at timestep 0's alpha, sigma
    double t = 0.999;
    double n = Math.hypot(t, 1 - t);
    double z = x / n;
    // v prediction: eps = sigma z + alpha v; past t = 1/2 the velocity comes from the noise, (x - eps) / t
    assertThat((double) velocity(of(vp(), "prediction", "v"), x, o, t)).isCloseTo((x - (s0 * z + a0 * o)) / t, within(1e-5));
    // sample prediction: eps = (z - alpha x1) / sigma
    assertThat((double) velocity(of(vp(), "prediction", "sample"), x, o, t)).isCloseTo((x - (z - a0 * o) / s0) / t, within(1e-5));
    // t = 0.01 is noisier than timestep 2: epsilon prediction, x1 = (z - sigma eps) / alpha, velocity (x1 - x) / (1 - t)
    t = 0.01;
    n = Math.hypot(t, 1 - t);
    z = x / n;
    Conventions eps = of(vp(), "prediction", "epsilon");
    assertThat((double) velocity(eps, x, o, t)).isCloseTo(((z - sl * o) / al - x) / (1 - t), within(1e-5));
    assertThat(eps.modelTime(t)).isEqualTo(2.0);
    assertThat(eps.modelTime(0.999)).isEqualTo(0.0);
    assertThat(eps.inputScale(t)).isCloseTo(1 / n, within(1e-12));
    assertThat(of(vp("scale", 2.5), "prediction", "epsilon").modelTime(0.01)).isEqualTo(5.0);
  }

  @Test
  void edmSettingsAndSigmaRange() {
    assertThatThrownBy(() -> of(Map.of("convention", "edm", "sigma-min", 2.0, "sigma-max", 2.0)))
        .hasMessageContaining("\"sigma-max\" (2.0) must be greater than \"sigma-min\" (2.0)");
    of(Map.of("convention", "edm", "sigma-min", 2.0, "sigma-max", 2.0000001));
    assertThatThrownBy(() -> of(Map.of("convention", "edm", "sigma-data", 0.0))).hasMessageContaining("\"sigma-data\" must be a finite number > 0");
    assertThatThrownBy(() -> of(Map.of("convention", "edm"), "prediction", "epsilon")).hasMessageContaining("edm (the graph is the raw network F) or sample");
    Conventions.Edm edm = (Conventions.Edm) of(Map.of("convention", "edm", "sigma-min", 0.002, "sigma-max", 80.0));
    assertThat(edm.sigma(0)).isEqualTo(80.0);
    assertThat(edm.sigma(0.5)).isEqualTo(1.0);
    assertThat(edm.sigma(0.9999)).isEqualTo(0.002);
    assertThat(edm.sigma(0.001)).isEqualTo(80.0);
    // raw network F at t = 0.5 (sigma 1, sd 0.5): c_skip = 0.2, c_out = 0.5 / sqrt(1.25), z = 2 x, D = c_skip z + c_out F
    double x = 0.4, f = -0.3;
    double d = 0.2 * 2 * x + 0.5 / Math.sqrt(1.25) * f;
    assertThat((double) velocity(edm, x, f, 0.5)).isCloseTo((d - x) / 0.5, within(1e-6));
    assertThat(edm.modelTime(0.5)).isEqualTo(0.0); // ln(1) / 4
    assertThat(edm.inputScale(0.5)).isCloseTo(2 / Math.sqrt(1.25), within(1e-12));
    Conventions.Edm denoised = (Conventions.Edm) of(Map.of("convention", "edm"), "prediction", "sample");
    assertThat(denoised.modelTime(0.5)).isEqualTo(1.0);
    assertThat(denoised.inputScale(0.5)).isEqualTo(2.0);
    // D given directly at t = 0.8 (sigma 0.25): eps = (z - D) / sigma, velocity (x - eps) / t
    double z = 0.4 * 1.25;
    assertThat((double) velocity(denoised, 0.4, 0.3, 0.8)).isCloseTo((0.4 - (z - 0.3) / 0.25) / 0.8, within(1e-6));
  }
}
