package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.BackendOptions;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.model.FixtureModel;
import io.videojam.model.Models;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
  @TempDir
  Path tmp;

  @Test
  void theProposalForTheProjectsOwnDiTRunsAsItIs() throws Exception {
    Path fixture = tmp.resolve("fixture");
    FixtureModel.write(fixture, "fixture", FixtureModel.config());
    Path dir = Files.createDirectories(tmp.resolve("proposed"));
    Files.copy(fixture.resolve("denoiser.onnx"), dir.resolve("denoiser.onnx"));
    Files.copy(fixture.resolve("vocab.txt"), dir.resolve("vocab.txt"));
    Cli c = Cli.run("inspect", dir.resolve("denoiser.onnx").toString(), "--out", dir.resolve("model.json").toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(c.out()).contains("x:float[-1, 6, 16, 32, 32]").contains("parameters: 227,712").contains("videojam DiT");
    try (VideoModel m = Models.open(dir, new OrtBackend(OrtBackend.Device.CPU), BackendOptions.defaults())) {
      assertThat(m.info().latent().appearanceChannels()).isEqualTo(3);
      assertThat(m.info().latent().motionChannels()).isEqualTo(3);
    }
  }

  @Test
  void recognisesADiffusersStyleExport() throws Exception {
    GraphBuilder g = new GraphBuilder("transformer", 17);
    String x = g.input("hidden_states", ElementType.FLOAT, "batch", 16, 4, 8, 8);
    String t = g.input("timestep", ElementType.FLOAT, "batch");
    String e = g.input("encoder_hidden_states", ElementType.FLOAT, "batch", 7, 32);
    String te = g.op("Reshape", t, g.constant("s5", new long[] {-1, 1, 1, 1, 1}, 5));
    String ee = g.op("Reshape", g.op("ReduceMean", Map.of("keepdims", 0L), e, g.constant("ax", new long[] {1, 2}, 2)), "s5");
    g.output("noise_pred", g.op("Add", g.op("Add", x, te), ee), ElementType.FLOAT, "batch", 16, 4, 8, 8);
    Path onnx = tmp.resolve("transformer.onnx");
    OnnxModels.write(g.build(), onnx);
    Path out = tmp.resolve("model.json");
    Cli c = Cli.run("inspect", onnx.toString(), "--out", out.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(c.out()).contains("diffusers-style").contains("BTCHW").contains("noise_at_1");
    JsonNode j = new ObjectMapper().readTree(out.toFile());
    assertThat(j.at("/denoiser/inputs/latent").asText()).isEqualTo("hidden_states");
    assertThat(j.at("/denoiser/inputs/time").asText()).isEqualTo("timestep");
    assertThat(j.at("/denoiser/inputs/text").asText()).isEqualTo("encoder_hidden_states");
    assertThat(j.at("/denoiser/outputs/velocity").asText()).isEqualTo("noise_pred");
    assertThat(j.at("/denoiser/time/scale").asDouble()).isEqualTo(1000.0);
    assertThat(j.at("/channels/motion").asInt()).isEqualTo(0);
  }

  @Test
  void notOnnxIsAOneLineError() throws Exception {
    Path junk = Files.writeString(tmp.resolve("junk.onnx"), "hello");
    Cli c = Cli.run("inspect", junk.toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err().strip()).startsWith("videojam: error: ").contains("junk.onnx").doesNotContain("\n");
  }
}
