package io.videojam.eval;

import io.videojam.api.FloatTensor;
import io.videojam.api.StepListener;
import io.videojam.api.Tensor;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import io.videojam.jamworld.ClipBank;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.LinePlot;
import io.videojam.media.OutputStaging;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The permutation diagnostic (spec section 1, Fig. 3): for held-out clips of the synthetic motion
 * world, the flow-matching loss at each of {@code bins} times on the ordered clip and on the same
 * clip with its frames (and its noise, frame for frame) randomly permuted. A model that treats
 * frames independently gives exactly zero; one that uses frame order a positive gap.
 */
public final class PermutationDiagnostic {
  /**
   * A run.
   *
   * @param models model folders, one curve each (their folder names name the columns)
   * @param heldOut held-out clips of the synthetic world (with their motion targets for joint models)
   * @param bins time bins t = (i + 0.5) / bins
   * @param seed seed of the noise and the permutations
   * @param out folder for permutation.csv and permutation.png (written together at the end)
   */
  public record Config(List<Path> models, ClipBank heldOut, int bins, long seed, Path out) {
    public Config {
      if (models == null || models.isEmpty()) {
        throw new VideoJamException("models is empty; give at least one model folder");
      }
      if (heldOut == null || heldOut.size() < 1) {
        throw new VideoJamException("heldOut holds no clips; give at least one held-out clip");
      }
      if (bins < 1) {
        throw new VideoJamException("bins must be >= 1, got " + bins);
      }
      if (out == null) {
        throw new VideoJamException("out is required (null)");
      }
      models = List.copyOf(models);
    }
  }

  /** One model's curve: mean and standard error over clips of loss(permuted) - loss(ordered) per time bin. */
  public record Curve(String model, double[] mean, double[] se) {}

  /**
   * What a run wrote.
   *
   * @param t the bins' times
   * @param csv the text of permutation.csv
   */
  public record Result(double[] t, List<Curve> curves, String csv, Path csvFile, Path pngFile) {}

  private PermutationDiagnostic() {}

  /** Every model's curve, then permutation.csv and permutation.png in {@code out}; a step per model. */
  public static Result run(Config config, StepListener progress) throws IOException {
    for (Path m : config.models()) {
      if (!Files.isRegularFile(m.resolve("model.json"))) {
        throw new VideoJamException("model " + m + " is not a model folder (no model.json)");
      }
    }
    int bins = config.bins();
    List<Path> models = config.models();
    List<Curve> curves = new ArrayList<>();
    int done = 0;
    for (Path m : models) {
      try (VideoJam vj = VideoJam.open(RuntimeConfig.cpu(m))) {
        double[][] c = gaps(vj.videoModel(), config.heldOut(), bins, config.seed(), p -> { });
        curves.add(new Curve(m.getFileName().toString(), c[0], c[1]));
        done += bins;
        progress.step(done, models.size() * bins);
      }
    }
    double[] x = new double[bins];
    for (int b = 0; b < bins; b++) {
      x[b] = (b + 0.5) / bins;
    }
    String csv = csv(curves, bins);
    List<LinePlot.Series> series = new ArrayList<>();
    for (Curve c : curves) {
      series.add(new LinePlot.Series(c.model(), x, c.mean()));
    }
    try (OutputStaging staging = OutputStaging.begin(config.out())) {
      Files.writeString(staging.file("permutation.csv"), csv, StandardCharsets.UTF_8);
      LinePlot.write(staging.file("permutation.png"), "loss(frames permuted) - loss(ordered), " + config.heldOut().size() + " held-out clips",
          "t (0 = noise, 1 = data)", "mean loss difference", series, false);
      staging.commit();
    }
    return new Result(x, List.copyOf(curves), csv, config.out().resolve("permutation.csv"), config.out().resolve("permutation.png"));
  }

  /** permutation.csv: bin, t, then per model its mean difference and standard error ({@code NAME_gap}, {@code NAME_se}). */
  static String csv(List<Curve> curves, int bins) {
    StringBuilder csv = new StringBuilder("bin,t");
    for (Curve c : curves) {
      String n = c.model();
      csv.append(',').append(n).append("_gap,").append(n).append("_se");
    }
    csv.append('\n');
    for (int b = 0; b < bins; b++) {
      csv.append(b).append(',').append(String.format(Locale.ROOT, "%.4f", (b + 0.5) / bins));
      for (Curve c : curves) {
        csv.append(String.format(Locale.ROOT, ",%.6f,%.6f", c.mean()[b], c.se()[b]));
      }
      csv.append('\n');
    }
    return csv.toString();
  }

  /**
   * Mean and standard error over clips of loss(permuted) - loss(ordered) per time bin. The model
   * sees x_t = t x1 + (1 - t) x0 of each clip; the permuted clip reorders the frames of x1 and of
   * x0 alike, so only temporal order differs. The loss covers every channel the model has (motion
   * targets included for joint models), against x1 - x0.
   *
   * @param progress told the number of bins done after each
   * @return {mean per bin, standard error per bin}
   */
  public static double[][] gaps(VideoModel model, ClipBank bank, int bins, long seed, IntConsumer progress) {
    var info = model.info();
    int ch = info.latent().channels(), frames = info.latent().frames();
    int plane = info.latent().height() * info.latent().width();
    int n = bank.size();
    WorldConfig wc = bank.config();
    if (wc.frames() != frames || wc.height() * wc.width() != plane || (ch != 3 && ch != 6)) {
      throw new VideoJamException("the permutation diagnostic runs on the synthetic world's clips (" + wc.frames() + " frames of "
          + wc.width() + "x" + wc.height() + ", 3 or 3+3 channels); model " + info.name() + " takes " + ch + " channels x "
          + frames + " frames of " + info.latent().width() + "x" + info.latent().height());
    }
    int per = ch * frames * plane;
    float[] x1 = new float[n * per];
    long[] ids = new long[n * bank.maxTokens()];
    int[] all = IntStream.range(0, n).toArray();
    bank.fill(all, x1, ids);
    Tensor text = model.textEncoder().encode(bank.prompts());
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x0 = new float[x1.length];
    for (int i = 0; i < x0.length; i++) {
      x0[i] = (float) rnd.nextGaussian();
    }
    float[] p1 = new float[x1.length], p0 = new float[x0.length];
    for (int i = 0; i < n; i++) {
      int[] order = io.videojam.api.Permutations.derangement(frames, rnd);
      for (int c = 0; c < ch; c++) {
        for (int f = 0; f < frames; f++) {
          int dst = ((i * ch + c) * frames + f) * plane, src = ((i * ch + c) * frames + order[f]) * plane;
          System.arraycopy(x1, src, p1, dst, plane);
          System.arraycopy(x0, src, p0, dst, plane);
        }
      }
    }
    long[] shape = {n, ch, frames, info.latent().height(), info.latent().width()};
    double[] mean = new double[bins], se = new double[bins];
    for (int b = 0; b < bins; b++) {
      double t = (b + 0.5) / bins;
      double[] ordered = losses(model, x1, x0, t, text, shape, per);
      double[] permuted = losses(model, p1, p0, t, text, shape, per);
      double s = 0, s2 = 0;
      for (int i = 0; i < n; i++) {
        double d = permuted[i] - ordered[i];
        s += d;
        s2 += d * d;
      }
      mean[b] = s / n;
      se[b] = n > 1 ? Math.sqrt(Math.max(0, (s2 - n * mean[b] * mean[b]) / (n - 1)) / n) : 0;
      progress.accept(b + 1);
    }
    return new double[][] {mean, se};
  }

  /** Per-clip mean squared error of the model's velocity against x1 - x0 at time t. */
  private static double[] losses(VideoModel model, float[] x1, float[] x0, double t, Tensor text, long[] shape, int per) {
    float[] xt = new float[x1.length];
    for (int i = 0; i < xt.length; i++) {
      xt[i] = (float) (t * x1[i] + (1 - t) * x0[i]);
    }
    float[] v = model.velocity(new FloatTensor(shape, xt), t, text).data();
    double[] out = new double[(int) shape[0]];
    for (int i = 0; i < out.length; i++) {
      double s = 0;
      for (int j = i * per; j < (i + 1) * per; j++) {
        double e = v[j] - (x1[j] - x0[j]);
        s += e * e;
      }
      out[i] = s / per;
    }
    return out;
  }
}
