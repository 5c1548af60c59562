package io.videojam.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryTest {
  @Test
  void productIsExactOrMinusOne() {
    assertThat(Memory.product(64, 4096, 4096, 16)).isEqualTo(64L * 4096 * 4096 * 16);
    assertThat(Memory.product(1L << 32, 1L << 31)).isEqualTo(-1); // 2^63 overflows
    assertThat(Memory.product(1L << 31, 1L << 31)).isEqualTo(1L << 62);
    assertThat(Memory.product(3, -1)).isEqualTo(-1);
    assertThat(Memory.product()).isEqualTo(1);
  }

  @Test
  void requireNamesTheSizeAndTheLimit() {
    long limit = Memory.limit();
    assertThat(limit).isEqualTo((long) (Runtime.getRuntime().maxMemory() * 0.85));
    Memory.require(limit, "exactly the limit", "n/a");
    assertThatThrownBy(() -> Memory.require(limit + 1, "a big thing", "ask for less")).isInstanceOf(VideoJamException.class)
        .hasMessageStartingWith("a big thing needs " + Memory.human(limit + 1) + ", over the " + Memory.human(limit) + " this JVM may use")
        .hasMessageContaining("; ask for less, or give Java more memory");
    assertThatThrownBy(() -> Memory.require(-1, "an overflowing size", "ask for less")).hasMessageStartingWith("an overflowing size needs more than 9 EB");
  }

  @Test
  void humanSizes() {
    assertThat(Memory.human(1)).isEqualTo("1 MB");
    assertThat(Memory.human(3L << 20)).isEqualTo("3 MB");
    assertThat(Memory.human((3L << 20) + 1)).isEqualTo("4 MB");
    assertThat(Memory.human(3L << 30)).isEqualTo("3.0 GB");
    assertThat(Memory.human((long) (3.46 * (1L << 30)))).isEqualTo("3.5 GB");
  }

  @Test
  void aLatentOverOneJavaArrayIsRefusedWithItsSize() {
    assertThat(new LatentShape(1, 16, 0, 8191, 128, 128).size()).isEqualTo(16 * 8191 * 128 * 128); // just under the limit
    assertThatThrownBy(() -> new LatentShape(1, 16, 0, 8192, 128, 128)).hasMessageContaining("holds 2147483648 values"); // 2^31
    assertThatThrownBy(() -> new LatentShape(1, 6, 0, 64, 4096, 4096)).isInstanceOf(VideoJamException.class)
        .hasMessage("a latent of 1 x 6 x 64 x 4096 x 4096 holds 6442450944 values, over the limit of 2147483639 (one Java array); "
            + "reduce frames, height or width");
    assertThatThrownBy(() -> new LatentShape(2, 3, 3, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))
        .hasMessageContaining("holds more than 2^63 values");
    assertThatThrownBy(() -> new LatentShape(1, 3, 0, 0, 8, 8)).isInstanceOf(VideoJamException.class).hasMessageContaining("every size must be >= 1");
  }
}
