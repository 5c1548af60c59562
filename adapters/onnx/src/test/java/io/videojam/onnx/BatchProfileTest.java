package io.videojam.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchProfileTest {
  static final List<TensorInfo> DIT = List.of(new TensorInfo("x", ElementType.FLOAT, new long[] {-1, 6, 8, 16, 16}),
      new TensorInfo("t", ElementType.FLOAT, new long[] {-1}), new TensorInfo("text", ElementType.INT64, new long[] {-1, 12}));

  @Test
  void batchRunsFromOneToMaxAndEverythingElseIsFixed() {
    BatchProfile p = BatchProfile.of(DIT, 3, "d.onnx");
    assertThat(p.min().get("x")).containsExactly(1, 6, 8, 16, 16);
    assertThat(p.opt().get("x")).containsExactly(3, 6, 8, 16, 16);
    assertThat(p.max().get("t")).containsExactly(3);
    assertThat(p.max().get("text")).containsExactly(3, 12);
    assertThat(BatchProfile.ortShapes(p.max())).isEqualTo("x:3x6x8x16x16,t:3,text:3x12");
    assertThat(p.describe()).isEqualTo("min=x:1x6x8x16x16,t:1,text:1x12;opt=x:3x6x8x16x16,t:3,text:3x12;max=x:3x6x8x16x16,t:3,text:3x12");
    // a graph exported with a fixed batch keeps it
    BatchProfile fixed = BatchProfile.of(List.of(new TensorInfo("x", ElementType.FLOAT, new long[] {2, 4})), 3, "f.onnx");
    assertThat(fixed.min().get("x")).containsExactly(2, 4);
    assertThat(fixed.max().get("x")).containsExactly(2, 4);
  }

  @Test
  void otherDynamicSizesAreAnErrorNamingTheInput() {
    List<TensorInfo> in = List.of(new TensorInfo("latent", ElementType.FLOAT, new long[] {-1, 16, -1, 32, 32}));
    assertThatThrownBy(() -> BatchProfile.of(in, 3, "model/denoiser.onnx")).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("model/denoiser.onnx: input 'latent'").hasMessageContaining("dynamic dimension 2")
        .hasMessageContaining("--backend cpu or cuda");
  }
}
