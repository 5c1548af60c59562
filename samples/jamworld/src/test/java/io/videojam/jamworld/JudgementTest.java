package io.videojam.jamworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JudgementTest {
  private final WorldConfig config = WorldConfig.defaults();
  private final JamWorld world = new JamWorld(config);
  private static final int T = 8;
  private static final int N = 16 * 16;

  /** Frame order[t] of the video becomes frame t. */
  private static float[] reorder(float[] video, int[] order) {
    return Scores.reorderFrames(video, T, N, order);
  }

  private Judgement judge(ClipSpec spec, boolean opposite) {
    return Judgement.of(world.render(spec).video(), config, spec, opposite);
  }

  private static double mean(List<Judgement> js, String name) {
    return js.stream().mapToDouble(j -> j.asMap().get(name)).filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN);
  }

  @Test
  void truthClipsOfEveryCategoryPass() {
    List<ClipSpec> specs = new ArrayList<>(world.suite(Split.HELDOUT, 8, 7));
    specs.addAll(world.suite(Split.TRAIN, 8, 3));
    List<Judgement> all = new ArrayList<>();
    for (ClipSpec spec : specs) {
      float[] video = world.render(spec).video();
      Judgement j = Judgement.of(video, config, spec, false);
      all.add(j);
      Scores s = Scores.of(video, config, spec);
      assertThat(j.found()).as("found %s", spec).isEqualTo(1.0);
      assertThat(j.colourMatch()).as("colour match %s", spec).isEqualTo(1.0);
      assertThat(j.colour()).isEqualTo(s.colour());
      assertThat(j.shape()).as("shape %s", spec).isBetween(-1.0, 1.0);
      switch (spec.category()) {
        case ROTATIONAL -> {
          assertThat(j.rotation()).as("rotation %s", spec).isBetween(0.8, 1.2);
          assertThat(j.rotationPass()).isEqualTo(1.0);
          assertThat(j.direction()).isNaN();
          assertThat(j.directionPass()).isNaN();
          assertThat(j.drift()).isNaN();
        }
        default -> {
          // the same numbers as Scores (the helpers that also serve opposite = true repeat its arithmetic)
          assertThat(j.direction()).as("direction %s", spec).isEqualTo(s.motion());
          assertThat(Double.compare(j.drift(), s.drift())).as("drift %s", spec).isZero();
          assertThat(j.direction()).as("direction %s", spec).isGreaterThan(0.95);
          assertThat(j.directionPass()).isEqualTo(1.0);
          assertThat(j.rotation()).isNaN();
          assertThat(j.rotationPass()).isNaN();
        }
      }
      if (spec.category() == Category.PHYSICS) {
        assertThat(j.physics()).as("physics %s", spec).isGreaterThan(0.95);
        assertThat(j.reversals()).as("reversals %s", spec).isZero();
        assertThat(j.physicsPass()).isEqualTo(1.0);
      } else {
        assertThat(j.physics()).isNaN();
        assertThat(j.reversals()).isNaN();
        assertThat(j.physicsPass()).isNaN();
      }
    }
    double objects = mean(all, "objects");
    double shapeMatch = mean(all, "shape_match");
    System.out.printf("truth (%d clips): objects %.3f, shape_match %.3f, shape %.3f%n", all.size(), objects,
        shapeMatch, mean(all, "shape"));
    assertThat(objects).isGreaterThanOrEqualTo(0.875);
    assertThat(shapeMatch).isGreaterThanOrEqualTo(0.8);
    assertThat(mean(all, "shape")).isGreaterThan(0.05);
  }

  @Test
  void translationScoresOneForwardsAndMinusOneAgainstTheReversedTruth() {
    for (String dir : JamWorld.DIRECTIONS) {
      ClipSpec spec = world.spec("red", "square", dir, 4);
      Judgement forward = judge(spec, false);
      Judgement backward = judge(spec, true);
      assertThat(forward.direction()).as(dir).isGreaterThan(0.95);
      assertThat(forward.directionPass()).isEqualTo(1.0);
      assertThat(forward.drift()).as(dir).isBetween(0.9, 1.1);
      assertThat(backward.direction()).as(dir).isLessThan(-0.95);
      // a straight line reversed is the same line travelled the other way: exactly the negated score
      assertThat(backward.direction()).isCloseTo(-forward.direction(), within(1e-5));
      assertThat(backward.directionPass()).isEqualTo(0.0);
      assertThat(backward.drift()).as(dir).isBetween(-1.1, -0.9);
      // opposite changes only the motion numbers
      assertThat(backward.found()).isEqualTo(forward.found());
      assertThat(backward.objects()).isEqualTo(forward.objects());
      assertThat(backward.colourMatch()).isEqualTo(forward.colourMatch());
      assertThat(backward.shape()).isEqualTo(forward.shape());
    }
  }

  @Test
  void spinRotationIsRelativeToTheTruthAndFlipsWhenReversed() {
    for (String shape : new String[] {"bar", "triangle", "square", "wheel"}) {
      for (String motion : new String[] {"spin-cw", "spin-ccw"}) {
        for (long seed = 1; seed <= 2; seed++) {
          ClipSpec spec = world.spec("white", shape, motion, seed);
          float[] video = world.render(spec).video();
          Judgement forward = Judgement.of(video, config, spec, false);
          Judgement backward = Judgement.of(video, config, spec, true);
          String what = shape + " " + motion + " " + seed;
          assertThat(forward.rotation()).as(what).isBetween(0.8, 1.2);
          assertThat(backward.rotation()).as(what).isBetween(-1.2, -0.8);
          assertThat(backward.rotation()).isCloseTo(-forward.rotation(), within(1e-4));
          assertThat(backward.rotationPass()).isEqualTo(0.0);
          // the other spin sense with the same seed (same start angle and speed) is the wrong way too
          String other = motion.equals("spin-cw") ? "spin-ccw" : "spin-cw";
          Judgement wrong = Judgement.of(video, config, world.spec("white", shape, other, seed), false);
          assertThat(wrong.rotation()).as("wrong way %s", what).isBetween(-1.2, -0.8);
        }
      }
    }
  }

  @Test
  void staticClipHasNoDirectionNoDriftAndNoRotation() {
    for (String dir : JamWorld.DIRECTIONS) {
      ClipSpec spec = world.spec("blue", "ball", dir, 5);
      Judgement j = Judgement.of(reorder(world.render(spec).video(), new int[T]), config, spec, false);
      assertThat(j.direction()).isZero();
      assertThat(j.directionPass()).isZero();
      assertThat(j.drift()).isZero();
      assertThat(j.found()).isEqualTo(1.0);
      assertThat(j.objects()).isEqualTo(1.0);
    }
    for (String shape : new String[] {"bar", "triangle", "square"}) {
      ClipSpec spec = world.spec("green", shape, "spin-cw", 2);
      Judgement j = Judgement.of(reorder(world.render(spec).video(), new int[T]), config, spec, false);
      assertThat(j.rotation()).as(shape).isZero();
      assertThat(j.rotationPass()).isZero();
    }
    // a ball held still where it should fall and bounce: no velocity at all, and one bounce missing
    ClipSpec bounce = world.spec("yellow", "ball", "bounce", 3);
    Judgement j = Judgement.of(reorder(world.render(bounce).video(), new int[T]), config, bounce, false);
    assertThat(j.physics()).isZero();
    assertThat(j.reversals()).isLessThanOrEqualTo(-1);
    assertThat(j.physicsPass()).isZero();
  }

  @Test
  void shuffledFramesScoreClearlyLowerThanOrderedOnes() {
    int[] derangement = {5, 2, 7, 0, 6, 1, 4, 3};
    for (String dir : JamWorld.DIRECTIONS) {
      ClipSpec spec = world.spec("green", "triangle", dir, 11);
      float[] video = world.render(spec).video();
      double ordered = Judgement.of(video, config, spec, false).direction();
      Judgement shuffled = Judgement.of(reorder(video, derangement), config, spec, false);
      assertThat(ordered).isGreaterThan(0.95);
      assertThat(shuffled.direction()).as(dir).isLessThan(0.5);
      assertThat(shuffled.directionPass()).isZero();
    }
    for (long seed = 1; seed <= 4; seed++) {
      ClipSpec spec = world.spec("red", "ball", "bounce", seed);
      Judgement shuffled = Judgement.of(reorder(world.render(spec).video(), derangement), config, spec, false);
      assertThat(shuffled.physics()).as("bounce %d", seed).isLessThan(0.5);
      assertThat(shuffled.physicsPass()).isZero();
    }
  }

  /**
   * Reversing time keeps the number of velocity reversals (the sign sequence is reversed and negated)
   * and keeps gravity (acceleration is even in time): a reversed bounce is still a fall followed by a
   * rise, only with the contact moved from frame c to 7 - c and the ball gaining height instead of
   * losing it. So against the reversed truth a bounce keeps reversals = 0, its net displacement flips
   * (drift about -1), and the velocity cosine drops from 1 to somewhere in about [-0.5, 0.7]
   * depending on how far the contact moves (seeds 1-8: 0.11, -0.44, -0.33, 0.66, -0.42, 0.47, 0.23,
   * 0.08), so physicsPass is sometimes 1 even against the reversed truth (seed 4). An elastic wall
   * bounce or collision reversed in time is nearly the same motion (cosine 0.7-0.98, passes): there
   * the opposite null is no null.
   */
  @Test
  void reversedBounceKeepsItsReversalsButLosesVelocityAgreement() {
    for (long seed = 1; seed <= 8; seed++) {
      ClipSpec spec = world.spec(JamWorld.COLOURS.get((int) seed % 5), "ball", "bounce", seed);
      Judgement forward = judge(spec, false);
      Judgement backward = judge(spec, true);
      System.out.printf("bounce %d: physics %.3f, reversed %.3f (pass %.0f); drift %.3f, reversed %.3f%n", seed,
          forward.physics(), backward.physics(), backward.physicsPass(), forward.drift(), backward.drift());
      assertThat(backward.reversals()).as("seed %d", seed).isZero();
      assertThat(backward.physics()).as("seed %d", seed).isLessThan(forward.physics() - 0.25);
      assertThat(backward.drift()).as("seed %d", seed).isLessThan(-0.8);
    }
    for (String motion : new String[] {"wall-bounce-right", "wall-bounce-left"}) {
      ClipSpec spec = world.spec("white", "ball", motion, 2);
      Judgement backward = judge(spec, true);
      System.out.printf("%s reversed: physics %.3f, pass %.0f%n", motion, backward.physics(), backward.physicsPass());
      assertThat(backward.reversals()).as(motion).isZero();
      assertThat(backward.physics()).as(motion).isGreaterThan(0.5);
    }
  }

  @Test
  void uniformNoiseIsANearlySymmetricNull() {
    List<ClipSpec> specs = world.suite(Split.HELDOUT, 16, 5);
    Random rng = new Random(20240611);
    List<Judgement> all = new ArrayList<>();
    for (ClipSpec spec : specs) {
      float[] noise = new float[3 * T * N];
      for (int i = 0; i < noise.length; i++) {
        noise[i] = (float) (2 * rng.nextDouble() - 1);
      }
      all.add(Judgement.of(noise, config, spec, false));
    }
    StringBuilder line = new StringBuilder("noise null (" + all.size() + " clips, held-out specs):");
    for (String name : Judgement.NAMES) {
      line.append(String.format(" %s %.3f", name, mean(all, name)));
    }
    System.out.println(line);
    assertThat(mean(all, "colour_match")).isLessThan(0.5);
    assertThat(mean(all, "shape_match")).isLessThan(0.5);
    assertThat(mean(all, "direction_pass")).isLessThan(0.6);
    assertThat(Math.abs(mean(all, "direction"))).isLessThan(0.15);
    assertThat(mean(all, "physics_pass")).isLessThan(0.5);
    // uniform noise is ~98% foreground: one component filling the frame, larger than any object
    assertThat(mean(all, "objects")).isEqualTo(0.0);
  }

  @Test
  void vanishingAndWrongColourOrShapeAreCaught() {
    ClipSpec spec = world.spec("yellow", "triangle", "down-right", 6);
    float[] video = world.render(spec).video();
    float[] gone = video.clone();
    for (int t : new int[] {2, 5}) { // paint frames 2 and 5 with their own corner pixel: nothing left
      for (int c = 0; c < 3; c++) {
        Arrays.fill(gone, (c * T + t) * N, (c * T + t + 1) * N, video[(c * T + t) * N]);
      }
    }
    Judgement j = Judgement.of(gone, config, spec, false);
    assertThat(j.found()).isEqualTo(6.0 / 8);
    assertThat(j.objects()).isEqualTo(6.0 / 8);
    // a second copy of the object (frames shifted by 4 rows, added on top): two objects per frame
    float[] twice = video.clone();
    for (int c = 0; c < 3; c++) {
      for (int t = 0; t < T; t++) {
        for (int p = 0; p < N - 9 * 16; p++) {
          int at = (c * T + t) * N + p;
          twice[at + 9 * 16] = Math.max(twice[at + 9 * 16], video[at]);
        }
      }
    }
    assertThat(Judgement.of(twice, config, spec, false).objects()).isLessThan(0.5);

    // a yellow triangle judged against a blue square prompt with the same path
    ClipSpec other = world.spec("blue", "square", "down-right", 6);
    Judgement wrong = Judgement.of(video, config, other, false);
    assertThat(wrong.colourMatch()).isZero();
    assertThat(wrong.shapeMatch()).isZero();
    assertThat(wrong.shape()).isLessThan(-0.1);
    assertThat(wrong.direction()).isGreaterThan(0.95); // the motion is still right
    Judgement right = Judgement.of(video, config, spec, false);
    assertThat(right.shape()).isGreaterThan(0.1);
    assertThat(right.shapeMatch()).isEqualTo(1.0);

    // nothing at all: the per-frame measures are NaN, the counts 0
    float[] blank = new float[video.length];
    Arrays.fill(blank, -0.96f);
    Judgement none = Judgement.of(blank, config, spec, false);
    assertThat(none.found()).isZero();
    assertThat(none.objects()).isZero();
    assertThat(none.colourMatch()).isNaN();
    assertThat(none.shape()).isNaN();
    assertThat(none.shapeMatch()).isNaN();
    assertThat(none.direction()).isZero();
    assertThat(none.drift()).isNaN();
  }

  @Test
  void asMapFollowsNamesAndFields() {
    ClipSpec spec = world.spec("green", "ball", "bounce", 1);
    Judgement j = judge(spec, false);
    Map<String, Double> map = j.asMap();
    assertThat(map.keySet()).containsExactlyElementsOf(Judgement.NAMES);
    assertThat(Judgement.NAMES).hasSize(Judgement.class.getRecordComponents().length);
    double[] fields = {j.found(), j.objects(), j.colour(), j.colourMatch(), j.shape(), j.shapeMatch(),
        j.direction(), j.directionPass(), j.drift(), j.rotation(), j.rotationPass(), j.physics(), j.reversals(),
        j.physicsPass()};
    assertThat(map.values()).containsExactly(Arrays.stream(fields).boxed().toArray(Double[]::new));
    assertThat(map.get("physics")).isGreaterThan(0.9); // a real value, not a default
    assertThat(map.get("rotation")).isNaN();
  }

  @Test
  void rejectsAVideoOfTheWrongSize() {
    ClipSpec spec = world.spec("red", "square", "right", 1);
    assertThatThrownBy(() -> Judgement.of(new float[10], config, spec, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
