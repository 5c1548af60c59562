package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.media.VideoReader;
import io.videojam.model.FixtureModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in model shipped in models/ is exactly what the builder writes, and is the default. */
class BuiltinModelTest {
  static final Path REPO = Path.of("../..").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  @Test
  void shippedFixtureIsByteIdenticalToTheBuilderOutput() throws Exception {
    Path shipped = REPO.resolve("models").resolve(BuiltinModel.FIXTURE);
    Path fresh = tmp.resolve("fresh");
    FixtureModel.write(fresh, BuiltinModel.FIXTURE, FixtureModel.config());
    for (String f : new String[] {"model.json", "denoiser.onnx", "vocab.txt"}) {
      assertThat(Files.readAllBytes(shipped.resolve(f))).as(f).isEqualTo(Files.readAllBytes(fresh.resolve(f)));
    }
  }

  @Test
  void generateWithoutModelUsesTheBuiltinModel() {
    String before = System.getProperty("videojam.home");
    System.setProperty("videojam.home", REPO.toString());
    try {
      Path out = tmp.resolve("out");
      Cli c = Cli.run("generate", "--prompt", "a red square moving right", "--steps", "2", "--no-progress", "--out", out.toString());
      assertThat(c.exit()).as(c.err()).isEqualTo(0);
      assertThat(VideoReader.read(out.resolve("motion.mp4")).shape()).containsExactly(3, 8, 256, 256);
    } finally {
      if (before == null) {
        System.clearProperty("videojam.home");
      } else {
        System.setProperty("videojam.home", before);
      }
    }
  }
}
