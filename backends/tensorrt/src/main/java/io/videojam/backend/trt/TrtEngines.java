package io.videojam.backend.trt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.BackendOptions;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.BatchProfile;
import io.videojam.onnx.OnnxModels;
import io.videojam.onnx.OnnxPrecision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;

/**
 * Builds, caches and loads TensorRT engines. An engine is built once per {@link EngineKey} and
 * written to the cache folder with a description beside it; the timing cache, shared by all graphs
 * on one GPU model and TensorRT version, makes later builds faster. Loaded engines stay in this
 * JVM for reuse (TensorRT objects have no destructor reachable from Java, so an engine is loaded
 * once and shared rather than loaded and leaked per session); execution contexts are pooled the
 * same way.
 */
final class TrtEngines {
  /** A deserialized engine with a pool of idle execution contexts. */
  static final class Loaded {
    final EngineKey key;
    final Path file;
    final ICudaEngine engine;
    final BatchProfile profile;
    final boolean built;
    private final Deque<IExecutionContext> idle = new ArrayDeque<>();

    Loaded(EngineKey key, Path file, ICudaEngine engine, BatchProfile profile, boolean built) {
      this.key = key;
      this.file = file;
      this.engine = engine;
      this.profile = profile;
      this.built = built;
    }

    /** An execution context whose scratch memory the caller provides (setDeviceMemoryV2). */
    synchronized IExecutionContext borrow() {
      IExecutionContext c = idle.poll();
      if (c == null) {
        c = engine.createExecutionContext(nvinfer.ExecutionContextAllocationStrategy.kUSER_MANAGED);
        if (c == null || c.isNull()) {
          throw new VideoJamException("TensorRT could not create an execution context for " + file + ": " + logger().lastError());
        }
      }
      return c;
    }

    synchronized void giveBack(IExecutionContext c) {
      idle.push(c);
    }
  }

  /** Messages at warning level and above go to stderr; the last error is kept for exceptions. */
  static final class Logger extends ILogger {
    private volatile String lastError = "no message";

    @Override
    public void log(Severity severity, String msg) {
      int s = severity.value;
      if (s <= Severity.kERROR.value) {
        lastError = msg;
      }
      if (s <= Severity.kWARNING.value) {
        System.err.println("[TensorRT] " + msg);
      }
    }

    String lastError() {
      return lastError;
    }
  }

  /** Made on first use: creating it loads TensorRT's natives. */
  private static final class LoggerHolder {
    static final Logger INSTANCE = new Logger();
  }

  static Logger logger() {
    return LoggerHolder.INSTANCE;
  }

  private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();
  private static IRuntime runtime;

  private TrtEngines() {
  }

  static synchronized Loaded load(Path onnxFile, BackendOptions options) {
    OnnxMl.ModelProto raw = OnnxModels.read(onnxFile);
    List<TensorInfo> inputs = OnnxModels.inputs(raw);
    BatchProfile profile = BatchProfile.of(inputs, options.maxBatch(), onnxFile.toString());
    EngineKey key = new EngineKey(graphSha256(onnxFile, raw), options.precision(), profile.describe(),
        TrtNatives.gpu(options.deviceId()), TrtNatives.tensorRtVersion());
    String loadedKey = key.stem() + "@" + options.deviceId(); // an engine lives on the GPU that loaded it
    Loaded loaded = LOADED.get(loadedKey);
    if (loaded != null) {
      return loaded;
    }
    Path dir = options.engineCache();
    Path engineFile = dir.resolve(key.stem() + ".engine");
    ICudaEngine engine = null;
    if (Files.isRegularFile(engineFile)) {
      engine = deserialize(readBytes(engineFile));
      if (engine == null) {
        System.err.println("[videojam] cached TensorRT engine " + engineFile + " does not load (" + logger().lastError() + "); rebuilding it");
      }
    }
    boolean built = false;
    if (engine == null) {
      long start = System.nanoTime();
      System.err.println("[videojam] building a TensorRT engine for " + onnxFile + " (" + options.precision() + ", batch 1-"
          + options.maxBatch() + ", " + key.gpu() + "); it is cached in " + dir + ", later runs load it");
      byte[] plan = build(onnxFile, profile, options.precision(), dir.resolve(key.timingCacheName()));
      writeAtomically(engineFile, plan);
      writeAtomically(dir.resolve(key.stem() + ".json"), key.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      engine = deserialize(plan);
      if (engine == null) {
        throw new VideoJamException("TensorRT built but cannot load the engine for " + onnxFile + ": " + logger().lastError());
      }
      built = true;
      System.err.printf(java.util.Locale.ROOT, "[videojam] TensorRT engine built in %.1f s: %s%n", (System.nanoTime() - start) / 1e9, engineFile);
    }
    loaded = new Loaded(key, engineFile, engine, profile, built);
    LOADED.put(loadedKey, loaded);
    return loaded;
  }

  /** Forgets the engines loaded in this JVM (they stay in memory), so the next load reads the disk cache; for tests. */
  static synchronized void forgetLoaded() {
    LOADED.clear();
  }

  /** SHA-256 of the graph file and the external-data files it names, in name order. */
  static String graphSha256(Path onnxFile, OnnxMl.ModelProto raw) {
    Set<String> locations = new java.util.TreeSet<>();
    for (OnnxMl.TensorProto t : raw.getGraph().getInitializerList()) {
      if (OnnxModels.isExternal(t)) {
        for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
          if (e.getKey().equals("location")) {
            locations.add(e.getValue());
          }
        }
      }
    }
    Set<Path> files = new LinkedHashSet<>();
    files.add(onnxFile);
    Path dir = onnxFile.toAbsolutePath().getParent();
    locations.forEach(l -> files.add(dir.resolve(l)));
    return OnnxModels.sha256(files.toArray(Path[]::new));
  }

  private static ICudaEngine deserialize(byte[] plan) {
    if (runtime == null) {
      runtime = createInferRuntime(logger());
      if (runtime == null || runtime.isNull()) {
        throw new VideoJamException("TensorRT could not create a runtime: " + logger().lastError());
      }
    }
    try (BytePointer p = new BytePointer(plan)) {
      ICudaEngine e = runtime.deserializeCudaEngine(p, plan.length);
      return e == null || e.isNull() ? null : e;
    }
  }

  /**
   * Parses the graph (for fp16 or bf16 converted first: TensorRT 11 networks are strongly typed, so
   * the graph's types are the engine's) and builds a serialized engine with one optimisation
   * profile. The builder, network and parser are not freed (the bindings reach no destructor): one
   * set per engine built, which the disk cache makes rare.
   */
  private static byte[] build(Path onnxFile, BatchProfile profile, String precision, Path timingCacheFile) {
    IBuilder builder = createInferBuilder(logger());
    // strongly typed: the graph's types are the engine's (the only kind TensorRT 11 builds; explicit in 10)
    INetworkDefinition network = builder.createNetworkV2(1 << nvinfer.NetworkDefinitionCreationFlag.kSTRONGLY_TYPED.value);
    IParser parser = createParser(network, logger());
    boolean parsed;
    if (precision.equals("fp32")) { // from the file: the parser reads external data itself, at any size
      parsed = parser.parseFromFile(onnxFile.toAbsolutePath().toString(), ILogger.Severity.kWARNING.value);
    } else { // converted in memory (external data read in; protobuf limits this to graphs under 2 GB)
      byte[] onnx = OnnxPrecision.convert(OnnxModels.readWithExternalData(onnxFile), OnnxPrecision.Precision.parse(precision)).toByteArray();
      try (BytePointer bytes = new BytePointer(onnx)) {
        parsed = parser.parse(bytes, onnx.length);
      }
    }
    if (!parsed) {
      List<String> errors = new ArrayList<>();
      for (int i = 0; i < parser.getNbErrors() && i < 3; i++) {
        var e = parser.getError(i);
        errors.add(e.nodeName() + " (" + e.nodeOperator() + "): " + e.desc());
      }
      throw new VideoJamException("TensorRT's ONNX parser rejects " + onnxFile + ": " + String.join("; ", errors)
          + "; check the opset and operators TensorRT " + TrtNatives.PRESET_TENSORRT + " supports, or use --backend tensorrt (ONNX Runtime"
          + " runs the unsupported nodes on CUDA)");
    }
    IBuilderConfig config = builder.createBuilderConfig();
    IOptimizationProfile p = builder.createOptimizationProfile();
    for (String name : profile.min().keySet()) {
      p.setDimensions(name, nvinfer.OptProfileSelector.kMIN, dims(profile.min().get(name)));
      p.setDimensions(name, nvinfer.OptProfileSelector.kOPT, dims(profile.opt().get(name)));
      p.setDimensions(name, nvinfer.OptProfileSelector.kMAX, dims(profile.max().get(name)));
    }
    if (config.addOptimizationProfile(p) < 0) {
      throw new VideoJamException("TensorRT rejects the optimisation profile " + profile.describe() + " for " + onnxFile + ": "
          + logger().lastError());
    }
    byte[] previous = Files.isRegularFile(timingCacheFile) ? readBytes(timingCacheFile) : new byte[0];
    try (BytePointer cacheBytes = new BytePointer(previous)) {
      ITimingCache cache = config.createTimingCache(cacheBytes, previous.length);
      config.setTimingCache(cache, false);
    }
    IHostMemory plan = builder.buildSerializedNetwork(network, config);
    if (plan == null || plan.isNull() || plan.size() == 0) {
      throw new VideoJamException("TensorRT could not build an engine for " + onnxFile + ": " + logger().lastError()
          + "; try --precision fp32 or --max-batch 1, or --backend tensorrt");
    }
    IHostMemory timing = config.getTimingCache().serialize();
    if (timing != null && !timing.isNull()) {
      writeAtomically(timingCacheFile, bytes(timing));
    }
    return bytes(plan);
  }

  static Dims64 dims(long[] shape) {
    Dims64 d = new Dims64();
    d.nbDims(shape.length);
    for (int i = 0; i < shape.length; i++) {
      d.d(i, shape[i]);
    }
    return d;
  }

  private static byte[] bytes(IHostMemory m) {
    byte[] out = new byte[Math.toIntExact(m.size())];
    new BytePointer(m.data()).capacity(m.size()).get(out);
    return out;
  }

  private static byte[] readBytes(Path f) {
    try {
      return Files.readAllBytes(f);
    } catch (IOException e) {
      throw new VideoJamException("cannot read " + f + ": " + e.getMessage() + "; delete it to rebuild");
    }
  }

  /** Writes to a temporary file beside the target and moves it into place. */
  static void writeAtomically(Path target, byte[] data) {
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
      try {
        Files.write(tmp, data);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new VideoJamException("cannot write " + target + ": " + e.getMessage() + "; choose a writable --engine-cache folder");
    }
  }
}
