package io.videojam.backend.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.Plugins;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What runs everywhere: the cache key, the graph hash, discovery, and the one-line error without a GPU. */
class TrtBackendTest {
  @TempDir
  Path tmp;

  @Test
  void isFoundByItsName() {
    assertThat(Plugins.find(BackendProvider.class, "trt-native", "--backend").create()).isInstanceOf(TrtBackend.class);
  }

  @Test
  void withoutCudaOrTensorRtSaysWhatIsMissingInOneLine() throws Exception {
    TrtBackend b = new TrtBackend();
    assumeFalse(b.available(), "this machine has CUDA, a GPU and TensorRT: the GPU tests run instead");
    String reason = b.unavailableReason();
    assertThat(reason).startsWith("--backend trt-native: ").doesNotContain("\n").containsAnyOf("CUDA", "TensorRT")
        .contains("--backend cpu").doesNotContain("java.library.path");
    Path graph = tmp.resolve("g.onnx");
    GraphBuilder g = new GraphBuilder("g", 17);
    g.output("y", g.op("Mul", g.input("x", ElementType.FLOAT, "B", 4), g.scalar(2f)), ElementType.FLOAT, "B", 4);
    OnnxModels.write(g.build(), graph);
    assertThatThrownBy(() -> b.open(graph, BackendOptions.defaults())).isInstanceOf(VideoJamException.class).hasMessage(reason);
    // a missing file is reported before the natives are needed
    assertThatThrownBy(() -> b.open(tmp.resolve("missing.onnx"), BackendOptions.defaults())).hasMessageContaining("missing.onnx not found");
  }

  @Test
  void theLoaderErrorIsCutToTheMissingLibrary() {
    // the chain JavaCPP 1.5.14 throws on this project's CPU machine (CUDA 13 toolkit installed, no driver)
    UnsatisfiedLinkError linker = new UnsatisfiedLinkError("/root/.javacpp/cache/cuda-13.3-9.25-1.5.14-linux-x86_64.jar/org/bytedeco/"
        + "cuda/linux-x86_64/libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory");
    UnsatisfiedLinkError top = new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/java/packages/lib:/lib");
    top.initCause(linker);
    assertThat(TrtNatives.shortMessage(top)).isEqualTo("libcuda.so.1 not found");
    assertThat(TrtNatives.shortMessage(new UnsatisfiedLinkError("libnvinfer.so.11: cannot open shared object file")))
        .isEqualTo("libnvinfer.so.11 not found");
    assertThat(TrtNatives.shortMessage(new NoClassDefFoundError("Could not initialize class org.bytedeco.cuda.global.cudart")))
        .isEqualTo("Could not initialize class org.bytedeco.cuda.global.cudart");
    assertThat(TrtNatives.shortMessage(new UnsatisfiedLinkError())).isEqualTo("UnsatisfiedLinkError");
  }

  @Test
  void engineKeyStemIsTheHashOfEveryField() {
    String gpu = "NVIDIA H100 sm_90 132SM 81559MiB";
    EngineKey k = new EngineKey("abc", "fp16", "OnnxPrecision v2", "min=x:1x4", gpu, "11.2.0.5");
    // printf 'videojam-trt-engine-1\nabc\nfp16\nOnnxPrecision v2\nmin=x:1x4\nNVIDIA H100 sm_90 132SM 81559MiB\n11.2.0.5' | sha256sum
    assertThat(k.stem()).isEqualTo("9db0e24a9a8d41c1169df941");
    assertThat(java.util.List.of(
        new EngineKey("abd", "fp16", "OnnxPrecision v2", "min=x:1x4", gpu, "11.2.0.5"),
        new EngineKey("abc", "bf16", "OnnxPrecision v2", "min=x:1x4", gpu, "11.2.0.5"),
        new EngineKey("abc", "fp16", "OnnxPrecision v3", "min=x:1x4", gpu, "11.2.0.5"),
        new EngineKey("abc", "fp16", "OnnxPrecision v2", "min=x:1x3", gpu, "11.2.0.5"),
        new EngineKey("abc", "fp16", "OnnxPrecision v2", "min=x:1x4", "NVIDIA H100 sm_90 114SM 81559MiB", "11.2.0.5"),
        new EngineKey("abc", "fp16", "OnnxPrecision v2", "min=x:1x4", gpu, "11.2.1.0")))
        .allSatisfy(other -> assertThat(other.stem()).isNotEqualTo(k.stem()));
    assertThat(k.timingCacheName()).isEqualTo("timing-NVIDIA_H100_sm_90_132SM_81559MiB-trt11.2.0.5.cache");
    assertThat(k.json()).contains("\"precision\": \"fp16\"", "\"converter\": \"OnnxPrecision v2\"", "\"gpu\": \"" + gpu + "\"");
    assertThat(TrtEngines.converter("fp32")).isEqualTo("none");
    assertThat(TrtEngines.converter("bf16")).isEqualTo("OnnxPrecision v" + io.videojam.onnx.OnnxPrecision.VERSION);
  }

  @Test
  void messagesBecomeOneLine() {
    assertThat(TrtEngines.oneLine("Invalid Node - Mul_3\nUnsupported datatype  \n  in a loop")).isEqualTo("Invalid Node - Mul_3 | Unsupported datatype | in a loop");
    assertThat(TrtEngines.oneLine(null)).isEqualTo("no message");
  }

  @Test
  void graphHashCoversTheExternalDataFiles() throws Exception {
    Path graph = tmp.resolve("ext.onnx");
    GraphBuilder g = new GraphBuilder("ext", 17);
    float[] w = new float[4096];
    java.util.Arrays.fill(w, 0.5f);
    g.output("y", g.op("MatMul", g.input("x", ElementType.FLOAT, "B", 64), g.constant("w", w, 64, 64)),
        ElementType.FLOAT, "B", 64);
    OnnxModels.write(g.build(), graph, io.videojam.onnx.ExternalDataPolicy.all());
    var raw = OnnxModels.read(graph);
    assertThat(OnnxModels.hasExternalData(raw)).isTrue();
    String h = TrtEngines.graphSha256(graph, raw);
    java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
    md.update(Files.readAllBytes(graph));
    md.update(Files.readAllBytes(tmp.resolve("ext.onnx.data")));
    assertThat(h).isEqualTo(HexFormat.of().formatHex(md.digest()));
    Files.write(tmp.resolve("ext.onnx.data"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    assertThat(TrtEngines.graphSha256(graph, raw)).isNotEqualTo(h);
  }

  @Test
  void writesCacheFilesAtomically() throws Exception {
    Path f = tmp.resolve("cache/a/b.engine");
    TrtEngines.writeAtomically(f, new byte[] {1, 2, 3});
    TrtEngines.writeAtomically(f, new byte[] {4, 5});
    assertThat(Files.readAllBytes(f)).containsExactly(4, 5);
    // from native memory, as engines and timing caches are written (a plan may exceed a Java array)
    byte[] data = new byte[300_001];
    new java.util.Random(1).nextBytes(data);
    try (org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(data)) {
      TrtEngines.writeAtomically(f, p, data.length - 1);
    }
    assertThat(Files.readAllBytes(f)).isEqualTo(java.util.Arrays.copyOf(data, data.length - 1));
    try (var files = Files.list(f.getParent())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("b.engine");
    }
  }
}
