package io.videojam.spark;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** What the jobs share. */
final class Jobs {
  private Jobs() {}

  /**
   * The values of {@code column} already written to the Parquet folder {@code out} (committed
   * batches only: Spark's committer publishes a batch's files when the batch's job commits); empty
   * when the folder does not exist yet.
   */
  static List<String> doneKeys(SparkSession spark, String out, String column) {
    try {
      Path p = new Path(out);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(p) || fs.listStatus(p, f -> f.getName().endsWith(".parquet")).length == 0) {
        return List.of();
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + out + ": " + e.getMessage(), e);
    }
    return spark.read().parquet(out).select(column).distinct().collectAsList().stream().map(r -> r.getString(0)).toList();
  }

  /** A local session for tests, benches and the local launcher: no UI, loopback only. */
  static SparkSession local(String master) {
    return SparkSession.builder().master(master).appName("videojam")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  static String firstLine(Throwable e) {
    String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return msg.lines().findFirst().orElse(msg);
  }
}
