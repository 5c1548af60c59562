package io.videojam.runtime;

import static io.videojam.model.TestModels.C;
import static io.videojam.model.TestModels.CA;
import static io.videojam.model.TestModels.GAMMA;
import static io.videojam.model.TestModels.H;
import static io.videojam.model.TestModels.MIX;
import static io.videojam.model.TestModels.T;
import static io.videojam.model.TestModels.W;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.GraphSession;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.model.Models;
import java.util.Optional;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.model.FixtureModel;
import io.videojam.model.TestModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import java.util.LinkedHashMap;
import java.util.stream.Stream;

class GeneratorTest {
  @TempDir
  static Path tmp;

  static Path fixture;

  @BeforeAll
  static void writeFixture() {
    fixture = tmp.resolve("fixture");
    FixtureModel.write(fixture, "fixture", FixtureModel.config());
  }

  static GenerationRequest request(String prompt, long seed, int steps) {
    return GenerationRequest.of(prompt, seed).withSteps(steps);
  }

  /** A rule's guided velocity for one element, written out by hand from the four possible passes. */
  interface HandRule {
    double u(boolean motionChannel, double full, double noText, double noMotion, double neither);
  }

  static Stream<Arguments> rulesByHand() {
    Map<String, HandRule> rules = new LinkedHashMap<>();
    // Eq. 8 with w1 = 5, w2 = 3; motion channels get text guidance only (the default policy)
    rules.put("inner", (m, f, nt, nm, nn) -> m ? 6 * f - 5 * nt : 9 * f - 5 * nt - 3 * nm);
    rules.put("inner:whole", (m, f, nt, nm, nn) -> 9 * f - 5 * nt - 3 * nm);
    rules.put("cfg", (m, f, nt, nm, nn) -> 6 * f - 5 * nt);
    rules.put("none", (m, f, nt, nm, nn) -> f);
    // InstructPix2Pix, s_T = 6, s_I = 4: u(0,0) + s_I (u(d,0) - u(0,0)) + s_T (u(d,y) - u(d,0))
    rules.put("ip2p", (m, f, nt, nm, nn) -> m ? nt + 6 * (f - nt) : nn + 4 * (nt - nn) + 6 * (f - nt));
    rules.put("motion-off", (m, f, nt, nm, nn) -> 6 * nm - 5 * nn);
    return rules.entrySet().stream().flatMap(e -> Stream.of("batched", "sequential").map(mode -> Arguments.of(e.getKey(), mode, e.getValue())));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("rulesByHand")
  void everyRuleOnAnAnalyticGraphMatchesItsFormulaByHand(String rule, String mode, HandRule hand) {
    // out = MIX x + GAMMA * sum(ids); one Euler step from t = 0 to 1: x1 = x0 + u~(x0)
    Path model = TestModels.mixing(tmp.resolve("mixing-" + rule.replace(':', '-') + "-" + mode));
    String name = rule.split(":")[0];
    Settings settings = new Settings(rule.endsWith(":whole") ? Map.of("motion-policy", "whole") : Map.of(), "g");
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(model))) {
      GenerationRequest r = request("red ball", 42, 1).withSchedule("uniform", Settings.empty("s")).withPassMode(PassMode.parse(mode))
          .withGuidance(name, settings);
      float[] x1 = jam.generate(r, StepListener.NONE).latent().data();
      int plane = T * H * W;
      float[] x0 = new float[C * plane];
      SplittableRandom random = new SplittableRandom(42); // the documented noise: SplittableRandom(seed).nextGaussian() in BCTHW order
      for (int i = 0; i < x0.length; i++) {
        x0[i] = (float) random.nextGaussian();
      }
      double textSum = 2 + 3; // "red" = 2, "ball" = 3 in the test vocabulary; the null prompt sums to 0
      for (int c = 0; c < C; c++) {
        for (int p = 0; p < plane; p++) {
          double mixed = 0;
          double mixedWithoutMotion = 0;
          for (int i = 0; i < C; i++) {
            mixed += MIX[c][i] * x0[i * plane + p];
            mixedWithoutMotion += i < CA ? MIX[c][i] * x0[i * plane + p] : 0;
          }
          double guided = hand.u(c >= CA, mixed + GAMMA * textSum, mixed, mixedWithoutMotion + GAMMA * textSum, mixedWithoutMotion);
          assertThat((double) x1[c * plane + p]).as("c%d p%d", c, p).isCloseTo(x0[c * plane + p] + guided, within(1e-4));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"inner", "ip2p", "cfg", "motion-off"})
  void batchedAndSequentialPassesAgreeOnTheFixtureDiT(String guidance) {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      GenerationRequest r = request("a red ball bouncing", 3, 4).withGuidance(guidance, Settings.empty("g"));
      Generation batched = jam.generate(r.withPassMode(PassMode.BATCHED), StepListener.NONE);
      Generation sequential = jam.generate(r.withPassMode(PassMode.SEQUENTIAL), StepListener.NONE);
      float[] a = batched.latent().data();
      float[] b = sequential.latent().data();
      double max = 0;
      for (int i = 0; i < a.length; i++) {
        max = Math.max(max, Math.abs(a[i] - b[i]));
      }
      assertThat(max).isLessThanOrEqualTo(1e-5);
      assertThat(batched.settings().get("pass-mode")).isEqualTo("batched");
      assertThat(sequential.settings().get("pass-mode")).isEqualTo("sequential");
      // counted by hand from each rule's formula: inner u(d,y), u(d,null), u(0,y); ip2p u(d,y), u(d,null),
      // u(0,null); cfg u(d,y), u(d,null); motion-off u(0,y), u(0,null). Euler, 4 steps.
      int passes = switch (guidance) {
        case "inner", "ip2p" -> 3;
        case "cfg", "motion-off" -> 2;
        default -> throw new IllegalArgumentException(guidance);
      };
      assertThat(batched.timings().modelRuns()).isEqualTo(4);
      assertThat(sequential.timings().modelRuns()).isEqualTo(4L * passes);
    }
  }

  @Test
  void modelRunsAreTheGraphRunsTheBackendSaw() {
    // a backend that counts the denoiser's runs: Heun with 3 steps evaluates 2 + 2 + 1 = 5 times (the last
    // step is Euler into t = 1); inner guidance runs 3 passes sequentially, or 1 batched run, per evaluation
    int[] runs = {0};
    Backend counting = countingBackend(new OrtBackend(OrtBackend.Device.CPU), runs);
    try (VideoModel model = Models.open(fixture, counting, BackendOptions.defaults())) {
      Generator g = new Generator(model, counting, Optional.empty());
      runs[0] = 0; // opening the model may probe the graph; count the generation's runs only
      GenerationRequest r = request("a red ball", 1, 3).withSolver("heun").withGuidance("inner", Settings.empty("g"));
      Generation sequential = g.generate(r.withPassMode(PassMode.SEQUENTIAL), StepListener.NONE);
      assertThat(runs[0]).isEqualTo(15);
      assertThat(sequential.timings().modelRuns()).isEqualTo(15);
      assertThat(sequential.settings().get("model-runs")).isEqualTo(15L);
      runs[0] = 0;
      Generation batched = g.generate(r.withPassMode(PassMode.BATCHED), StepListener.NONE);
      assertThat(runs[0]).isEqualTo(5);
      assertThat(batched.timings().modelRuns()).isEqualTo(5);
      runs[0] = 0;
      g.generate(request("a red ball", 1, 3).withSolver("euler").withGuidance("cfg", Settings.empty("g"))
          .withPassMode(PassMode.SEQUENTIAL), StepListener.NONE);
      assertThat(runs[0]).isEqualTo(6); // 3 steps x 2 passes
    }
  }

  /** {@code cpu}, counting every run of a session it opens into {@code runs[0]}. */
  static Backend countingBackend(Backend cpu, int[] runs) {
    return new Backend() {
      @Override
      public String name() {
        return "counting";
      }

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public String unavailableReason() {
        return "";
      }

      @Override
      public GraphSession open(Path onnxFile, BackendOptions options) {
        GraphSession inner = cpu.open(onnxFile, options);
        return new GraphSession() {
          @Override
          public List<io.videojam.api.TensorInfo> inputs() {
            return inner.inputs();
          }

          @Override
          public List<io.videojam.api.TensorInfo> outputs() {
            return inner.outputs();
          }

          @Override
          public Map<String, io.videojam.api.Tensor> run(Map<String, io.videojam.api.Tensor> inputs, List<String> outputNames) {
            runs[0]++;
            return inner.run(inputs, outputNames);
          }

          @Override
          public Map<String, io.videojam.api.Tensor> run(Map<String, io.videojam.api.Tensor> inputs, Map<String, long[]> outputs) {
            runs[0]++;
            return inner.run(inputs, outputs);
          }

          @Override
          public void runInto(Map<String, io.videojam.api.Tensor> inputs, String output, long[] shape, float[] into) {
            runs[0]++;
            inner.runInto(inputs, output, shape, into);
          }

          @Override
          public long runNanos() {
            return inner.runNanos();
          }

          @Override
          public long runCount() {
            return inner.runCount();
          }

          @Override
          public void close() {
            inner.close();
          }
        };
      }
    };
  }

  @Test
  void sameSeedSameVideoOtherSeedOtherVideo() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      GenerationRequest r = request("a blue square moving left", 11, 3).withSolver("heun");
      // auto's measurement is kept for the process: the probe runs only if no earlier test measured this model
      int probe = jam.generator().passModeMeasurement(3).filter(m -> m.contains("per step:")).isPresent() ? 0 : 8;
      Generation a = jam.generate(r, StepListener.NONE);
      Generation b = jam.generate(r, StepListener.NONE);
      Generation c = jam.generate(request("a blue square moving left", 12, 3).withSolver("heun"), StepListener.NONE);
      assertThat(a.latent().data()).containsExactly(b.latent().data());
      assertThat(a.latent()).isNotEqualTo(c.latent());
      assertThat(a.video().shape()).containsExactly(3, 16, 32, 32);
      assertThat(a.motion().shape()).containsExactly(3, 16, 32, 32);
      assertThat(a.video().firstNonFinite()).isEqualTo(-1);
      // Heun: 5 evaluations of 3 passes; the first auto generation first times the first one twice each way (8 runs)
      int perEvaluation = a.record().passMode() == PassMode.BATCHED ? 1 : 3;
      assertThat(a.timings().modelRuns()).isEqualTo(probe + 5 * perEvaluation);
      assertThat(b.timings().modelRuns()).isEqualTo(5 * perEvaluation);
    }
  }

  @Test
  void theTextAndTheMotionInputMatter() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      GenerationRequest r = request("a red ball", 5, 2);
      float[] inner = jam.generate(r, StepListener.NONE).latent().data();
      float[] noMotionGuidance = jam.generate(r.withGuidance("inner", new Settings(Map.of("w2", 0.0), "g")), StepListener.NONE).latent().data();
      float[] otherText = jam.generate(request("a green star", 5, 2), StepListener.NONE).latent().data();
      assertThat(maxDiff(inner, noMotionGuidance)).isGreaterThan(1e-2);
      assertThat(maxDiff(inner, otherText)).isGreaterThan(1e-2);
    }
  }

  static double maxDiff(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }

  @Test
  void autoTimesBothModesOnItsFirstStepThenRunsEveryStepInTheOneItKeeps() {
    // a model of its own (another hash): auto's measurements are kept per model for the whole process
    Path own = tmp.resolve("fixture-auto");
    FixtureModel.write(own, "fixture-auto", FixtureModel.config().withSeed(77));
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(own))) {
      GenerationRequest base = request("a red ball", 3, 8);
      Generation sequential = jam.generate(base.withPassMode(PassMode.SEQUENTIAL), StepListener.NONE);
      Generation batched = jam.generate(base.withPassMode(PassMode.BATCHED), StepListener.NONE);
      assertThat(jam.generator().passModeMeasurement(3)).isEmpty(); // fixed modes measure nothing
      Generation auto = jam.generate(base.withPassMode(PassMode.AUTO), StepListener.NONE);
      boolean kept = auto.record().passMode() == PassMode.BATCHED;
      // every step in the kept mode: exactly what that fixed mode samples
      assertThat(auto.latent().data()).containsExactly((kept ? batched : sequential).latent().data());
      // the first step was timed twice each way first (2 x 1 + 2 x 3 runs, thrown away), then 8 steps in the kept mode
      assertThat(auto.record().modelRuns()).isEqualTo(2 + 6 + (kept ? 8 : 24));
      String measured = jam.generator().passModeMeasurement(3).orElseThrow();
      assertThat(measured).matches("batched [0-9.]+ ms, sequential [0-9.]+ ms per step: (batched|sequential)");
      assertThat(measured).endsWith(auto.record().passMode().key());
      assertThat(auto.record().passModeRequested()).isEqualTo(PassMode.AUTO);
      // later auto generations use the choice without timing again
      assertThat(jam.generator().resolve(base, 3)).isEqualTo(auto.record().passMode());
      Generation again = jam.generate(base, StepListener.NONE);
      assertThat(again.record().modelRuns()).isEqualTo(kept ? 8 : 24);
      assertThat(again.latent().data()).containsExactly(auto.latent().data());
    }
  }

  @Test
  void keptTextsRulesAndBuffersDoNotCarryOneGenerationIntoTheNext() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      GenerationRequest a = request("a red ball", 5, 6).withPassMode(PassMode.BATCHED);
      GenerationRequest b = request("a blue square", 5, 6).withPassMode(PassMode.BATCHED);
      Generation first = jam.generate(a, StepListener.NONE);
      Generation other = jam.generate(b, StepListener.NONE);
      Generation cfg = jam.generate(a.withGuidance("cfg", new Settings(Map.of("w", 2.0), "t")), StepListener.NONE);
      Generation again = jam.generate(a, StepListener.NONE);
      assertThat(again.latent().data()).containsExactly(first.latent().data());
      assertThat(maxDiff(other.latent().data(), first.latent().data())).isGreaterThan(1e-3);
      assertThat(maxDiff(cfg.latent().data(), first.latent().data())).isGreaterThan(1e-3);
      assertThat(again.record().modelRuns()).isEqualTo(first.record().modelRuns());
    }
  }

  @Test
  void autoPassModeBatchesOnlyWhereTheBackendBatchesFasterAndTheBudgetFits() {
    OrtBackend cpu = new OrtBackend(OrtBackend.Device.CPU);
    Backend gpuLike = batchingBackend("gpu-like", cpu, false);
    // a model of its own: what auto measured for the shared fixture in other tests is kept for the process
    Path own = tmp.resolve("fixture-resolve");
    FixtureModel.write(own, "fixture-resolve", FixtureModel.config().withSeed(78));
    try (VideoModel model = Models.open(own, gpuLike, BackendOptions.defaults())) {
      Generator batching = new Generator(model, gpuLike, Optional.empty());
      Generator onCpu = new Generator(model, cpu, Optional.empty());
      long need = batching.batchedBytes(3);
      assertThat(need).isEqualTo(3L * 6 * 16 * 32 * 32 * 4 * Generator.ACTIVATION_FACTOR);
      assertThat(batching.resolve(budget(need), 3)).isEqualTo(PassMode.BATCHED);
      assertThat(batching.resolve(budget(need - 1), 3)).isEqualTo(PassMode.SEQUENTIAL);
      assertThat(batching.resolve(budget(need), 1)).isEqualTo(PassMode.SEQUENTIAL);
      assertThat(onCpu.resolve(budget(need), 3)).isEqualTo(PassMode.SEQUENTIAL);
      assertThat(onCpu.resolve(budget(need).withPassMode(PassMode.BATCHED), 3)).isEqualTo(PassMode.BATCHED);
      // a TensorRT-like backend batches only the passes its engines were built for (--max-batch)
      Backend engineLike = batchingBackend("engine-like", cpu, true);
      RuntimeConfig two = new RuntimeConfig(fixture, "engine-like", BackendOptions.defaults().withMaxBatch(2));
      Generator limited = new Generator(model, engineLike, Optional.empty(), GuidanceDefaults.NONE, two);
      assertThat(limited.resolve(budget(need), 2)).isEqualTo(PassMode.BATCHED);
      assertThat(limited.resolve(budget(need), 3)).isEqualTo(PassMode.SEQUENTIAL);
      Generator unlimited = new Generator(model, gpuLike, Optional.empty(), GuidanceDefaults.NONE, two);
      assertThat(unlimited.resolve(budget(need), 3)).isEqualTo(PassMode.BATCHED);
    }
  }

  /** A backend that batches faster (like the GPU ones), running on {@code cpu}; {@code limited}: TensorRT-like batch limit. */
  static Backend batchingBackend(String name, Backend cpu, boolean limited) {
    return new Backend() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public boolean available() {
        return true;
      }

      @Override
      public String unavailableReason() {
        return "";
      }

      @Override
      public boolean prefersBatching() {
        return true;
      }

      @Override
      public boolean batchLimited() {
        return limited;
      }

      @Override
      public GraphSession open(Path onnxFile, BackendOptions options) {
        return cpu.open(onnxFile, options);
      }
    };
  }

  static GenerationRequest budget(long bytes) {
    return new GenerationRequest("x", 0, 1, "euler", "uniform", Settings.empty("s"), null, Settings.empty("g"), PassMode.AUTO, bytes);
  }

  @Test
  void infinityInAModelOutputStopsAndNamesTheStep() {
    Path model = TestModels.infAtHalf(tmp.resolve("inf"));
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(model))) {
      GenerationRequest r = request("red", 0, 4).withSchedule("uniform", Settings.empty("s")).withGuidance("none", Settings.empty("g"));
      assertThatThrownBy(() -> jam.generate(r, StepListener.NONE)).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("returned Inf at step 3 of 4 (t = 0.5000");
    }
  }

  /** Batched, a linear rule's passes are combined by the model; on a non-finite result they run again apart to name the pass. */
  @Test
  void infinityInABatchedGuidedRunNamesTheFirstPassThatReturnedIt() {
    Path model = TestModels.infAtHalf(tmp.resolve("inf-batched"));
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(model))) {
      GenerationRequest r = request("red", 0, 4).withSchedule("uniform", Settings.empty("s")).withGuidance("inner", Settings.empty("g"))
          .withPassMode(PassMode.BATCHED);
      assertThatThrownBy(() -> jam.generate(r, StepListener.NONE)).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("returned Inf at step 3 of 4 (t = 0.5000, pass " + jam.generator().rule(r).passes().get(0) + ")");
    }
  }

  @Test
  void unknownPluginsAndUnavailableBackends() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      assertThatThrownBy(() -> jam.generate(request("x", 0, 1).withSolver("rk4"), StepListener.NONE))
          .isInstanceOf(VideoJamException.class).hasMessageContaining("unknown solver 'rk4'; available: dpm++2m, euler, heun, unipc");
    }
    if (!new OrtBackend(OrtBackend.Device.CUDA).available()) { // the CPU build lacks the provider; the GPU build sees no GPU
      assertThatThrownBy(() -> VideoJam.open(new RuntimeConfig(fixture, "cuda", BackendOptions.defaults())))
          .isInstanceOf(VideoJamException.class).hasMessageContaining("--backend cuda")
          .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("-Pgpu", "no NVIDIA GPU is visible"));
    }
    assertThatThrownBy(() -> VideoJam.open(new RuntimeConfig(fixture, "tpu", BackendOptions.defaults())))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("unknown backend 'tpu'; available: cpu, cuda, tensorrt");
  }

  @Test
  void sessionOptionsAreApplied() {
    try (VideoJam jam = VideoJam.open(new RuntimeConfig(fixture, "cpu", new BackendOptions(1, 1, "basic", 0)))) {
      assertThat(jam.generate(request("x", 0, 1), StepListener.NONE).video().firstNonFinite()).isEqualTo(-1);
    }
    assertThatThrownBy(() -> new BackendOptions(1, 1, "max", 0)).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("none, basic, extended, all");
    assertThat(List.of(1)).hasSize(1);
  }
}
