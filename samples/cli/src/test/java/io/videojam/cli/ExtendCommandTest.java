package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.Tensor;
import io.videojam.api.VideoModel;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.model.FixtureModel;
import io.videojam.model.Models;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code videojam extend} on a base model folder: the appearance output is unchanged for any motion input. */
class ExtendCommandTest {
  @TempDir
  Path tmp;

  @Test
  void extendedModelMatchesTheBaseOnAppearanceForAnyMotionInput() {
    Path base = tmp.resolve("base");
    FixtureModel.write(base, "base", FixtureModel.config().withChannels(3, 0));
    Path ext = tmp.resolve("ext");
    Cli c = Cli.run("extend", base.toString(), "--out", ext.toString());
    assertThat(c.exit()).as(c.err()).isEqualTo(0);
    assertThat(ext.resolve("vocab.txt")).exists();
    OrtBackend cpu = new OrtBackend(OrtBackend.Device.CPU);
    try (VideoModel b = Models.open(base, cpu, BackendOptions.defaults()); VideoModel e = Models.open(ext, cpu, BackendOptions.defaults())) {
      assertThat(e.info().latent().motionChannels()).isEqualTo(3);
      int plane = 16 * 32 * 32;
      SplittableRandom r = new SplittableRandom(5);
      float[] x = new float[3 * plane];
      for (int i = 0; i < x.length; i++) {
        x[i] = (float) r.nextGaussian();
      }
      Tensor text = b.textEncoder().encode(List.of("a red ball moving left"));
      float[] uBase = b.velocity(new FloatTensor(new long[] {1, 3, 16, 32, 32}, x), 0.37, text).data();
      for (double scale : new double[] {0, 1, 100}) {
        float[] xd = new float[6 * plane];
        System.arraycopy(x, 0, xd, 0, x.length);
        for (int i = x.length; i < xd.length; i++) {
          xd[i] = (float) (scale * r.nextGaussian());
        }
        float[] u = e.velocity(new FloatTensor(new long[] {1, 6, 16, 32, 32}, xd), 0.37, text).data();
        double max = 0;
        for (int i = 0; i < uBase.length; i++) {
          max = Math.max(max, Math.abs(u[i] - uBase[i]));
        }
        assertThat(max).as("d scaled by %s", scale).isLessThanOrEqualTo(1e-5);
        // the copied motion head predicts what the appearance head predicts
        for (int i = 0; i < uBase.length; i += 997) {
          assertThat((double) u[x.length + i]).isCloseTo(u[i], org.assertj.core.api.Assertions.within(1e-5));
        }
      }
    }
    Cli g = Cli.run("generate", "--model", ext.toString(), "--prompt", "x", "--steps", "2", "--no-progress", "--out", tmp.resolve("g").toString());
    assertThat(g.exit()).as(g.err()).isEqualTo(0);
    assertThat(tmp.resolve("g/motion.mp4")).exists();
  }

  @Test
  void badBasesAreOneLineErrorsWithoutOutput() throws Exception {
    Path joint = tmp.resolve("joint");
    FixtureModel.write(joint, "joint", FixtureModel.config());
    Cli c = Cli.run("extend", joint.toString(), "--out", tmp.resolve("o1").toString());
    assertThat(c.exit()).isEqualTo(2);
    assertThat(c.err().strip()).contains("already has motion channels").doesNotContain("\n");
    assertThat(tmp.resolve("o1")).doesNotExist();

    Path broken = tmp.resolve("broken");
    FixtureModel.write(broken, "broken", FixtureModel.config().withChannels(3, 0));
    byte[] bytes = Files.readAllBytes(broken.resolve("denoiser.onnx"));
    Files.write(broken.resolve("denoiser.onnx"), java.util.Arrays.copyOf(bytes, bytes.length / 3));
    Cli d = Cli.run("extend", broken.toString(), "--out", tmp.resolve("o2").toString());
    assertThat(d.exit()).isEqualTo(2);
    assertThat(d.err().strip()).startsWith("videojam: error: ").contains("denoiser.onnx").doesNotContain("\n");
    assertThat(tmp.resolve("o2")).doesNotExist();
  }
}
