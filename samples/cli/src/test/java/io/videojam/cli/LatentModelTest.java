package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.api.StepListener;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.media.VideoReader;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model folder with real parts, end to end: a HuggingFace tokenizer.json with an ONNX text
 * encoder, an ONNX VAE decoder with scaling and shift, a latent of 4 appearance + 4 motion
 * channels. The decoded video is checked against the decoder's formula applied by hand.
 */
class LatentModelTest {
  static final String TOKENIZER_JSON = """
      {"version": "1.0", "truncation": null, "padding": null,
       "added_tokens": [
         {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
         {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
       "normalizer": {"type": "Lowercase"},
       "pre_tokenizer": {"type": "Whitespace"},
       "post_processor": null,
       "decoder": null,
       "model": {"type": "WordLevel", "unk_token": "[UNK]",
         "vocab": {"[PAD]": 0, "[UNK]": 1, "a": 2, "red": 3, "ball": 4, "moving": 5, "left": 6}}}
      """;
  static final float[][] DECODE = {{1f, 0.5f, 0f, -0.25f}, {0f, 1f, 0.5f, 0f}, {-0.5f, 0f, 1f, 0.25f}};
  static final double SCALE = 0.5;
  static final double SHIFT = 0.1;

  @TempDir
  static Path dir;

  @BeforeAll
  static void writeModel() throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER_JSON);
    // text encoder: embedding E[v] = (v, -v) for ids [B, L]
    GraphBuilder te = new GraphBuilder("text", 17);
    float[] table = new float[7 * 2];
    for (int v = 0; v < 7; v++) {
      table[2 * v] = v;
      table[2 * v + 1] = -v;
    }
    String ids = te.input("input_ids", ElementType.INT64, "batch", "len");
    te.output("last_hidden_state", te.op("Gather", Map.of("axis", 0L), te.constant("E", table, 7, 2), ids), ElementType.FLOAT, "batch", "len", 2L);
    OnnxModels.write(te.build(), dir.resolve("text.onnx"));
    // denoiser on a [B, 8, 4, 8, 8] latent with float text [B, 6, 2]: v = -0.5 x + 0.01 * sum(text)
    GraphBuilder d = new GraphBuilder("denoiser", 17);
    String x = d.input("hidden_states", ElementType.FLOAT, "B", 8, 4, 8, 8);
    d.input("timestep", ElementType.FLOAT, "B");
    String text = d.input("encoder_hidden_states", ElementType.FLOAT, "B", 6, 2);
    String s = d.op("ReduceSum", Map.of("keepdims", 0L), text, d.constant("ax", new long[] {1, 2}, 2));
    String s5 = d.op("Reshape", s, d.constant("s5", new long[] {-1, 1, 1, 1, 1}, 5));
    d.output("noise_pred", d.op("Add", d.op("Mul", x, d.scalar(-0.5f)), d.op("Mul", s5, d.scalar(0.01f))), ElementType.FLOAT, "B", 8, 4, 8, 8);
    OnnxModels.write(d.build(), dir.resolve("denoiser.onnx"));
    // VAE decoder: a 1x1x1 convolution from 4 latent channels to RGB
    GraphBuilder v = new GraphBuilder("decoder", 17);
    String z = v.input("latent", ElementType.FLOAT, "B", 4, "T", "H", "W");
    float[] w = new float[12];
    for (int o = 0; o < 3; o++) {
      for (int i = 0; i < 4; i++) {
        w[o * 4 + i] = DECODE[o][i];
      }
    }
    v.output("sample", v.op("Conv", z, v.constant("W", w, 3, 4, 1, 1, 1)), ElementType.FLOAT, "B", 3, "T", "H", "W");
    OnnxModels.write(v.build(), dir.resolve("decoder.onnx"));

    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", 1);
    m.put("name", "latent-test");
    m.put("denoiser", Map.of("onnx", "denoiser.onnx",
        "inputs", Map.of("latent", "hidden_states", "time", "timestep", "text", "encoder_hidden_states"),
        "outputs", Map.of("velocity", "noise_pred"), "time", Map.of("convention", "noise_at_1", "scale", 1000.0)));
    m.put("channels", Map.of("appearance", 4, "motion", 4));
    m.put("latent", Map.of("frames", 4, "height", 8, "width", 8));
    m.put("video", Map.of("frames", 4, "height", 8, "width", 8, "fps", 4));
    m.put("codec", Map.of("type", "onnx-vae", "decoder", "decoder.onnx", "scaling-factor", SCALE, "shift-factor", SHIFT,
        "latent-channels", 4, "clamp", true));
    m.put("text", Map.of("type", "hf-onnx", "tokenizer", "tokenizer.json", "encoder", "text.onnx", "max-tokens", 6, "null", "empty"));
    m.put("motion", Map.of("representation", "flow-rgb", "sigma", 0.15));
    new ObjectMapper().writeValue(dir.resolve("model.json").toFile(), m);
  }

  @Test
  void decodedVideoAndMotionFollowTheCodecFormula() {
    Generation g;
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(dir))) {
      g = jam.generate(GenerationRequest.of("a red ball moving left", 4).withSteps(3), StepListener.NONE);
    }
    float[] latent = g.latent().data();
    int plane = 4 * 8 * 8;
    for (int kind = 0; kind < 2; kind++) {
      float[] decoded = (kind == 0 ? g.video() : g.motion()).data();
      for (int o = 0; o < 3; o++) {
        for (int p = 0; p < plane; p += 7) {
          double sum = 0;
          for (int i = 0; i < 4; i++) {
            sum += DECODE[o][i] * (latent[(kind * 4 + i) * plane + p] / SCALE + SHIFT);
          }
          double expected = Math.max(-1, Math.min(1, sum));
          assertThat((double) decoded[o * plane + p]).as("%s channel %d at %d", kind == 0 ? "video" : "motion", o, p)
              .isCloseTo(expected, within(1e-4));
        }
      }
    }
  }

  @Test
  void generateWritesTheDecodedVideo() {
    Path out = dir.resolve("out");
    Cli c = Cli.run("generate", "--model", dir.toString(), "--prompt", "a red ball", "--steps", "2", "--scale", "4", "--no-progress",
        "--out", out.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(VideoReader.read(out.resolve("video.mp4")).shape()).containsExactly(3, 4, 32, 32);
    assertThat(VideoReader.read(out.resolve("motion.mp4")).shape()).containsExactly(3, 4, 32, 32);
  }

  /** The encoder's tensors saved as .npy and read back through "text": {"type": "embeddings"}: the same latent, byte for byte. */
  @Test
  void embeddingsFromTheEncoderGiveTheSameLatent() throws Exception {
    Path emb = dir.resolve("embeddings-model");
    Files.createDirectories(emb);
    for (String f : List.of("denoiser.onnx", "decoder.onnx", "model.json")) {
      Files.copy(dir.resolve(f), emb.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(dir))) {
      var te = jam.videoModel().textEncoder();
      Npy.write((FloatTensor) te.nullCondition(1), emb.resolve("null.npy"));
      Npy.write((FloatTensor) te.encode(List.of("a red ball")), emb.resolve("red-ball.npy"));
    }
    Files.writeString(emb.resolve("index.json"), "{\"a red ball\": \"red-ball.npy\"}");
    io.videojam.model.TestModels.editJson(emb, m -> m.put("text", Map.of("type", "embeddings", "prompts", "index.json", "null", "null.npy")));
    Path viaEncoder = dir.resolve("via-encoder");
    Path viaIndex = dir.resolve("via-index");
    Path viaFile = dir.resolve("via-file");
    for (Path[] run : new Path[][] {{dir, viaEncoder}, {emb, viaIndex}}) {
      Cli c = Cli.run("generate", "--model", run[0].toString(), "--prompt", "a red ball", "--steps", "2", "--seed", "3", "--scale", "1",
          "--no-progress", "--latents-out", "--out", run[1].toString());
      assertThat(c.exit()).as(c.err()).isEqualTo(0);
    }
    Cli c = Cli.run("generate", "--model", emb.toString(), "--prompt", emb.resolve("red-ball.npy").toString(), "--steps", "2", "--seed", "3",
        "--scale", "1", "--no-progress", "--latents-out", "--out", viaFile.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    byte[] expected = Files.readAllBytes(viaEncoder.resolve("latents.npy"));
    assertThat(Files.readAllBytes(viaIndex.resolve("latents.npy"))).isEqualTo(expected);
    assertThat(Files.readAllBytes(viaFile.resolve("latents.npy"))).isEqualTo(expected);
    Cli unknown = Cli.run("generate", "--model", emb.toString(), "--prompt", "a blue ball", "--steps", "1", "--no-progress", "--out",
        dir.resolve("unknown").toString());
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err().strip()).contains("no embedding for prompt \"a blue ball\"").contains("index.json").doesNotContain("\n");
    assertThat(dir.resolve("unknown")).doesNotExist();
  }
}
