package io.videojam.cli;

import io.videojam.api.BackendOptions;
import io.videojam.api.VideoJamException;
import io.videojam.runtime.RuntimeConfig;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Which model, on which backend. */
final class ModelOptions {
  @Option(names = "--model", paramLabel = "DIR", description = "model folder with model.json (default: the built-in model)")
  Path model;

  @Option(names = "--backend", defaultValue = "cpu", description = {"cpu, cuda, tensorrt (ONNX Runtime and its providers; the GPU ones need "
      + "a -Pgpu build), trt-native (TensorRT through JavaCPP), or auto: the first available of trt-native, tensorrt, cuda, cpu, "
      + "recorded in run.json (default: ${DEFAULT-VALUE}); videojam bench takes it several times and compares them"})
  List<String> backends;

  @Option(names = "--precision", defaultValue = "fp32", description = "fp32, fp16 or bf16 arithmetic on GPU backends; inputs and outputs "
      + "stay float32 (default: ${DEFAULT-VALUE})")
  String precision;

  @Option(names = "--engine-cache", paramLabel = "DIR", description = "where TensorRT engines and timing caches are kept "
      + "(default: $XDG_CACHE_HOME/videojam/engines or ~/.cache/videojam/engines)")
  Path engineCache;

  @Option(names = "--max-batch", defaultValue = "3", description = "largest batch a TensorRT engine is built for: 3 runs "
      + "Inner-Guidance's three passes of one video at once (default: ${DEFAULT-VALUE})")
  int maxBatch;

  @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0: all cores)")
  int threads;

  @Option(names = "--inter-threads", defaultValue = "0", description = "inter-op threads (0: backend default)")
  int interThreads;

  @Option(names = "--optimization", defaultValue = "all", description = "graph optimisation: none, basic, extended, all (default: ${DEFAULT-VALUE})")
  String optimization;

  @Option(names = "--device", defaultValue = "0", description = "GPU index for cuda, tensorrt and trt-native")
  int device;

  BackendOptions options() {
    return new BackendOptions(threads, interThreads, optimization, device, precision, engineCache, maxBatch);
  }

  /** The one backend asked for; several are an error outside {@code videojam bench}. */
  String backend() {
    if (backends.size() != 1) {
      throw new VideoJamException("--backend is given " + backends.size() + " times (" + backends + "); only videojam bench compares "
          + "several backends, give one here");
    }
    return backends.get(0);
  }

  Path modelDir() {
    return model != null ? model : BuiltinModel.dir();
  }

  RuntimeConfig config() {
    return new RuntimeConfig(modelDir(), backend(), options());
  }
}
