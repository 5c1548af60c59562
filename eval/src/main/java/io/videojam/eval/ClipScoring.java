package io.videojam.eval;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.jamworld.ClipSpec;
import io.videojam.jamworld.Judgement;
import io.videojam.jamworld.Scores;
import io.videojam.jamworld.WorldConfig;
import io.videojam.metrics.MetricsReport;
import io.videojam.metrics.VideoMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The scores of one generated clip of a prompt suite, as {@link Evaluation} ({@code videojam eval})
 * and the Spark batch job compute them: the generic video metrics, and for suites of the synthetic world the
 * ground-truth metrics ({@link Judgement}) against the prompt and their three nulls.
 */
public final class ClipScoring {
  /** Generated clips are upscaled by this before optical flow (DIS needs a few 8-pixel patches). */
  static final int FLOW_SCALE = 4;

  /**
   * Scores by name; {@code prompt}, {@code opposite} and {@code shuffled} are null for prompts without
   * world parameters, {@code other} (and {@code otherCategory}) for a suite of one category.
   */
  public record Scored(Map<String, Double> generic, Map<String, Double> prompt, Map<String, Double> opposite,
      Map<String, Double> other, String otherCategory, Map<String, Double> shuffled) {}

  private ClipScoring() {}

  /**
   * Scores the clip made for {@code suite.prompts().get(index)}.
   *
   * @param video RGB {@code [3, T, H, W]} in [-1, 1]
   * @param noiseSeed the clip's noise seed (also seeds the frame shuffle of the shuffled null)
   * @param flow flow estimators for the generic metrics
   */
  public static Scored score(FloatTensor video, PromptSuite suite, int index, long noiseSeed, WorldConfig wc, Supplier<FlowEstimator> flow) {
    MetricsReport m = VideoMetrics.compute(upscale(video, FLOW_SCALE), flow);
    Map<String, Double> generic = new LinkedHashMap<>();
    generic.put("dynamic_degree", m.dynamicDegree());
    generic.put("flow_top5", m.meanFlowTop5() / FLOW_SCALE);
    generic.put("flickering", m.temporalFlickering());
    generic.put("smoothness", m.motionSmoothness());
    generic.put("warping_error", m.warpingError());
    generic.put("subject_persistence", m.subjectPersistence());
    PromptSuite.Prompt p = suite.prompts().get(index);
    if (p.spec() == null) {
      return new Scored(generic, null, null, null, null, null);
    }
    float[] v = video.data();
    ClipSpec other = otherCategory(suite, index);
    return new Scored(generic, Judgement.of(v, wc, p.spec(), false).asMap(), Judgement.of(v, wc, p.spec(), true).asMap(),
        other == null ? null : Judgement.of(v, wc, other, false).asMap(), other == null ? null : other.category().name(),
        Judgement.of(shuffled(v, wc.frames(), wc.height() * wc.width(), noiseSeed), wc, p.spec(), false).asMap());
  }

  /**
   * The noise seed of a prompt's clip for seed number {@code seed}: {@code 1000003 seed + (hash of
   * the prompt id mod 1000003)}. Every model gets the same noise for the same prompt and seed
   * number, and different prompts get different noise, so the prompts' clips are independent
   * samples (with one noise for all prompts, a seed's luck would move every prompt's score at
   * once). {@code videojam generate --seed NOISE_SEED} makes the same clip.
   */
  public static long noiseSeed(long seed, String id) {
    return 1_000_003L * seed + Math.floorMod(id.hashCode(), 1_000_003);
  }

  /** The video's frames in a random order that moves every frame (seeded). */
  static float[] shuffled(float[] video, int frames, int n, long seed) {
    return Scores.reorderFrames(video, frames, n, io.videojam.api.Permutations.derangement(frames, new SplittableRandom(seed)));
  }

  /** The prompt at the same position within the next category of the suite (cyclic); null for a suite of one category. */
  static ClipSpec otherCategory(PromptSuite suite, int index) {
    PromptSuite.Prompt p = suite.prompts().get(index);
    List<String> cats = suite.categories();
    List<PromptSuite.Prompt> mine = suite.prompts().stream().filter(q -> q.category().equals(p.category())).toList();
    int pos = mine.indexOf(p);
    for (int k = 1; k < cats.size(); k++) {
      String next = cats.get((cats.indexOf(p.category()) + k) % cats.size());
      List<PromptSuite.Prompt> theirs = suite.prompts().stream().filter(q -> q.category().equals(next)).toList();
      if (!theirs.isEmpty()) {
        return theirs.get(pos % theirs.size()).spec();
      }
    }
    return null;
  }


  static FloatTensor upscale(FloatTensor video, int s) {
    long[] sh = video.shape();
    int c = (int) sh[0];
    int t = (int) sh[1];
    int h = (int) sh[2];
    int w = (int) sh[3];
    float[] in = video.data();
    float[] o = new float[c * t * h * s * w * s];
    for (int ct = 0; ct < c * t; ct++) {
      for (int y = 0; y < h * s; y++) {
        for (int x = 0; x < w * s; x++) {
          o[(ct * h * s + y) * w * s + x] = in[(ct * h + y / s) * w + x / s];
        }
      }
    }
    return new FloatTensor(new long[] {c, t, (long) h * s, (long) w * s}, o);
  }

}
