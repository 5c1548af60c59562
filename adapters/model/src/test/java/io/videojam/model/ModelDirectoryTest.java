package io.videojam.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.BackendOptions;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad model folders give one-line errors that name the file and the fix. */
class ModelDirectoryTest {
  @TempDir
  Path dir;

  AbstractThrowableAssert<?, ? extends Throwable> opening(Path model) {
    return assertThatThrownBy(() -> {
      try (VideoModel m = Models.open(model, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
        m.info();
      }
    }).isInstanceOf(VideoJamException.class).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.get(key);
  }

  @Test
  void opensAndReportsTheModel() {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    try (VideoModel model = Models.open(m, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
      assertThat(model.info().latent().dims()).containsExactly(1, 3, 2, 1, 2);
      assertThat(model.info().hasMotion()).isTrue();
      assertThat(model.info().hash()).hasSize(64).isEqualTo(ModelDirectory.open(m).hash());
    }
  }

  @Test
  void hashChangesWhenAFileChanges() throws Exception {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    String before = ModelDirectory.open(m).hash();
    Files.writeString(m.resolve("vocab.txt"), "<pad>\n<unk>\nblue\n");
    assertThat(ModelDirectory.open(m).hash()).isNotEqualTo(before);
  }

  @Test
  void missingFolderAndMissingModelJson() throws Exception {
    opening(dir.resolve("nope")).hasMessageContaining("nope").hasMessageContaining("--model");
    opening(dir).hasMessageContaining("has no model.json");
  }

  @Test
  void invalidJsonNamesLineAndColumn() throws Exception {
    Files.writeString(dir.resolve("model.json"), "{\n  \"format\": 1,\n  \"name\": \n}");
    opening(dir).hasMessageContaining("model.json is not valid JSON at line 4");
  }

  @Test
  void missingKeysAreNamed() {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    TestModels.editJson(m, j -> child(j, "channels").remove("motion"));
    opening(m).hasMessageContaining("model.json \"channels\": missing key \"motion\"");
    TestModels.editJson(m, j -> j.remove("denoiser"));
    opening(m).hasMessageContaining("missing key \"denoiser\"");
  }

  @Test
  void wrongTypesAndUnknownConventions() {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    TestModels.editJson(m, j -> child(j, "video").put("frames", "sixteen"));
    opening(m).hasMessageContaining("\"frames\" must be a number");
    TestModels.editJson(m, j -> {
      child(j, "video").put("frames", 2);
      child(j, "denoiser").put("prediction", "x0");
    });
    opening(m).hasMessageContaining("\"prediction\" must be velocity, epsilon or sample");
    TestModels.editJson(m, j -> {
      child(j, "denoiser").put("prediction", "velocity");
      child(j, "codec").put("type", "vqgan");
    });
    opening(m).hasMessageContaining("unknown codec type").hasMessageContaining("identity");
  }

  @Test
  void inputNamesTheGraphLacks() {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    TestModels.editJson(m, j -> child(j, "denoiser").put("inputs", Map.of("latent", "hidden_states", "time", "t", "text", "text")));
    opening(m).hasMessageContaining("denoiser.inputs.latent names 'hidden_states'").hasMessageContaining("x:float[-1, 3, 2, 1, 2]");
    TestModels.editJson(m, j -> {
      child(j, "denoiser").put("inputs", Map.of("latent", "x", "time", "t", "text", "text"));
      child(j, "denoiser").put("outputs", Map.of("velocity", "noise_pred"));
    });
    opening(m).hasMessageContaining("noise_pred");
  }

  @Test
  void shapesThatDisagreeWithModelJson() {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    TestModels.editJson(m, j -> child(j, "channels").put("motion", 3));
    opening(m).hasMessageContaining("'x' has shape [-1, 3, 2, 1, 2]").hasMessageContaining("[-1, 5, 2, 1, 2]");
    TestModels.editJson(m, j -> {
      child(j, "channels").put("motion", 1);
      child(j, "denoiser").put("layout", "BTCHW");
    });
    opening(m).hasMessageContaining("layout BTCHW");
  }

  @Test
  void missingOnnxFileAndNonOnnxFile() throws Exception {
    Path m = TestModels.linear(dir, "BCTHW", false, Map.of());
    Files.writeString(m.resolve("denoiser.onnx"), "this is not a protobuf");
    opening(m).hasMessageContaining("denoiser.onnx");
    Files.delete(m.resolve("denoiser.onnx"));
    opening(m).hasMessageContaining("denoiser.onnx not found");
  }
}
