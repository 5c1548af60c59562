package io.videojam.cli;

import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import io.videojam.jamworld.ClipBank;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.onnx.DitConfig;
import io.videojam.training.Checkpoint;
import io.videojam.training.DitTorch;
import io.videojam.training.DitWeights;
import io.videojam.training.Previews;
import io.videojam.training.TrainConfig;
import io.videojam.training.Trainer;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code videojam train}: the built-in models' recipe on the synthetic motion world, from scratch,
 * resumable: base pre-training, then the VideoJAM and control fine-tunes side by side, then export
 * of the three model folders.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Train the built-in JamWorld models from scratch on this CPU (PyTorch through",
        "DJL; nothing is downloaded):",
        "  1. render 8,192 clips of the synthetic motion world with motion targets",
        "     (DIS flow on 4x supersampled frames, masked to textured pixels, Eq. 5 RGB,",
        "     sigma 0.1);",
        "  2. base: flow matching on appearance only, the network predicting the clean",
        "     clip, logit-normal times, text dropout 10%%;",
        "  3. videojam: base + zero W+_in motion rows + copied W+_out motion head, all",
        "     weights fine-tuned on [video, motion], text dropout 30%% and motion",
        "     dropout 20%% (Eq. 6); control: base fine-tuned for the same steps on the",
        "     same clips without motion; the two run side by side, one core each;",
        "  4. export base, videojam and control as model folders.",
        "Every stage checkpoints into --work and resumes when run again; every",
        "checkpoint logs the permutation gap, a held-out BASIC motion pass and the",
        "loss against the mean-clip baseline (NAME-milestones.csv).",
        "Measured on the 2-core machine that made the shipped models: rendering 60 s;",
        "base 42 min (15,000 steps, about 0.14 s/step on two threads); fine-tunes 37 min",
        "(8,000 steps each, side by side, 0.27 s/step); about 80 min in all.",
    })
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--work", paramLabel = "DIR", description = "checkpoints, logs, previews (default: target/jamworld-train)")
  Path work;

  @Option(names = "--out", paramLabel = "DIR", description = "where the model folders go (default: models/ of the repository)")
  Path out;

  @Option(names = "--stage", defaultValue = "all", description = "bank, base, finetune, export, compare (VideoJAM vs control vs base on held-out prompts) or all (default: ${DEFAULT-VALUE})")
  String stage;

  @Option(names = "--base-steps", defaultValue = "" + Recipe.BASE_STEPS, description = "base steps (default: ${DEFAULT-VALUE})")
  int baseSteps;

  @Option(names = "--finetune-steps", defaultValue = "" + Recipe.FINETUNE_STEPS, description = "steps of each fine-tune (default: ${DEFAULT-VALUE})")
  int finetuneSteps;

  @Option(names = "--batch", defaultValue = "" + Recipe.BATCH, description = "clips per step (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--clips", defaultValue = "" + Recipe.CLIPS, description = "training clips rendered (default: ${DEFAULT-VALUE})")
  int clips;

  @Option(names = "--base-lr", defaultValue = "" + Recipe.BASE_LR, description = "peak learning rate of the base (default: ${DEFAULT-VALUE})")
  double baseLr;

  @Option(names = "--prediction", defaultValue = Recipe.PREDICTION, description = "what the network predicts: velocity (x1 - x0) or sample (the clean clip, converted to velocity when sampling) (default: ${DEFAULT-VALUE})")
  String prediction;

  @Option(names = "--temporal-patch", defaultValue = "" + Recipe.TEMPORAL_PATCH, description = "frames per DiT patch, 1 or 2 (default: ${DEFAULT-VALUE})")
  int temporalPatch;

  @Option(names = "--threads", defaultValue = "2", description = "PyTorch threads of the base stage (default: ${DEFAULT-VALUE}: about 0.14 s/step here against 0.22 on one)")
  int threads;

  @Option(names = "--minutes", defaultValue = "0", description = "stop (resumably) after this many minutes of this run; 0 = no limit")
  double minutes;

  @Option(names = "--compare-prompts", defaultValue = "16", description = "held-out prompts per category for --stage compare (default: ${DEFAULT-VALUE})")
  int comparePerCategory;

  @Option(names = "--compare-seeds", defaultValue = "2", description = "seeds per prompt for --stage compare (default: ${DEFAULT-VALUE})")
  int compareSeeds;

  @Option(names = "--compare-w1", defaultValue = "5", description = "--stage compare: Inner-Guidance w1 of videojam and text guidance w of control and base (default: ${DEFAULT-VALUE})")
  double compareW1;

  @Option(names = "--compare-w2", defaultValue = "3", description = "--stage compare: Inner-Guidance w2 of videojam (default: ${DEFAULT-VALUE})")
  double compareW2;

  @Option(names = "--only", hidden = true, description = "run one fine-tune (videojam or control) in this process")
  String only;

  @Option(names = "--smoke", description = "a tiny run (64 clips, a few steps, small model) for tests: checks the loss falls")
  boolean smoke;

  @Option(names = "--no-progress", negatable = true, description = "hide the progress bars")
  boolean noProgress;

  /** The shipped recipe. */
  static final class Recipe {
    static final int BASE_STEPS = 15000;
    static final int FINETUNE_STEPS = 8000;
    static final int BATCH = 16;
    static final int CLIPS = 8192;
    static final double BASE_LR = 1e-3;
    static final double SIGMA = 0.1;
    static final String ESTIMATOR = "dis:medium";
    static final int MAX_TOKENS = 12;
    static final long SEED = 2025;
    static final String PREDICTION = "sample";
    static final int TEMPORAL_PATCH = 1;
    static final TrainConfig.TimeSampling TIMES = TrainConfig.TimeSampling.LOGIT_NORMAL;
    /**
     * The guidance each exported model recommends in its model.json, chosen by the sweep on
     * jamworld-bench in the README (the framework's own defaults stay the paper's).
     */
    static final Map<String, Map<String, Object>> GUIDANCE = Map.of(
        "videojam", Map.of("rule", "inner", "w1", 1.0, "w2", 3.0),
        "control", Map.of("rule", "cfg", "w", 3.0),
        "base", Map.of("rule", "cfg", "w", 1.0));

    /** Held-out clips (seeds 99 on) with motion targets: the permutation probe's and diagnostic's clips. */
    static ClipBank heldOut(int count, int threads) {
      return ClipBank.build(WorldConfig.defaults(), Split.HELDOUT, count, 99, ESTIMATOR, SIGMA, MAX_TOKENS, threads, null);
    }

    static DitConfig base(boolean smoke) {
      return base(smoke, TEMPORAL_PATCH);
    }

    static DitConfig base(boolean smoke, int temporalPatch) {
      int vocab = JamWorld.vocabulary().size();
      return smoke
          ? new DitConfig(3, 0, 8, 16, 16, 4, temporalPatch, 32, 1, 2, 2, vocab, MAX_TOKENS, SEED, DitConfig.MotionInit.ZERO)
          : new DitConfig(3, 0, 8, 16, 16, 4, temporalPatch, 128, 4, 4, 4, vocab, MAX_TOKENS, SEED, DitConfig.MotionInit.ZERO);
    }
  }

  private long deadline;
  private String initHash = "";

  @Override
  public Integer call() throws IOException {
    Path home = BuiltinModel.home();
    Path dir = work != null ? work : home.resolve("target").resolve(smoke ? "jamworld-smoke" : "jamworld-train");
    Path models = out != null ? out : smoke ? dir.resolve("models") : home.resolve("models");
    if (smoke) {
      baseSteps = Math.min(baseSteps, 300);
      finetuneSteps = Math.min(finetuneSteps, 40);
      batch = Math.min(batch, 8);
      clips = Math.min(clips, 64);
      baseLr = 1e-2;
    }
    Checks.range("--minutes", minutes, 0, 525_600); // 0: no limit; at most a year
    Checks.range("--threads", threads, 1, 256);
    if (work != null) {
      Checks.workFolder("--work", work);
    }
    String s = stage.toLowerCase(Locale.ROOT);
    if (!List.of("bank", "base", "finetune", "export", "compare", "all").contains(s)) {
      throw new VideoJamException("--stage must be bank, base, finetune, export, compare or all, got " + stage);
    }
    if (baseSteps < 1 || finetuneSteps < 1 || batch < 1 || clips < batch) {
      throw new VideoJamException("--base-steps, --finetune-steps and --batch must be positive and --clips at least --batch");
    }
    if (s.equals("compare")) {
      TrainCompare.run(models, dir.resolve(String.format(Locale.ROOT, "compare-w1-%s-w2-%s", compareW1, compareW2)),
          comparePerCategory, compareSeeds, compareW1, compareW2, !noProgress);
      return 0;
    }
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : Long.MAX_VALUE;
    Files.createDirectories(dir);
    long started = System.nanoTime();
    ClipBank bank = bank(dir);
    if (s.equals("bank")) {
      return 0;
    }
    if (temporalPatch != 1 && temporalPatch != 2) {
      throw new VideoJamException("--temporal-patch must be 1 or 2, got " + temporalPatch);
    }
    sample();
    DitConfig baseCfg = Recipe.base(smoke, temporalPatch);
    if (s.equals("all") || s.equals("base")) {
      if (!base(dir, bank, baseCfg)) {
        return stopped(dir);
      }
    }
    if (s.equals("all") || s.equals("finetune")) {
      if (!finetunes(dir, bank, baseCfg)) {
        return stopped(dir);
      }
    }
    if (s.equals("all") || s.equals("export")) {
      TrainExport.exportAll(dir, models, baseCfg, Recipe.SIGMA, smoke, sample());
      System.out.println("models written to " + models.toAbsolutePath());
    }
    System.out.printf(Locale.ROOT, "train: this run took %.1f min; logs and previews in %s%n", (System.nanoTime() - started) / 60e9, dir);
    return 0;
  }

  private int stopped(Path dir) {
    System.out.println("train: stopped after --minutes " + minutes + "; run the same command again to resume from " + dir);
    return 0;
  }

  private ClipBank bank(Path dir) {
    Path file = dir.resolve("bank.bin");
    ClipBank bank = ClipBank.read(file);
    if (bank != null && bank.size() == clips) {
      return bank;
    }
    try (Progress p = new Progress("render clips", clips, !noProgress)) {
      bank = ClipBank.build(WorldConfig.defaults(), Split.TRAIN, clips, Recipe.SEED, Recipe.ESTIMATOR, Recipe.SIGMA,
          Recipe.MAX_TOKENS, Math.max(1, Runtime.getRuntime().availableProcessors()), p);
    }
    bank.write(file);
    return bank;
  }

  /** The recipe of a stage. */
  TrainConfig recipe(String which) {
    return switch (which) {
      case "base" -> new TrainConfig(baseSteps, batch, baseLr, Math.min(300, baseSteps / 10), 0.1, 1.0, 0.999, 0.1, 0, Recipe.SEED, 500, sample(), Recipe.TIMES);
      case "videojam" -> new TrainConfig(finetuneSteps, batch, 3e-4, Math.min(100, finetuneSteps / 10), 0.1, 1.0, 0.998, 0.3, 0.2, Recipe.SEED + 1, 250, sample(), Recipe.TIMES);
      case "control" -> new TrainConfig(finetuneSteps, batch, 3e-4, Math.min(100, finetuneSteps / 10), 0.1, 1.0, 0.998, 0.3, 0, Recipe.SEED + 1, 250, sample(), Recipe.TIMES);
      default -> throw new IllegalArgumentException(which);
    };
  }

  private boolean sample() {
    return switch (prediction) {
      case "sample" -> true;
      case "velocity" -> false;
      default -> throw new VideoJamException("--prediction must be velocity or sample, got " + prediction);
    };
  }

  /** Batches drawn from the bank by (seed, step). */
  static io.videojam.training.TrainingData data(ClipBank bank, long seed, int batch) {
    return (step, x1, text) -> {
      SplittableRandom r = new SplittableRandom(seed * 31 + step);
      int[] idx = new int[batch];
      for (int i = 0; i < batch; i++) {
        idx[i] = r.nextInt(bank.size());
      }
      bank.fill(idx, x1, text);
    };
  }

  private boolean base(Path dir, ClipBank bank, DitConfig cfg) throws IOException {
    setThreads(threads);
    TrainConfig rc = recipe("base");
    Path ck = dir.resolve("base.ckpt");
    try (Trainer tr = Files.exists(ck) ? Trainer.resume(cfg, rc, Checkpoint.read(ck)) : new Trainer(cfg, rc, DitTorch.trainingInit(cfg))) {
      if (tr.step() >= rc.steps()) {
        return true;
      }
      ProbeSet probe = ProbeSet.of(cfg, smoke);
      return runStage("base", dir, tr, rc, bank, cfg, probe);
    }
  }

  private boolean finetunes(Path dir, ClipBank bank, DitConfig baseCfg) throws IOException {
    Path baseCk = dir.resolve("base.ckpt");
    Checkpoint base = Checkpoint.read(baseCk);
    if (base.step() < recipe("base").steps()) {
      throw new VideoJamException("the base stage is not finished (" + base.step() + " of " + recipe("base").steps()
          + " steps); run videojam train --stage base first");
    }
    if (only != null) {
      // one fine-tune in this process (a child of the parallel run below, or by hand)
      setThreads(1);
      Map<String, float[]> baseWeights = base.group("ema").isEmpty() ? base.group("w") : base.group("ema");
      DitConfig cfg = only.equals("videojam") ? baseCfg.withChannels(3, 3) : baseCfg;
      TrainConfig rc = recipe(only);
      Path ck = dir.resolve(only + ".ckpt");
      Map<String, float[]> init = only.equals("videojam") ? DitWeights.extend(baseCfg, baseWeights, 3) : baseWeights;
      initHash = TrainExport.sha256(init);
      try (Trainer tr = Files.exists(ck) ? Trainer.resume(cfg, rc, Checkpoint.read(ck)) : new Trainer(cfg, rc, init)) {
        return tr.step() >= rc.steps() || runStage(only, dir, tr, rc, bank, cfg, ProbeSet.of(cfg, smoke));
      }
    }
    // Two processes side by side, one core each: DJL allows one gradient collector per process,
    // and two one-thread runs did about twice the work of one two-thread run here.
    List<Process> children = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (String name : List.of("videojam", "control")) {
      List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-Djava.awt.headless=true",
          "-Dvideojam.home=" + BuiltinModel.home(), "-cp", System.getProperty("java.class.path"), Main.class.getName(),
          "train", "--stage", "finetune", "--only", name, "--work", dir.toString(), "--no-progress",
          "--base-steps", "" + baseSteps, "--finetune-steps", "" + finetuneSteps, "--batch", "" + batch,
          "--clips", "" + clips, "--base-lr", "" + baseLr, "--prediction", prediction, "--temporal-patch", "" + temporalPatch));
      if (smoke) {
        cmd.add("--smoke");
      }
      if (minutes > 0) {
        cmd.addAll(List.of("--minutes", "" + Math.max(0.01, (deadline - System.nanoTime()) / 60e9)));
      }
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + ".log").toFile());
      pb.environment().put("OMP_NUM_THREADS", "1");
      pb.environment().put("MKL_NUM_THREADS", "1");
      children.add(pb.start());
    }
    // Ctrl-C on this process must not leave the two trainings running
    Thread reaper = new Thread(() -> children.forEach(Process::destroy), "train-children-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    int total = 2 * finetuneSteps;
    try (Progress bar = new Progress("videojam+control", total, !noProgress)) {
      while (children.stream().anyMatch(Process::isAlive)) {
        bar.step((int) Math.min(total, lastStep(dir.resolve("videojam-loss.csv")) + lastStep(dir.resolve("control-loss.csv"))), total);
        Thread.sleep(1000);
      }
    } catch (InterruptedException e) {
      children.forEach(Process::destroy);
      Thread.currentThread().interrupt();
      throw new VideoJamException("interrupted");
    }
    Runtime.getRuntime().removeShutdownHook(reaper);
    for (int k = 0; k < 2; k++) {
      String name = k == 0 ? "videojam" : "control";
      if (children.get(k).exitValue() != 0) {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        throw new VideoJamException("the " + name + " fine-tune failed: "
            + (lines.isEmpty() ? "exit " + children.get(k).exitValue() : lines.get(lines.size() - 1)) + " (log: " + dir.resolve(name + ".log") + ")");
      }
    }
    for (String name : List.of("videojam", "control")) {
      Path ck = dir.resolve(name + ".ckpt");
      if (!Files.exists(ck) || Checkpoint.read(ck).step() < finetuneSteps) {
        return false;
      }
    }
    return true;
  }

  /** Keeps the header and the rows whose first column (a step) is at most {@code step}. */
  static void keepUpTo(Path csv, long step) throws IOException {
    if (!Files.exists(csv)) {
      return;
    }
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    List<String> kept = new ArrayList<>();
    int columns = lines.isEmpty() ? 0 : lines.get(0).split(",", -1).length;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      int comma = l.indexOf(',');
      boolean keep = i == 0;
      if (!keep && comma > 0 && l.split(",", -1).length == columns) {
        try {
          keep = Long.parseLong(l.substring(0, comma)) <= step;
        } catch (NumberFormatException e) {
          keep = false; // a half-written last line
        }
      }
      if (keep) {
        kept.add(l);
      }
    }
    Files.write(csv, kept, StandardCharsets.UTF_8);
  }

  /** Training seconds a checkpoint records (0 for none). */
  private static double previousSeconds(Path ck) {
    if (!Files.exists(ck)) {
      return 0;
    }
    try {
      return Double.parseDouble(Checkpoint.read(ck).meta().getOrDefault("seconds", "0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long lastStep(Path csv) {
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(csv.toFile(), "r")) {
      long len = f.length();
      if (len == 0) {
        return 0;
      }
      long from = Math.max(0, len - 200);
      byte[] b = new byte[(int) (len - from)];
      f.seek(from);
      f.readFully(b);
      String[] lines = new String(b, StandardCharsets.UTF_8).trim().split("\n");
      String last = lines[lines.length - 1];
      return Long.parseLong(last.substring(0, last.indexOf(',')));
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static void setThreads(int n) {
    ai.djl.engine.Engine.getEngine("PyTorch"); // load before setting
    ai.djl.pytorch.jni.JniUtils.setNumThreads(Math.max(1, n));
  }

  /**
   * Trains one stage to its end or to --minutes, logging every step to {@code NAME-loss.csv},
   * checkpointing, writing the permutation gap to {@code NAME-permutation.csv} and preview
   * contact sheets to {@code previews/}.
   */
  private boolean runStage(String name, Path dir, Trainer tr, TrainConfig rc, ClipBank bank, DitConfig cfg, ProbeSet probe) throws IOException {
    Path log = dir.resolve(name + "-loss.csv");
    Path perm = dir.resolve(name + "-permutation.csv");
    Path milestones = dir.resolve(name + "-milestones.csv");
    if (tr.step() == 0) {
      Files.writeString(log, "step,loss,appearance_loss,motion_loss,lr,grad_norm,seconds\n", StandardCharsets.UTF_8);
      Files.writeString(perm, "step,gap_t_lt_0.6,gap_t_ge_0.6,gaps\n", StandardCharsets.UTF_8);
      Files.writeString(milestones, "step,basic_motion_pass,basic_objects,basic_direction,loss_right_prompt,loss_shuffled_prompt,"
          + "mean_clip_baseline\n", StandardCharsets.UTF_8);
    } else {
      // resuming: drop what an interrupted run logged after its last checkpoint
      keepUpTo(log, tr.step());
      keepUpTo(perm, tr.step());
      keepUpTo(milestones, tr.step());
    }
    long t0 = System.nanoTime();
    long firstStep = tr.step();
    double secondsBefore = previousSeconds(dir.resolve(name + ".ckpt"));
    boolean[] stop = {false};
    double baseline = meanClipBaseline(bank, cfg, rc);
    try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Progress bar = new Progress(name, rc.steps(), !noProgress && (name.equals("base") || name.equals("videojam")))) {
      while (tr.step() < rc.steps() && !stop[0]) {
        long until = Math.min(rc.steps(), (tr.step() / rc.checkpointEvery() + 1) * rc.checkpointEvery());
        tr.train(data(bank, rc.seed(), rc.batch()), until, st -> {
          try {
            w.write(String.format(Locale.ROOT, "%d,%.5f,%.5f,%.5f,%.3g,%.4f,%.1f%n", st.step(), st.loss(), st.appearanceLoss(),
                st.motionLoss(), st.learningRate(), st.gradNorm(), (System.nanoTime() - t0) / 1e9));
          } catch (IOException e) {
            throw new VideoJamException("cannot write " + log + ": " + e.getMessage());
          }
          bar.step((int) st.step(), rc.steps());
          if (System.nanoTime() > deadline) {
            stop[0] = true;
          }
        });
        w.flush();
        tr.saveCheckpoint(dir.resolve(name + ".ckpt"), Map.of("stage", name, "config", cfg.toString(), "recipe", rc.toString(),
            "init_weights_sha256", initHash, "seconds", String.format(Locale.ROOT, "%.0f", secondsBefore + (System.nanoTime() - t0) / 1e9)));
        double[] gap = Previews.permutationGap(tr.model(), probe.x1(), probe.text(), 10, 7, rc.predictSample());
        Files.writeString(perm, String.format(Locale.ROOT, "%d,%.5f,%.5f,%s%n", tr.step(), mean(gap, 0, 6), mean(gap, 6, 10),
            join(gap)), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        double[] basic = basicMilestone(tr, cfg);
        double[] prompt = Previews.promptGap(tr.model(), probe.x1(), probe.text(), 10, 7, rc.predictSample());
        Files.writeString(milestones, String.format(Locale.ROOT, "%d,%.4f,%.4f,%.4f,%.5f,%.5f,%.5f%n", tr.step(), basic[0], basic[1],
            basic[2], prompt[0], prompt[1], baseline), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        if (tr.step() % (rc.checkpointEvery() * 2L) == 0 || tr.step() >= rc.steps()) {
          preview(dir, name, tr, cfg);
        }
      }
    }
    TrainExport.plotLoss(dir, name);
    System.err.printf(Locale.ROOT, "%s: steps %d..%d in %.1f min%s%n", name, firstStep, tr.step(), (System.nanoTime() - t0) / 60e9,
        tr.skippedSteps() > 0 ? " (" + tr.skippedSteps() + " updates skipped for a non-finite gradient)" : "");
    return tr.step() >= rc.steps();
  }

  private static double mean(double[] v, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += v[i];
    }
    return s / (to - from);
  }

  private static String join(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double d : v) {
      b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.5f", d));
    }
    return b.toString();
  }

  /** {@link MeanClipBaseline} of the stage's loss, from up to 1,024 clips of the bank (all the model's channels). */
  static double meanClipBaseline(ClipBank bank, DitConfig cfg, TrainConfig rc) {
    int n = Math.min(1024, bank.size());
    int per = cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    float[] x = new float[n * per];
    bank.fill(java.util.stream.IntStream.range(0, n).toArray(), x, new long[n * cfg.maxTextTokens()]);
    return io.videojam.training.MeanClipBaseline.loss(x, n, per, rc.predictSample());
  }

  /**
   * The early-warning figure of the recipe: 16 held-out BASIC prompts (suite seed 7), sampled with
   * 30 Euler steps and text guidance 5 on every channel, judged against their world truth:
   * {motion pass, objects, direction} means.
   */
  private double[] basicMilestone(Trainer tr, DitConfig cfg) {
    JamWorld world = new JamWorld(WorldConfig.defaults());
    List<io.videojam.jamworld.ClipSpec> specs = world.suite(Split.HELDOUT, smoke ? 2 : 16, 7).stream()
        .filter(c -> c.category() == io.videojam.jamworld.Category.BASIC).toList();
    long[] ids = tokenIds(specs.stream().map(io.videojam.jamworld.ClipSpec::prompt).toList(), cfg);
    float[] x = Previews.sample(tr.model(), ids, 30, 5.0, 7, sample());
    int per = cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    int app = 3 * cfg.frames() * cfg.height() * cfg.width();
    double pass = 0, objects = 0, direction = 0;
    for (int i = 0; i < specs.size(); i++) {
      io.videojam.jamworld.Judgement j = io.videojam.jamworld.Judgement.of(
          java.util.Arrays.copyOfRange(x, i * per, i * per + app), world.config(), specs.get(i), false);
      pass += j.directionPass();
      objects += j.objects();
      direction += j.direction();
    }
    int n = specs.size();
    return new double[] {pass / n, objects / n, direction / n};
  }

  /** The world vocabulary's token ids of the prompts, {@code [B, L]}. */
  private static long[] tokenIds(List<String> prompts, DitConfig cfg) {
    return ((io.videojam.api.LongTensor) new io.videojam.conditioning.WordVocabTextEncoder(JamWorld.vocabulary(), cfg.maxTextTokens())
        .encode(prompts)).data();
  }

  /** Samples 8 fixed prompts (two per category) with text guidance 3 and writes a contact sheet. */
  private void preview(Path dir, String name, Trainer tr, DitConfig cfg) {
    List<String> prompts = TrainExport.PREVIEW_PROMPTS;
    long[] ids = tokenIds(prompts, cfg);
    float[] x = Previews.sample(tr.model(), ids, 30, 3.0, 1, sample());
    LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
    int per = cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    int app = 3 * cfg.frames() * cfg.height() * cfg.width();
    for (int i = 0; i < prompts.size(); i++) {
      float[] v = java.util.Arrays.copyOfRange(x, i * per, i * per + app);
      rows.put(prompts.get(i), Frames.toImages(new FloatTensor(new long[] {3, cfg.frames(), cfg.height(), cfg.width()}, v), 4));
      if (cfg.motionChannels() > 0) {
        float[] m = java.util.Arrays.copyOfRange(x, i * per + app, (i + 1) * per);
        rows.put("(" + (i + 1) + ") motion", Frames.toImages(new FloatTensor(new long[] {3, cfg.frames(), cfg.height(), cfg.width()}, m), 4));
      }
    }
    ContactSheet.write(dir.resolve("previews").resolve(String.format(Locale.ROOT, "%s-%06d.png", name, tr.step())),
        name + " after " + tr.step() + " steps (Euler 30, text guidance 3)", rows, 8);
  }

  /** A fixed batch of held-out clips (seeds 99..) for the permutation gap: clips and token ids. */
  record ProbeSet(float[] x1, long[] text) {
    static ProbeSet of(DitConfig cfg, boolean smoke) {
      int count = smoke ? 16 : 32;
      ClipBank b = Recipe.heldOut(count, 1);
      float[] x = new float[count * cfg.channels() * cfg.frames() * cfg.height() * cfg.width()];
      long[] t = new long[count * cfg.maxTextTokens()];
      b.fill(java.util.stream.IntStream.range(0, count).toArray(), x, t);
      return new ProbeSet(x, t);
    }
  }
}
