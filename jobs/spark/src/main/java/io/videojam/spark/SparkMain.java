package io.videojam.spark;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.FloatTensor;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.StepListener;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.Mp4Writer;
import io.videojam.motion.FlowRgb;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Spark jobs' command line, the main class for {@code spark-submit --class
 * io.videojam.spark.SparkMain}. The master comes from spark-submit ({@code --master}); run outside
 * spark-submit, {@code --master} here picks it (default {@code local[*]}).
 */
@Command(name = "videojam-spark", mixinStandardHelpOptions = true,
    subcommands = {SparkMain.Motion.class, SparkMain.Eval.class, SparkMain.Bench.class},
    description = "Apache Spark jobs: motion preparation and batch generation/evaluation.")
public final class SparkMain implements Runnable {
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.setProperty("org.bytedeco.javacpp.logger", "slf4j"); // its version warning (openblas 1.5.13 beside javacpp 1.5.14) at debug
    System.exit(new CommandLine(new SparkMain()).setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("videojam-spark: error: " + Jobs.firstLine(e));
      return e instanceof IllegalArgumentException || e instanceof io.videojam.api.VideoJamException ? 2 : 1;
    }).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** The session: spark-submit's when there is one, else a local one on {@code master}. */
  static SparkSession session(String master) {
    return System.getProperty("spark.master") != null
        ? SparkSession.builder().appName("videojam").getOrCreate()
        : Jobs.local(master);
  }

  /** Lines of a list file (blank lines and # comments skipped). */
  static List<String> lines(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " not found; pass a text file with one video path or URI per line");
    }
    return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  @Command(name = "motion", mixinStandardHelpOptions = true,
      description = {"Motion preparation: per video its Eq. 5 motion frames (PNG) and flow statistics, as Parquet.",
          "Clips already in OUT are skipped; a file that cannot be read becomes a row with 'error' set."})
  static final class Motion implements Callable<Integer> {
    @Option(names = "--input", required = true, paramLabel = "FILE", description = "text file: one video path or URI per line")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "DIR|URI", description = "Parquet output folder")
    String out;

    @Option(names = "--estimator", defaultValue = "dis:medium", description = "flow estimator (default: ${DEFAULT-VALUE})")
    String estimator;

    @Option(names = "--sigma", defaultValue = "0.15", description = "Eq. 5 sigma (default: ${DEFAULT-VALUE})")
    double sigma;

    @Option(names = "--alignment", defaultValue = "duplicate-first", description = "(default: ${DEFAULT-VALUE})")
    String alignment;

    @Option(names = "--frames", defaultValue = "64", description = "at most this many frames per clip (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--batch", defaultValue = "256", description = "clips per committed batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--master", defaultValue = "local[*]", description = "without spark-submit: the master (default: ${DEFAULT-VALUE})")
    String master;

    @Override
    public Integer call() throws IOException {
      List<String> paths = lines(input);
      SparkSession spark = session(master);
      long start = System.nanoTime();
      MotionPrepJob.Result r = MotionPrepJob.run(spark, paths, out, new MotionPrepJob.Options(estimator, sigma, alignment, frames, batch));
      System.out.printf(Locale.ROOT, "motion: %d clips processed (%d errors), %d already done, in %.1f s -> %s%n",
          r.processed(), r.errors(), r.skipped(), (System.nanoTime() - start) / 1e9, out);
      spark.stop();
      return 0;
    }
  }

  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = {"Batch generation and evaluation: a prompt suite x guidance settings x seeds, as Parquet",
          "(videos as PNG strips, the scores of videojam eval). Rows already in OUT are skipped."})
  static final class Eval implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model folder, readable at this path on every executor")
    Path model;

    @Option(names = "--suite", required = true, paramLabel = "FILE", description = "prompt suite (.jsonl or .txt), read by the driver")
    Path suite;

    @Option(names = "--setting", required = true, paramLabel = "NAME=RULE:K=V,...",
        description = "guidance setting, repeatable; e.g. videojam=inner:w1=5,w2=3 or control=cfg:w=5")
    List<String> settings;

    @Option(names = "--seeds", defaultValue = "3", description = "seed numbers per prompt (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--steps", defaultValue = "30", description = "sampling steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "256", description = "clips per committed batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--backend", defaultValue = "cpu", description = "backend on the executors: cpu, cuda, tensorrt, trt-native, or auto "
        + "(each executor takes the fastest it has; the row's backend column says which) (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--out", required = true, paramLabel = "DIR|URI", description = "Parquet output folder")
    String out;

    @Option(names = "--master", defaultValue = "local[*]", description = "without spark-submit: the master (default: ${DEFAULT-VALUE})")
    String master;

    @Override
    public Integer call() throws IOException {
      if (!Files.isRegularFile(model.resolve("model.json"))) {
        throw new IllegalArgumentException(model + " is not a model folder (no model.json); pass --model DIR");
      }
      if (!Files.isRegularFile(suite)) {
        throw new IllegalArgumentException("prompt suite " + suite + " not found; pass a .jsonl or .txt file");
      }
      List<BatchEvalJob.Setting> s = settings.stream().map(BatchEvalJob.Setting::parse).toList();
      BatchEvalJob.Options o = BatchEvalJob.Options.of(model, suite, s, seeds).withSteps(steps).withBatch(batch).withBackend(backend);
      SparkSession spark = session(master);
      long start = System.nanoTime();
      BatchEvalJob.Result r = BatchEvalJob.run(spark, o, out);
      System.out.printf(Locale.ROOT, "eval: %d clips generated (%d errors), %d already done, in %.1f s -> %s%n",
          r.processed(), r.errors(), r.skipped(), (System.nanoTime() - start) / 1e9, out);
      spark.stop();
      return 0;
    }
  }

  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = {"Clips per second of motion preparation on Spark (--master) against the single-process",
          "'videojam flow' on the same clips, measured in one run."})
  static final class Bench implements Callable<Integer> {
    @Option(names = "--clips", defaultValue = "48", description = "clips (default: ${DEFAULT-VALUE})")
    int clips;

    @Option(names = "--size", defaultValue = "128", description = "frame side in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--frames", defaultValue = "16", description = "frames per clip (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--master", defaultValue = "local[2]", description = "without spark-submit: the master (default: ${DEFAULT-VALUE})")
    String master;

    @Option(names = "--work", paramLabel = "DIR", description = "folder for the clips and outputs (default: a temporary folder)")
    Path work;

    @Option(names = "--rounds", defaultValue = "3", description = "rounds of both, taking turns (default: ${DEFAULT-VALUE})")
    int rounds;

    private static double median(double[] v) {
      double[] c = v.clone();
      java.util.Arrays.sort(c);
      return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    @Override
    public Integer call() throws IOException {
      if (rounds < 1 || rounds > 100) {
        throw new IllegalArgumentException("--rounds must be in [1, 100], got " + rounds);
      }
      Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("videojam-spark-bench");
      JamWorld world = new JamWorld(new WorldConfig(frames, size, size, 1));
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < clips; i++) {
        var spec = world.sample(i, io.videojam.jamworld.Split.TRAIN);
        Path p = dir.resolve("clip" + i + ".mp4");
        Mp4Writer.write(p, new FloatTensor(new long[] {3, frames, size, size}, world.render(spec).video()), 8, 1);
        paths.add(p.toString());
      }
      // single process: what a user without Spark runs, one 'videojam flow' per clip (in this JVM, so no start-up is counted);
      // the two take turns, rounds times, and the medians are compared (this shared 2-core VM drifts between runs)
      flow(paths.get(0), dir.resolve("warm.mp4"));
      SparkSession spark = session(master);
      MotionPrepJob.run(spark, paths.subList(0, Math.min(4, clips)), dir.resolve("warm.parquet").toString(), MotionPrepJob.Options.defaults());
      double[] single = new double[rounds];
      double[] distributed = new double[rounds];
      MotionPrepJob.Result r = null;
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < clips; i++) {
          flow(paths.get(i), dir.resolve("flow" + i + ".mp4"));
        }
        single[round] = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        r = MotionPrepJob.run(spark, paths, dir.resolve("motion-" + round + ".parquet").toString(), MotionPrepJob.Options.defaults());
        distributed[round] = (System.nanoTime() - t1) / 1e9;
      }
      int cores = Runtime.getRuntime().availableProcessors();
      String used = spark.sparkContext().master();
      spark.stop();
      double s = median(single);
      double d = median(distributed);
      System.out.printf(Locale.ROOT, "%d clips of %d frames at %dx%d, dis:medium, %d cores; %d rounds, taking turns, medians%n", clips, frames, size,
          size, cores, rounds);
      System.out.printf(Locale.ROOT, "single process (videojam flow per clip): %6.2f clips/s (%.1f s)%n", clips / s, s);
      System.out.printf(Locale.ROOT, "spark %-10s motion job:         %6.2f clips/s (%.1f s, %d clips, %d errors)%n", used, clips / d, d,
          r.processed(), r.errors());
      double[] ratios = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        ratios[i] = single[i] / distributed[i];
      }
      System.out.printf(Locale.ROOT, "ratio spark / single: %.2f (rounds: %s; goal >= 1.8: %s)%n", s / d,
          String.join(", ", java.util.Arrays.stream(ratios).mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toList()),
          s / d >= 1.8 ? "met" : "NOT met");
      return 0;
    }

    /**
     * What {@code videojam flow CLIP --out MP4} does with its defaults, through the same libraries:
     * the flow-rgb motion representation (dis:medium, sigma 0.15, duplicate-first) with frame pairs
     * on every core, the motion video as MP4 at the automatic scale, and the speed statistics it prints.
     */
    static void flow(String clip, Path mp4) {
      Map<String, Object> settings = new LinkedHashMap<>();
      settings.put("sigma", 0.15);
      settings.put("estimator", FlowRgb.DEFAULT_ESTIMATOR);
      settings.put("alignment", "duplicate-first");
      settings.put("threads", Runtime.getRuntime().availableProcessors());
      Backend cpu = Plugins.find(BackendProvider.class, "cpu", "backend").create();
      try (FlowRgb rep = (FlowRgb) Plugins.find(MotionRepresentationProvider.class, "flow-rgb", "motion representation")
          .create(new Settings(settings, "bench flow settings"), cpu, BackendOptions.defaults())) {
        io.videojam.runtime.FlowVideos.write(new io.videojam.runtime.FlowVideos.Request(Path.of(clip), mp4, 100_000, 1, null, 0), rep,
            StepListener.NONE);
      }
    }
  }
}
