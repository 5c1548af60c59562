package io.videojam.training.recipe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.VideoJamException;
import io.videojam.jamworld.JamWorld;
import io.videojam.media.LinePlot;
import io.videojam.media.OutputStaging;
import io.videojam.model.FixtureModel;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.OnnxModels;
import io.videojam.training.Checkpoint;
import io.videojam.training.TrainConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes trained checkpoints as model folders (design.md's contract) and plots their losses. */
public final class TrainExport {
  private static final Logger LOG = LoggerFactory.getLogger(TrainExport.class);

  static final Map<String, String> DESCRIPTIONS = Map.of(
      "base", "JamWorld base DiT: flow matching on appearance only (no motion channels).",
      "videojam", "JamWorld VideoJAM DiT: the base extended with zero W+_in motion rows and a copied W+_out motion head,"
          + " all weights fine-tuned on [video, flow-RGB motion] with text dropout 30% and motion dropout 20%.",
      "control", "JamWorld control DiT: the base fine-tuned for the same steps on the same clips without motion"
          + " (text dropout 30%), for a fair comparison with the VideoJAM model.");

  private TrainExport() {}

  /**
   * Writes {@code jamworld-base}, {@code jamworld-videojam} and {@code jamworld-control} under
   * {@code models} from the checkpoints in {@code work}; a stage without a checkpoint yet is skipped
   * with a warning.
   *
   * @return the model folders written
   */
  public static List<Path> exportAll(Path work, Path models, DitConfig baseCfg, double sigma, boolean smoke, boolean sample)
      throws IOException {
    List<Path> written = new ArrayList<>();
    for (String stage : List.of("base", "videojam", "control")) {
      Path ck = work.resolve(stage + ".ckpt");
      if (!Files.exists(ck)) {
        LOG.warn("train: no {} yet; jamworld-{} not exported", ck, stage);
        continue;
      }
      Checkpoint c = Checkpoint.read(ck);
      DitConfig cfg = stage.equals("videojam") ? baseCfg.withChannels(3, 3) : baseCfg;
      Map<String, float[]> w = c.group("ema").isEmpty() ? c.group("w") : c.group("ema");
      if (Files.exists(work.resolve(stage + "-loss.csv"))) {
        plotLoss(work, stage);
      }
      Path dir = models.resolve("jamworld-" + stage);
      write(dir, "jamworld-" + stage, stage, cfg, w, sigma, c, work, smoke, sample);
      written.add(dir);
    }
    return written;
  }

  /** Writes one model folder (staged: all of it or nothing) from a stage's weights. */
  public static void write(Path dir, String name, String stage, DitConfig cfg, Map<String, float[]> weights, double sigma,
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
        den.put("prediction-eps", TrainConfig.SAMPLE_EPS);
      }
      if (cfg.motionChannels() > 0) {
        Map<String, Object> motion = new LinkedHashMap<>();
        motion.put("representation", "flow-rgb");
        motion.put("sigma", sigma);
        motion.put("estimator", Recipe.ESTIMATOR);
        m.put("motion", motion);
      }
      List<String> notes = new ArrayList<>();
      notes.add(DESCRIPTIONS.get(stage));
      notes.add((smoke ? "SMOKE TEST weights (a few steps): not a usable model. " : "")
          + "Trained by `videojam train` on the synthetic motion world (8 frames of 16x16); " + ck.step() + " steps of this stage.");
      m.put("notes", notes);
      if (!smoke && Recipe.GUIDANCE.containsKey(stage)) {
        m.put("guidance", Recipe.GUIDANCE.get(stage));
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
  public static String sha256(Map<String, float[]> weights) {
    MessageDigest md = io.videojam.api.Hashing.sha256();
    ByteBuffer buf = ByteBuffer.allocate(4);
    for (Map.Entry<String, float[]> e : weights.entrySet()) {
      md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      for (float f : e.getValue()) {
        buf.clear();
        buf.putFloat(f);
        md.update(buf.array());
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Plots NAME-loss.csv (moving average over 100 steps) to NAME-loss.png, and NAME-permutation.csv to NAME-permutation.png. */
  public static void plotLoss(Path work, String name) {
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
      if (Arrays.stream(mot).anyMatch(Double::isFinite)) {
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
