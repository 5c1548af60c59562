package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The diffusers Wan export from the shared fixtures, as a user takes it: inspect proposes a
 * model.json, the user names the stand-in text encoder and VAE, generate runs the base, extend
 * widens it, and the extended model with motion switched off samples exactly what the base sampled.
 */
class DiffusersExportCliTest {
  static final Path FIXTURE = Path.of(System.getProperty("videojam.fixtures", "../../shared/fixtures"), "diffusers-wan-tiny");
  @TempDir Path tmp;

  @Test
  @SuppressWarnings("unchecked")
  void inspectExtendAndGenerateOnTheExportAsItCame() throws Exception {
    assumeTrue(Files.isRegularFile(FIXTURE.resolve("denoiser.onnx")), "the shared fixtures are not beside this checkout (" + FIXTURE + ")");
    Path base = tmp.resolve("wan");
    Files.createDirectories(base);
    for (String f : new String[] {"denoiser.onnx", "text_encoder.onnx", "tokenizer.json", "vae_decoder.onnx"}) {
      Files.copy(FIXTURE.resolve(f), base.resolve(f));
    }
    Cli inspect = Cli.run("inspect", base.resolve("denoiser.onnx").toString(), "--out", base.resolve("model.json").toString());
    assertThat(inspect.exit()).as(inspect.err()).isZero();
    assertThat(inspect.out()).contains("Wan (WanTransformer3DModel)").contains("layout BCTHW: Conv3d patch embedding")
        .contains("shape arithmetic folded");
    ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Map<String, Object> json = om.readValue(base.resolve("model.json").toFile(), LinkedHashMap.class);
    Map<String, Object> time = (Map<String, Object>) ((Map<String, Object>) json.get("denoiser")).get("time");
    assertThat(time).containsEntry("convention", "noise_at_1").containsEntry("scale", 1000.0);
    json.put("text", Map.of("type", "hf-onnx", "tokenizer", "tokenizer.json", "encoder", "text_encoder.onnx", "max-tokens", 8));
    json.put("codec", Map.of("type", "onnx-vae", "decoder", "vae_decoder.onnx", "latent-channels", 4));
    json.remove("notes");
    om.writeValue(base.resolve("model.json").toFile(), json);

    Cli b = Cli.run("generate", "--model", base.toString(), "--prompt", "a red ball", "--steps", "6", "--seed", "3", "--guidance", "cfg",
        "--latents-out", "--no-progress", "--out", tmp.resolve("base-out").toString());
    assertThat(b.exit()).as(b.err()).isZero();
    Cli e = Cli.run("extend", base.toString(), "--out", tmp.resolve("wan-vj").toString());
    assertThat(e.exit()).as(e.err()).isZero();
    Cli m = Cli.run("generate", "--model", tmp.resolve("wan-vj").toString(), "--prompt", "a red ball", "--steps", "6", "--seed", "3",
        "--guidance", "motion-off", "--latents-out", "--no-progress", "--out", tmp.resolve("off-out").toString());
    assertThat(m.exit()).as(m.err()).isZero();
    FloatTensor baseLatent = Npy.readFloat(tmp.resolve("base-out/latents.npy"));
    FloatTensor joint = Npy.readFloat(tmp.resolve("off-out/latents.npy"));
    assertThat(baseLatent.shape()).containsExactly(1, 4, 3, 8, 8);
    assertThat(joint.shape()).containsExactly(1, 8, 3, 8, 8);
    float max = 0;
    float scale = 0;
    for (int i = 0; i < baseLatent.data().length; i++) {
      max = Math.max(max, Math.abs(baseLatent.data()[i] - joint.data()[i]));
      scale = Math.max(scale, Math.abs(baseLatent.data()[i]));
    }
    assertThat(scale).as("the sample is not trivially zero").isGreaterThan(0.5f);
    assertThat(max).as("zero-initialised motion rows: appearance equals the base").isLessThan(1e-4f);
    Cli vj = Cli.run("generate", "--model", tmp.resolve("wan-vj").toString(), "--prompt", "a red ball", "--steps", "4", "--solver", "unipc",
        "--guidance", "inner", "--no-progress", "--out", tmp.resolve("vj-out").toString());
    assertThat(vj.exit()).as(vj.err()).isZero();
    assertThat(tmp.resolve("vj-out/motion.mp4")).isRegularFile();
  }
}
