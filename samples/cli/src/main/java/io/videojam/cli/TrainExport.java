package io.videojam.cli;

import io.videojam.media.LinePlot;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.VideoJamException;
import io.videojam.jamworld.JamWorld;
import io.videojam.media.OutputStaging;
import io.videojam.model.FixtureModel;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.OnnxModels;
import io.videojam.training.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Writes trained checkpoints as model folders (design.md's contract) and plots their losses. */
final class TrainExport {
  /** The prompts of training previews: two per category. */
  static final List<String> PREVIEW_PROMPTS = List.of(
      "a red square moving right", "a blue ball moving up",
      "a green triangle moving up", "a white bar moving right in a zig zag",
      "a yellow bar spinning clockwise", "a white wheel spinning counterclockwise",
      "a red ball falling and bouncing", "a green ball bouncing off the right wall");

  static final Map<String, String> DESCRIPTIONS = Map.of(
      "base", "JamWorld base DiT: flow matching on appearance only (no motion channels).",
      "videojam", "JamWorld VideoJAM DiT: the base extended with zero W+_in motion rows and a copied W+_out motion head,"
          + " all weights fine-tuned on [video, flow-RGB motion] with text dropout 30% and motion dropout 20%.",
      "control", "JamWorld control DiT: the base fine-tuned for the same steps on the same clips without motion"
          + " (text dropout 30%), for a fair comparison with the VideoJAM model.");

  private TrainExport() {}

  static void exportAll(Path work, Path models, DitConfig baseCfg, double sigma, boolean smoke, boolean sample) throws IOException {
    for (String stage : List.of("base", "videojam", "control")) {
      Path ck = work.resolve(stage + ".ckpt");
      if (!Files.exists(ck)) {
        System.err.println("train: no " + ck + " yet; jamworld-" + stage + " not exported");
        continue;
      }
      Checkpoint c = Checkpoint.read(ck);
      DitConfig cfg = stage.equals("videojam") ? baseCfg.withChannels(3, 3) : baseCfg;
      Map<String, float[]> w = c.group("ema").isEmpty() ? c.group("w") : c.group("ema");
      if (Files.exists(work.resolve(stage + "-loss.csv"))) {
        plotLoss(work, stage);
      }
      write(models.resolve("jamworld-" + stage), "jamworld-" + stage, stage, cfg, w, sigma, c, work, smoke, sample);
    }
  }

  static void write(Path dir, String name, String stage, DitConfig cfg, Map<String, float[]> weights, double sigma,
      Checkpoint ck, Path work, boolean smoke, boolean sample) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    try (OutputStaging staging = OutputStaging.begin(dir)) {
      OnnxModels.write(DitBuilder.build(cfg, weights), staging.file("denoiser.onnx"));
      Files.writeString(staging.file("vocab.txt"), String.join("\n", JamWorld.vocabulary()) + "\n", StandardCharsets.UTF_8);
      Map<String, Object> m = FixtureModel.modelJson(name, cfg);
      if (sample) {
        @SuppressWarnings("unchecked")
        Map<String, Object> den = (Map<String, Object>) m.get("denoiser");
        den.put("prediction", "sample");
        den.put("prediction-eps", io.videojam.training.TrainConfig.SAMPLE_EPS);
      }
      if (cfg.motionChannels() > 0) {
        Map<String, Object> motion = new LinkedHashMap<>();
        motion.put("representation", "flow-rgb");
        motion.put("sigma", sigma);
        motion.put("estimator", TrainCommand.Recipe.ESTIMATOR);
        m.put("motion", motion);
      }
      List<String> notes = new ArrayList<>();
      notes.add(DESCRIPTIONS.get(stage));
      notes.add((smoke ? "SMOKE TEST weights (a few steps): not a usable model. " : "")
          + "Trained by `videojam train` on the synthetic motion world (8 frames of 16x16); " + ck.step() + " steps of this stage.");
      m.put("notes", notes);
      if (!smoke && TrainCommand.Recipe.GUIDANCE.containsKey(stage)) {
        m.put("guidance", TrainCommand.Recipe.GUIDANCE.get(stage));
      }
      m.put("training", ck.meta());
      Files.write(staging.file("model.json"), json.writeValueAsBytes(m));
      for (String plot : List.of("loss", "permutation")) {
        Path png = work.resolve(stage + "-" + plot + ".png");
        if (Files.exists(png)) {
          Files.copy(png, staging.file(plot + ".png"));
        }
      }
      staging.commit();
    }
  }

  /** SHA-256 over the weights (names in order, then the float bits, big-endian). */
  static String sha256(Map<String, float[]> weights) {
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4);
      for (Map.Entry<String, float[]> e : weights.entrySet()) {
        md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        for (float f : e.getValue()) {
          buf.clear();
          buf.putFloat(f);
          md.update(buf.array());
        }
      }
      return java.util.HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Plots NAME-loss.csv (moving average over 100 steps) to NAME-loss.png. */
  static void plotLoss(Path work, String name) {
    Path csv = work.resolve(name + "-loss.csv");
    try {
      List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
      int n = lines.size() - 1;
      double[] x = new double[n], loss = new double[n], app = new double[n], mot = new double[n];
      for (int i = 0; i < n; i++) {
        String[] f = lines.get(i + 1).split(",");
        x[i] = Double.parseDouble(f[0]);
        loss[i] = Double.parseDouble(f[1]);
        app[i] = Double.parseDouble(f[2]);
        mot[i] = parse(f[3]);
      }
      List<LinePlot.Series> s = new ArrayList<>();
      s.add(new LinePlot.Series("appearance loss", x, LinePlot.smooth(app, 100)));
      if (java.util.Arrays.stream(mot).anyMatch(Double::isFinite)) {
        s.add(new LinePlot.Series("motion loss", x, LinePlot.smooth(mot, 100)));
      }
      LinePlot.write(work.resolve(name + "-loss.png"), "jamworld-" + name + ": flow-matching loss (mean of 100 steps)",
          "step", "MSE", s, true);
      Path perm = work.resolve(name + "-permutation.csv");
      if (Files.exists(perm)) {
        List<String> p = Files.readAllLines(perm, StandardCharsets.UTF_8);
        int m = p.size() - 1;
        double[] px = new double[m], lo = new double[m], hi = new double[m];
        for (int i = 0; i < m; i++) {
          String[] f = p.get(i + 1).split(",");
          px[i] = Double.parseDouble(f[0]);
          lo[i] = Double.parseDouble(f[1]);
          hi[i] = Double.parseDouble(f[2]);
        }
        LinePlot.write(work.resolve(name + "-permutation.png"), "jamworld-" + name
                + ": loss(frames permuted) - loss(ordered), 32 held-out clips", "step", "loss difference",
            List.of(new LinePlot.Series("t < 0.6 (noisier half)", px, lo), new LinePlot.Series("t >= 0.6", px, hi)), false);
      }
    } catch (IOException | RuntimeException e) {
      throw new VideoJamException("cannot plot " + csv + ": " + e.getMessage());
    }
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
