package io.videojam.training.recipe;

import io.videojam.api.FloatTensor;
import io.videojam.api.LongTensor;
import io.videojam.api.VideoJamException;
import io.videojam.conditioning.WordVocabTextEncoder;
import io.videojam.jamworld.Category;
import io.videojam.jamworld.ClipBank;
import io.videojam.jamworld.ClipSpec;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Judgement;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.onnx.DitConfig;
import io.videojam.training.Checkpoint;
import io.videojam.training.DitTorch;
import io.videojam.training.DitWeights;
import io.videojam.training.MeanClipBaseline;
import io.videojam.training.Previews;
import io.videojam.training.TrainConfig;
import io.videojam.training.Trainer;
import io.videojam.training.TrainingData;
import io.videojam.training.recipe.RecipeConfig.Stage;
import io.videojam.training.recipe.RecipeResult.Outcome;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The built-in models' recipe on the synthetic motion world, from scratch, resumable: render the
 * training clips (bank), base pre-training, then the VideoJAM and control fine-tunes side by side
 * (two child processes, one core each), then export of the three model folders; or the comparison
 * of the exported models on held-out prompts.
 *
 * <p>Every stage checkpoints into the work folder and resumes when run again; every checkpoint logs
 * the permutation gap ({@code NAME-permutation.csv}), a held-out BASIC motion pass and the loss
 * against the mean-clip baseline ({@code NAME-milestones.csv}); every step's losses go to {@code
 * NAME-loss.csv}, and every second checkpoint writes a preview contact sheet to {@code previews/}.
 */
public final class TrainRecipe {
  /** The two fine-tunes, in the order they start. */
  static final List<String> FINETUNES = List.of("videojam", "control");

  private final RecipeConfig c;
  private final RecipeListener listener;
  private final long deadline;
  private String initHash = "";

  private TrainRecipe(RecipeConfig c, RecipeListener listener) {
    this.c = c;
    this.listener = listener;
    this.deadline = c.minutes() > 0 ? System.nanoTime() + (long) (c.minutes() * 60e9) : Long.MAX_VALUE;
  }

  /**
   * Runs the stage(s) the configuration asks for.
   *
   * @param scoring the evaluation's noise seeds and statistics, for {@link Stage#COMPARE} (may be
   *     null for the other stages)
   * @throws VideoJamException for bad configuration (naming the parameter) or a failed stage
   */
  public static RecipeResult run(RecipeConfig config, RecipeListener listener, TrainCompare.Scoring scoring) throws IOException {
    config.validate();
    RecipeListener l = listener != null ? listener : RecipeListener.NONE;
    if (config.stage() == Stage.COMPARE) {
      if (scoring == null) {
        throw new IllegalArgumentException("stage compare needs the evaluation's scoring");
      }
      TrainCompare.Result r = TrainCompare.run(config.models(), config.compareDir(), config.comparePrompts(), config.compareSeeds(),
          config.compareW1(), config.compareW2(), scoring, l);
      return new RecipeResult(Outcome.COMPARED, config.work(), null, 0, r);
    }
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    return new TrainRecipe(config, l).train();
  }

  private RecipeResult train() throws IOException {
    Path dir = c.work();
    Files.createDirectories(dir);
    long started = System.nanoTime();
    ClipBank bank = bank(dir);
    if (c.stage() == Stage.BANK) {
      return new RecipeResult(Outcome.BANK, dir, null, (System.nanoTime() - started) / 60e9, null);
    }
    if (c.temporalPatch() != 1 && c.temporalPatch() != 2) {
      throw new VideoJamException("temporalPatch must be 1 or 2, got " + c.temporalPatch());
    }
    c.predictSample();
    DitConfig baseCfg = Recipe.base(c.smoke(), c.temporalPatch());
    if (c.stage().runs(Stage.BASE) && !base(dir, bank, baseCfg)) {
      return new RecipeResult(Outcome.STOPPED, dir, null, (System.nanoTime() - started) / 60e9, null);
    }
    if (c.stage().runs(Stage.FINETUNE) && !finetunes(dir, bank, baseCfg)) {
      return new RecipeResult(Outcome.STOPPED, dir, null, (System.nanoTime() - started) / 60e9, null);
    }
    Path exported = null;
    if (c.stage().runs(Stage.EXPORT)) {
      TrainExport.exportAll(dir, c.models(), baseCfg, Recipe.SIGMA, c.smoke(), c.predictSample());
      exported = c.models();
    }
    return new RecipeResult(Outcome.FINISHED, dir, exported, (System.nanoTime() - started) / 60e9, null);
  }

  private ClipBank bank(Path dir) {
    Path file = dir.resolve("bank.bin");
    ClipBank bank = ClipBank.read(file);
    if (bank != null && bank.size() == c.clips()) {
      return bank;
    }
    try (RecipeListener.Task p = listener.task("render clips", c.clips())) {
      bank = ClipBank.build(WorldConfig.defaults(), Split.TRAIN, c.clips(), Recipe.SEED, Recipe.ESTIMATOR, Recipe.SIGMA,
          Recipe.MAX_TOKENS, Math.max(1, Runtime.getRuntime().availableProcessors()), p);
    }
    bank.write(file);
    return bank;
  }

  /** Batches drawn from the bank by (seed, step). */
  public static TrainingData data(ClipBank bank, long seed, int batch) {
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
    setThreads(c.threads());
    TrainConfig rc = Recipe.stage("base", c);
    Path ck = dir.resolve("base.ckpt");
    try (Trainer tr = Files.exists(ck) ? Trainer.resume(cfg, rc, Checkpoint.read(ck)) : new Trainer(cfg, rc, DitTorch.trainingInit(cfg))) {
      if (tr.step() >= rc.steps()) {
        return true;
      }
      ProbeSet probe = ProbeSet.of(cfg, c.smoke());
      return runStage("base", dir, tr, rc, bank, cfg, probe);
    }
  }

  private boolean finetunes(Path dir, ClipBank bank, DitConfig baseCfg) throws IOException {
    Path baseCk = dir.resolve("base.ckpt");
    Checkpoint base = Checkpoint.read(baseCk);
    int baseSteps = Recipe.stage("base", c).steps();
    if (base.step() < baseSteps) {
      throw new VideoJamException("the base stage is not finished (" + base.step() + " of " + baseSteps
          + " steps); run videojam train --stage base first");
    }
    String only = c.only();
    if (only != null) {
      // one fine-tune in this process (a child of the parallel run below, or by hand)
      setThreads(1);
      Map<String, float[]> baseWeights = base.group("ema").isEmpty() ? base.group("w") : base.group("ema");
      DitConfig cfg = only.equals("videojam") ? baseCfg.withChannels(3, 3) : baseCfg;
      TrainConfig rc = Recipe.stage(only, c);
      Path ck = dir.resolve(only + ".ckpt");
      Map<String, float[]> init = only.equals("videojam") ? DitWeights.extend(baseCfg, baseWeights, 3) : baseWeights;
      initHash = TrainExport.sha256(init);
      try (Trainer tr = Files.exists(ck) ? Trainer.resume(cfg, rc, Checkpoint.read(ck)) : new Trainer(cfg, rc, init)) {
        return tr.step() >= rc.steps() || runStage(only, dir, tr, rc, bank, cfg, ProbeSet.of(cfg, c.smoke()));
      }
    }
    // Two processes side by side, one core each: DJL allows one gradient collector per process,
    // and two one-thread runs did about twice the work of one two-thread run here.
    List<Process> children = new ArrayList<>();
    String java = ProcessHandle.current().info().command().orElse("java");
    for (String name : FINETUNES) {
      RecipeConfig child = c.toBuilder().stage(Stage.FINETUNE).only(name)
          .minutes(c.minutes() > 0 ? Math.max(0.01, (deadline - System.nanoTime()) / 60e9) : 0).build();
      List<String> cmd = new ArrayList<>(List.of(java, "-Xmx2g", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
          FinetuneProcess.class.getName()));
      cmd.addAll(child.toArgs());
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve(name + ".log").toFile());
      pb.environment().put("OMP_NUM_THREADS", "1");
      pb.environment().put("MKL_NUM_THREADS", "1");
      children.add(pb.start());
    }
    // an interrupted run (Ctrl-C) must not leave the two trainings running
    Thread reaper = new Thread(() -> children.forEach(Process::destroy), "train-children-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    int total = 2 * c.finetuneSteps();
    try (RecipeListener.Task bar = listener.task("videojam+control", total)) {
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
      String name = FINETUNES.get(k);
      if (children.get(k).exitValue() != 0) {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        throw new VideoJamException("the " + name + " fine-tune failed: "
            + (lines.isEmpty() ? "exit " + children.get(k).exitValue() : lines.get(lines.size() - 1)) + " (log: " + dir.resolve(name + ".log") + ")");
      }
    }
    for (String name : FINETUNES) {
      Path ck = dir.resolve(name + ".ckpt");
      if (!Files.exists(ck) || Checkpoint.read(ck).step() < c.finetuneSteps()) {
        return false;
      }
    }
    return true;
  }

  /** Keeps the header and the rows whose first column (a step) is at most {@code step}. */
  public static void keepUpTo(Path csv, long step) throws IOException {
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
    try (RandomAccessFile f = new RandomAccessFile(csv.toFile(), "r")) {
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
   * Trains one stage to its end or to the time limit, logging every step to {@code NAME-loss.csv},
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
    // one bar at a time: the base's, or the videojam fine-tune's when it runs alone in this process
    boolean bar = name.equals("base") || name.equals("videojam");
    try (BufferedWriter w = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        RecipeListener.Task task = bar ? listener.task(name, rc.steps()) : RecipeListener.Task.NONE) {
      while (tr.step() < rc.steps() && !stop[0]) {
        long until = Math.min(rc.steps(), (tr.step() / rc.checkpointEvery() + 1) * rc.checkpointEvery());
        tr.train(data(bank, rc.seed(), rc.batch()), until, st -> {
          try {
            w.write(String.format(Locale.ROOT, "%d,%.5f,%.5f,%.5f,%.3g,%.4f,%.1f%n", st.step(), st.loss(), st.appearanceLoss(),
                st.motionLoss(), st.learningRate(), st.gradNorm(), (System.nanoTime() - t0) / 1e9));
          } catch (IOException e) {
            throw new VideoJamException("cannot write " + log + ": " + e.getMessage());
          }
          task.step((int) st.step(), rc.steps());
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
    listener.status(String.format(Locale.ROOT, "%s: steps %d..%d in %.1f min%s", name, firstStep, tr.step(), (System.nanoTime() - t0) / 60e9,
        tr.skippedSteps() > 0 ? " (" + tr.skippedSteps() + " updates skipped for a non-finite gradient)" : ""));
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
  public static double meanClipBaseline(ClipBank bank, DitConfig cfg, TrainConfig rc) {
    int n = Math.min(1024, bank.size());
    int per = cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    float[] x = new float[n * per];
    bank.fill(IntStream.range(0, n).toArray(), x, new long[n * cfg.maxTextTokens()]);
    return MeanClipBaseline.loss(x, n, per, rc.predictSample());
  }

  /**
   * The early-warning figure of the recipe: 16 held-out BASIC prompts (suite seed 7), sampled with
   * 30 Euler steps and text guidance 5 on every channel, judged against their world truth:
   * {motion pass, objects, direction} means.
   */
  private double[] basicMilestone(Trainer tr, DitConfig cfg) {
    JamWorld world = new JamWorld(WorldConfig.defaults());
    List<ClipSpec> specs = world.suite(Split.HELDOUT, c.smoke() ? 2 : 16, 7).stream()
        .filter(s -> s.category() == Category.BASIC).toList();
    long[] ids = tokenIds(specs.stream().map(ClipSpec::prompt).toList(), cfg);
    float[] x = Previews.sample(tr.model(), ids, 30, 5.0, 7, c.predictSample());
    int per = cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    int app = 3 * cfg.frames() * cfg.height() * cfg.width();
    double pass = 0, objects = 0, direction = 0;
    for (int i = 0; i < specs.size(); i++) {
      Judgement j = Judgement.of(Arrays.copyOfRange(x, i * per, i * per + app), world.config(), specs.get(i), false);
      pass += j.directionPass();
      objects += j.objects();
      direction += j.direction();
    }
    int n = specs.size();
    return new double[] {pass / n, objects / n, direction / n};
  }

  /** The world vocabulary's token ids of the prompts, {@code [B, L]}. */
  private static long[] tokenIds(List<String> prompts, DitConfig cfg) {
    return ((LongTensor) new WordVocabTextEncoder(JamWorld.vocabulary(), cfg.maxTextTokens()).encode(prompts)).data();
  }

  /** Samples 8 fixed prompts (two per category) with text guidance 3 and writes a contact sheet. */
  private void preview(Path dir, String name, Trainer tr, DitConfig cfg) {
    List<String> prompts = Recipe.PREVIEW_PROMPTS;
    long[] ids = tokenIds(prompts, cfg);
    float[] x = Previews.sample(tr.model(), ids, 30, 3.0, 1, c.predictSample());
    LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
    int per = cfg.channels() * cfg.frames() * cfg.height() * cfg.width();
    int app = 3 * cfg.frames() * cfg.height() * cfg.width();
    for (int i = 0; i < prompts.size(); i++) {
      float[] v = Arrays.copyOfRange(x, i * per, i * per + app);
      rows.put(prompts.get(i), Frames.toImages(new FloatTensor(new long[] {3, cfg.frames(), cfg.height(), cfg.width()}, v), 4));
      if (cfg.motionChannels() > 0) {
        float[] m = Arrays.copyOfRange(x, i * per + app, (i + 1) * per);
        rows.put("(" + (i + 1) + ") motion", Frames.toImages(new FloatTensor(new long[] {3, cfg.frames(), cfg.height(), cfg.width()}, m), 4));
      }
    }
    ContactSheet.write(dir.resolve("previews").resolve(String.format(Locale.ROOT, "%s-%06d.png", name, tr.step())),
        name + " after " + tr.step() + " steps (Euler 30, text guidance 3)", rows, 8);
  }

  /** A fixed batch of held-out clips (seeds 99..) for the permutation gap: clips and token ids. */
  private record ProbeSet(float[] x1, long[] text) {
    static ProbeSet of(DitConfig cfg, boolean smoke) {
      int count = smoke ? 16 : 32;
      ClipBank b = Recipe.heldOut(count, 1);
      float[] x = new float[count * cfg.channels() * cfg.frames() * cfg.height() * cfg.width()];
      long[] t = new long[count * cfg.maxTextTokens()];
      b.fill(IntStream.range(0, count).toArray(), x, t);
      return new ProbeSet(x, t);
    }
  }
}
