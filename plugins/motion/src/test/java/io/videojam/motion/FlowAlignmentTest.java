package io.videojam.motion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowAlignmentTest {
  private static int[] mapping(FlowAlignment a, int frames) {
    int[] out = new int[frames];
    for (int t = 0; t < frames; t++) {
      out[t] = a.flowIndex(t, frames);
    }
    return out;
  }

  @Test
  void mapsFramesToFlows() {
    assertThat(mapping(FlowAlignment.DUPLICATE_FIRST, 4)).containsExactly(0, 0, 1, 2);
    assertThat(mapping(FlowAlignment.DUPLICATE_LAST, 4)).containsExactly(0, 1, 2, 2);
    assertThat(mapping(FlowAlignment.ZERO_FIRST, 4)).containsExactly(-1, 0, 1, 2);
    assertThat(mapping(FlowAlignment.DUPLICATE_FIRST, 2)).containsExactly(0, 0);
    assertThat(mapping(FlowAlignment.DUPLICATE_LAST, 2)).containsExactly(0, 0);
    assertThat(mapping(FlowAlignment.ZERO_FIRST, 2)).containsExactly(-1, 0);
    assertThatThrownBy(() -> FlowAlignment.DUPLICATE_FIRST.flowIndex(0, 1)).isInstanceOf(VideoJamException.class)
        .hasMessage("flow needs at least two frames, got 1");
  }

  @Test
  void alignsFieldLists() {
    FlowField f0 = FlowField.zeros(2, 2);
    FlowField f1 = FlowField.zeros(2, 2);
    FlowField f2 = FlowField.zeros(2, 2);
    List<FlowField> flows = List.of(f0, f1, f2);
    assertThat(FlowAlignment.DUPLICATE_FIRST.align(flows)).containsExactly(f0, f0, f1, f2);
    assertThat(FlowAlignment.DUPLICATE_LAST.align(flows)).containsExactly(f0, f1, f2, f2);
    List<FlowField> zeroFirst = FlowAlignment.ZERO_FIRST.align(flows);
    assertThat(zeroFirst).hasSize(4);
    assertThat(zeroFirst.subList(1, 4)).containsExactly(f0, f1, f2);
    assertThat(zeroFirst.get(0)).isNotIn(f0, f1, f2);
    assertThat(zeroFirst.get(0).u()).containsOnly(0f);
    assertThatThrownBy(() -> FlowAlignment.ZERO_FIRST.align(List.of())).isInstanceOf(VideoJamException.class);
  }

  @Test
  void parsesNames() {
    assertThat(FlowAlignment.parse("duplicate-first")).isEqualTo(FlowAlignment.DUPLICATE_FIRST);
    assertThat(FlowAlignment.parse("duplicate-last")).isEqualTo(FlowAlignment.DUPLICATE_LAST);
    assertThat(FlowAlignment.parse(" Zero-First ")).isEqualTo(FlowAlignment.ZERO_FIRST);
    for (FlowAlignment a : FlowAlignment.values()) {
      assertThat(FlowAlignment.parse(a.label())).isEqualTo(a);
      assertThat(a.toString()).isEqualTo(a.label());
    }
    assertThat(FlowAlignment.choices()).isEqualTo("duplicate-first|duplicate-last|zero-first");
    assertThatThrownBy(() -> FlowAlignment.parse("first", "model.json \"motion\" \"alignment\""))
        .isInstanceOf(VideoJamException.class)
        .hasMessage("model.json \"motion\" \"alignment\": unknown flow alignment 'first'; use one of "
            + "duplicate-first|duplicate-last|zero-first");
  }
}
