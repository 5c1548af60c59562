package io.videojam.backend.ort;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.GraphSession;
import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * ONNX Runtime with one execution provider: CPU (default), CUDA or TensorRT. The GPU providers
 * exist only in the {@code onnxruntime_gpu} build (Maven profile {@code -Pgpu}) on a machine with
 * CUDA 12 and cuDNN 9 (TensorRT 10 for the TensorRT provider).
 */
public final class OrtBackend implements Backend {
  /** Which execution provider runs the graph. */
  public enum Device {
    CPU("cpu", OrtProvider.CPU),
    CUDA("cuda", OrtProvider.CUDA),
    TENSORRT("tensorrt", OrtProvider.TENSOR_RT);

    final String key;
    final OrtProvider provider;

    Device(String key, OrtProvider provider) {
      this.key = key;
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
    return "ONNX Runtime, " + device.provider + " execution provider";
  }

  @Override
  public boolean prefersBatching() {
    return device != Device.CPU;
  }

  @Override
  public boolean available() {
    return providers().contains(device.provider);
  }

  @Override
  public String unavailableReason() {
    if (available()) {
      return "";
    }
    return "--backend " + device.key + ": the " + device.provider + " execution provider is not in this ONNX Runtime build (has "
        + providers() + "); rebuild with 'mvn -Pgpu' (onnxruntime_gpu, needs CUDA 12 + cuDNN 9"
        + (device == Device.TENSORRT ? " + TensorRT 10" : "") + ") or use --backend cpu";
  }

  private static EnumSet<OrtProvider> providers() {
    try {
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
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setIntraOpNumThreads(options.intraOpThreads());
      so.setInterOpNumThreads(options.interOpThreads());
      so.setOptimizationLevel(switch (options.optimization()) {
        case "none" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
        case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
        case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
        default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
      });
      try {
        switch (device) {
          case CUDA -> so.addCUDA(options.deviceId());
          case TENSORRT -> {
            so.addTensorrt(options.deviceId());
            so.addCUDA(options.deviceId());
          }
          default -> { }
        }
      } catch (OrtException | RuntimeException | UnsatisfiedLinkError e) {
        throw new VideoJamException("--backend " + device.key + ": cannot start the " + device.provider + " execution provider on device "
            + options.deviceId() + " (" + firstLine(e.getMessage()) + "); check the GPU driver, CUDA 12 and cuDNN 9, or use --backend cpu");
      }
      OrtSession session = env.createSession(onnxFile.toString(), so);
      return new OrtGraphSession(env, session, onnxFile);
    } catch (OrtException e) {
      throw new VideoJamException("ONNX Runtime cannot load " + onnxFile + ": " + firstLine(e.getMessage())
          + "; check that it is a valid ONNX model (opset <= 21) with its external-data files beside it");
    }
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
