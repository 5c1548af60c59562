package io.videojam.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

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

  /** One task's work on an executor: a row, never an exception for bad input (the row's "error" says it). */
  interface Task extends Serializable {
    Row run(String task);
  }

  /**
   * Runs the tasks in batches of {@code batchSize}, each batch one Spark job appending its rows to
   * the Parquet folder {@code out} (so a batch is committed whole or not at all). The schema must
   * have an "error" column; returns {rows made, rows with an error}.
   */
  static long[] runBatches(SparkSession spark, List<String> todo, int batchSize, StructType schema, String out, Task task) {
    LongAccumulator processed = spark.sparkContext().longAccumulator("rows made");
    LongAccumulator errors = spark.sparkContext().longAccumulator("rows with an error");
    int errorField = schema.fieldIndex("error");
    int parallelism = spark.sparkContext().defaultParallelism();
    for (int from = 0; from < todo.size(); from += batchSize) {
      List<String> batch = todo.subList(from, Math.min(todo.size(), from + batchSize));
      // the batch in slices, one per core, without a shuffle (a repartition would add a stage)
      spark.createDataset(new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
              .parallelize(batch, Math.min(batch.size(), parallelism)).rdd(), Encoders.STRING())
          .mapPartitions((MapPartitionsFunction<String, Row>) it -> {
            List<Row> rows = new ArrayList<>();
            while (it.hasNext()) {
              Row r = task.run(it.next());
              processed.add(1);
              errors.add(r.isNullAt(errorField) ? 0 : 1);
              rows.add(r);
            }
            return rows.iterator();
          }, Encoders.row(schema))
          .write().mode(SaveMode.Append).parquet(out);
    }
    return new long[] {processed.value(), errors.value()};
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
