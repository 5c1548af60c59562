package io.videojam.runtime;

import io.videojam.api.FloatTensor;
import io.videojam.api.LatentShape;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.Map;

/**
 * Everything that decides a generated video, besides the model.
 *
 * @param prompt the text prompt
 * @param seed noise seed (same seed, same model, same machine: the same video, bit for bit)
 * @param steps sampling steps
 * @param solver {@code euler} or {@code heun} (or a plugin)
 * @param schedule {@code auto} (the model's own schedule where model.json defines one, else shifted),
 *     {@code model}, {@code uniform}, {@code shifted}, {@code karras} (or a plugin)
 * @param scheduleSettings e.g. {@code shift}
 * @param guidance rule name; null picks {@code inner} for models with motion channels, else {@code cfg}
 * @param guidanceSettings the rule's parameters ({@code w}, {@code w1}, {@code w2}, {@code s-text}, ...)
 * @param passMode batched, sequential or auto
 * @param memoryBudgetBytes the budget {@link PassMode#AUTO} compares a batched run's estimate against
 * @param initialNoise the noise at t = 0, {@code [1, C, T, H, W]} of the model's latent shape, or null
 *     to draw it from {@code seed} (given, the seed no longer decides the noise)
 * @param guidanceWindow the sampling times at which the rule guides (elsewhere the fully conditioned
 *     pass alone); {@link GuidanceWindow#ALWAYS} by default
 */
public record GenerationRequest(String prompt, long seed, int steps, String solver, String schedule, Settings scheduleSettings,
    String guidance, Settings guidanceSettings, PassMode passMode, long memoryBudgetBytes, FloatTensor initialNoise,
    GuidanceWindow guidanceWindow) {
  public static final long DEFAULT_MEMORY_BUDGET = 2L << 30;

  /** The parameter's name in messages: the library's and the CLI's. */
  static final String NOISE = "initial noise (--init-noise)";

  /** The longest prompt, in characters (text encoders keep their first few hundred tokens anyway). */
  public static final int MAX_PROMPT_CHARS = 20_000;

  public GenerationRequest {
    if (guidanceWindow == null) {
      guidanceWindow = GuidanceWindow.ALWAYS;
    }
    if (prompt == null) {
      throw new VideoJamException("prompt is required (null)");
    }
    if (prompt.length() > MAX_PROMPT_CHARS) {
      throw new VideoJamException("prompt has " + prompt.length() + " characters, over the limit of " + MAX_PROMPT_CHARS
          + "; shorten it (text encoders read only its first few hundred tokens)");
    }
    if (steps < 1 || steps > 10_000) {
      throw new VideoJamException("steps must be in [1, 10000], got " + steps);
    }
    if (memoryBudgetBytes <= 0) {
      throw new VideoJamException("memoryBudgetBytes must be > 0, got " + memoryBudgetBytes);
    }
    if (initialNoise != null) {
      long[] s = initialNoise.shape();
      if (s.length != 5 || s[0] != 1) {
        throw new VideoJamException(NOISE + " has shape " + java.util.Arrays.toString(s) + "; it must be one sample [1, C, T, H, W]");
      }
      int bad = initialNoise.firstNonFinite();
      if (bad >= 0) {
        throw new VideoJamException(NOISE + " holds " + initialNoise.data()[bad] + " at flat index " + bad
            + "; every value must be finite (np.isfinite(a).all())");
      }
    }
  }

  /** A request guided at every step. */
  public GenerationRequest(String prompt, long seed, int steps, String solver, String schedule, Settings scheduleSettings,
      String guidance, Settings guidanceSettings, PassMode passMode, long memoryBudgetBytes, FloatTensor initialNoise) {
    this(prompt, seed, steps, solver, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes, initialNoise,
        GuidanceWindow.ALWAYS);
  }

  /** A request without initial noise (the seed draws it), guided at every step. */
  public GenerationRequest(String prompt, long seed, int steps, String solver, String schedule, Settings scheduleSettings,
      String guidance, Settings guidanceSettings, PassMode passMode, long memoryBudgetBytes) {
    this(prompt, seed, steps, solver, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes, null);
  }

  /**
   * The initial noise for a model of latent {@code shape}: the given one (its shape checked), else
   * standard normal values drawn from the seed.
   */
  public float[] noise(LatentShape shape) {
    if (initialNoise != null) {
      if (!java.util.Arrays.equals(initialNoise.shape(), shape.dims())) {
        throw new VideoJamException(NOISE + " has shape " + java.util.Arrays.toString(initialNoise.shape()) + " but the model's latent is "
            + java.util.Arrays.toString(shape.dims()) + " [B, C, T, H, W]; pass noise of that shape");
      }
      return initialNoise.data().clone();
    }
    float[] noise = new float[shape.size()];
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    return noise;
  }

  /**
   * Defaults: 30 Euler steps on the auto schedule (the model's own for vp and edm models, else shifted
   * with shift 3), the model's default guidance, auto pass mode.
   */
  public static GenerationRequest of(String prompt, long seed) {
    return new GenerationRequest(prompt, seed, 30, "euler", "auto", new Settings(Map.of("shift", 3.0), "--shift"),
        null, Settings.empty("guidance options"), PassMode.AUTO, DEFAULT_MEMORY_BUDGET);
  }

  public GenerationRequest withSteps(int n) {
    return new GenerationRequest(prompt, seed, n, solver, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes, initialNoise, guidanceWindow);
  }

  public GenerationRequest withGuidance(String name, Settings settings) {
    return new GenerationRequest(prompt, seed, steps, solver, schedule, scheduleSettings, name, settings, passMode, memoryBudgetBytes, initialNoise, guidanceWindow);
  }

  public GenerationRequest withPassMode(PassMode mode) {
    return new GenerationRequest(prompt, seed, steps, solver, schedule, scheduleSettings, guidance, guidanceSettings, mode, memoryBudgetBytes, initialNoise, guidanceWindow);
  }

  public GenerationRequest withSolver(String name) {
    return new GenerationRequest(prompt, seed, steps, name, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes, initialNoise, guidanceWindow);
  }

  public GenerationRequest withSchedule(String name, Settings settings) {
    return new GenerationRequest(prompt, seed, steps, solver, name, settings, guidance, guidanceSettings, passMode, memoryBudgetBytes, initialNoise, guidanceWindow);
  }

  /** The same request starting from {@code noise} ({@code [1, C, T, H, W]}), or from the seed's noise when null. */
  public GenerationRequest withInitialNoise(FloatTensor noise) {
    return new GenerationRequest(prompt, seed, steps, solver, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes, noise,
        guidanceWindow);
  }

  /** The same request guided only at times in {@code window} (see {@link GuidanceWindow}). */
  public GenerationRequest withGuidanceWindow(GuidanceWindow window) {
    return new GenerationRequest(prompt, seed, steps, solver, schedule, scheduleSettings, guidance, guidanceSettings, passMode, memoryBudgetBytes,
        initialNoise, window);
  }

  /** A builder starting from {@link #of(String, long)}'s defaults with seed 0. */
  public static Builder builder(String prompt) {
    return new Builder(of(prompt, 0));
  }

  /** Builds a request field by field; unset fields keep {@link #of(String, long)}'s defaults. */
  public static final class Builder {
    private GenerationRequest r;

    private Builder(GenerationRequest start) {
      this.r = start;
    }

    public Builder seed(long seed) {
      r = new GenerationRequest(r.prompt, seed, r.steps, r.solver, r.schedule, r.scheduleSettings, r.guidance, r.guidanceSettings, r.passMode,
          r.memoryBudgetBytes, r.initialNoise, r.guidanceWindow);
      return this;
    }

    public Builder steps(int steps) {
      r = r.withSteps(steps);
      return this;
    }

    public Builder solver(String name) {
      r = r.withSolver(name);
      return this;
    }

    public Builder schedule(String name, Settings settings) {
      r = r.withSchedule(name, settings);
      return this;
    }

    public Builder guidance(String name, Settings settings) {
      r = r.withGuidance(name, settings);
      return this;
    }

    public Builder guidanceWindow(double start, double stop) {
      r = r.withGuidanceWindow(new GuidanceWindow(start, stop));
      return this;
    }

    public Builder passMode(PassMode mode) {
      r = r.withPassMode(mode);
      return this;
    }

    public Builder memoryBudgetBytes(long bytes) {
      r = new GenerationRequest(r.prompt, r.seed, r.steps, r.solver, r.schedule, r.scheduleSettings, r.guidance, r.guidanceSettings, r.passMode,
          bytes, r.initialNoise, r.guidanceWindow);
      return this;
    }

    public Builder initialNoise(FloatTensor noise) {
      r = r.withInitialNoise(noise);
      return this;
    }

    public GenerationRequest build() {
      return r;
    }
  }
}
