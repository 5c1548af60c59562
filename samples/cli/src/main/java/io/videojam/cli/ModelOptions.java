package io.videojam.cli;

import io.videojam.api.BackendOptions;
import io.videojam.runtime.RuntimeConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which model, on which backend. */
final class ModelOptions {
  @Option(names = "--model", paramLabel = "DIR", description = "model folder with model.json (default: the built-in model)")
  Path model;

  @Option(names = "--backend", defaultValue = "cpu", description = "cpu, cuda or tensorrt (default: ${DEFAULT-VALUE})")
  String backend;

  @Option(names = "--threads", defaultValue = "0", description = "intra-op threads (0: all cores)")
  int threads;

  @Option(names = "--inter-threads", defaultValue = "0", description = "inter-op threads (0: backend default)")
  int interThreads;

  @Option(names = "--optimization", defaultValue = "all", description = "graph optimisation: none, basic, extended, all (default: ${DEFAULT-VALUE})")
  String optimization;

  @Option(names = "--device", defaultValue = "0", description = "GPU index for cuda/tensorrt")
  int device;

  RuntimeConfig config() {
    return new RuntimeConfig(model != null ? model : BuiltinModel.dir(), backend,
        new BackendOptions(threads, interThreads, optimization, device));
  }
}
