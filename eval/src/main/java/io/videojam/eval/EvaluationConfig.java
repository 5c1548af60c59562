package io.videojam.eval;

import io.videojam.api.BackendOptions;
import io.videojam.api.VideoJamException;
import io.videojam.runtime.GenerationRequest;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What an {@link Evaluation} runs: a prompt suite through configurations with fixed seeds.
 *
 * @param suite the prompts
 * @param configurations the configurations with a model, in table order (the first is the reference
 *     of the paired differences); the reference nulls are added for suites with truth
 * @param sampling steps, solver, schedule, pass mode and memory budget of every clip (its prompt,
 *     seed and guidance are not used: each configuration brings its guidance, each clip its noise seed)
 * @param seed the first seed number
 * @param seeds how many seed numbers per prompt: {@code seed}, {@code seed + 1}, ...; each clip's
 *     noise seed is {@link ClipScoring#noiseSeed} of the number and the prompt id
 * @param backend backend of the models ({@code cpu}, {@code cuda}, ...)
 * @param backendOptions threads, device, precision, ...
 * @param estimator flow estimator of the generic metrics, e.g. {@code dis:medium}
 * @param out output folder; rows of an earlier run with the same plan there are reused
 * @param fresh discard the rows of an earlier run in {@code out} instead of continuing it
 * @param ablations whether {@code configurations} are {@link Configurations#ablations} (the reports add the Table 3 analogue)
 */
public record EvaluationConfig(PromptSuite suite, List<Configuration> configurations, GenerationRequest sampling, long seed, int seeds,
    String backend, BackendOptions backendOptions, String estimator, Path out, boolean fresh, boolean ablations) {
  public EvaluationConfig {
    require(suite, "suite");
    require(configurations, "configurations");
    require(sampling, "sampling");
    require(backend, "backend");
    require(backendOptions, "backendOptions");
    require(estimator, "estimator");
    require(out, "out");
    if (configurations.isEmpty()) {
      throw new VideoJamException("configurations is empty; give at least one model configuration");
    }
    Set<String> keys = new HashSet<>();
    for (Configuration c : configurations) {
      require(c, "configurations element");
      if (c.reference()) {
        throw new VideoJamException("configuration " + c.key() + " has no model folder; the reference nulls are added by the evaluation itself");
      }
      if (!keys.add(c.key())) {
        throw new VideoJamException("configuration key " + c.key() + " appears twice; keys must be unique");
      }
    }
    if (seeds < 1) {
      throw new VideoJamException("seeds must be >= 1, got " + seeds);
    }
    configurations = List.copyOf(configurations);
  }

  private static void require(Object value, String name) {
    if (value == null) {
      throw new VideoJamException(name + " is required (null)");
    }
  }

  /** The seed numbers: {@code seed}, {@code seed + 1}, ..., {@code seeds} of them. */
  public long[] seedNumbers() {
    long[] s = new long[seeds];
    for (int i = 0; i < seeds; i++) {
      s[i] = seed + i;
    }
    return s;
  }

  /**
   * A builder with the defaults: 30 Euler steps on the auto schedule, seeds 0, 1, 2, the CPU
   * backend, estimator {@code dis:medium}, continuing an earlier run, no ablation table.
   */
  public static Builder builder(PromptSuite suite, List<Configuration> configurations, Path out) {
    return new Builder(suite, configurations, out);
  }

  /** Builds an {@link EvaluationConfig}; the defaults are those of {@link #builder}. */
  public static final class Builder {
    private final PromptSuite suite;
    private final List<Configuration> configurations;
    private final Path out;
    private GenerationRequest sampling = GenerationRequest.of("", 0);
    private long seed;
    private int seeds = 3;
    private String backend = "cpu";
    private BackendOptions backendOptions = BackendOptions.defaults();
    private String estimator = "dis:medium";
    private boolean fresh;
    private boolean ablations;

    private Builder(PromptSuite suite, List<Configuration> configurations, Path out) {
      this.suite = suite;
      this.configurations = configurations;
      this.out = out;
    }

    /** Steps, solver, schedule, pass mode and memory budget of every clip. */
    public Builder sampling(GenerationRequest request) {
      this.sampling = request;
      return this;
    }

    /** {@code count} seed numbers from {@code first}. */
    public Builder seeds(long first, int count) {
      this.seed = first;
      this.seeds = count;
      return this;
    }

    public Builder backend(String name, BackendOptions options) {
      this.backend = name;
      this.backendOptions = options;
      return this;
    }

    public Builder estimator(String spec) {
      this.estimator = spec;
      return this;
    }

    public Builder fresh(boolean fresh) {
      this.fresh = fresh;
      return this;
    }

    public Builder ablations(boolean ablations) {
      this.ablations = ablations;
      return this;
    }

    public EvaluationConfig build() {
      return new EvaluationConfig(suite, configurations, sampling, seed, seeds, backend, backendOptions, estimator, out, fresh, ablations);
    }
  }
}
