package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.model.FixtureModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One instance used from several threads, and its close(): the contract in VideoJam's documentation. */
class VideoJamLifecycleTest {
  @TempDir
  static Path tmp;

  static Path fixture;

  @BeforeAll
  static void writeFixture() {
    fixture = tmp.resolve("fixture");
    FixtureModel.write(fixture, "fixture", FixtureModel.config());
  }

  static GenerationRequest request(long seed) {
    return GenerationRequest.of(seed % 2 == 0 ? "a red ball bouncing" : "a blue square moving left", seed).withSteps(3);
  }

  @Test
  void concurrentGenerationsEqualTheSameRunsMadeOneAtATime() throws Exception {
    int n = 12;
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      List<float[]> alone = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        alone.add(jam.generate(request(i), StepListener.NONE).video().data());
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<float[]>> together = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          long seed = i;
          together.add(pool.submit(() -> {
            start.await();
            return jam.generate(request(seed), null).video().data();
          }));
        }
        start.countDown();
        for (int i = 0; i < n; i++) {
          assertThat(together.get(i).get(60, TimeUnit.SECONDS)).as("seed %d", i).containsExactly(alone.get(i));
        }
      } finally {
        pool.shutdownNow();
      }
      // the twelve are not all one video (the comparison above would pass on a constant output)
      assertThat(alone.get(0)).isNotEqualTo(alone.get(1));
    }
  }

  @Test
  void closeWaitsForTheRunningGenerationThenRefusesNewOnes() throws Exception {
    VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture));
    float[] expected = jam.generate(request(5), null).video().data();
    CountDownLatch inside = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean lastStepRan = new java.util.concurrent.atomic.AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<float[]> running = pool.submit(() -> jam.generate(request(5), (done, total) -> {
        inside.countDown();
        sleep(50); // close() arrives while the session is in use
        if (done == total) {
          lastStepRan.set(true);
        }
      }).video().data());
      assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
      jam.close();
      // (the future itself may complete a moment after close() returns: the generation's thread still has to hand it over)
      assertThat(lastStepRan).as("close() returned only after the generation's last step").isTrue();
      assertThat(running.get()).containsExactly(expected);
    } finally {
      pool.shutdownNow();
    }
    assertThat(jam.isClosed()).isTrue();
    jam.close(); // idempotent
    assertThatThrownBy(() -> jam.generate(request(5), null)).isInstanceOf(VideoJamException.class)
        .hasMessage("this VideoJam is closed; open a new one with VideoJam.open");
  }

  @Test
  void nullArgumentsAreNamed() {
    assertThatThrownBy(() -> VideoJam.open(null)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("config is null");
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(fixture))) {
      assertThatThrownBy(() -> jam.generate(null, null)).isInstanceOf(VideoJamException.class).hasMessageStartingWith("request is null");
      assertThat(jam.generate(request(1), null).video().data()).containsExactly(jam.generate(request(1), StepListener.NONE).video().data());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
