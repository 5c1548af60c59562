package io.videojam.jamworld;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JamWorldTest {
  private final JamWorld world = new JamWorld(WorldConfig.defaults());
  private static final int T = 8;
  private static final int H = 16;
  private static final int W = 16;

  /** Intensity-weighted centroid {x, y, weight} of the pixels of frame t that differ from the background. */
  static double[] centroid(float[] video, int t, double[] bg) {
    double sx = 0;
    double sy = 0;
    double sw = 0;
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double w = 0;
        for (int c = 0; c < 3; c++) {
          double value = (video[(c * T + t) * H * W + y * W + x] + 1) / 2;
          w += Math.abs(value - bg[c]);
        }
        sx += w * (x + 0.5);
        sy += w * (y + 0.5);
        sw += w;
      }
    }
    return new double[] {sx / sw, sy / sw, sw};
  }

  /** Orientation (radians, y down: positive = clockwise on screen, in (-pi/2, pi/2]) of the second moments. */
  static double orientation(float[] video, int t, double[] bg) {
    double[] m = centroid(video, t, bg);
    double xx = 0;
    double yy = 0;
    double xy = 0;
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        double w = 0;
        for (int c = 0; c < 3; c++) {
          w += Math.abs((video[(c * T + t) * H * W + y * W + x] + 1) / 2 - bg[c]);
        }
        double dx = x + 0.5 - m[0];
        double dy = y + 0.5 - m[1];
        xx += w * dx * dx;
        yy += w * dy * dy;
        xy += w * dx * dy;
      }
    }
    return 0.5 * Math.atan2(2 * xy, xx - yy);
  }

  static double wrapHalfTurn(double a) {
    return a - Math.PI * Math.round(a / Math.PI);
  }

  @Test
  void sameSeedGivesSameClipAndDifferentSeedsDiffer() {
    for (Split split : Split.values()) {
      for (long seed = 0; seed < 8; seed++) {
        ClipSpec a = world.sample(seed, split);
        ClipSpec b = new JamWorld(WorldConfig.defaults()).sample(seed, split);
        assertThat(a).isEqualTo(b);
        assertThat(world.render(a).video()).containsExactly(world.render(b).video());
        ClipSpec other = world.sample(seed + 4, split); // same category
        assertThat(other).isNotEqualTo(a);
        assertThat(Arrays.equals(world.render(other).video(), world.render(a).video())).isFalse();
      }
    }
  }

  @Test
  void videoHasTheDocumentedLayoutAndRange() {
    Clip clip = world.render(world.sample(3, Split.TRAIN));
    assertThat(clip.video()).hasSize(3 * T * H * W);
    for (float v : clip.video()) {
      assertThat(v).isBetween(-1f, 1f);
    }
    // the fine frames average down to the output frames
    JamWorld big = new JamWorld(WorldConfig.defaults());
    float[] fine = big.renderFine(clip.spec());
    assertThat(fine).hasSize(3 * T * 64 * 64);
    int t = 5;
    int c = 1;
    int y = 7;
    int x = 9;
    double sum = 0;
    for (int j = 0; j < 4; j++) {
      for (int i = 0; i < 4; i++) {
        sum += fine[(c * T + t) * 64 * 64 + (4 * y + j) * 64 + 4 * x + i];
      }
    }
    assertThat(clip.video()[(c * T + t) * H * W + y * W + x]).isCloseTo((float) (sum / 16), within(1e-5f));
  }

  @Test
  void translationTruthMatchesPixelCentroidsDirectionAndSpeed() {
    double[] black = JamWorld.backgroundRgb("black");
    int checkedFrames = 0;
    for (String dir : JamWorld.DIRECTIONS) {
      for (long seed = 0; seed < 3; seed++) {
        ClipSpec spec = world.spec("white", "square", dir, seed).withBackground("black", 0);
        Clip clip = world.render(spec);
        ObjectTruth truth = clip.truth().get(0);
        double[] d = JamWorld.direction(dir);
        double[] previous = null;
        for (int t = 0; t < T; t++) {
          // only frames where the whole square (half side 2.5) is inside the frame
          boolean inside = truth.x()[t] > 2.6 && truth.x()[t] < W - 2.6 && truth.y()[t] > 2.6 && truth.y()[t] < H - 2.6;
          if (!inside) {
            previous = null;
            continue;
          }
          double[] m = centroid(clip.video(), t, black);
          assertThat(m[0]).as("x of %s frame %d", spec.prompt(), t).isCloseTo(truth.x()[t], within(0.35));
          assertThat(m[1]).as("y of %s frame %d", spec.prompt(), t).isCloseTo(truth.y()[t], within(0.35));
          checkedFrames++;
          if (previous != null) {
            double dx = m[0] - previous[0];
            double dy = m[1] - previous[1];
            double norm = Math.hypot(dx, dy);
            assertThat((dx * d[0] + dy * d[1]) / norm).as("direction cosine, %s", spec.prompt()).isGreaterThan(0.95);
            assertThat(norm).as("speed, %s", spec.prompt()).isCloseTo(spec.speed(), within(0.2));
          }
          previous = m;
        }
      }
    }
    assertThat(checkedFrames).isGreaterThan(8 * 3 * 3);
  }

  @Test
  void spinClockwiseIncreasesTheAngleAndTurnsTheBarClockwiseOnScreen() {
    double[] black = JamWorld.backgroundRgb("black");
    for (String motion : List.of("spin-cw", "spin-ccw")) {
      double sign = motion.equals("spin-cw") ? 1 : -1;
      for (long seed = 0; seed < 6; seed++) {
        ClipSpec spec = world.spec("yellow", "bar", motion, seed).withBackground("black", 0);
        assertThat(spec.prompt()).endsWith(sign > 0 ? "spinning clockwise" : "spinning counterclockwise");
        Clip clip = world.render(spec);
        float[] a = clip.truth().get(0).angle();
        for (int t = 1; t < T; t++) {
          assertThat((a[t] - a[t - 1]) * sign).isBetween(0.349, 0.601);
        }
        double o0 = orientation(clip.video(), 0, black);
        double o1 = orientation(clip.video(), 1, black);
        // the bar's long axis is its angle (mod pi) in the same convention as the pixel moments
        assertThat(wrapHalfTurn(o0 - a[0])).isCloseTo(0, within(0.12));
        assertThat(wrapHalfTurn(o1 - o0) * sign).isBetween(0.25, 0.7);
        assertThat(wrapHalfTurn(o1 - o0)).isCloseTo((double) (a[1] - a[0]), within(0.1));
      }
    }
  }

  @Test
  void bouncingBallFallsThenRisesAndNeverGoesThroughTheFloor() {
    double floor = 16 - Renderer.FIXTURE - Renderer.BALL_RADIUS;
    for (long seed = 0; seed < 20; seed++) {
      ClipSpec spec = world.spec("yellow", "ball", "bounce", seed);
      assertThat(spec.prompt()).isEqualTo("a yellow ball falling and bouncing");
      float[] y = world.render(spec).truth().get(0).y();
      int contact = (int) Math.ceil(Math.sqrt(2 * (floor - spec.y0()) / spec.extra()));
      assertThat(contact).isBetween(3, 5);
      for (int t = 1; t < contact; t++) {
        assertThat(y[t]).as("falling at %d", t).isGreaterThan(y[t - 1]);
      }
      assertThat(y[contact + 1]).as("risen after the contact").isLessThan(Math.max(y[contact], y[contact - 1]));
      for (float v : y) {
        assertThat(v).isLessThanOrEqualTo((float) floor + 1e-4f);
      }
      // the ball reaches (nearly) the floor: the lowest point is within the step of one frame
      float lowest = Float.NEGATIVE_INFINITY;
      for (float v : y) {
        lowest = Math.max(lowest, v);
      }
      assertThat(lowest).isGreaterThan((float) floor - 3f);
    }
  }

  @Test
  void wallBounceReverses() {
    for (long seed = 0; seed < 10; seed++) {
      float[] x = world.render(world.spec("red", "square", "wall-bounce-right", seed)).truth().get(0).x();
      assertThat(x[1]).isGreaterThan(x[0]);
      assertThat(x[T - 1]).isLessThan(x[T - 2]);
      for (float v : x) {
        assertThat(v).isLessThanOrEqualTo(16 - 1 - 2.5f + 1e-4f);
      }
    }
  }

  @Test
  void heldOutSplitIsRespectedAndCoversEveryCategory() {
    Set<Category> trainCategories = EnumSet.noneOf(Category.class);
    Set<Category> heldCategories = EnumSet.noneOf(Category.class);
    boolean sawRedSquareRight = false;
    int[] perCategory = new int[4];
    for (long seed = 0; seed < 2000; seed++) {
      ClipSpec train = world.sample(seed, Split.TRAIN);
      ClipSpec held = world.sample(seed, Split.HELDOUT);
      assertThat(JamWorld.heldOut(train)).as("TRAIN %s", train.prompt()).isFalse();
      assertThat(JamWorld.heldOut(held)).as("HELDOUT %s", held.prompt()).isTrue();
      trainCategories.add(train.category());
      heldCategories.add(held.category());
      perCategory[train.category().ordinal()]++;
      sawRedSquareRight |= train.prompt().equals("a red square moving right");
    }
    assertThat(trainCategories).containsExactlyInAnyOrder(Category.values());
    assertThat(heldCategories).containsExactlyInAnyOrder(Category.values());
    assertThat(perCategory).containsOnly(500);
    for (long seed = 2000; seed < 40_000 && !sawRedSquareRight; seed++) {
      sawRedSquareRight = world.sample(seed, Split.TRAIN).prompt().equals("a red square moving right");
    }
    assertThat(sawRedSquareRight).isTrue();
    assertThat(JamWorld.heldOut("red", "square", "right")).isFalse();
    for (Category c : Category.values()) {
      assertThat(JamWorld.combinations(c, Split.HELDOUT)).as("held out in %s", c).isNotEmpty();
    }
    // the suite is balanced and reproducible from its seeds
    List<ClipSpec> suite = world.suite(Split.HELDOUT, 5, 7);
    assertThat(suite).hasSize(20);
    for (int i = 0; i < suite.size(); i++) {
      assertThat(suite.get(i).category()).isEqualTo(Category.values()[i / 5]);
      assertThat(world.sample(suite.get(i).seed(), Split.HELDOUT)).isEqualTo(suite.get(i));
    }
  }

  @Test
  void promptsUseOnlyVocabularyWords() {
    List<String> vocabulary = JamWorld.vocabulary();
    assertThat(vocabulary.size()).isLessThanOrEqualTo(63);
    assertThat(vocabulary.subList(0, 2)).containsExactly("<pad>", "<unk>");
    assertThat(new HashSet<>(vocabulary)).hasSameSizeAs(vocabulary);
    Set<String> used = new HashSet<>();
    Set<String> prompts = new HashSet<>();
    for (long seed = 0; seed < 2000; seed++) {
      for (Split split : Split.values()) {
        String prompt = world.sample(seed, split).prompt();
        prompts.add(prompt);
        List<String> words = List.of(prompt.split(" "));
        assertThat(words.size()).isLessThanOrEqualTo(12);
        assertThat(vocabulary).as(prompt).containsAll(words);
        used.addAll(words);
      }
    }
    assertThat(prompts).contains("a blue ball moving up and left", "a white wheel spinning counterclockwise");
    assertThat(used).containsExactlyInAnyOrderElementsOf(new ArrayList<>(JamWorld.words()));
  }
}
