package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.FloatTensor;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.media.Frames;
import io.videojam.media.GifReader;
import io.videojam.media.PngWriter;
import io.videojam.media.VideoReader;
import io.videojam.model.FixtureModel;
import io.videojam.model.ModelDirectory;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code videojam generate} end to end on the fixture DiT: the files, decoded, hold the generated pixels. */
class GenerateCommandTest {
  @TempDir
  static Path tmp;

  static Path model;
  static Path out;
  static Cli result;

  @BeforeAll
  static void generate() {
    model = tmp.resolve("model");
    FixtureModel.write(model, "fixture", FixtureModel.config());
    out = tmp.resolve("out");
    result = Cli.run("generate", "--model", model.toString(), "--prompt", "a red ball bouncing", "--steps", "3", "--seed", "9",
        "--scale", "8", "--no-progress", "--out", out.toString());
  }

  @Test
  void writesEveryOutput() {
    assertThat(result.exit()).as(result.err()).isEqualTo(0);
    for (String f : List.of("video.mp4", "video.gif", "motion.mp4", "motion.gif", "contact-sheet.png", "run.json",
        "frames/0000.png", "frames/0015.png", "motion-frames/0015.png")) {
      assertThat(out.resolve(f)).isNotEmptyFile();
    }
    assertThat(out.resolve("frames/0016.png")).doesNotExist();
    assertThat(result.out()).contains("wrote " + out);
  }

  @Test
  void warnsInOneLineAboutWordsTheModelCannotRead() {
    assertThat(result.err()).doesNotContain("warning");
    Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a blue hexagon moving left", "--steps", "1",
        "--no-progress", "--out", tmp.resolve("hexagon").toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    List<String> warnings = c.err().lines().filter(l -> l.contains("warning")).toList();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0)).startsWith("videojam: warning: the model's vocabulary lacks \"hexagon\" (ignored); it knows: ")
        .contains(" circle ", " moving ").doesNotContain("<pad>", "<unk>");
  }

  /** The PNG frames hold exactly the library's video for the same request, quantised to 8 bits. */
  @Test
  void pngFramesEqualTheGeneratedVideo() {
    GenerationRequest r = GenerationRequest.of("a red ball bouncing", 9).withSteps(3);
    Generation g;
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(model))) {
      g = jam.generate(r, StepListener.NONE);
    }
    List<BufferedImage> frames = PngWriter.readFrames(out.resolve("frames"));
    assertThat(frames).hasSize(16);
    FloatTensor v = g.video();
    int plane = 32 * 32;
    for (int t = 0; t < 16; t += 5) {
      BufferedImage img = frames.get(t);
      assertThat(img.getWidth()).isEqualTo(32);
      for (int y = 0; y < 32; y += 7) {
        for (int x = 0; x < 32; x += 7) {
          int rgb = img.getRGB(x, y);
          int[] got = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
          for (int c = 0; c < 3; c++) {
            double value = Math.max(-1, Math.min(1, v.data()[c * 16 * plane + t * plane + y * 32 + x]));
            assertThat(got[c]).isEqualTo((int) Math.round((value + 1) / 2 * 255));
          }
        }
      }
    }
  }

  @Test
  void mp4DecodesToTheFramesAtTheWrittenScale() {
    FloatTensor png = Frames.fromImages(PngWriter.readFrames(out.resolve("frames")));
    for (String name : List.of("video", "motion")) {
      FloatTensor mp4 = VideoReader.read(out.resolve(name + ".mp4"));
      assertThat(mp4.shape()).containsExactly(3, 16, 256, 256);
      FloatTensor reference = name.equals("video") ? png : Frames.fromImages(PngWriter.readFrames(out.resolve("motion-frames")));
      assertThat(meanAbsLevels(mp4, reference, 8)).as(name).isLessThan(4.0);
    }
  }

  @Test
  void gifDecodesToTheFramesWithTheFrameDelay() {
    GifReader.Gif gif = GifReader.read(out.resolve("video.gif"));
    assertThat(gif.frames()).hasSize(16);
    assertThat(gif.frames().get(0).getWidth()).isEqualTo(256);
    assertThat(gif.delaysCentiseconds()).containsOnly(13).hasSize(16); // 8 fps = 12.5 cs, rounded
    FloatTensor png = Frames.fromImages(PngWriter.readFrames(out.resolve("frames")));
    assertThat(meanAbsLevels(gif.tensor(), png, 8)).isLessThan(20.0);
  }

  @Test
  void runJsonRecordsSettingsHashAndTimings() throws Exception {
    JsonNode run = new ObjectMapper().readTree(out.resolve("run.json").toFile());
    assertThat(run.at("/model/sha256").asText()).isEqualTo(ModelDirectory.open(model).hash());
    assertThat(run.at("/settings/guidance").asText()).isEqualTo("inner");
    assertThat(run.at("/settings/guidance-settings/w1").asDouble()).isEqualTo(5.0);
    assertThat(run.at("/settings/guidance-settings/w2").asDouble()).isEqualTo(3.0);
    assertThat(run.at("/settings/seed").asLong()).isEqualTo(9);
    assertThat(run.at("/settings/steps").asInt()).isEqualTo(3);
    assertThat(run.at("/settings/times").size()).isEqualTo(4);
    assertThat(run.at("/backend/name").asText()).isEqualTo("cpu");
    assertThat(run.at("/timings/backend-s").asDouble()).isPositive().isLessThan(run.at("/timings/generation-s").asDouble());
    assertThat(run.at("/outputs/video.mp4").asLong()).isEqualTo(Files.size(out.resolve("video.mp4")));
  }

  @Test
  void aGuidancePluginFromAnotherJarIsSelectedByName() throws Exception {
    Path o = tmp.resolve("plugin-out");
    Cli c = Cli.run("generate", "--model", model.toString(), "--prompt", "a cyan star", "--steps", "2", "--guidance", "cfg-rescale",
        "--guidance-param", "phi=0.5", "--no-progress", "--out", o.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    JsonNode run = new ObjectMapper().readTree(o.resolve("run.json").toFile());
    assertThat(run.at("/settings/guidance").asText()).isEqualTo("cfg-rescale");
    assertThat(run.at("/settings/guidance-settings/phi").asDouble()).isEqualTo(0.5);
    assertThat(Cli.run("plugins").out()).contains("cfg-rescale").contains("inner").contains("heun");
  }

  @Test
  void guidanceSettingsReachTheRule() {
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(model))) {
      var rule = jam.generator().rule(GenerationRequest.of("x", 0).withGuidance("ip2p", new Settings(Map.of("s-text", 2.0), "t")));
      assertThat(rule.settings()).containsEntry("s-text", 2.0).containsEntry("s-image", 4.0);
    }
  }

  /** Mean absolute difference in 8-bit levels between a video and a reference upscaled by {@code scale}. */
  static double meanAbsLevels(FloatTensor video, FloatTensor reference, int scale) {
    long[] s = video.shape();
    long[] r = reference.shape();
    int t = (int) s[1];
    int h = (int) s[2];
    int w = (int) s[3];
    double sum = 0;
    for (int c = 0; c < 3; c++) {
      for (int f = 0; f < t; f++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            float a = video.data()[((c * t + f) * h + y) * w + x];
            float b = reference.data()[(int) (((c * r[1] + f) * r[2] + y / scale) * r[3] + x / scale)];
            sum += Math.abs(a - b) * 127.5;
          }
        }
      }
    }
    return sum / video.data().length;
  }
}
