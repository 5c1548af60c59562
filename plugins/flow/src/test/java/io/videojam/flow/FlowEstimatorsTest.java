package io.videojam.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class FlowEstimatorsTest {
  static final int SIZE = 96;
  static final Texture TEXTURE = new Texture(7, 40);
  /** Per-pair translations, all different, so a flow in the wrong slot shows. */
  static final double[][] MOVES = {{1.0, 0.5}, {-2.0, 1.5}, {0.5, -1.0}, {2.5, 0.0}, {0.0, -2.0}, {-1.0, -1.0}, {1.5, 2.0}};
  static final List<FloatTensor> FRAMES = frames();

  /** Frame k shows the texture moved by the sum of the first k moves. */
  static List<FloatTensor> frames() {
    List<FloatTensor> out = new ArrayList<>();
    double x = 0;
    double y = 0;
    out.add(TEXTURE.translated(SIZE, SIZE, 0, 0));
    for (double[] m : MOVES) {
      x += m[0];
      y += m[1];
      out.add(TEXTURE.translated(SIZE, SIZE, x, y));
    }
    return out;
  }

  static Supplier<FlowEstimator> dis() {
    return () -> new DisFlowEstimator(DisFlowEstimator.Preset.MEDIUM);
  }

  @Test
  void flowsAreInFrameOrderAndTheSameForOneAndTwoThreads() {
    List<int[]> steps = Collections.synchronizedList(new ArrayList<>());
    List<FlowField> one = FlowEstimators.estimateAll(dis(), FRAMES, 1, (done, total) -> steps.add(new int[] {done, total}));
    List<FlowField> two = FlowEstimators.estimateAll(dis(), FRAMES, 2, null);
    List<FlowField> three = FlowEstimators.estimateAll(() -> new FarnebackFlowEstimator(FarnebackFlowEstimator.Parameters.defaults()), FRAMES, 3, null);

    assertThat(one).hasSize(MOVES.length);
    assertThat(two).hasSize(MOVES.length);
    for (int i = 0; i < MOVES.length; i++) {
      assertThat(two.get(i).u()).as("pair %d u", i).containsExactly(one.get(i).u());
      assertThat(two.get(i).v()).as("pair %d v", i).containsExactly(one.get(i).v());
      for (FlowField f : List.of(one.get(i), three.get(i))) {
        assertThat(Texture.mean(f.u(), SIZE, SIZE, 10)).as("pair %d mean u", i).isCloseTo(MOVES[i][0], Offset.offset(0.1));
        assertThat(Texture.mean(f.v(), SIZE, SIZE, 10)).as("pair %d mean v", i).isCloseTo(MOVES[i][1], Offset.offset(0.1));
      }
    }
    // A direct call on a fresh estimator gives the same flow as the parallel run.
    try (FlowEstimator e = dis().get()) {
      FlowField direct = e.estimate(FRAMES.get(4), FRAMES.get(5));
      assertThat(two.get(4).u()).containsExactly(direct.u());
    }
    assertThat(steps).extracting(s -> s[0]).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(steps).extracting(s -> s[1]).containsOnly(MOVES.length);
  }

  @Test
  void aVideoTensorGivesTheSameFlowsAsItsFrames() {
    List<FloatTensor> frames = FRAMES.subList(0, 4);
    int t = frames.size();
    int hw = SIZE * SIZE;
    float[] video = new float[3 * t * hw];
    for (int f = 0; f < t; f++) {
      for (int c = 0; c < 3; c++) {
        System.arraycopy(frames.get(f).data(), c * hw, video, (c * t + f) * hw, hw);
      }
    }
    FloatTensor v = new FloatTensor(new long[] {3, t, SIZE, SIZE}, video);
    assertThat(FlowEstimators.frames(v)).containsExactlyElementsOf(frames);
    List<FlowField> fromVideo = FlowEstimators.estimateAll(dis(), v, 2, null);
    List<FlowField> fromFrames = FlowEstimators.estimateAll(dis(), frames, 1, null);
    for (int i = 0; i < t - 1; i++) {
      assertThat(fromVideo.get(i).u()).containsExactly(fromFrames.get(i).u());
    }
    assertThatThrownBy(() -> FlowEstimators.estimateAll(dis(), new FloatTensor(new long[] {3, SIZE, SIZE}, frames.get(0).data()), 1, null))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("[3, T, H, W]");
  }

  @Test
  void fewerThanTwoFramesGiveNoFlowsAndBadThreadCountsAreRejected() {
    assertThat(FlowEstimators.estimateAll(dis(), List.of(), 2, null)).isEmpty();
    assertThat(FlowEstimators.estimateAll(dis(), FRAMES.subList(0, 1), 2, null)).isEmpty();
    assertThatThrownBy(() -> FlowEstimators.estimateAll(dis(), FRAMES, -1, null))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("threads");
  }

  @Test
  void aFailingPairStopsTheRunWithItsErrorAndEveryEstimatorIsClosed() {
    AtomicInteger made = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    Supplier<FlowEstimator> factory = () -> {
      made.incrementAndGet();
      FlowEstimator inner = dis().get();
      return new FlowEstimator() {
        @Override
        public FlowField estimate(FloatTensor first, FloatTensor second) {
          return inner.estimate(first, second);
        }

        @Override
        public void close() {
          inner.close();
          closed.incrementAndGet();
        }
      };
    };
    List<FloatTensor> frames = new ArrayList<>(FRAMES);
    frames.set(3, TEXTURE.frame(SIZE, SIZE + 8)); // pairs 2 and 3 mix sizes
    assertThatThrownBy(() -> FlowEstimators.estimateAll(factory, frames, 2, null))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("differ in size");
    assertThat(made.get()).isEqualTo(2);
    assertThat(closed.get()).isEqualTo(2);
  }

  /**
   * The bench rate on an estimator whose cost is known: each estimate sleeps 20 ms and records its
   * frames. One warm-up pair per worker, then every pair once on consecutive texture frames (the
   * texture ping-pongs, so each pair moves by +-(1.5, -0.75)); pairs / seconds can then be at most
   * 50 per second per worker (a rate in frames per millisecond or per nanosecond would not be), and
   * every estimator is closed.
   */
  @Test
  void framesPerSecondTimesEveryPairOnceAndClosesTheEstimators() {
    List<float[]> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger made = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    Supplier<FlowEstimator> sleepy = () -> {
      made.incrementAndGet();
      return new FlowEstimator() {
        @Override
        public FlowField estimate(FloatTensor first, FloatTensor second) {
          seen.add(first.data());
          seen.add(second.data());
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new FlowField(16, 16, new float[256], new float[256]);
        }

        @Override
        public void close() {
          closed.incrementAndGet();
        }
      };
    };
    double fps = FlowEstimators.framesPerSecond(sleepy, 16, 6, 1);
    assertThat(fps).as("pairs per second").isGreaterThan(1).isLessThanOrEqualTo(50);
    assertThat(made.get()).isEqualTo(1);
    assertThat(closed.get()).isEqualTo(1);
    assertThat(seen).hasSize(2 * (1 + 6));
    List<FloatTensor> texture = FlowEstimators.movingTexture(16, 7, 1.5, -0.75, 20240607L);
    for (int k = 0; k < seen.size(); k += 2) {
      int a = indexOf(texture, seen.get(k));
      int b = indexOf(texture, seen.get(k + 1));
      assertThat(Math.abs(a - b)).as("pair %d: frames %d and %d", k / 2, a, b).isEqualTo(1);
    }
    double two = FlowEstimators.framesPerSecond(sleepy, 16, 6, 2);
    assertThat(two).isLessThanOrEqualTo(100);
    assertThat(made.get()).isEqualTo(3);
    assertThat(closed.get()).isEqualTo(3);
    assertThat(FlowEstimators.openCvThreads()).isPositive();
  }

  static int indexOf(List<FloatTensor> frames, float[] data) {
    for (int i = 0; i < frames.size(); i++) {
      if (java.util.Arrays.equals(frames.get(i).data(), data)) {
        return i;
      }
    }
    throw new AssertionError("not a texture frame");
  }

  @Test
  void theBenchTextureMovesAsStated() {
    // framesPerSecond's texture: frame f is T(x - 1.5 f, y + 0.75 f).
    List<FloatTensor> frames = FlowEstimators.movingTexture(96, 2, 1.5, -0.75, 3);
    try (FlowEstimator e = new DisFlowEstimator(DisFlowEstimator.Preset.MEDIUM)) {
      FlowField f = e.estimate(frames.get(0), frames.get(1));
      assertThat(Texture.mean(f.u(), 96, 96, 10)).isCloseTo(1.5, Offset.offset(0.1));
      assertThat(Texture.mean(f.v(), 96, 96, 10)).isCloseTo(-0.75, Offset.offset(0.1));
    }
  }
}
