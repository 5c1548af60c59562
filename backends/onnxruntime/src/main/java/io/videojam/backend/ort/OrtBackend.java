package io.videojam.backend.ort;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.GraphSession;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.BatchProfile;
import io.videojam.onnx.OnnxModels;
import io.videojam.onnx.OnnxPrecision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ONNX Runtime with one execution provider: CPU (default), CUDA or TensorRT. The GPU providers
 * exist only in the {@code onnxruntime_gpu} build (Maven profile {@code -Pgpu}) on a machine with
 * CUDA 12 and cuDNN 9 (TensorRT 10 for the TensorRT provider).
 */
public final class OrtBackend implements Backend {
  /** Which execution provider runs the graph. */
  public enum Device {
    CPU("cpu", "CPU", OrtProvider.CPU),
    CUDA("cuda", "CUDA", OrtProvider.CUDA),
    TENSORRT("tensorrt", "TensorRT", OrtProvider.TENSOR_RT);

    final String key;
    final String label;
    final OrtProvider provider;

    Device(String key, String label, OrtProvider provider) {
      this.key = key;
      this.label = label;
      this.provider = provider;
    }
  }

  private final Device device;

  public OrtBackend(Device device) {
    this.device = device;
  }

  @Override
  public String name() {
    return device.key;
  }

  @Override
  public String description() {
    return "ONNX Runtime, " + device.label + " execution provider";
  }

  @Override
  public boolean prefersBatching() {
    return device != Device.CPU;
  }

  @Override
  public boolean batchLimited() {
    return device == Device.TENSORRT; // its optimisation profile ends at --max-batch
  }

  @Override
  public boolean available() {
    return providers().contains(device.provider) && (device == Device.CPU || nvidiaGpuPresent());
  }

  /**
   * Whether the NVIDIA driver shows a GPU. The GPU build lists its CUDA and TensorRT providers on
   * any machine (they are compiled in); without a GPU they would fail only when a session opens.
   */
  static boolean nvidiaGpuPresent() {
    Path gpus = Path.of("/proc/driver/nvidia/gpus");
    try (var s = Files.list(gpus)) {
      return s.findAny().isPresent();
    } catch (java.io.IOException | RuntimeException e) {
      return Files.exists(Path.of("/dev/nvidia0"));
    }
  }

  @Override
  public String unavailableReason() {
    if (available()) {
      return "";
    }
    if (providers().contains(device.provider)) {
      return "--backend " + device.key + ": no NVIDIA GPU is visible (no /proc/driver/nvidia/gpus entry, no /dev/nvidia0); "
          + "check the driver with nvidia-smi, or use --backend cpu";
    }
    return "--backend " + device.key + ": the " + device.label + " execution provider is not in this ONNX Runtime build (has "
        + providers() + "); rebuild with 'mvn -Pgpu' (onnxruntime_gpu, needs CUDA 12 + cuDNN 9"
        + (device == Device.TENSORRT ? " + TensorRT 10" : "") + ") or use --backend cpu";
  }

  private static EnumSet<OrtProvider> providers() {
    try {
      OrtProcess.prepare();
      return OrtEnvironment.getAvailableProviders();
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      return EnumSet.noneOf(OrtProvider.class);
    }
  }

  @Override
  public GraphSession open(Path onnxFile, BackendOptions options) {
    if (!Files.isRegularFile(onnxFile)) {
      throw new VideoJamException("ONNX file " + onnxFile + " not found; check the path (or model.json's \"onnx\")");
    }
    if (!available()) {
      throw new VideoJamException(unavailableReason());
    }
    OrtEnvironment env = OrtProcess.environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      // warnings such as "no CPU kernel to constant-fold an fp16 Mul" are about speed, not results
      so.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(options.interOpThreads());
      so.setOptimizationLevel(switch (options.optimization()) {
        case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
        case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      });
      // TensorRT applies the precision itself (its fp16/bf16 flags); other providers run a converted graph
      boolean convert = !options.precision().equals("fp32") && device != Device.TENSORRT;
      // the graph's inputs are read without its external data (which may be gigabytes); only a conversion needs it
      OnnxMl.ModelProto model = convert ? OnnxModels.readWithExternalData(onnxFile)
          : device == Device.TENSORRT ? OnnxModels.read(onnxFile) : null;
      // provider options stay open until the session exists (ONNX Runtime reads them when it creates it)
      List<ai.onnxruntime.OrtProviderOptions> providerOptions = new java.util.ArrayList<>();
      try {
        if (device == Device.TENSORRT) {
          Files.createDirectories(options.engineCache().resolve("ort-tensorrt"));
          OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(options.deviceId());
          providerOptions.add(trt);
          for (Map.Entry<String, String> e : tensorRtOptions(options, OnnxModels.inputs(model), onnxFile).entrySet()) {
            trt.add(e.getKey(), e.getValue());
          }
          so.addTensorrt(trt);
        }
        if (device != Device.CPU) { // with TensorRT, the nodes it does not take run on CUDA
          OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(options.deviceId());
          providerOptions.add(cuda);
          for (Map.Entry<String, String> e : cudaOptions(options).entrySet()) {
            cuda.add(e.getKey(), e.getValue());
          }
          so.addCUDA(cuda);
        }
      } catch (java.io.IOException e) {
        providerOptions.forEach(ai.onnxruntime.OrtProviderOptions::close);
        throw new VideoJamException("cannot create the engine cache folder " + options.engineCache() + ": " + e.getMessage()
            + "; choose a writable --engine-cache folder");
      } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
        providerOptions.forEach(ai.onnxruntime.OrtProviderOptions::close);
        if (e instanceof VideoJamException v) {
          throw v;
        }
        throw new VideoJamException("backend " + device.key + ": cannot start the " + device.label + " execution provider on device "
            + options.deviceId() + " (" + providerError(e.getMessage()) + "); check the GPU driver, CUDA 12 and cuDNN 9"
            + (device == Device.TENSORRT ? " and TensorRT 10" : "") + " (their lib folders on LD_LIBRARY_PATH), or use --backend cpu");
      }
      OrtSession session;
      try {
        session = convert
            ? env.createSession(OnnxPrecision.convert(model, OnnxPrecision.Precision.parse(options.precision())).toByteArray(), so)
            : openFile(env, onnxFile, so);
      } finally {
        providerOptions.forEach(ai.onnxruntime.OrtProviderOptions::close);
      }
      return new OrtGraphSession(env, session, onnxFile);
    } catch (OrtException e) {
      String precision = options.precision().equals("fp32") ? "" : " in " + options.precision();
      if (device != Device.CPU) { // the provider started but the session did not: most often the GPU or a library, not the file
        throw new VideoJamException("ONNX Runtime cannot open " + onnxFile + precision + " on the " + device.label + " provider, device "
            + options.deviceId() + ": " + providerError(e.getMessage()) + "; check the GPU, its driver and libraries, try --precision fp32, "
            + "or use --backend cpu");
      }
      String msg = firstLine(e.getMessage());
      if (msg.contains("Could not find an implementation for")) {
        throw new VideoJamException("ONNX Runtime's CPU provider cannot run " + onnxFile + precision + ": " + msg
            + "; it has no kernel for that operator with these element types (boolean Where nodes are rewritten automatically for"
            + " graphs without external data; otherwise re-export the graph so the operator works on float or int64 tensors)");
      }
      throw new VideoJamException("ONNX Runtime cannot load " + onnxFile + precision + ": " + msg
          + "; check that it is a valid ONNX model with its external-data files beside it"
          + (precision.isEmpty() ? "" : ", or use --precision fp32 (this provider may lack " + options.precision() + " kernels)"));
    }
  }

  /**
   * Opens a graph file; a graph with boolean Where nodes (no CPU kernel) is opened rewritten (see
   * {@link io.videojam.onnx.ShapeFolder}) when its tensors are all inside the file.
   */
  private static OrtSession openFile(OrtEnvironment env, Path file, OrtSession.SessionOptions so) throws OrtException {
    try {
      return env.createSession(file.toString(), so);
    } catch (OrtException e) {
      if (e.getMessage() == null || !e.getMessage().contains("Could not find an implementation for Where")) {
        throw e;
      }
      ai.onnx.proto.OnnxMl.ModelProto m = io.videojam.onnx.OnnxModels.read(file);
      if (io.videojam.onnx.OnnxModels.hasExternalData(m)) {
        throw e;
      }
      io.videojam.onnx.ShapeFolder.Result r = io.videojam.onnx.ShapeFolder.fold(m);
      if (r.boolWheres() == 0) {
        throw e;
      }
      return env.createSession(r.model().toByteArray(), so);
    }
  }

  /** CUDA execution provider options: the device, its own stream for copies, and a growing arena. */
  static Map<String, String> cudaOptions(BackendOptions options) {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("device_id", Integer.toString(options.deviceId()));
    o.put("do_copy_in_default_stream", "1");
    o.put("cudnn_conv_algo_search", "EXHAUSTIVE");
    o.put("arena_extend_strategy", "kSameAsRequested");
    return o;
  }

  /**
   * TensorRT execution provider options: device, precision flags, engine and timing caches under
   * {@code <cache>/ort-tensorrt}, and one optimisation profile for batch 1 to {@code maxBatch}.
   */
  static Map<String, String> tensorRtOptions(BackendOptions options, List<TensorInfo> inputs, Path graph) {
    BatchProfile profile = BatchProfile.of(inputs, options.maxBatch(), graph.toString());
    String cache = options.engineCache().resolve("ort-tensorrt").toString();
    Map<String, String> o = new LinkedHashMap<>();
    o.put("device_id", Integer.toString(options.deviceId()));
    o.put("trt_fp16_enable", options.precision().equals("fp16") ? "1" : "0");
    o.put("trt_bf16_enable", options.precision().equals("bf16") ? "1" : "0");
    o.put("trt_engine_cache_enable", "1");
    o.put("trt_engine_cache_path", cache);
    o.put("trt_timing_cache_enable", "1");
    o.put("trt_timing_cache_path", cache);
    o.put("trt_profile_min_shapes", BatchProfile.ortShapes(profile.min()));
    o.put("trt_profile_opt_shapes", BatchProfile.ortShapes(profile.opt()));
    o.put("trt_profile_max_shapes", BatchProfile.ortShapes(profile.max()));
    return o;
  }

  /**
   * The useful part of a provider start-up failure: "libcublasLt.so.12: cannot open shared object
   * file: ..." rather than ONNX Runtime's source location.
   */
  static String providerError(String message) {
    String m = firstLine(message);
    int with = m.lastIndexOf("with error: ");
    if (with >= 0) {
      return m.substring(with + "with error: ".length()).strip();
    }
    int bracket = m.lastIndexOf("] : ");
    return bracket >= 0 ? m.substring(bracket + 4).strip() : m;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "no message";
    }
    String line = s.strip();
    int nl = line.indexOf('\n');
    return nl < 0 ? line : line.substring(0, nl);
  }

  /** ServiceLoader entry for {@code --backend cpu}. */
  public static final class Cpu implements BackendProvider {
    @Override
    public String name() {
      return "cpu";
    }

    @Override
    public String description() {
      return "ONNX Runtime on CPU (default)";
    }

    @Override
    public Backend create() {
      return new OrtBackend(Device.CPU);
    }
  }

  /** ServiceLoader entry for {@code --backend cuda}. */
  public static final class Cuda implements BackendProvider {
    @Override
    public String name() {
      return "cuda";
    }

    @Override
    public String description() {
      return "ONNX Runtime, CUDA execution provider (build with -Pgpu)";
    }

    @Override
    public Backend create() {
      return new OrtBackend(Device.CUDA);
    }
  }

  /** ServiceLoader entry for {@code --backend tensorrt}. */
  public static final class TensorRt implements BackendProvider {
    @Override
    public String name() {
      return "tensorrt";
    }

    @Override
    public String description() {
      return "ONNX Runtime, TensorRT execution provider with CUDA fallback (build with -Pgpu)";
    }

    @Override
    public Backend create() {
      return new OrtBackend(Device.TENSORRT);
    }
  }
}
