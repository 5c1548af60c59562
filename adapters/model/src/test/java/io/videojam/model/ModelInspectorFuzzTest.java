package io.videojam.model;

import io.videojam.api.Refusals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.OnnxMutator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzzes {@code videojam inspect} ({@link ModelInspector#inspect}): whatever the .onnx file holds, it either describes
 * it (a proposal or a line saying why it is not a video denoiser) or fails with a one-line {@link VideoJamException}
 * naming the file; never another exception, an error or a hang.
 *
 * <p>Two kinds of input, by the last byte's lowest bit: 0, the other bytes are the file; 1, one of {@link
 * OnnxMutator#seeds()} with edits the fuzzer picks (see OnnxMutator). Seeds: {@code
 * ModelInspectorFuzzTestInputs/inspect/} (every file there also runs as a regression input).
 */
class ModelInspectorFuzzTest {
  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("inspect-fuzz");
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  void inspect(FuzzedDataProvider data) throws IOException {
    Path file = folder().resolve("denoiser.onnx");
    Files.write(file, data.consumeBoolean() ? OnnxMutator.mutate(data.pickValue(OnnxMutator.seeds()), data).toByteArray()
        : data.consumeRemainingAsBytes());
    ModelInspector.Inspection in;
    try {
      in = ModelInspector.inspect(file);
    } catch (VideoJamException e) {
      Refusals.check(e, "denoiser.onnx");
      return;
    }
    if (in.videoDenoiser()) {
      // the proposal names the latent and its sizes, as a model.json does
      Map<?, ?> den = (Map<?, ?>) in.proposal().get("denoiser");
      if (!(den.get("inputs") instanceof Map<?, ?> inputs) || !(inputs.get("latent") instanceof String)
          || !(in.proposal().get("video") instanceof Map<?, ?>)) {
        throw new AssertionError("a proposal without a latent input or video sizes: " + in.proposal());
      }
    } else if (in.signature().isBlank()) {
      throw new AssertionError("no proposal and no reason");
    }
  }
}
