package io.videojam.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.jamworld.WorldConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The noise seeds and the frame derangement that the nulls and the permutation diagnostic use. */
class ClipScoringTest {
  @Test
  void noiseSeedsAreTheDocumentedFormula() {
    assertThat(ClipScoring.noiseSeed(0, "basic-00")).isEqualTo(Math.floorMod("basic-00".hashCode(), 1_000_003));
    assertThat(ClipScoring.noiseSeed(2, "p001")).isEqualTo(2_000_006L + Math.floorMod("p001".hashCode(), 1_000_003));
    assertThat(ClipScoring.noiseSeed(1, "a")).isNotEqualTo(ClipScoring.noiseSeed(1, "b"));
  }

  /** Pinned orders (the values the training previews and the evaluation drew before they shared Permutations), so seeds keep their clips. */
  @Test
  void derangementsMoveEveryFrameAndMatchTheTrainingPreviews() {
    SplittableRandom r0 = new SplittableRandom(0);
    assertThat(io.videojam.api.Permutations.derangement(8, r0)).containsExactly(4, 5, 3, 1, 6, 7, 2, 0);
    assertThat(io.videojam.api.Permutations.derangement(5, r0)).containsExactly(1, 3, 4, 0, 2);
    SplittableRandom r42 = new SplittableRandom(42);
    assertThat(io.videojam.api.Permutations.derangement(8, r42)).containsExactly(1, 0, 4, 7, 2, 3, 5, 6);
    assertThat(io.videojam.api.Permutations.derangement(5, r42)).containsExactly(4, 0, 3, 2, 1);
    for (long seed = 0; seed < 50; seed++) {
      int[] p = io.videojam.api.Permutations.derangement(6, new SplittableRandom(seed));
      for (int i = 0; i < p.length; i++) {
        assertThat(p[i]).isNotEqualTo(i);
      }
    }
    assertThat(io.videojam.api.Permutations.derangement(1, new SplittableRandom(0))).containsExactly(0);
  }

  @Test
  void theShuffledNullReordersWholeFrames() {
    WorldConfig wc = WorldConfig.defaults();
    int frames = wc.frames(), n = wc.height() * wc.width();
    float[] v = new float[3 * frames * n];
    for (int c = 0; c < 3; c++) {
      for (int t = 0; t < frames; t++) {
        java.util.Arrays.fill(v, (c * frames + t) * n, (c * frames + t + 1) * n, t);
      }
    }
    float[] s = ClipScoring.shuffled(v, frames, n, 7);
    int[] order = io.videojam.api.Permutations.derangement(frames, new SplittableRandom(7));
    for (int c = 0; c < 3; c++) {
      for (int t = 0; t < frames; t++) {
        assertThat(s[(c * frames + t) * n]).isEqualTo(order[t]);
      }
    }
  }
}
