package io.videojam.jamworld;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ScoresTest {
  private final WorldConfig config = WorldConfig.defaults();
  private final JamWorld world = new JamWorld(config);
  private static final int T = 8;
  private static final int N = 16 * 16;

  private Scores own(ClipSpec spec) {
    return Scores.of(world.render(spec).video(), config, spec);
  }

  private static String opposite(String motion) {
    return motion.replace("right", "R").replace("left", "right").replace("R", "left")
        .replace("up", "U").replace("down", "up").replace("U", "down")
        .replace("ccw", "CW").replace("cw", "ccw").replace("CW", "cw");
  }

  /** Frame order[t] of the video becomes frame t. */
  private static float[] reorder(float[] video, int[] order) {
    return Scores.reorderFrames(video, T, N, order);
  }

  @Test
  void renderedTranslationScoresHighAgainstItsOwnSpecAndNegativeAgainstTheOpposite() {
    int i = 0;
    for (String dir : JamWorld.DIRECTIONS) {
      for (long seed = 1; seed <= 3; seed++) {
        String colour = JamWorld.COLOURS.get(i % 5);
        String shape = JamWorld.SHAPES.get(i++ % 5);
        ClipSpec spec = world.spec(colour, shape, dir, seed);
        float[] video = world.render(spec).video();
        Scores s = Scores.of(video, config, spec);
        assertThat(s.motion()).as("motion %s", spec).isGreaterThan(0.95);
        assertThat(s.drift()).as("drift %s", spec).isBetween(0.8, 1.2);
        assertThat(s.colour()).as("colour %s", spec).isGreaterThan(0.8);
        assertThat(s.persistence()).as("persistence %s", spec).isGreaterThan(0.8);
        assertThat(s.track()).doesNotContain(Double.NaN);

        Scores flipped = Scores.of(video, config, world.spec(colour, shape, opposite(dir), seed));
        assertThat(flipped.motion()).as("opposite %s", spec).isLessThan(-0.9);
        assertThat(flipped.drift()).isLessThan(-0.8);
      }
    }
  }

  @Test
  void shuffledFramesScoreClearlyLowerThanOrderedOnes() {
    int[] derangement = {5, 2, 7, 0, 6, 1, 4, 3};
    for (String dir : JamWorld.DIRECTIONS) {
      ClipSpec spec = world.spec("green", "square", dir, 11);
      float[] video = world.render(spec).video();
      double ordered = Scores.of(video, config, spec).motion();
      double shuffled = Scores.of(reorder(video, derangement), config, spec).motion();
      assertThat(ordered).isGreaterThan(0.95);
      assertThat(shuffled).as("shuffled %s", dir).isLessThan(0.5);
    }
  }

  @Test
  void staticClipHasNoMotionAndNoDrift() {
    for (String dir : JamWorld.DIRECTIONS) {
      ClipSpec spec = world.spec("blue", "ball", dir, 5);
      Scores s = Scores.of(reorder(world.render(spec).video(), new int[T]), config, spec);
      assertThat(Math.abs(s.motion())).isLessThan(0.05);
      assertThat(Math.abs(s.drift())).isLessThan(0.05);
      assertThat(s.persistence()).isGreaterThan(0.99);
    }
  }

  @Test
  void spinScoresFollowTheClockwiseConvention() {
    for (String shape : new String[] {"bar", "square", "triangle"}) {
      for (long seed = 1; seed <= 4; seed++) {
        for (String motion : new String[] {"spin-cw", "spin-ccw"}) {
          ClipSpec spec = world.spec("yellow", shape, motion, seed);
          float[] video = world.render(spec).video();
          Scores s = Scores.of(video, config, spec);
          Scores flipped = Scores.of(video, config, world.spec("yellow", shape, opposite(motion), seed));
          assertThat(s.motion()).as("%s %s %d", shape, motion, seed).isGreaterThan(0.8);
          assertThat(flipped.motion()).as("flipped %s %s %d", shape, motion, seed).isLessThan(-0.8);
          assertThat(s.drift()).isNaN(); // a spin does not travel
        }
      }
    }
    // a static bar has no rotation
    ClipSpec spec = world.spec("red", "bar", "spin-cw", 2);
    assertThat(Scores.of(reorder(world.render(spec).video(), new int[T]), config, spec).motion()).isZero();
  }

  @Test
  void isotropicShapesGiveNaNRotation() {
    // a ball has no orientation; spinning it is not a JamWorld motion, but a model may draw one
    ClipSpec ball = world.spec("white", "ball", "spin-cw", 3);
    assertThat(own(ball).motion()).isNaN();
  }

  @Test
  void noiseScoresClearlyLowerThanARealClip() {
    ClipSpec spec = world.spec("red", "square", "right", 1);
    Scores real = own(spec);
    Random rng = new Random(42);
    float[] noise = new float[3 * T * N];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) Math.max(-1, Math.min(1, rng.nextGaussian()));
    }
    Scores s = Scores.of(noise, config, spec);
    System.out.printf("noise: colour %.3f persistence %.3f motion %.3f drift %.3f; real: %.3f %.3f %.3f %.3f%n",
        s.colour(), s.persistence(), s.motion(), s.drift(), real.colour(), real.persistence(), real.motion(), real.drift());
    assertThat(s.colour()).isLessThan(real.colour() - 0.3);
    assertThat(Math.abs(s.drift())).isLessThan(0.3);
  }

  @Test
  void bounceAndOtherTrajectoriesScoreHighAgainstTheirOwnSpec() {
    for (long seed = 1; seed <= 6; seed++) {
      Scores s = own(world.spec(JamWorld.COLOURS.get((int) seed % 5), "ball", "bounce", seed));
      assertThat(s.motion()).as("bounce %d", seed).isGreaterThan(0.9);
      assertThat(s.colour()).isGreaterThan(0.8);
      assertThat(s.persistence()).isGreaterThan(0.8);
    }
    for (String motion : new String[] {"wall-bounce-right", "wall-bounce-left", "zigzag-left",
        "zigzag-right", "speed-up-left", "speed-up-right"}) {
      for (long seed = 1; seed <= 3; seed++) {
        ClipSpec spec = world.spec("blue", "ball", motion, seed);
        Scores s = own(spec);
        assertThat(s.motion()).as("%s %d", motion, seed).isGreaterThan(0.9);
        assertThat(s.colour()).as("%s %d", motion, seed).isGreaterThan(0.8);
      }
    }
  }

  @Test
  void thresholdIgnoresBackgroundsGradientsAndFixturesButFindsTheObject() {
    // worst case background variation: the gradient's full 0.06 (0.12 in [-1, 1] units, ~0.21 as an RGB
    // distance top to bottom); the median sits mid-way, so background pixels stay well below 0.35.
    // Objects differ from every background by >= 1.4, so 0.35 keeps edge pixels of >= ~25% coverage.
    for (long seed = 0; seed < 200; seed++) {
      ClipSpec spec = world.sample(seed, Split.TRAIN);
      Clip clip = world.render(spec);
      for (int t = 0; t < T; t++) {
        double[] w = Scores.weights(clip.video(), config, spec, t);
        int count = 0;
        for (int p = 0; p < N; p++) {
          double near = Double.MAX_VALUE;
          for (ObjectTruth o : clip.truth()) {
            near = Math.min(near, Math.hypot(p % 16 + 0.5 - o.x()[t], p / 16 + 0.5 - o.y()[t]));
          }
          if (near > 3.6 + 0.75) {
            assertThat(w[p]).as("false foreground %s frame %d pixel %d", spec, t, p).isZero();
          }
          count += w[p] > 0 ? 1 : 0;
        }
        assertThat(count).as("object missed %s frame %d", spec, t).isGreaterThanOrEqualTo(4);
      }
      // the centroid of a single, fully visible, symmetric object matches its true centre
      if (spec.colour2().isEmpty() && !spec.shape().equals("wheel") && !spec.shape().equals("triangle")) {
        Scores s = Scores.of(clip.video(), config, spec);
        ObjectTruth o = clip.truth().get(0);
        for (int t = 0; t < T; t++) {
          if (Math.min(Math.min(o.x()[t], o.y()[t]), Math.min(16 - o.x()[t], 16 - o.y()[t])) > 3.7) {
            assertThat(Math.hypot(s.track()[2 * t] - o.x()[t], s.track()[2 * t + 1] - o.y()[t]))
                .as("centroid %s frame %d", spec, t).isLessThan(0.3);
          }
        }
      }
    }
  }
}
