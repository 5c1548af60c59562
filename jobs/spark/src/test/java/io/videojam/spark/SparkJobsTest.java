package io.videojam.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.FloatTensor;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.eval.Configuration;
import io.videojam.eval.Configurations;
import io.videojam.eval.Evaluation;
import io.videojam.eval.EvaluationConfig;
import io.videojam.eval.EvaluationResult;
import io.videojam.eval.PromptSuite;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.Split;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.Clips;
import io.videojam.media.Frames;
import io.videojam.media.Mp4Writer;
import io.videojam.motion.FlowRgb;
import io.videojam.runtime.GenerationRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both jobs on local[2]: rows, an error row for a corrupt file, per-executor reuse, and no new work on a rerun. */
class SparkJobsTest {
  static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
  static SparkSession spark;

  @TempDir
  Path tmp;

  @BeforeAll
  static void start() {
    spark = Jobs.local("local[2]");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  /** Small clips of the synthetic world as MP4 (64 x 64, 8 frames), and one corrupt file. */
  List<String> clips(int n) throws Exception {
    JamWorld world = new JamWorld(new WorldConfig(8, 64, 64, 1));
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var spec = world.spec("red", "square", i % 2 == 0 ? "right" : "down", 10 + i);
      Path p = tmp.resolve("clip" + i + ".mp4");
      Mp4Writer.write(p, new FloatTensor(new long[] {3, 8, 64, 64}, world.render(spec).video()), 8, 1);
      paths.add(p.toString());
    }
    Path bad = tmp.resolve("corrupt.mp4");
    Files.write(bad, new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 'x', 'x', 1, 2, 3});
    paths.add(bad.toString());
    return paths;
  }

  @Test
  void motionPreparationWritesRowsAnErrorRowAndDoesNoNewWorkOnARerun() throws Exception {
    List<String> paths = clips(5);
    String out = tmp.resolve("motion.parquet").toString();
    int before = ExecutorCache.REPRESENTATIONS.get();
    MotionPrepJob.Options o = MotionPrepJob.Options.defaults();
    MotionPrepJob.Options small = new MotionPrepJob.Options(o.estimator(), o.sigma(), o.alignment(), 64, 4);
    // a run that covered only the first three clips (as if stopped after its first batch), then the whole list
    assertThat(MotionPrepJob.run(spark, paths.subList(0, 3), out, small)).isEqualTo(new MotionPrepJob.Result(3, 0, 0));
    MotionPrepJob.Result first = MotionPrepJob.run(spark, paths, out, small);
    assertThat(first).isEqualTo(new MotionPrepJob.Result(3, 1, 3));
    // one representation per task thread at most (local[2]), not one per clip
    assertThat(ExecutorCache.REPRESENTATIONS.get() - before).isBetween(1, 2);

    List<Row> rows = spark.read().parquet(out).collectAsList();
    assertThat(rows).hasSize(6);
    Map<String, Row> byPath = new HashMap<>();
    rows.forEach(r -> byPath.put(r.getAs("path"), r));
    Row bad = byPath.get(paths.get(5));
    assertThat((String) bad.getAs("error")).isNotBlank();
    assertThat(bad.isNullAt(bad.fieldIndex("motion_png"))).isTrue();
    Row clip = byPath.get(paths.get(0));
    assertThat(clip.isNullAt(clip.fieldIndex("error"))).isTrue();
    assertThat((int) clip.getAs("frames")).isEqualTo(8);
    assertThat((int) clip.getAs("width")).isEqualTo(64);
    assertThat((String) clip.getAs("clip_id")).isEqualTo(MotionPrepJob.clipId(paths.get(0))).startsWith("clip0-");
    assertThat((double) clip.getAs("speed_mean")).isGreaterThan(0.01);

    // the motion frames are exactly those of the flow-rgb plugin run directly on the same file
    FloatTensor video = Frames.fromImages(Clips.read(Path.of(paths.get(0)), 64, 1, null).frames());
    FloatTensor motion;
    try (FlowRgb rep = (FlowRgb) Plugins.find(MotionRepresentationProvider.class, "flow-rgb", "test").create(
        new Settings(Map.of("estimator", o.estimator(), "sigma", o.sigma(), "alignment", o.alignment()), "test"),
        Plugins.find(BackendProvider.class, "cpu", "test").create(), BackendOptions.defaults())) {
      motion = rep.encode(video, (d, t) -> { });
    }
    List<BufferedImage> want = Frames.toImages(motion, 1);
    List<byte[]> png = clip.getList(clip.fieldIndex("motion_png"));
    assertThat(png).hasSize(8);
    for (int t = 0; t < 8; t++) {
      BufferedImage got = ImageIO.read(new ByteArrayInputStream(png.get(t)));
      for (int y = 0; y < 64; y += 7) {
        for (int x = 0; x < 64; x += 5) {
          assertThat(got.getRGB(x, y)).as("frame %d at %d,%d", t, x, y).isEqualTo(want.get(t).getRGB(x, y));
        }
      }
    }

    // a second run does no new work and adds no rows
    MotionPrepJob.Result second = MotionPrepJob.run(spark, paths, out, o);
    assertThat(second).isEqualTo(new MotionPrepJob.Result(0, 0, 6));
    assertThat(spark.read().parquet(out).count()).isEqualTo(6);
  }

  @Test
  void batchEvaluationScoresAsVideojamEvalDoesAndResumes() throws Exception {
    Path suite = tmp.resolve("two.jsonl");
    List<String> lines = Files.readAllLines(REPO.resolve("suites/jamworld-bench.jsonl"));
    Files.write(suite, List.of(lines.get(0), lines.get(40)));
    Path model = REPO.resolve("models/jamworld-videojam");
    List<BatchEvalJob.Setting> settings = List.of(BatchEvalJob.Setting.parse("videojam=inner:w1=5,w2=3"),
        BatchEvalJob.Setting.parse("broken=no-such-rule"));
    String out = tmp.resolve("eval.parquet").toString();
    int sessions = ExecutorCache.SESSIONS.get();
    BatchEvalJob.Options o = BatchEvalJob.Options.of(model, suite, settings, 2).withSteps(3).withBatch(5);
    BatchEvalJob.Result first = BatchEvalJob.run(spark, o, out);
    // 2 settings x 2 prompts x 2 seeds; every clip of the unknown rule is an error row, the others are fine
    assertThat(first).isEqualTo(new BatchEvalJob.Result(8, 4, 0));
    assertThat(ExecutorCache.SESSIONS.get() - sessions).isEqualTo(1);
    List<Row> rows = spark.read().parquet(out).collectAsList();
    assertThat(rows).hasSize(8);
    assertThat(rows.stream().filter(r -> r.getAs("setting").equals("broken")).allMatch(r -> ((String) r.getAs("error")).contains("no-such-rule"))).isTrue();
    assertThat(rows.stream().filter(r -> r.getAs("error") == null).map(r -> (String) r.getAs("backend")).distinct()).containsExactly("cpu");
    // each clip carries run.json's record (RunRecord): the prompt and noise seed it was generated with
    for (Row r : rows.stream().filter(r -> r.getAs("error") == null).toList()) {
      com.fasterxml.jackson.databind.JsonNode run = new com.fasterxml.jackson.databind.ObjectMapper().readTree((String) r.getAs("run"));
      assertThat(run.at("/settings/seed").asLong()).isEqualTo((long) r.getAs("noise_seed"));
      assertThat(run.at("/settings/prompt").asText()).isEqualTo(r.getAs("prompt"));
      assertThat(run.at("/command").asText()).isEqualTo("spark eval");
    }

    // the same clips through the evaluation of videojam eval (its defaults, --guidance inner --w1 5 --w2 3): identical scores
    Path evalOut = tmp.resolve("eval-cli");
    List<Configuration> configs = Configurations.forModels(List.of(model), "inner", Map.of("w1", 5.0, "w2", 3.0), Map.of());
    EvaluationConfig config = EvaluationConfig.builder(PromptSuite.read(suite), configs, evalOut)
        .sampling(GenerationRequest.of("", 0).withSteps(3)).seeds(0, 2).build();
    EvaluationResult evaluated = Evaluation.run(config, Evaluation.Listener.NONE);
    assertThat(evaluated.made()).isEqualTo(2 * 2 * (1 + Evaluation.REFERENCES.size()));
    ObjectMapper json = new ObjectMapper();
    int compared = 0;
    for (String line : Files.readAllLines(evalOut.resolve("rows.jsonl"))) {
      JsonNode e = json.readTree(line);
      if (!e.get("config").asText().equals("jamworld-videojam")) {
        continue;
      }
      Row r = rows.stream().filter(x -> x.getAs("setting").equals("videojam") && x.getAs("id").equals(e.get("id").asText())
          && (long) x.getAs("seed") == e.get("seed").asLong()).findFirst().orElseThrow();
      assertThat((long) r.getAs("noise_seed")).isEqualTo(e.get("noise_seed").asLong());
      Map<String, Object> scores = r.getJavaMap(r.fieldIndex("scores"));
      assertThat((Double) scores.get("direction") == null ? Double.NaN : (Double) scores.get("direction"))
          .isCloseTo(e.at("/prompt_scores/direction").isNull() ? Double.NaN : e.at("/prompt_scores/direction").asDouble(), within(1e-12));
      assertThat((Double) scores.get("colour")).isCloseTo(e.at("/prompt_scores/colour").asDouble(), within(1e-12));
      Map<String, Object> generic = r.getJavaMap(r.fieldIndex("generic"));
      assertThat((Double) generic.get("smoothness")).isCloseTo(e.at("/generic/smoothness").asDouble(), within(1e-12));
      compared++;
    }
    assertThat(compared).isEqualTo(4);

    BatchEvalJob.Result second = BatchEvalJob.run(spark, o, out);
    assertThat(second).isEqualTo(new BatchEvalJob.Result(0, 0, 8));
    assertThat(spark.read().parquet(out).count()).isEqualTo(8);

    // --backend auto: each executor takes the fastest backend it has and the rows say which
    boolean anyGpu = io.videojam.api.Plugins.all(io.videojam.api.BackendProvider.class).stream().filter(p -> !p.name().equals("cpu"))
        .anyMatch(p -> p.create().available());
    String autoOut = tmp.resolve("eval-auto.parquet").toString();
    BatchEvalJob.run(spark, o.withBackend("auto"), autoOut);
    List<Row> auto = spark.read().parquet(autoOut).collectAsList();
    assertThat(auto.stream().filter(r -> r.getAs("error") == null).map(r -> (String) r.getAs("backend")).distinct().toList())
        .hasSize(1).allSatisfy(b -> assertThat(anyGpu ? !b.equals("cpu") : b.equals("cpu")).as(b).isTrue());
  }
}
