package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.media.PngWriter;
import io.videojam.model.FixtureModel;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code generate --latents-out} and {@code --init-noise} on the fixture DiT (identity codec, latent [1, 6, 16, 32, 32]). */
class LatentsOutTest {
  @TempDir
  static Path tmp;

  static Path model;
  static Path first;

  @BeforeAll
  static void generate() {
    model = tmp.resolve("model");
    FixtureModel.write(model, "fixture", FixtureModel.config());
    first = tmp.resolve("first");
    Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a red ball bouncing", "--steps", "2", "--seed", "9",
        "--scale", "1", "--no-progress", "--latents-out", "--out", first.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(c.out()).contains("initial-noise.npy, latents.npy");
  }

  @Test
  void writesNoiseAndLatentAsFloat32ListedInRunJson() throws Exception {
    FloatTensor noise = Npy.readFloat(first.resolve("initial-noise.npy"));
    FloatTensor latent = Npy.readFloat(first.resolve("latents.npy"));
    assertThat(noise.shape()).containsExactly(1, 6, 16, 32, 32);
    assertThat(latent.shape()).containsExactly(1, 6, 16, 32, 32);
    JsonNode run = new ObjectMapper().readTree(first.resolve("run.json").toFile());
    assertThat(run.at("/outputs/initial-noise.npy").asLong()).isEqualTo(Files.size(first.resolve("initial-noise.npy")));
    assertThat(run.at("/outputs/latents.npy").asLong()).isEqualTo(Files.size(first.resolve("latents.npy")));
    assertThat(run.at("/settings/initial-noise").asText()).isEqualTo("seed");
    assertThat(run.at("/inputs").isMissingNode()).isTrue();
  }

  /** Identity codec: frame pixels are the latent's appearance channels, clamped and mapped to 8 bits as the writer does. */
  @Test
  void latentsDecodeToTheWrittenFrames() {
    float[] latent = Npy.readFloat(first.resolve("latents.npy")).data();
    List<BufferedImage> frames = PngWriter.readFrames(first.resolve("frames"));
    assertThat(frames).hasSize(16);
    int plane = 32 * 32;
    for (int t = 0; t < 16; t++) {
      BufferedImage img = frames.get(t);
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          int rgb = img.getRGB(x, y);
          int[] got = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
          for (int c = 0; c < 3; c++) {
            float v = Math.max(-1f, Math.min(1f, latent[c * 16 * plane + t * plane + y * 32 + x]));
            assertThat(got[c]).as("t%d y%d x%d c%d", t, y, x, c).isEqualTo(Math.round((v + 1f) * 0.5f * 255f));
          }
        }
      }
    }
  }

  @Test
  void initNoiseReproducesTheLatentBitForBitWhateverTheSeed() throws Exception {
    for (String seed : List.of("9", "12345")) {
      Path out = tmp.resolve("again-" + seed);
      Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a red ball bouncing", "--steps", "2", "--seed", seed,
          "--scale", "1", "--no-progress", "--latents-out", "--init-noise", first.resolve("initial-noise.npy").toString(), "--out", out.toString());
      assertThat(c.exit()).as(c.err()).isEqualTo(0);
      assertThat(Files.readAllBytes(out.resolve("latents.npy"))).isEqualTo(Files.readAllBytes(first.resolve("latents.npy")));
      assertThat(Files.readAllBytes(out.resolve("initial-noise.npy"))).isEqualTo(Files.readAllBytes(first.resolve("initial-noise.npy")));
      JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
      assertThat(run.at("/inputs/init-noise/file").asText()).isEqualTo(first.resolve("initial-noise.npy").toAbsolutePath().normalize().toString());
      assertThat(run.at("/inputs/init-noise/sha256").asText()).hasSize(64);
      assertThat(run.at("/settings/initial-noise").asText()).isEqualTo("given");
      assertThat(run.at("/settings/seed").asText()).isEqualTo(seed);
    }
    // without --init-noise, another seed gives another latent
    Path other = tmp.resolve("other-seed");
    Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a red ball bouncing", "--steps", "2", "--seed", "12345",
        "--scale", "1", "--no-progress", "--latents-out", "--out", other.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(Files.readAllBytes(other.resolve("latents.npy"))).isNotEqualTo(Files.readAllBytes(first.resolve("latents.npy")));
  }

  @Test
  void badNoiseFilesFailInOneLineWithNothingWritten() throws Exception {
    Path dir = tmp.resolve("bad");
    Files.createDirectories(dir);
    Path missing = dir.resolve("missing.npy");
    assertThat(BadInputTest.fails(tmp.resolve("b1"), "--model", model.toString(), "--init-noise", missing.toString()))
        .contains("--init-noise " + missing + " does not exist");

    Path shape = dir.resolve("shape.npy");
    Npy.write(FloatTensor.zeros(1, 6, 16, 32, 16), shape);
    assertThat(BadInputTest.fails(tmp.resolve("b2"), "--model", model.toString(), "--init-noise", shape.toString()))
        .contains("initial noise (--init-noise) has shape [1, 6, 16, 32, 16] but the model's latent is [1, 6, 16, 32, 32]");

    Path nan = dir.resolve("nan.npy");
    FloatTensor z = FloatTensor.zeros(1, 6, 16, 32, 32);
    z.data()[100] = Float.POSITIVE_INFINITY;
    Npy.write(z, nan);
    assertThat(BadInputTest.fails(tmp.resolve("b3"), "--model", model.toString(), "--init-noise", nan.toString()))
        .contains("initial noise (--init-noise) holds Infinity at flat index 100");

    Path ints = dir.resolve("ints.npy");
    Npy.write(FloatTensor.zeros(4), ints);
    byte[] b = Files.readAllBytes(ints);
    Files.write(ints, new String(b, StandardCharsets.ISO_8859_1).replace("<f4", "<i4").getBytes(StandardCharsets.ISO_8859_1));
    assertThat(BadInputTest.fails(tmp.resolve("b4"), "--model", model.toString(), "--init-noise", ints.toString()))
        .contains("--init-noise: ").contains("holds integers").contains("float32");

    Path text = Files.writeString(dir.resolve("text.npy"), "not an array");
    assertThat(BadInputTest.fails(tmp.resolve("b5"), "--model", model.toString(), "--init-noise", text.toString()))
        .contains("--init-noise: ").contains("magic");
  }
}
