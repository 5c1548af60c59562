package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.FloatTensor;
import io.videojam.media.PngWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code videojam metrics} on frame folders with known answers. */
class MetricsCommandTest {
  @TempDir
  Path tmp;

  /** A bright 12 px square on grey moving {@code speed} px per frame to the right, 64x64, 8 frames. */
  static FloatTensor square(double speed) {
    int t = 8, h = 64, w = 64;
    float[] v = new float[3 * t * h * w];
    java.util.Arrays.fill(v, -0.5f);
    for (int f = 0; f < t; f++) {
      int x0 = (int) Math.round(10 + speed * f);
      for (int y = 26; y < 38; y++) {
        for (int x = x0; x < x0 + 12 && x < w; x++) {
          for (int c = 0; c < 3; c++) {
            v[((c * t + f) * h + y) * w + x] = c == 0 ? 0.9f : (float) Math.sin(0.7 * x + 0.3 * y) * 0.3f; // textured red square
          }
        }
      }
    }
    return new FloatTensor(new long[] {3, t, h, w}, v);
  }

  @Test
  void staticAndMovingClipsGetTheirKnownDynamicDegree() throws Exception {
    Path still = tmp.resolve("still"), moving = tmp.resolve("moving"), json = tmp.resolve("m.json");
    PngWriter.writeFrames(still, square(0), 1);
    PngWriter.writeFrames(moving, square(4), 1);
    Cli c = Cli.run("metrics", still.toString(), moving.toString(), "--json", json.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    JsonNode s = r.get(still.toString()), m = r.get(moving.toString());
    assertThat(s.get("dynamicDegree").asDouble()).isZero();
    assertThat(s.get("temporalFlickering").asDouble()).isEqualTo(1.0);
    assertThat(m.get("dynamicDegree").asDouble()).isEqualTo(1.0);
    assertThat(m.get("meanFlowTop5").asDouble()).isBetween(3.0, 5.0);
    assertThat(m.get("subjectPersistence").asDouble()).isGreaterThan(0.8);
    assertThat(c.out()).contains("still", "moving");
  }

  @Test
  void aMissingVideoIsOneLineAndExitTwo() {
    Cli c = Cli.run("metrics", tmp.resolve("nope.mp4").toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err().strip()).startsWith("videojam: error: ").doesNotContain("\n");
  }
}
