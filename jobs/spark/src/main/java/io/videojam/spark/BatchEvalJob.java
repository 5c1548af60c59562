package io.videojam.spark;

import io.videojam.api.Settings;
import io.videojam.eval.ClipScoring;
import io.videojam.eval.PromptSuite;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.Frames;
import io.videojam.media.PngWriter;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RunRecord;
import io.videojam.runtime.VideoJam;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Batch generation and evaluation: a prompt suite x guidance settings x seeds in; per clip the
 * video (and motion prediction) as PNG strips and the scores of {@code videojam eval} (generic
 * metrics; for suites of the synthetic world the ground-truth metrics and their nulls) out, as
 * Parquet. Noise seeds are those of {@code videojam eval}, so a row can be compared with it. The
 * model folder must be readable at the same path on every executor (a shared file system).
 */
public final class BatchEvalJob {
  /** A guidance setting: a name for the rows, the rule and its weights. */
  public record Setting(String name, String guidance, Map<String, Double> weights) implements Serializable {
    /** {@code NAME=RULE:KEY=VALUE,KEY=VALUE}, {@code RULE:KEY=VALUE,...} or {@code RULE} (name = the text). */
    public static Setting parse(String text) {
      String name = text;
      String spec = text;
      int eq = text.indexOf('=');
      int colon = text.indexOf(':');
      if (eq > 0 && (colon < 0 || eq < colon)) {
        name = text.substring(0, eq);
        spec = text.substring(eq + 1);
        colon = spec.indexOf(':');
      }
      String rule = colon < 0 ? spec : spec.substring(0, colon);
      Map<String, Double> w = new LinkedHashMap<>();
      if (colon >= 0) {
        for (String kv : spec.substring(colon + 1).split(",")) {
          String[] p = kv.split("=", 2);
          if (p.length != 2) {
            throw new IllegalArgumentException("guidance setting '" + text + "': write NAME=RULE:KEY=VALUE,KEY=VALUE, e.g. videojam=inner:w1=5,w2=3");
          }
          try {
            w.put(p[0].strip(), Double.parseDouble(p[1].strip()));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("guidance setting '" + text + "': " + p[1] + " is not a number");
          }
        }
      }
      return new Setting(name, rule, w);
    }
  }

  /**
   * A run: the model folder, the suite (its file name and lines), settings, seeds and steps, and the
   * backend each executor runs the model on ({@code auto}: each picks the fastest it has).
   */
  public record Options(String model, String suiteFile, List<String> suiteLines, List<Setting> settings, int seeds, long seed,
      int steps, String estimator, int batch, String backend) implements Serializable {
    public static Options of(Path model, Path suite, List<Setting> settings, int seeds) throws IOException {
      return new Options(model.toAbsolutePath().normalize().toString(), suite.toString(), Files.readAllLines(suite, StandardCharsets.UTF_8),
          List.copyOf(settings), seeds, 0, 30, "dis:medium", 256, "cpu");
    }

    public Options withSteps(int n) {
      return new Options(model, suiteFile, suiteLines, settings, seeds, seed, n, estimator, batch, backend);
    }

    public Options withBatch(int n) {
      return new Options(model, suiteFile, suiteLines, settings, seeds, seed, steps, estimator, n, backend);
    }

    public Options withBackend(String name) {
      return new Options(model, suiteFile, suiteLines, settings, seeds, seed, steps, estimator, batch, name);
    }
  }

  /** What a run did: clips generated now (errors among them) and clips skipped as already done. */
  public record Result(long processed, long errors, long skipped) {}

  private static final DataType SCORES = DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true);

  public static final StructType SCHEMA = new StructType()
      .add("key", DataTypes.StringType, false)
      .add("setting", DataTypes.StringType, false)
      .add("guidance", DataTypes.StringType, false)
      .add("id", DataTypes.StringType, false)
      .add("category", DataTypes.StringType, false)
      .add("prompt", DataTypes.StringType, false)
      .add("seed", DataTypes.LongType, false)
      .add("noise_seed", DataTypes.LongType, false)
      .add("generic", SCORES, true)
      .add("scores", SCORES, true)
      .add("opposite", SCORES, true)
      .add("other", SCORES, true)
      .add("other_category", DataTypes.StringType, true)
      .add("shuffled", SCORES, true)
      .add("video_png", DataTypes.BinaryType, true)
      .add("motion_png", DataTypes.BinaryType, true)
      .add("seconds", DataTypes.DoubleType, false)
      .add("error", DataTypes.StringType, true)
      .add("backend", DataTypes.StringType, true)
      .add("run", DataTypes.StringType, true); // run.json's record of the clip (RunRecord), one line of JSON

  private BatchEvalJob() {}

  static String key(String setting, String id, long seed) {
    return setting + "|" + id + "|" + seed;
  }

  public static Result run(SparkSession spark, Options o, String out) {
    PromptSuite suite = PromptSuite.parse(o.suiteFile(), o.suiteLines());
    Set<String> done = new HashSet<>(Jobs.doneKeys(spark, out, "key"));
    List<String> todo = new ArrayList<>();
    long skipped = 0;
    for (int s = 0; s < o.settings().size(); s++) {
      for (int i = 0; i < suite.prompts().size(); i++) {
        for (int k = 0; k < o.seeds(); k++) {
          if (done.contains(key(o.settings().get(s).name(), suite.prompts().get(i).id(), o.seed() + k))) {
            skipped++;
          } else {
            todo.add(s + "," + i + "," + (o.seed() + k));
          }
        }
      }
    }
    long[] made = Jobs.runBatches(spark, todo, o.batch(), SCHEMA, out, task -> {
      String[] t = task.split(",");
      return generate(ExecutorCache.suite(o.suiteFile(), o.suiteLines()), o, o.settings().get(Integer.parseInt(t[0])),
          Integer.parseInt(t[1]), Long.parseLong(t[2]));
    });
    return new Result(made[0], made[1], skipped);
  }

  static Row generate(PromptSuite suite, Options o, Setting s, int index, long seed) {
    long start = System.nanoTime();
    PromptSuite.Prompt p = suite.prompts().get(index);
    long noise = ClipScoring.noiseSeed(seed, p.id());
    String guidance = s.guidance() + (s.weights().isEmpty() ? "" : " " + s.weights());
    try {
      VideoJam vj = ExecutorCache.model(o.model(), o.backend());
      Generation g;
      GenerationRequest req = GenerationRequest.of(p.prompt(), noise).withSteps(o.steps())
          .withGuidance(s.guidance(), new Settings(new LinkedHashMap<>(s.weights()), "setting " + s.name()));
      synchronized (vj) {
        g = vj.generate(req, (d, n) -> { });
      }
      ClipScoring.Scored sc = ClipScoring.score(g.video(), suite, index, noise, WorldConfig.defaults(), ExecutorCache.estimators(o.estimator()));
      return RowFactory.create(key(s.name(), p.id(), seed), s.name(), guidance, p.id(), p.category(), p.prompt(), seed, noise,
          map(sc.generic()), map(sc.prompt()), map(sc.opposite()), map(sc.other()), sc.otherCategory(), map(sc.shuffled()),
          PngWriter.encode(Frames.strip(g.video())), g.motion() == null ? null : PngWriter.encode(Frames.strip(g.motion())), (System.nanoTime() - start) / 1e9, null,
          vj.backend().name(), RunRecord.json(vj.runRecord(g, new RunRecord.Extras("spark eval", Map.of(), null, null, null, null))));
    } catch (Exception | LinkageError e) {
      return RowFactory.create(key(s.name(), p.id(), seed), s.name(), guidance, p.id(), p.category(), p.prompt(), seed, noise,
          null, null, null, null, null, null, null, null, (System.nanoTime() - start) / 1e9, Jobs.firstLine(e), null, null);
    }
  }

  private static scala.collection.Map<String, Double> map(Map<String, Double> m) {
    if (m == null) {
      return null;
    }
    Map<String, Double> finite = new LinkedHashMap<>();
    m.forEach((k, v) -> finite.put(k, Double.isFinite(v) ? v : null));
    return CollectionConverters.asScala(finite);
  }
}
