package io.videojam.api;

import java.util.List;
import java.util.Map;

/**
 * One loaded graph on a backend. Runs take host tensors and return host tensors; native buffers
 * live only inside {@link #run} (or inside the session) and are released there.
 */
public interface GraphSession extends AutoCloseable {
  List<TensorInfo> inputs();

  List<TensorInfo> outputs();

  /**
   * Runs the graph.
   *
   * @param inputs every graph input by name
   * @param outputNames the outputs wanted
   * @return the wanted outputs by name, as heap copies
   */
  Map<String, Tensor> run(Map<String, Tensor> inputs, List<String> outputNames);

  /** Wall-clock nanoseconds spent inside {@link #run} calls so far (native execution). */
  long runNanos();

  /** Number of {@link #run} calls so far. */
  long runCount();

  @Override
  void close();
}
