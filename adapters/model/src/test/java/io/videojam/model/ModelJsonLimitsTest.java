package io.videojam.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model.json inputs the fuzzer (ModelJsonFuzzTest) crashed the reader with, each now refused in one line
 * that names the file, the value and the fix. The same inputs run as the fuzz test's regression inputs
 * (ModelJsonFuzzTestInputs/modelJson/regression-*).
 */
class ModelJsonLimitsTest {
  @TempDir
  Path dir;

  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.get(key);
  }

  /** Writes the fuzz seed's model.json (fixture model and extra inputs) with {@code edit} applied. */
  @SuppressWarnings("unchecked")
  void write(Consumer<Map<String, Object>> edit) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Map<String, Object> m;
    try (InputStream in = getClass().getResourceAsStream("ModelJsonFuzzTestInputs/modelJson/seed-extra-inputs.json")) {
      m = json.readValue(in, Map.class);
    }
    edit.accept(m);
    Files.write(dir.resolve("model.json"), json.writeValueAsBytes(m));
    Files.write(dir.resolve("pooled.npy"), Files.readAllBytes(ModelJsonFuzzTest.folder().resolve("pooled.npy")));
  }

  /** Reads it as the fuzz test does: model.json, then time convention, layout and extra inputs. */
  AbstractThrowableAssert<?, ? extends Throwable> reading(Consumer<Map<String, Object>> edit) throws IOException {
    write(edit);
    return assertThatThrownBy(() -> ModelJsonFuzzTest.read(ModelDirectory.open(dir)))
        .isInstanceOf(VideoJamException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").contains(dir.resolve("model.json").toString()));
  }

  @Test
  void theSeedIsAccepted() throws IOException {
    write(m -> { });
    ModelJsonFuzzTest.read(ModelDirectory.open(dir));
    assertThat(ExtraInput.parse(ModelDirectory.open(dir).json().child("denoiser"), ModelJsonFuzzTest.INPUTS, ModelJsonFuzzTest.KNOWN,
        dir.resolve("denoiser.onnx"))).hasSize(5);
  }

  @Test
  void aVideoOf64x4096x4096NeedsTooMuchMemory() throws IOException {
    // was accepted, then NegativeArraySizeException once the model allocated its latent (C x T x H x W overflows int)
    reading(m -> child(m, "video").putAll(Map.of("frames", 64, "height", 4096, "width", 4096)))
        .hasMessageContaining("model.json \"video\": 64 frames x 4096 x 4096 (height x width) x 3 RGB values need 12.0 GiB per"
            + " float32 decoded video, over the limit of 4.0 GiB (1073741824 elements); reduce frames, height or width");
  }

  @Test
  void twoBillionFramesNeedTooMuchMemory() throws IOException {
    // was accepted (2e9 fits an int), then a stack trace from the latent's int sizes
    reading(m -> child(m, "video").put("frames", 2e9))
        .hasMessageContaining("\"video\": 2000000000 frames x 32 x 32 (height x width) x 3 RGB values need 22.4 TiB")
        .hasMessageContaining("reduce frames, height or width");
  }

  @Test
  void aLatentOverTheLimitIsNamedAsTheLatent() throws IOException {
    reading(m -> m.put("latent", Map.of("frames", 16, "height", 2048, "width", 2048)))
        .hasMessageContaining("model.json \"latent\": 16 frames x 2048 x 2048 (height x width) x 6 channels need 1.5 GiB per float32"
            + " latent, over the limit of 1.0 GiB (268435456 elements)");
  }

  @Test
  void hugeChannelCountsDoNotOverflow() throws IOException {
    reading(m -> child(m, "channels").putAll(Map.of("appearance", Integer.MAX_VALUE, "motion", Integer.MAX_VALUE)))
        .hasMessageContaining("x 4294967294 channels need");
  }

  @Test
  void latentSizesAreChecked() throws IOException {
    // was accepted, then IllegalArgumentException "invalid latent shape" (exit 1) when the model opened
    reading(m -> m.put("latent", Map.of("frames", 4, "height", -976913118, "width", 8)))
        .hasMessageContaining("model.json \"latent\": \"height\" must be >= 1, got -976913118");
    reading(m -> m.put("latent", Map.of("height", 4, "width", 8)))
        .hasMessageContaining("model.json \"latent\": missing key \"frames\"");
  }

  @Test
  void sizesBeyondAnIntAreNamedAsSuch() throws IOException {
    reading(m -> child(m, "video").put("height", 1e10))
        .hasMessageContaining("\"height\" must be an integer from -2147483647 to 2147483647, got 1.0E10");
  }

  @Test
  void anInfiniteFrameRate() throws IOException {
    reading(m -> child(m, "video").put("fps", new java.math.BigDecimal("1e309")))
        .hasMessageContaining("\"fps\" must be a number > 0, got Infinity");
  }

  @Test
  void billionsOfTrainingSteps() throws IOException {
    // was OutOfMemoryError (Requested array size exceeds VM limit) building the DDPM table
    reading(m -> child(m, "denoiser").put("time", Map.of("convention", "vp", "train-steps", 2e9)))
        .hasMessageContaining("\"train-steps\" must be 2..100000 (diffusers' num_train_timesteps, usually 1000), got 2000000000");
  }

  @Test
  void extraInputShapesOfTheWrongType() throws IOException {
    // were ClassCastException and NullPointerException
    reading(m -> rope(m).put("shape", java.util.List.of("two", 3)))
        .hasMessageContaining("\"rope\": \"shape\" two at 0 does not fit rope:float[-1, -1, 3]; give one batch row's dims as whole numbers >= 1");
    reading(m -> rope(m).put("shape", java.util.Arrays.asList(null, 3)))
        .hasMessageContaining("\"shape\" null at 0 does not fit");
    reading(m -> rope(m).put("shape", java.util.List.of(2.5, 3)))
        .hasMessageContaining("\"shape\" 2.5 at 0 does not fit");
  }

  @Test
  void extraInputRowsOverTheLimit() throws IOException {
    // was NegativeArraySizeException or OutOfMemoryError when the row was allocated
    reading(m -> rope(m).put("shape", java.util.List.of(1_000_000_000, 3)))
        .hasMessageContaining("\"shape\" 1000000000 at 0 does not fit");
    reading(m -> rope(m).put("shape", java.util.List.of(16_000_000, 3)))
        .hasMessageContaining("one batch row of rope:float[-1, -1, 3] [16000000, 3] has more than 16777216 elements");
  }

  @Test
  void anNpyNameThatIsNoFileName() throws IOException {
    // was InvalidPathException
    reading(m -> child(child(child(m, "denoiser"), "extra-inputs"), "pooled").put("npy", "a\u0000b.npy"))
        .hasMessageContaining("\"pooled\": \"npy\" \"a\\u0000b.npy\" is not a file name");
  }

  @Test
  void anNpyThatIsMissingOrAFolderIsNamedWithItsModelJsonKey() throws IOException {
    // found by the fuzzer in a CI run: "cannot read DIR/appearance: DIR/appearance", naming neither model.json nor the key
    reading(m -> child(child(child(m, "denoiser"), "extra-inputs"), "pooled").put("npy", "nowhere.npy"))
        .hasMessageContaining("\"pooled\": \"npy\": cannot read ").hasMessageEndingWith("nowhere.npy: no such file").hasMessageNotContaining("\n");
    reading(m -> child(child(child(m, "denoiser"), "extra-inputs"), "pooled").put("npy", "."))
        .hasMessageContaining("\"pooled\": \"npy\": cannot read ").hasMessageEndingWith(": it is a folder");
  }

  @Test
  void valuesWithLineBreaksStayOnOneLine() throws IOException {
    // messages echoed the value as it was: several lines, or a whole nested object
    reading(m -> child(m, "denoiser").put("prediction", "x0\nsecond line"))
        .hasMessageContaining("\"prediction\" must be velocity, epsilon or sample, got \"x0\\u000asecond line\"");
    reading(m -> m.put("name", java.util.List.of("a\nb", Map.of("c", "d"))))
        .hasMessageContaining("\"name\" must be a string, got a list of 2");
    reading(m -> child(m, "denoiser").put("layout", "B".repeat(100)))
        .hasMessageContaining("must be BCTHW, BTCHW or BNC, got \"BBBB").hasMessageContaining("...\" (100 characters)");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rope(Map<String, Object> m) {
    return child(child(child(m, "denoiser"), "extra-inputs"), "rope");
  }
}
