package io.videojam.onnx;

import io.videojam.api.Refusals;

import ai.onnx.proto.OnnxMl;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes reading an ONNX file ({@link OnnxModels#read}) and extending it ({@link ModelExtender#extend}, which folds
 * its shapes with {@link ShapeFolder} first): whatever the file holds, each either succeeds or fails with a one-line
 * {@link VideoJamException}; never another exception, an error, a hang or an allocation the file's sizes ask for.
 *
 * <p>Two kinds of input, by the last byte's lowest bit: 0, the other bytes are the .onnx file (mutations of the seeds:
 * truncation, flipped bits, spliced fields); 1, one of {@link OnnxMutator#seeds()} with edits the fuzzer picks, and
 * the extend options (layout, motion channels). Seeds: {@code ModelExtenderFuzzTestInputs/extend/} (every file there
 * also runs as a regression input).
 */
class ModelExtenderFuzzTest {
  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("extend-fuzz");
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  void extend(FuzzedDataProvider data) throws IOException {
    Path file = folder().resolve("model.onnx");
    ExtendOptions options = ExtendOptions.defaults();
    if (data.consumeBoolean()) {
      options = options.withLayout(data.pickValue(LatentLayout.values())).withMotionChannels(data.consumeInt(0, 4))
          .withHeadInit(data.pickValue(MotionHeadInit.values()), 1);
      OnnxMl.ModelProto base = data.pickValue(OnnxMutator.seeds());
      Files.write(file, OnnxMutator.mutate(base, data).toByteArray());
    } else {
      Files.write(file, data.consumeRemainingAsBytes());
    }
    OnnxMl.ModelProto model;
    try {
      model = OnnxModels.read(file);
    } catch (VideoJamException e) {
      Refusals.check(e, "model.onnx");
      return;
    }
    try {
      ExtendResult r = ModelExtender.extend(model, options, file.getParent());
      if (r.model().getGraph().getInputCount() == 0) {
        throw new AssertionError("extend returned a graph without inputs");
      }
    } catch (VideoJamException e) {
      Refusals.check(e);
    }
  }
}
