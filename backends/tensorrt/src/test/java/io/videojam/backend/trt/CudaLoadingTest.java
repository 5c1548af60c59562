package io.videojam.backend.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second stage of the availability check against the real CUDA runtime: on a machine with the
 * CUDA 13 toolkit but no driver, a stand-in libcuda.so.1 without any symbol lets the JavaCPP
 * bindings load, and the runtime itself must then refuse (cudaGetDeviceCount fails) with its own
 * message in our one line.
 */
class CudaLoadingTest {
  @TempDir
  Path tmp;

  /** Run in a child JVM: prints the reason. */
  public static void main(String[] args) {
    System.out.println(new TrtBackend().unavailableReason());
  }

  @Test
  void withTheRuntimeButNoDriverTheRuntimesOwnErrorIsReported() throws Exception {
    assumeFalse(new TrtBackend().available(), "this machine has a GPU: the GPU tests cover it");
    assumeTrue(Files.exists(Path.of("/usr/local/cuda/lib64/libcudart.so.13")) || Files.exists(Path.of("/usr/local/cuda-13.0/lib64/libcudart.so.13")),
        "no CUDA 13 runtime under /usr/local/cuda: nothing to load");
    Path c = Files.writeString(tmp.resolve("empty.c"), "int videojam_stand_in_driver = 0;\n");
    Process gcc;
    try {
      gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", tmp.resolve("libcuda.so.1").toString(), "-Wl,-soname,libcuda.so.1", c.toString())
          .redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      assumeTrue(false, "no gcc to build the stand-in driver: " + e.getMessage());
      return;
    }
    assumeTrue(gcc.waitFor(60, TimeUnit.SECONDS) && gcc.exitValue() == 0, "gcc failed: " + new String(gcc.getInputStream().readAllBytes()));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), CudaLoadingTest.class.getName()));
    pb.environment().put("LD_LIBRARY_PATH", tmp + ":/usr/local/cuda/lib64");
    pb.redirectErrorStream(true);
    Process child = pb.start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // measured: "--backend trt-native: no CUDA GPU is visible (CUDA driver version is insufficient for CUDA runtime version); ..."
    assertThat(out).as(out).startsWith("--backend trt-native: no CUDA GPU is visible (").contains("driver")
        .endsWith("or use --backend cpu").doesNotContain("\n");
  }
}
