package io.videojam.model;

import static io.videojam.model.TestModels.BETA;
import static io.videojam.model.TestModels.C;
import static io.videojam.model.TestModels.GAMMA;
import static io.videojam.model.TestModels.H;
import static io.videojam.model.TestModels.T;
import static io.videojam.model.TestModels.W;
import static io.videojam.model.TestModels.k;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VelocityField;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.onnx.GraphBuilder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Variance-preserving and EDM conventions through ONNX Runtime: one deterministic DDIM step written out
 * by hand as diffusers' DDIMScheduler.step does it, equal to one framework Euler step on the model's own
 * schedule; and the ideal denoiser of Gaussian data, built as a graph in each convention's own terms
 * (flow velocity, VP epsilon and v on DDPM timesteps, EDM's raw network F and D), sampled by the framework
 * to the known exact answer x1 = mu + s x0.
 */
class DiffusionConventionsTest {
  @TempDir
  Path dir;

  static final int N = C * T * H * W;
  static final long[] DIMS = {1, C, T, H, W};

  /** Token-id sum of "red ball" (ids 2 and 3) for the linear graph's GAMMA term. */
  static final double SUM = 5;

  static VideoModel open(Path m) {
    return Models.open(m, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults());
  }

  static VelocityField field(VideoModel m) {
    Tensor text = m.textEncoder().encode(List.of("red ball"));
    return (x, t, step) -> m.velocity(new FloatTensor(DIMS, x.clone()), t, text).data();
  }

  /** diffusers' alphas_cumprod for scaled_linear 0.00085 .. 0.012, 1000 steps, written out again. */
  static double[] scaledLinear() {
    double[] ab = new double[1000];
    double p = 1;
    for (int i = 0; i < 1000; i++) {
      double r = Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) * i / 999;
      p *= 1 - r * r;
      ab[i] = p;
    }
    return ab;
  }

  static Map<String, Object> sdTime(String spacing, int offset, double scale) {
    Map<String, Object> time = new LinkedHashMap<>();
    time.put("convention", "vp");
    time.put("betas", "scaled_linear");
    time.put("beta-start", 0.00085);
    time.put("beta-end", 0.012);
    time.put("train-steps", 1000);
    time.put("spacing", spacing);
    time.put("steps-offset", offset);
    time.put("scale", scale);
    return time;
  }

  static float[] sample(double amp) {
    float[] z = new float[N];
    for (int i = 0; i < N; i++) {
      z[i] = (float) (amp * Math.sin(0.9 * i + 0.2));
    }
    return z;
  }

  /** The linear graph's raw output at element i (BCTHW) for input value v and time input tm. */
  static double raw(int i, double v, double tm) {
    int c = i / (T * H * W);
    int f = (i / (H * W)) % T;
    return v * k(c, f) + BETA * tm + GAMMA * SUM;
  }

  /**
   * DDIMScheduler.step (eta 0, set_alpha_to_one) from timestep k to the next one of a 10-step leading
   * schedule with steps_offset 1, for epsilon, v and sample prediction, against one framework Euler step
   * between the same two framework times; the model's time input is checked through the graph's BETA term.
   */
  @Test
  void eulerOnTheModelScheduleIsDeterministicDdim() {
    double[] ab = scaledLinear();
    int[] ks = {901, 801, 701, 601, 501, 401, 301, 201, 101, 1};
    for (String prediction : List.of("epsilon", "v", "sample")) {
      for (double scale : new double[] {1.0, 0.001}) {
        Path m = TestModels.linear(dir.resolve(prediction + scale), "BCTHW", scale == 1.0, Map.of("time", sdTime("leading", 1, scale), "prediction", prediction));
        try (VideoModel model = open(m)) {
          double[] times = ((OnnxVideoModel) model).nativeSchedule().orElseThrow().times(10);
          VelocityField u = field(model);
          for (int i : new int[] {2, 6, 9}) { // 701 -> 601, 301 -> 201, and 1 -> the end (alphabar_prev = 1)
            int kNow = ks[i];
            double a = Math.sqrt(ab[kNow]);
            double s = Math.sqrt(1 - ab[kNow]);
            double abPrev = i + 1 < ks.length ? ab[ks[i + 1]] : 1.0;
            double ap = Math.sqrt(abPrev);
            double sp = Math.sqrt(1 - abPrev);
            assertThat(times[i]).isCloseTo(a / (a + s), within(1e-12));
            float[] z = sample(1.3);
            // diffusers, by hand
            double[] zNext = new double[N];
            for (int e = 0; e < N; e++) {
              double out = raw(e, z[e], kNow * scale);
              double x0;
              double eps;
              switch (prediction) {
                case "epsilon" -> {
                  eps = out;
                  x0 = (z[e] - s * out) / a;
                }
                case "v" -> {
                  x0 = a * z[e] - s * out;
                  eps = a * out + s * z[e];
                }
                default -> {
                  x0 = out;
                  eps = (z[e] - a * x0) / s;
                }
              }
              zNext[e] = ap * x0 + sp * eps;
            }
            // the framework: x = z / (alpha + sigma), one Euler step to the next time, back to z
            float[] x = new float[N];
            for (int e = 0; e < N; e++) {
              x[e] = (float) (z[e] / (a + s));
            }
            float[] v = u.velocity(x, times[i], i);
            double dt = times[i + 1] - times[i];
            for (int e = 0; e < N; e++) {
              double got = (x[e] + dt * v[e]) * (ap + sp);
              assertThat(got).as("%s scale %s step %d element %d", prediction, scale, i, e).isCloseTo(zNext[e], within(2e-4 * Math.max(1, Math.abs(zNext[e]))));
            }
          }
          // t = 0: pure noise, seen as z = x at the noisiest timestep 999; u = x1_hat - x
          float[] x = sample(1.0);
          float[] v = u.velocity(x, 0.0, 0);
          double a = Math.sqrt(ab[999]);
          double s = Math.sqrt(1 - ab[999]);
          for (int e = 0; e < N; e++) {
            double out = raw(e, x[e], 999 * scale);
            double x0 = switch (prediction) {
              case "epsilon" -> (x[e] - s * out) / a;
              case "v" -> a * x[e] - s * out;
              default -> out;
            };
            assertThat((double) v[e]).as("%s t=0 element %d", prediction, e).isCloseTo(x0 - x[e], within(2e-4 * Math.max(1, Math.abs(x0))));
          }
        }
      }
    }
  }

  // ---- Gaussian data: ideal denoisers as graphs ----

  static float[] mu() {
    float[] mu = new float[N];
    for (int i = 0; i < N; i++) {
      mu[i] = (float) (0.8 * Math.sin(1.3 * i + 0.4));
    }
    return mu;
  }

  static float[] std(double scale) {
    float[] s = new float[N];
    double[] ss = {0.1, 0.3, 0.7, 1.5};
    for (int i = 0; i < N; i++) {
      s[i] = (float) (scale * ss[i % ss.length]);
    }
    return s;
  }

  static GraphBuilder start(String name, ElementType time) {
    GraphBuilder g = new GraphBuilder(name, 17);
    g.input("x", ElementType.FLOAT, "B", C, T, H, W);
    g.input("t", time, "B");
    g.input("text", ElementType.INT64, "B", TestModels.L);
    g.constant("shape5", new long[] {-1, 1, 1, 1, 1}, 5);
    return g;
  }

  static String t5(GraphBuilder g, String t) {
    return g.op("Reshape", t, "shape5");
  }

  /** Flow: u = mu + (t s^2 - (1 - t)) / (t^2 s^2 + (1 - t)^2) (x - t mu), time t. */
  static Path flowGaussian(Path dir, float[] mu, float[] sd) {
    GraphBuilder g = start("flow-gauss", ElementType.FLOAT);
    String t = t5(g, "t");
    String m = g.constant("mu", mu, DIMS);
    String s2 = g.op("Mul", g.constant("sd", sd, DIMS), "sd");
    String one = g.scalar(1f);
    String omt = g.op("Sub", one, t);
    String v = g.op("Add", g.op("Mul", g.op("Mul", t, t), s2), g.op("Mul", omt, omt));
    String coef = g.op("Div", g.op("Sub", g.op("Mul", t, s2), omt), v);
    g.output("v", g.op("Add", m, g.op("Mul", coef, g.op("Sub", "x", g.op("Mul", t, m)))), ElementType.FLOAT, "B", C, T, H, W);
    return TestModels.write(dir, g, "BCTHW", Map.of());
  }

  /**
   * VP on int64 DDPM timesteps: alpha, sigma from the alphabar table (Gather), the posterior mean
   * x1_hat = mu + alpha s^2 / (alpha^2 s^2 + sigma^2) (z - alpha mu), eps_hat = sigma (z - alpha mu) /
   * (alpha^2 s^2 + sigma^2); output eps, v = alpha eps - sigma x1, or x1.
   */
  static Path vpGaussian(Path dir, float[] mu, float[] sd, double[] alphaBar, String prediction, Map<String, Object> time) {
    GraphBuilder g = start("vp-gauss", ElementType.INT64);
    float[] table = new float[alphaBar.length];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) alphaBar[i];
    }
    String ab = t5(g, g.op("Gather", g.constant("alphabar", table, table.length), "t"));
    String a = g.op("Sqrt", ab);
    String s = g.op("Sqrt", g.op("Sub", g.scalar(1f), ab));
    String m = g.constant("mu", mu, DIMS);
    String s2 = g.op("Mul", g.constant("sd", sd, DIMS), "sd");
    String den = g.op("Add", g.op("Mul", g.op("Mul", a, a), s2), g.op("Mul", s, s));
    String r = g.op("Sub", "x", g.op("Mul", a, m));
    String x1 = g.op("Add", m, g.op("Div", g.op("Mul", g.op("Mul", a, s2), r), den));
    String eps = g.op("Div", g.op("Mul", s, r), den);
    String out = switch (prediction) {
      case "epsilon" -> eps;
      case "v" -> g.op("Sub", g.op("Mul", a, eps), g.op("Mul", s, x1));
      default -> x1;
    };
    g.output("v", out, ElementType.FLOAT, "B", C, T, H, W);
    return TestModels.write(dir, g, "BCTHW", Map.of("time", time, "prediction", prediction));
  }

  /**
   * EDM: D(z; sigma) = mu + s^2 / (s^2 + sigma^2) (z - mu). Raw form: inputs c_in z and c_noise, output
   * F = (D - c_skip z) / c_out (sigma = exp(4 c_noise)); D form: inputs z and sigma, output D.
   */
  static Path edmGaussian(Path dir, float[] mu, float[] sd, double sigmaData, boolean raw) {
    GraphBuilder g = start("edm-gauss", ElementType.FLOAT);
    String m = g.constant("mu", mu, DIMS);
    String s2 = g.op("Mul", g.constant("sd", sd, DIMS), "sd");
    String sigma = raw ? t5(g, g.op("Exp", g.op("Mul", "t", g.scalar(4f)))) : t5(g, "t");
    String sig2 = g.op("Mul", sigma, sigma);
    String sd2 = g.scalar((float) (sigmaData * sigmaData));
    String norm = g.op("Sqrt", g.op("Add", sig2, sd2));
    String z = raw ? g.op("Mul", "x", norm) : "x";
    String d = g.op("Add", m, g.op("Div", g.op("Mul", s2, g.op("Sub", z, m)), g.op("Add", s2, sig2)));
    String out = d;
    if (raw) {
      String cSkip = g.op("Div", sd2, g.op("Add", sig2, sd2));
      String cOut = g.op("Div", g.op("Mul", sigma, g.scalar((float) sigmaData)), norm);
      out = g.op("Div", g.op("Sub", d, g.op("Mul", cSkip, z)), cOut);
    }
    g.output("v", out, ElementType.FLOAT, "B", C, T, H, W);
    Map<String, Object> time = Map.of("convention", "edm", "sigma-data", sigmaData, "sigma-min", 0.002, "sigma-max", 80.0, "rho", 7.0);
    return TestModels.write(dir, g, "BCTHW", Map.of("time", time, "prediction", raw ? "edm" : "sample"));
  }

  static float[] noise() {
    float[] x0 = new float[N];
    for (int i = 0; i < N; i++) {
      x0[i] = (float) (1.1 * Math.cos(2.1 * i + 0.3));
    }
    return x0;
  }

  static double error(float[] x1, float[] mu, float[] sd, float[] x0) {
    double e = 0;
    for (int i = 0; i < N; i++) {
      e = Math.max(e, Math.abs(x1[i] - (mu[i] + sd[i] * x0[i])));
    }
    return e;
  }

  static float[] run(VideoModel m, String solver, String schedule, int steps) {
    double[] times = schedule.equals("model") ? ((OnnxVideoModel) m).nativeSchedule().orElseThrow().times(steps)
        : io.videojam.sampling.Schedules.uniform().times(steps);
    return Plugins.find(SolverProvider.class, solver, "--solver").create(Settings.empty("s")).integrate(field(m), noise(), times, StepListener.NONE);
  }

  @Test
  void gaussianDataSampledExactlyUnderEveryConvention() {
    float[] mu = mu();
    float[] sd = std(1);
    double[] cosine = io.videojam.sampling.VpSchedule.of("squaredcos_cap_v2", 0, 0, 1000).alphaBar();
    Map<String, Object> cosTime = Map.of("convention", "vp", "betas", "squaredcos_cap_v2", "spacing", "trailing");
    Map<String, Path> models = new LinkedHashMap<>();
    models.put("flow", flowGaussian(dir.resolve("flow"), mu, sd));
    models.put("vp-epsilon", vpGaussian(dir.resolve("vpe"), mu, sd, cosine, "epsilon", cosTime));
    models.put("vp-v", vpGaussian(dir.resolve("vpv"), mu, sd, cosine, "v", cosTime));
    models.put("vp-sample", vpGaussian(dir.resolve("vps"), mu, sd, cosine, "sample", cosTime));
    models.put("edm-raw", edmGaussian(dir.resolve("edmf"), mu, sd, 0.5, true));
    models.put("edm-d", edmGaussian(dir.resolve("edmd"), mu, sd, 0.5, false));
    float[] x0 = noise();
    Map<String, float[]> euler40 = new LinkedHashMap<>();
    double[] vpTimes = null;
    for (var e : models.entrySet()) {
      try (VideoModel m = open(e.getValue())) {
        String schedule = e.getKey().equals("flow") ? "uniform" : "model";
        double euler = error(run(m, "euler", schedule, 400), mu, sd, x0);
        double dpm = error(run(m, "dpm++2m", schedule, 80), mu, sd, x0);
        double uni = error(run(m, "unipc", schedule, 80), mu, sd, x0);
        assertThat(euler).as(e.getKey() + " euler 400").isLessThan(1e-2);
        assertThat(dpm).as(e.getKey() + " dpm++2m 80").isLessThan(4e-3);
        assertThat(uni).as(e.getKey() + " unipc 80").isLessThan(4e-3);
        euler40.put(e.getKey(), run(m, "euler", schedule, 40));
        if (e.getKey().equals("vp-epsilon")) {
          vpTimes = ((OnnxVideoModel) m).nativeSchedule().orElseThrow().times(40);
        }
      }
    }
    // the three VP predictions, and EDM's F and D, are the same velocity field: the same 40 Euler steps agree
    for (String[] pair : new String[][] {{"vp-epsilon", "vp-v"}, {"vp-epsilon", "vp-sample"}, {"edm-raw", "edm-d"}}) {
      float[] a = euler40.get(pair[0]);
      float[] b = euler40.get(pair[1]);
      for (int i = 0; i < N; i++) {
        assertThat((double) a[i]).as("%s vs %s %d", pair[0], pair[1], i).isCloseTo(b[i], within(1e-4));
      }
    }
    // and equal to the flow model's ideal velocity on the same times (t = 0 aside, where the VP model sees
    // timestep 999, alphabar 2.4e-9 instead of 0)
    try (VideoModel m = open(models.get("flow"))) {
      float[] flow = Plugins.find(SolverProvider.class, "euler", "--solver").create(Settings.empty("s")).integrate(field(m), noise(), vpTimes,
          StepListener.NONE);
      float[] vp = euler40.get("vp-epsilon");
      for (int i = 0; i < N; i++) {
        assertThat((double) vp[i]).as("vp vs flow %d", i).isCloseTo(flow[i], within(2e-4));
      }
    }
  }

  /** Point mass data: every convention's conversion, on any schedule, gives exactly mu (the flow is straight). */
  @Test
  void pointMassLandsExactlyOnItsPointFromEveryConvention() {
    float[] mu = mu();
    float[] zero = new float[N];
    Map<String, Path> models = new LinkedHashMap<>();
    double[] sd15 = scaledLinear();
    models.put("vp-epsilon", vpGaussian(dir.resolve("pe"), mu, zero, sd15, "epsilon", sdTime("leading", 1, 1.0)));
    models.put("vp-v", vpGaussian(dir.resolve("pv"), mu, zero, sd15, "v", sdTime("trailing", 0, 1.0)));
    models.put("edm-raw", edmGaussian(dir.resolve("pf"), mu, zero, 0.5, true));
    for (var e : models.entrySet()) {
      try (VideoModel m = open(e.getValue())) {
        for (String solver : List.of("euler", "heun", "dpm++2m", "unipc")) {
          float[] x1 = run(m, solver, "model", 4);
          for (int i = 0; i < N; i++) {
            assertThat((double) x1[i]).as("%s %s %d", e.getKey(), solver, i).isCloseTo(mu[i], within(2e-4));
          }
        }
      }
    }
  }

  @Test
  void badValuesNameTheFileTheKeyAndTheFix() {
    Path m = TestModels.linear(dir, "BCTHW", true, Map.of("time", sdTime("leading", 1, 1.0)));
    String file = m.resolve("model.json").toString();
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("betas", "\"betas\" must be linear, scaled_linear or squaredcos_cap_v2");
    cases.put("spacing", "\"spacing\" must be leading, trailing or linspace");
    cases.put("convention", "\"convention\" must be data_at_1, noise_at_1, vp or edm");
    for (var c : cases.entrySet()) {
      TestModels.editJson(m, j -> child(child(j, "denoiser"), "time").put(c.getKey(), "bogus"));
      assertThatThrownBy(() -> open(m).close()).isInstanceOf(VideoJamException.class).hasMessageContaining(file)
          .hasMessageContaining(c.getValue()).hasMessageContaining("bogus").satisfies(ex -> assertThat(ex.getMessage()).doesNotContain("\n"));
      TestModels.editJson(m, j -> child(child(j, "denoiser"), "time").putAll(sdTime("leading", 1, 1.0)));
    }
    TestModels.editJson(m, j -> child(j, "denoiser").put("prediction", "velocity"));
    assertThatThrownBy(() -> open(m).close()).hasMessageContaining(file).hasMessageContaining("\"prediction\" must be epsilon, v or sample");
    TestModels.editJson(m, j -> {
      child(j, "denoiser").put("prediction", "epsilon");
      child(child(j, "denoiser"), "time").put("beta-end", 1.5);
    });
    assertThatThrownBy(() -> open(m).close()).hasMessageContaining(file).hasMessageContaining("\"beta-end\"");
    TestModels.editJson(m, j -> child(j, "denoiser").put("time", Map.of("convention", "edm", "sigma-min", 5.0, "sigma-max", 1.0)));
    assertThatThrownBy(() -> open(m).close()).hasMessageContaining(file).hasMessageContaining("\"sigma-max\"").hasMessageContaining("sigma-min");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> m, String k) {
    return (Map<String, Object>) m.get(k);
  }
}
