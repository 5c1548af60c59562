package io.videojam.backend.trt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.AtomicFiles;
import io.videojam.api.BackendOptions;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.BatchProfile;
import io.videojam.onnx.OnnxModels;
import io.videojam.onnx.OnnxPrecision;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
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
import org.bytedeco.tensorrt.nvonnxparser.IParserError;

/**
 * Builds, caches and loads TensorRT engines. An engine is built once per {@link EngineKey} and
 * written to the cache folder with a description beside it; the timing cache, shared by all graphs
 * on one GPU model and TensorRT version, makes later builds faster. Loaded engines stay in this
 * JVM for reuse (TensorRT objects have no destructor reachable from Java, so an engine is loaded
 * once and shared rather than loaded and leaked per session); execution contexts are pooled the
 * same way. Plans stay in native memory from build to file and from file to engine, so engines of
 * any size work.
 */
final class TrtEngines {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TrtEngines.class);
  /** A deserialized engine with a pool of idle execution contexts. */
  static final class Loaded {
    final Path file;
    final ICudaEngine engine;
    final BatchProfile profile;
    final boolean built;
    private final Deque<IExecutionContext> idle = new ArrayDeque<>();

    Loaded(Path file, ICudaEngine engine, BatchProfile profile, boolean built) {
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

  /** Warnings and errors go to stderr on one line each; the last error (per thread) is kept for exceptions. */
  static final class Logger extends ILogger {
    private final ThreadLocal<String> lastOnThread = new ThreadLocal<>();
    private volatile String lastAny = "no message from TensorRT";

    @Override
    public void log(Severity severity, String msg) {
      int s = severity.value;
      String line = oneLine(msg);
      if (s <= Severity.kERROR.value) {
        lastOnThread.set(line);
        lastAny = line;
      }
      if (s <= Severity.kWARNING.value) {
        LOG.warn("TensorRT: {}", line);
      }
    }

    /** The last error TensorRT reported on this thread, else on any thread. */
    String lastError() {
      String mine = lastOnThread.get();
      return mine != null ? mine : lastAny;
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
  /** One lock per engine: a build (minutes) blocks only those who want the same engine. */
  private static final Map<String, Object> LOCKS = new ConcurrentHashMap<>();
  private static IRuntime runtime;

  private TrtEngines() {
  }

  static Loaded load(Path onnxFile, BackendOptions options) {
    OnnxMl.ModelProto raw = OnnxModels.read(onnxFile);
    List<TensorInfo> inputs = OnnxModels.inputs(raw);
    BatchProfile profile = BatchProfile.of(inputs, options.maxBatch(), onnxFile.toString());
    EngineKey key = new EngineKey(graphSha256(onnxFile, raw), options.precision(), converter(options.precision()), profile.describe(),
        TrtNatives.gpu(options.deviceId()), TrtNatives.tensorRtVersion());
    String loadedKey = key.stem() + "@" + options.deviceId(); // an engine lives on the GPU that loaded it
    Loaded loaded = LOADED.get(loadedKey);
    if (loaded != null) {
      return loaded;
    }
    synchronized (LOCKS.computeIfAbsent(loadedKey, k -> new Object())) {
      loaded = LOADED.get(loadedKey);
      if (loaded != null) {
        return loaded;
      }
      Path dir = options.engineCache();
      Path engineFile = dir.resolve(key.stem() + ".engine");
      ICudaEngine engine = null;
      if (Files.isRegularFile(engineFile)) {
        engine = deserializeFile(engineFile);
        if (engine == null) {
          LOG.warn("cached TensorRT engine " + engineFile + " does not load (" + logger().lastError()
              + "); building it again");
        }
      }
      boolean built = false;
      if (engine == null) {
        long start = System.nanoTime();
        LOG.info("building a TensorRT engine for " + onnxFile + " (" + options.precision() + ", batch 1-"
            + options.maxBatch() + ", " + key.gpu() + "); it is cached in " + dir + ", later runs load it");
        IHostMemory plan = build(onnxFile, profile, options.precision(), dir.resolve(key.timingCacheName()));
        try {
          writeAtomically(engineFile, plan.data(), plan.size());
          writeAtomically(dir.resolve(key.stem() + ".json"), key.json().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (VideoJamException e) { // the engine still runs; only the next start pays the build again
          LOG.warn(e.getMessage());
        }
        engine = deserialize(plan.data(), plan.size());
        if (engine == null) {
          throw new VideoJamException("TensorRT built but cannot load the engine for " + onnxFile + ": " + logger().lastError());
        }
        built = true;
        LOG.info(String.format(Locale.ROOT, "TensorRT engine built in %.1f s: %s", (System.nanoTime() - start) / 1e9, engineFile));
      }
      loaded = new Loaded(engineFile, engine, profile, built);
      LOADED.put(loadedKey, loaded);
      return loaded;
    }
  }

  /** What turns the ONNX graph into the network: nothing for fp32, else the precision conversion at its version. */
  static String converter(String precision) {
    return precision.equals("fp32") ? "none" : "OnnxPrecision v" + OnnxPrecision.VERSION;
  }

  /** Forgets the engines loaded in this JVM (they stay in memory), so the next load reads the disk cache; for tests. */
  static void forgetLoaded() {
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
    return io.videojam.api.Hashing.sha256Hex(files.toArray(Path[]::new));
  }

  private static synchronized IRuntime runtime() {
    if (runtime == null) {
      IRuntime r = createInferRuntime(logger());
      if (r == null || r.isNull()) {
        throw new VideoJamException("TensorRT could not create a runtime: " + logger().lastError());
      }
      runtime = r;
    }
    return runtime;
  }

  /** The engine in a plan (TensorRT copies it), or null when TensorRT refuses it. */
  private static ICudaEngine deserialize(Pointer plan, long size) {
    ICudaEngine e = runtime().deserializeCudaEngine(plan, size);
    return e == null || e.isNull() ? null : e;
  }

  /** Reads an engine file into native memory in chunks (it may be larger than a Java array) and deserializes it. */
  private static ICudaEngine deserializeFile(Path f) {
    try (FileChannel in = FileChannel.open(f, StandardOpenOption.READ)) {
      long size = in.size();
      try (BytePointer plan = new BytePointer(size)) {
        for (long off = 0; off < size; ) {
          long n = Math.min(1L << 30, size - off);
          java.nio.ByteBuffer window = plan.position(off).limit(off + n).asBuffer();
          while (window.hasRemaining()) {
            if (in.read(window, off + window.position()) < 0) {
              throw new IOException("file ended at " + (off + window.position()) + " of " + size + " bytes");
            }
          }
          off += n;
        }
        return deserialize(plan.position(0).limit(size), size);
      }
    } catch (IOException e) {
      LOG.warn("cannot read " + f + ": " + oneLine(e.getMessage()));
      return null;
    }
  }

  /**
   * Parses the graph (for fp16 or bf16 converted first: TensorRT 11 networks are strongly typed, so
   * the graph's types are the engine's) and builds a serialized engine with one optimisation
   * profile. The builder, network, parser and config are not freed (the bindings reach no
   * destructor): one set per engine built, which the disk cache makes rare.
   */
  private static IHostMemory build(Path onnxFile, BatchProfile profile, String precision, Path timingCacheFile) {
    IBuilder builder = notNull(createInferBuilder(logger()), "create a builder", onnxFile);
    // strongly typed: the graph's types are the engine's (the only kind TensorRT 11 builds; explicit in 10)
    INetworkDefinition network = notNull(builder.createNetworkV2(1 << nvinfer.NetworkDefinitionCreationFlag.kSTRONGLY_TYPED.value),
        "create a network", onnxFile);
    IParser parser = notNull(createParser(network, logger()), "create the ONNX parser", onnxFile);
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
        IParserError e = parser.getError(i);
        errors.add(oneLine(e.nodeName()) + " (" + oneLine(e.nodeOperator()) + "): " + oneLine(e.desc()));
      }
      throw new VideoJamException("TensorRT's ONNX parser rejects " + onnxFile + ": " + (errors.isEmpty() ? logger().lastError()
          : String.join("; ", errors)) + "; check the opset and operators TensorRT " + TrtNatives.PRESET_TENSORRT
          + " supports, or use --backend tensorrt (ONNX Runtime runs the unsupported nodes on CUDA)");
    }
    IBuilderConfig config = notNull(builder.createBuilderConfig(), "create a builder configuration", onnxFile);
    IOptimizationProfile p = notNull(builder.createOptimizationProfile(), "create an optimisation profile", onnxFile);
    for (String name : profile.min().keySet()) {
      try (Dims64 min = dims(profile.min().get(name)); Dims64 opt = dims(profile.opt().get(name)); Dims64 max = dims(profile.max().get(name))) {
        if (!p.setDimensions(name, nvinfer.OptProfileSelector.kMIN, min) || !p.setDimensions(name, nvinfer.OptProfileSelector.kOPT, opt)
            || !p.setDimensions(name, nvinfer.OptProfileSelector.kMAX, max)) {
          throw new VideoJamException("TensorRT rejects the shapes " + profile.describe() + " for input '" + name + "' of " + onnxFile
              + ": " + logger().lastError());
        }
      }
    }
    if (config.addOptimizationProfile(p) < 0) {
      throw new VideoJamException("TensorRT rejects the optimisation profile " + profile.describe() + " for " + onnxFile + ": "
          + logger().lastError());
    }
    attachTimingCache(config, timingCacheFile);
    IHostMemory plan = builder.buildSerializedNetwork(network, config);
    if (plan == null || plan.isNull() || plan.size() == 0) {
      throw new VideoJamException("TensorRT could not build an engine for " + onnxFile + ": " + logger().lastError()
          + "; try --precision fp32 or --max-batch 1, or --backend tensorrt");
    }
    saveTimingCache(config, timingCacheFile);
    return plan;
  }

  /** The saved timing cache, or a fresh one when there is none or TensorRT refuses it (another GPU, another version). */
  private static void attachTimingCache(IBuilderConfig config, Path file) {
    byte[] previous = new byte[0];
    if (Files.isRegularFile(file)) {
      try {
        previous = Files.readAllBytes(file);
      } catch (IOException | OutOfMemoryError e) {
        LOG.warn("ignoring unreadable timing cache " + file + ": " + oneLine(e.getMessage()));
      }
    }
    try (BytePointer bytes = new BytePointer(previous)) {
      ITimingCache cache = previous.length == 0 ? null : config.createTimingCache(bytes, previous.length);
      if (cache != null && !cache.isNull() && config.setTimingCache(cache, false)) {
        return;
      }
      if (previous.length > 0) {
        LOG.warn("TensorRT refuses the timing cache " + file + " (" + logger().lastError() + "); starting a new one");
      }
    }
    try (BytePointer empty = new BytePointer(0L)) {
      ITimingCache fresh = config.createTimingCache(empty, 0);
      if (fresh == null || fresh.isNull() || !config.setTimingCache(fresh, false)) {
        LOG.warn("building without a timing cache: " + logger().lastError());
      }
    }
  }

  /** Saves the timing cache; a failure only costs the next build time, so it is a warning. */
  private static void saveTimingCache(IBuilderConfig config, Path file) {
    ITimingCache cache = config.getTimingCache();
    if (cache == null || cache.isNull()) {
      return;
    }
    IHostMemory timing = cache.serialize();
    if (timing == null || timing.isNull() || timing.size() == 0) {
      return;
    }
    try {
      writeAtomically(file, timing.data(), timing.size());
    } catch (VideoJamException e) {
      LOG.warn(e.getMessage());
    }
  }

  private static <T extends Pointer> T notNull(T p, String what, Path onnxFile) {
    if (p == null || p.isNull()) {
      throw new VideoJamException("TensorRT could not " + what + " for " + onnxFile + ": " + logger().lastError()
          + "; check that TensorRT " + TrtNatives.PRESET_TENSORRT + " is installed whole (its builder resource library too)");
    }
    return p;
  }

  static Dims64 dims(long[] shape) {
    Dims64 d = new Dims64();
    d.nbDims(shape.length);
    for (int i = 0; i < shape.length; i++) {
      d.d(i, shape[i]);
    }
    return d;
  }

  /** One line, never null. */
  static String oneLine(String s) {
    return s == null || s.isBlank() ? "no message" : s.strip().replaceAll("\\s*\\R\\s*", " | ");
  }

  /** Writes native memory to a temporary file beside the target in chunks and moves it into place. */
  static void writeAtomically(Path target, Pointer data, long size) {
    BytePointer view = new BytePointer(data).capacity(size); // a view: the memory stays its owner's
    write(target, out -> {
      for (long off = 0; off < size; ) {
        long n = Math.min(1L << 30, size - off);
        java.nio.ByteBuffer window = view.position(off).limit(off + n).asBuffer();
        while (window.hasRemaining()) {
          out.write(window);
        }
        off += n;
      }
    });
  }

  /** Writes bytes to a temporary file beside the target and moves it into place. */
  static void writeAtomically(Path target, byte[] data) {
    write(target, out -> {
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        out.write(b);
      }
    });
  }

  private interface Writer {
    void write(FileChannel out) throws IOException;
  }

  private static void write(Path target, Writer writer) {
    try {
      AtomicFiles.write(target, "engine cache file", tmp -> {
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
          writer.write(out);
        }
      });
    } catch (VideoJamException e) {
      throw new VideoJamException(oneLine(e.getMessage()) + "; choose a writable --engine-cache folder", e);
    }
  }
}
