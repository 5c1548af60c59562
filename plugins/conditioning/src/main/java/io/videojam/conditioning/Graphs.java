package io.videojam.conditioning;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LongTensor;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared helpers of the ONNX-backed text encoders and codecs: files, names, batching. */
final class Graphs {
  private Graphs() {}

  static Backend requireBackend(Backend backend, Settings s, String type) {
    if (backend == null) {
      throw new VideoJamException(s.origin() + ": type \"" + type + "\" runs ONNX graphs and needs a backend; open the model with one (--backend cpu)");
    }
    return backend;
  }

  /** The file that setting {@code key} names, resolved against the model folder; it must exist. */
  static Path file(Path modelDir, Settings s, String key) {
    String name = s.string(key);
    Path p = modelDir.resolve(name);
    if (!Files.isRegularFile(p)) {
      throw new VideoJamException(s.origin() + ": \"" + key + "\" names " + p + ", which does not exist; put the file in the model folder or fix \"" + key + "\"");
    }
    return p;
  }

  static TensorInfo input(GraphSession g, Path file, Settings s, String key, String name) {
    return find(g.inputs(), "input", file, s, key, name);
  }

  static TensorInfo output(GraphSession g, Path file, Settings s, String key, String name) {
    return find(g.outputs(), "output", file, s, key, name);
  }

  static TensorInfo find(List<TensorInfo> infos, String what, Path file, Settings s, String key, String name) {
    for (TensorInfo t : infos) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    List<String> names = infos.stream().map(TensorInfo::name).toList();
    throw new VideoJamException(s.origin() + ": " + file.getFileName() + " has no " + what + " '" + name + "' (its " + what + "s: "
        + names + "); set \"" + key + "\" to the right one");
  }

  /** Closes sessions, keeping the first failure. */
  static void closeAll(AutoCloseable... all) {
    RuntimeException first = null;
    for (AutoCloseable c : all) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = e instanceof RuntimeException r ? r : new VideoJamException(e.getMessage(), e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** True when the graph input fixes its batch (first) dimension to 1: runs then go sample by sample. */
  static boolean batchOfOne(TensorInfo input) {
    return input.rank() > 0 && input.shape()[0] == 1;
  }

  /**
   * Runs one output of the graph on batch-first inputs, as one run, or one run per sample when
   * {@code perSample} (graphs exported with batch 1) and concatenates the results.
   */
  static Tensor run(GraphSession g, Map<String, Tensor> inputs, String output, boolean perSample) {
    int batch = (int) inputs.values().iterator().next().shape()[0];
    if (!perSample || batch == 1) {
      return g.run(inputs, List.of(output)).get(output);
    }
    List<Tensor> parts = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      Map<String, Tensor> one = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : inputs.entrySet()) {
        one.put(e.getKey(), slice(e.getValue(), b));
      }
      parts.add(g.run(one, List.of(output)).get(output));
    }
    return concat(parts);
  }

  /** Sample {@code b} of a batch-first tensor, keeping the batch dimension (size 1). */
  static Tensor slice(Tensor t, int b) {
    long[] shape = t.shape().clone();
    int n = t.size() / (int) shape[0];
    shape[0] = 1;
    if (t instanceof FloatTensor f) {
      return new FloatTensor(shape, Arrays.copyOfRange(f.data(), b * n, (b + 1) * n));
    }
    LongTensor l = (LongTensor) t;
    return new LongTensor(shape, Arrays.copyOfRange(l.data(), b * n, (b + 1) * n));
  }

  /** Concatenates batch-first tensors of one type and equal sample shape along the batch. */
  static Tensor concat(List<Tensor> parts) {
    long[] shape = parts.get(0).shape().clone();
    long batch = 0;
    for (Tensor p : parts) {
      if (!Arrays.equals(Arrays.copyOfRange(p.shape(), 1, p.shape().length), Arrays.copyOfRange(shape, 1, shape.length))) {
        throw new VideoJamException("graph outputs of the samples differ in shape: " + Arrays.toString(p.shape()) + " vs " + Arrays.toString(shape));
      }
      batch += p.shape()[0];
    }
    shape[0] = batch;
    int total = 0;
    if (parts.get(0) instanceof FloatTensor) {
      float[] out = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, c) -> a * c))];
      for (Tensor p : parts) {
        float[] d = ((FloatTensor) p).data();
        System.arraycopy(d, 0, out, total, d.length);
        total += d.length;
      }
      return new FloatTensor(shape, out);
    }
    long[] out = new long[Math.toIntExact(Arrays.stream(shape).reduce(1, (a, c) -> a * c))];
    for (Tensor p : parts) {
      long[] d = ((LongTensor) p).data();
      System.arraycopy(d, 0, out, total, d.length);
      total += d.length;
    }
    return new LongTensor(shape, out);
  }

  /** {@code batch} copies of a batch-1 tensor. */
  static Tensor repeat(Tensor one, int batch) {
    List<Tensor> parts = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      parts.add(one);
    }
    return concat(parts);
  }

  /** An all-zero tensor of the type and sample shape of {@code like}, with batch {@code batch}. */
  static Tensor zerosLike(Tensor like, int batch) {
    long[] shape = like.shape().clone();
    shape[0] = batch;
    int n = Math.toIntExact(Arrays.stream(shape).reduce(1, (a, c) -> a * c));
    return like instanceof FloatTensor ? new FloatTensor(shape, new float[n]) : new LongTensor(shape, new long[n]);
  }

  static BackendOptions orDefaults(BackendOptions o) {
    return o == null ? BackendOptions.defaults() : o;
  }
}
