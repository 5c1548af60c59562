package io.videojam.cli;

import io.videojam.media.LinePlot;
import io.videojam.api.FloatTensor;
import io.videojam.api.Tensor;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import io.videojam.jamworld.ClipBank;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.OutputStaging;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code videojam diagnose permutation}: the spec's Fig. 3 experiment on one or more models. */
@Command(name = "diagnose", mixinStandardHelpOptions = true, subcommands = {DiagnoseCommand.Permutation.class},
    description = "Diagnostics of a model's use of time.")
final class DiagnoseCommand implements Runnable {
  @Override
  public void run() {
    throw new VideoJamException("name a diagnostic: videojam diagnose permutation --model DIR --out DIR");
  }

  /** The loss on ordered and frame-permuted held-out clips at each of BINS times (spec section 1). */
  @Command(name = "permutation", mixinStandardHelpOptions = true,
      description = {"Spec section 1 / Fig. 3: for held-out clips of the synthetic motion world, the flow-matching",
          "loss at each of --bins times on the ordered clip and on the same clip with its frames (and its",
          "noise, frame for frame) randomly permuted; writes permutation.csv (mean difference and its",
          "standard error per time bin, one column pair per model) and permutation.png (one curve per model).",
          "A model that treats frames independently gives exactly zero."})
  static final class Permutation implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model folder (repeatable)")
    List<Path> models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for permutation.csv and .png")
    Path out;

    @Option(names = "--clips", defaultValue = "32", description = "held-out clips (default: ${DEFAULT-VALUE})")
    int clips;

    @Option(names = "--bins", defaultValue = "100", description = "time bins t = (i + 0.5) / bins (default: ${DEFAULT-VALUE})")
    int bins;

    @Option(names = "--seed", defaultValue = "0", description = "seed of noise and permutations (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-progress", negatable = true, description = "hide the progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
      if (clips < 1 || bins < 1) {
        throw new VideoJamException("--clips and --bins must be positive");
      }
      for (Path m : models) {
        if (!Files.isRegularFile(m.resolve("model.json"))) {
          throw new VideoJamException(m + " is not a model folder (no model.json); pass --model DIR");
        }
      }
      ClipBank bank = TrainCommand.Recipe.heldOut(clips, Runtime.getRuntime().availableProcessors());
      List<double[][]> curves = new ArrayList<>();
      try (Progress bar = new Progress("permutation", models.size() * bins, !noProgress)) {
        int done = 0;
        for (Path m : models) {
          try (VideoJam vj = VideoJam.open(RuntimeConfig.cpu(m))) {
            double[][] c = gaps(vj.videoModel(), bank, bins, seed, p -> { });
            curves.add(c);
            done += bins;
            bar.step(done, models.size() * bins);
          }
        }
      }
      StringBuilder csv = new StringBuilder("bin,t");
      for (Path m : models) {
        String n = m.getFileName().toString();
        csv.append(',').append(n).append("_gap,").append(n).append("_se");
      }
      csv.append('\n');
      for (int b = 0; b < bins; b++) {
        csv.append(b).append(',').append(String.format(Locale.ROOT, "%.4f", (b + 0.5) / bins));
        for (double[][] c : curves) {
          csv.append(String.format(Locale.ROOT, ",%.6f,%.6f", c[0][b], c[1][b]));
        }
        csv.append('\n');
      }
      List<LinePlot.Series> series = new ArrayList<>();
      double[] x = new double[bins];
      for (int b = 0; b < bins; b++) {
        x[b] = (b + 0.5) / bins;
      }
      for (int i = 0; i < models.size(); i++) {
        series.add(new LinePlot.Series(models.get(i).getFileName().toString(), x, curves.get(i)[0]));
      }
      try (OutputStaging staging = OutputStaging.begin(out)) {
        Files.writeString(staging.file("permutation.csv"), csv, StandardCharsets.UTF_8);
        LinePlot.write(staging.file("permutation.png"), "loss(frames permuted) - loss(ordered), " + clips + " held-out clips",
            "t (0 = noise, 1 = data)", "mean loss difference", series, false);
        staging.commit();
      }
      System.out.print(csv.length() < 4000 ? csv : "wrote " + out.resolve("permutation.csv") + "\n");
      return 0;
    }
  }

  /**
   * Mean and standard error over clips of loss(permuted) - loss(ordered) per time bin. The model
   * sees x_t = t x1 + (1 - t) x0 of each clip; the permuted clip reorders the frames of x1 and of
   * x0 alike, so only temporal order differs. The loss covers every channel the model has (motion
   * targets included for joint models), against x1 - x0.
   */
  static double[][] gaps(VideoModel model, ClipBank bank, int bins, long seed, java.util.function.IntConsumer progress) {
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
    long[] ids = new long[n * TrainCommand.Recipe.MAX_TOKENS];
    int[] all = java.util.stream.IntStream.range(0, n).toArray();
    bank.fill(all, x1, ids);
    Tensor text = model.textEncoder().encode(bank.prompts());
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] x0 = new float[x1.length];
    for (int i = 0; i < x0.length; i++) {
      x0[i] = (float) rnd.nextGaussian();
    }
    float[] p1 = new float[x1.length], p0 = new float[x0.length];
    for (int i = 0; i < n; i++) {
      int[] order = io.videojam.training.Previews.derangement(frames, rnd);
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
