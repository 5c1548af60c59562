package io.videojam.backend.ort;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29.0's telemetry crashes the JVM (SIGSEGV, exit 139) when the process's command line
 * passes about 3,970 bytes, as an ordinary application classpath does. This runs a session in a child
 * JVM with a 10 KB command line and without {@code ORT_DISABLE_TELEMETRY} in its environment, so only
 * {@link OrtProcess} can save it, and checks that the child leaves nothing in the temp folders.
 */
class LongCommandLineTest {
  /** The child: opens the affine graph given as args[0], runs it, prints y[0]. */
  public static void main(String[] args) {
    try (GraphSession s = new OrtBackend(OrtBackend.Device.CPU).open(Path.of(args[0]), BackendOptions.defaults())) {
      Map<String, Tensor> out = s.run(Map.of("x", OrtBackendTest.ramp(1, 3, 1f), "ids", OrtBackendTest.ids(1)), List.of("y"));
      System.out.println("y0=" + ((FloatTensor) out.get("y")).data()[0]);
    }
  }

  @Test
  void aSessionOpensFromAProcessWithATenKilobyteCommandLine(@TempDir Path dir) throws Exception {
    Path graph = OrtBackendTest.writeAffine(dir.resolve("affine.onnx"));
    Path childTmp = Files.createDirectories(dir.resolve("child-tmp"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + childTmp, "-Dpadding=" + "x".repeat(10_000),
        "-cp", System.getProperty("java.class.path"), LongCommandLineTest.class.getName(), graph.toString()));
    assertThat(String.join(" ", cmd).length()).isGreaterThan(10_000);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove(OrtProcess.TELEMETRY_VARIABLE);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // y = 2 x + sum(ids) = 2 * 1 + (1 + 2)
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).contains("y0=5.0");
    assertThat(Path.of("/tmp/mat-debug-" + p.pid() + ".log")).doesNotExist();
    try (var left = Files.list(childTmp)) {
      assertThat(left.map(Path::getFileName).map(Path::toString)).as("ONNX Runtime's extraction folder").isEmpty();
    }
  }
}
