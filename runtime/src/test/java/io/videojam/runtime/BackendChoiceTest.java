package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.videojam.api.BackendProvider;
import io.videojam.api.Plugins;
import io.videojam.api.VideoJamException;
import org.junit.jupiter.api.Test;

class BackendChoiceTest {
  @Test
  void autoTakesTheFirstAvailableInOrderAndSaysWhyItPassedTheOthers() {
    boolean anyGpu = Plugins.all(BackendProvider.class).stream().filter(p -> !p.name().equals("cpu")).anyMatch(p -> p.create().available());
    assumeFalse(anyGpu, "a GPU backend is available here: auto picks it");
    BackendChoice c = BackendChoice.choose("auto");
    assertThat(c.name()).isEqualTo("cpu");
    assertThat(c.requested()).isEqualTo("auto");
    // in BackendChoice.AUTO_ORDER, one entry per backend before cpu, each with its reason
    assertThat(c.passedOver()).hasSize(3);
    assertThat(c.passedOver().get(0)).startsWith("trt-native: ");
    assertThat(c.passedOver().get(1)).startsWith("tensorrt: --backend tensorrt: ");
    assertThat(c.passedOver().get(2)).startsWith("cuda: --backend cuda:");
  }

  @Test
  void aNamedBackendIsTakenOrRefusedWithItsReason() {
    BackendChoice cpu = BackendChoice.choose("cpu");
    assertThat(cpu.name()).isEqualTo("cpu");
    assertThat(cpu.passedOver()).isEmpty();
    assertThatThrownBy(() -> BackendChoice.choose("tpu")).isInstanceOf(VideoJamException.class).hasMessageContaining("tpu")
        .hasMessageContaining("cpu");
    var cuda = Plugins.find(BackendProvider.class, "cuda", "--backend").create();
    if (!cuda.available()) {
      assertThatThrownBy(() -> BackendChoice.choose("cuda")).isInstanceOf(VideoJamException.class).hasMessage(cuda.unavailableReason());
    }
  }
}
