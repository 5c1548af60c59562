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
   * Runs the graph. A backend may skip copying an input that is the very tensor instance it got in
   * the previous run, so a tensor's data must not change once it has been passed.
   *
   * @param inputs every graph input by name
   * @param outputNames the outputs wanted
   * @return the wanted outputs by name, as heap copies
   */
  Map<String, Tensor> run(Map<String, Tensor> inputs, List<String> outputNames);

  /**
   * Runs the graph with the output shapes known in advance (a backend may then write them into
   * buffers it reuses between runs). A null shape means unknown.
   *
   * @param outputs the outputs wanted, with their shapes
   */
  default Map<String, Tensor> run(Map<String, Tensor> inputs, Map<String, long[]> outputs) {
    return run(inputs, List.copyOf(outputs.keySet()));
  }

  /**
   * Runs the graph and writes one float output, whose shape the caller knows, into {@code into};
   * a backend can do this without allocating anything per run.
   */
  default void runInto(Map<String, Tensor> inputs, String output, long[] shape, float[] into) {
    FloatTensor t = (FloatTensor) run(inputs, Map.of(output, shape)).get(output);
    if (t.data().length != into.length) {
      throw new IllegalArgumentException("output '" + output + "' has " + t.data().length + " values, expected " + into.length);
    }
    System.arraycopy(t.data(), 0, into, 0, into.length);
  }

  /**
   * Runs the graph with one float input written, and one float output read, where the backend keeps
   * them: {@code fill} writes the input into a buffer of {@code inputShape}'s size, {@code read}
   * reads the output from one of {@code outputShape}'s size. Both buffers are valid only during the
   * call and are positioned at 0 (use absolute gets and puts). A backend with host-side buffers
   * saves the copies on either side; the default copies through heap arrays.
   *
   * @param inputs the graph's other inputs by name
   */
  default void runInPlace(Map<String, Tensor> inputs, String input, long[] inputShape, java.util.function.Consumer<java.nio.FloatBuffer> fill,
      String output, long[] outputShape, java.util.function.Consumer<java.nio.FloatBuffer> read) {
    float[] in = new float[Math.toIntExact(Shapes.count(inputShape))];
    fill.accept(java.nio.FloatBuffer.wrap(in));
    Map<String, Tensor> all = new java.util.HashMap<>(inputs);
    all.put(input, new FloatTensor(inputShape.clone(), in));
    float[] out = new float[Math.toIntExact(Shapes.count(outputShape))];
    runInto(all, output, outputShape, out);
    read.accept(java.nio.FloatBuffer.wrap(out).asReadOnlyBuffer());
  }

  /** Wall-clock nanoseconds spent inside {@link #run} calls so far (native execution). */
  long runNanos();

  /** Number of {@link #run} calls so far. */
  long runCount();

  @Override
  void close();
}
