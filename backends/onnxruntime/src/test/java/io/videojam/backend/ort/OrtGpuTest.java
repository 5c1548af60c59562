package io.videojam.backend.ort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.GpuTestGraph;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPU execution providers: their options everywhere, and on a machine with a -Pgpu build and
 * a CUDA GPU the same numbers as the CPU provider. Without a GPU the running tests are skipped,
 * with the provider's own reason.
 */
class OrtGpuTest {
  @TempDir
  Path tmp;

  static final List<TensorInfo> DIT_INPUTS = List.of(new TensorInfo("x", ElementType.FLOAT, new long[] {-1, 6, 8, 16, 16}),
      new TensorInfo("t", ElementType.FLOAT, new long[] {-1}), new TensorInfo("text", ElementType.INT64, new long[] {-1, 12}));

  @Test
  void tensorRtProviderOptionsCarryDevicePrecisionCachesAndTheBatchProfile() {
    BackendOptions o = new BackendOptions(0, 0, "all", 1, "fp16", tmp.resolve("engines"), 3);
    Map<String, String> m = OrtBackend.tensorRtOptions(o, DIT_INPUTS, Path.of("denoiser.onnx"));
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("device_id", "1");
    expected.put("trt_fp16_enable", "1");
    expected.put("trt_bf16_enable", "0");
    expected.put("trt_engine_cache_enable", "1");
    expected.put("trt_engine_cache_path", tmp.resolve("engines/ort-tensorrt").toString());
    expected.put("trt_timing_cache_enable", "1");
    expected.put("trt_timing_cache_path", tmp.resolve("engines/ort-tensorrt").toString());
    expected.put("trt_profile_min_shapes", "x:1x6x8x16x16,t:1,text:1x12");
    expected.put("trt_profile_opt_shapes", "x:3x6x8x16x16,t:3,text:3x12");
    expected.put("trt_profile_max_shapes", "x:3x6x8x16x16,t:3,text:3x12");
    assertThat(m).containsExactlyEntriesOf(expected);
    assertThat(OrtBackend.tensorRtOptions(o.withPrecision("bf16").withMaxBatch(6), DIT_INPUTS, Path.of("d.onnx")))
        .containsEntry("trt_bf16_enable", "1").containsEntry("trt_fp16_enable", "0")
        .containsEntry("trt_profile_max_shapes", "x:6x6x8x16x16,t:6,text:6x12");
    assertThat(OrtBackend.cudaOptions(o)).containsEntry("device_id", "1").containsEntry("do_copy_in_default_stream", "1");
  }

  @Test
  void aDynamicSizeOtherThanTheBatchIsRejectedForTensorRtByName() {
    List<TensorInfo> in = List.of(new TensorInfo("x", ElementType.FLOAT, new long[] {-1, -1}));
    assertThatThrownBy(() -> OrtBackend.tensorRtOptions(BackendOptions.defaults(), in, Path.of("g.onnx")))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("g.onnx: input 'x'").hasMessageContaining("dynamic dimension 1");
  }

  @Test
  void providerStartFailuresAreCutToTheMissingLibrary() {
    // as the GPU build prints it on a machine without CUDA 12 (measured with onnxruntime_gpu 1.29.0)
    String ort = "Error code - ORT_FAIL - message: /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1988 "
        + "onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library "
        + "/tmp/onnxruntime-java1/libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file: "
        + "No such file or directory\n";
    assertThat(OrtBackend.providerError(ort)).isEqualTo("libcublasLt.so.12: cannot open shared object file: No such file or directory");
    assertThat(OrtBackend.providerError("x [ONNXRuntimeError] : 1 : FAIL : CUDA failure 100: no CUDA-capable device is detected"))
        .isEqualTo("1 : FAIL : CUDA failure 100: no CUDA-capable device is detected");
    assertThat(OrtBackend.providerError(null)).isEqualTo("no message");
  }

  @Test
  void optionsRejectBadValues() {
    assertThatThrownBy(() -> BackendOptions.defaults().withPrecision("fp8")).hasMessageContaining("unknown precision 'fp8'");
    assertThatThrownBy(() -> BackendOptions.defaults().withMaxBatch(0)).hasMessageContaining("maxBatch must be in [1, 256], got 0");
    assertThat(BackendOptions.defaults().engineCache()).isEqualTo(BackendOptions.defaultCacheDir());
  }

  @ParameterizedTest
  @ValueSource(strings = {"cuda", "tensorrt"})
  void gpuProvidersMatchTheCpuProvider(String name) {
    OrtBackend gpu = new OrtBackend(name.equals("cuda") ? OrtBackend.Device.CUDA : OrtBackend.Device.TENSORRT);
    assumeTrue(gpu.available(), gpu.unavailableReason());
    Path f = GpuTestGraph.write(tmp.resolve("gpu.onnx"));
    BackendOptions o = new BackendOptions(0, 0, "all", 0, "fp32", tmp.resolve("engines"), 3);
    try (GraphSession cpu = new OrtBackend(OrtBackend.Device.CPU).open(f, BackendOptions.defaults());
        GraphSession g = gpu.open(f, o)) {
      for (int batch : new int[] {1, 3, 1, 3}) {
        Map<String, Tensor> in = GpuTestGraph.feed(batch, batch * 31L);
        float[] want = ((FloatTensor) cpu.run(in, List.of("y")).get("y")).data();
        float[] got = new float[want.length];
        g.runInto(in, "y", new long[] {batch, 32}, got);
        for (int i = 0; i < want.length; i++) {
          assertThat(got[i]).as("y[%d] at batch %d", i, batch).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-3f));
        }
      }
    }
  }
}
