package io.videojam.spark;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.media.Frames;
import io.videojam.media.PngWriter;
import io.videojam.media.VideoReader;
import io.videojam.motion.FlowRgb;
import io.videojam.motion.FlowStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Motion preparation: video files in, per clip its Eq. 5 motion video (as PNG frames) and flow
 * statistics out, as Parquet. It runs the same flow-rgb plugin as {@code videojam flow} and
 * training. One clip that cannot be read becomes a row with {@code error} set; it does not stop
 * the job. Clips already in the output are skipped, and the work is written in batches, each
 * committed by Spark's file committer, so a rerun after an interruption continues.
 */
public final class MotionPrepJob {
  /** The settings of a run; they are written into every row. */
  public record Options(String estimator, double sigma, String alignment, int maxFrames, int batch) implements Serializable {
    public Options {
      if (sigma <= 0 || maxFrames < 2 || batch < 1) {
        throw new IllegalArgumentException("need sigma > 0, max frames >= 2 and batch >= 1");
      }
    }

    public static Options defaults() {
      return new Options(FlowRgb.DEFAULT_ESTIMATOR, 0.15, "duplicate-first", 64, 256);
    }

    String json() {
      return String.format(Locale.ROOT, "{\"estimator\":\"%s\",\"sigma\":%s,\"alignment\":\"%s\",\"max_frames\":%d}", estimator, sigma, alignment, maxFrames);
    }
  }

  /** What a run did: clips processed now (errors among them) and clips skipped as already done. */
  public record Result(long processed, long errors, long skipped) {}

  public static final StructType SCHEMA = new StructType()
      .add("clip_id", DataTypes.StringType, false)
      .add("path", DataTypes.StringType, false)
      .add("frames", DataTypes.IntegerType, true)
      .add("width", DataTypes.IntegerType, true)
      .add("height", DataTypes.IntegerType, true)
      .add("fps", DataTypes.DoubleType, true)
      .add("estimator", DataTypes.StringType, false)
      .add("sigma", DataTypes.DoubleType, false)
      .add("settings", DataTypes.StringType, false)
      .add("motion_png", DataTypes.createArrayType(DataTypes.BinaryType), true)
      .add("speed_mean", DataTypes.DoubleType, true)
      .add("speed_p95", DataTypes.DoubleType, true)
      .add("saturated", DataTypes.DoubleType, true)
      .add("seconds", DataTypes.DoubleType, false)
      .add("error", DataTypes.StringType, true);

  private MotionPrepJob() {}

  /**
   * A stable id: the file name without extension, a dash and 12 hex digits of the path's SHA-256
   * (two files of the same name in different folders stay apart).
   */
  public static String clipId(String path) {
    String name = path.substring(path.replace('\\', '/').lastIndexOf('/') + 1).replaceFirst("\\.[^.]*$", "");
    return name + "-" + io.videojam.api.Hashing.sha256Hex(path).substring(0, 12);
  }

  /** Runs the job on the paths (local files or any Hadoop-compatible URI) into the Parquet folder {@code out}. */
  public static Result run(SparkSession spark, List<String> paths, String out, Options options) {
    List<String> done = Jobs.doneKeys(spark, out, "clip_id");
    List<String> todo = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>(done);
    for (String p : paths) {
      if (seen.add(clipId(p))) {
        todo.add(p);
      }
    }
    long skipped = paths.size() - todo.size();
    long[] made = Jobs.runBatches(spark, todo, options.batch(), SCHEMA, out, path -> prepare(path, options));
    return new Result(made[0], made[1], skipped);
  }

  /** One clip's row; never throws for a bad file (the row carries the error). */
  static Row prepare(String path, Options o) {
    long start = System.nanoTime();
    Path local = null;
    boolean temporary = false;
    try {
      URI uri = URI.create(path.contains("://") || path.startsWith("file:") ? path : Path.of(path).toUri().toString());
      if ("file".equals(uri.getScheme())) {
        local = Path.of(uri);
      } else {
        local = fetch(uri);
        temporary = true;
      }
      // the frames straight from the decoder, the clip as a whole (at most max-frames of them)
      List<byte[]> bgr = new ArrayList<>();
      int[] hw = new int[2];
      double fps = VideoReader.stream(local, o.maxFrames(), 1, 0, 0, (i, frame, w, h) -> {
        io.videojam.api.Memory.require(io.videojam.media.Clips.bytesPerFrame(w, h) * (i + 1), (i + 1) + " frames of " + w + "x" + h,
            "read fewer frames (--frames)");
        bgr.add(frame);
        hw[0] = h;
        hw[1] = w;
      });
      if (bgr.size() < 2) {
        throw new IllegalArgumentException("has " + bgr.size() + " frame(s); motion needs at least 2");
      }
      int h = hw[0];
      int w = hw[1];
      FloatTensor video = Frames.fromBgr(bgr, h, w);
      bgr.clear();
      FlowRgb rep = ExecutorCache.flowRgb(o.estimator(), o.sigma(), o.alignment());
      List<FlowField> flows = rep.flows(video, (d, t) -> { });
      FlowStats stats = FlowStats.of(flows, rep.codec().saturationSpeed(h, w));
      // each flow rendered (Eq. 5 levels) and encoded once, then the motion frames in the alignment's order
      byte[][] pngOfFlow = new byte[flows.size()][];
      List<byte[]> png = new ArrayList<>();
      int frames = flows.size() + 1;
      byte[] black = null;
      for (int t = 0; t < frames; t++) {
        int k = rep.alignment().flowIndex(t, frames);
        if (k < 0) {
          black = black != null ? black : PngWriter.encodeFast(new byte[3 * h * w], h, w); // the zero flow
          png.add(black);
        } else {
          if (pngOfFlow[k] == null) {
            pngOfFlow[k] = PngWriter.encodeFast(rep.codec().encodeLevels(flows.get(k)), h, w);
          }
          png.add(pngOfFlow[k]);
        }
      }
      return RowFactory.create(clipId(path), path, (int) video.shape()[1], w, h, fps,
          rep.estimator(), o.sigma(), o.json(), png.toArray(new byte[0][]), stats.mean(), stats.p95(), stats.saturated(), (System.nanoTime() - start) / 1e9, null);
    } catch (Exception | LinkageError e) {
      return RowFactory.create(clipId(path), path, null, null, null, null, o.estimator(), o.sigma(), o.json(), null, null, null, null,
          (System.nanoTime() - start) / 1e9, Jobs.firstLine(e));
    } finally {
      if (temporary && local != null) {
        try {
          Files.deleteIfExists(local);
        } catch (IOException ignored) {
          // a temp file left behind
        }
      }
    }
  }

  /** Copies a Hadoop-compatible file to a local temporary file (FFmpeg reads local files). */
  private static Path fetch(URI uri) throws IOException {
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
    FileSystem fs = p.getFileSystem(new Configuration());
    String name = p.getName();
    Path tmp = Files.createTempFile("videojam-", name.contains(".") ? name.substring(name.lastIndexOf('.')) : ".bin");
    try (InputStream in = fs.open(p)) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
    }
    return tmp;
  }
}
