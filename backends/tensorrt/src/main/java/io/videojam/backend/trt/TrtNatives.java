package io.videojam.backend.trt;

import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaSuccess;

import io.videojam.api.VideoJamException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.global.nvonnxparser;

/**
 * Loads CUDA and TensorRT on first use and says, in one line, what is missing. Nothing here runs
 * when the class is merely on the class path.
 */
final class TrtNatives {
  static final String PRESET_TENSORRT = "11.2";
  static final String PRESET_CUDA = "13";

  private static volatile String problem;
  private static volatile boolean probed;

  private TrtNatives() {
  }

  /** Null when CUDA, a GPU and TensorRT are all there; otherwise what is missing and how to get it. */
  static String problem() {
    if (!probed) {
      synchronized (TrtNatives.class) {
        if (!probed) {
          problem = probe();
          probed = true;
        }
      }
    }
    return problem;
  }

  private static String probe() {
    try {
      Loader.load(org.bytedeco.cuda.global.cudart.class);
    } catch (Throwable e) { // UnsatisfiedLinkError, or NoClassDefFoundError after a failed static initialiser
      return "CUDA cannot be loaded (" + shortMessage(e) + "); it needs the NVIDIA driver (libcuda.so.1) and the CUDA "
          + PRESET_CUDA + " runtime (libcudart.so." + PRESET_CUDA + "), or use --backend cpu";
    }
    int[] count = new int[1];
    int rc = cudaGetDeviceCount(count);
    if (rc != cudaSuccess || count[0] == 0) {
      return "no CUDA GPU is visible (" + (rc != cudaSuccess ? cudaGetErrorString(rc).getString() : "0 devices")
          + "); check the driver with nvidia-smi and CUDA_VISIBLE_DEVICES, or use --backend cpu";
    }
    try {
      Loader.load(nvinfer.class);
      Loader.load(nvonnxparser.class);
    } catch (Throwable e) {
      return "TensorRT " + PRESET_TENSORRT + " cannot be loaded (" + shortMessage(e) + "); install TensorRT " + PRESET_TENSORRT
          + " for CUDA " + PRESET_CUDA + " (libnvinfer.so.11, libnvonnxparser.so.11) with its lib folder on LD_LIBRARY_PATH, "
          + "or use --backend tensorrt (ONNX Runtime's TensorRT provider) or cpu";
    }
    return null;
  }

  private static final java.util.regex.Pattern MISSING = java.util.regex.Pattern.compile("(lib[^/:\\s]+\\.so[.0-9]*): cannot open shared object file");

  /**
   * What the loader says, in a few words: the library the dynamic linker could not find (JavaCPP
   * reports "no jniX in java.library.path" and keeps the linker's message in the cause).
   */
  static String shortMessage(Throwable e) {
    String deepest = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        deepest = t.getMessage();
        java.util.regex.Matcher m = MISSING.matcher(deepest);
        if (m.find()) {
          return m.group(1) + " not found";
        }
      }
    }
    if (deepest == null) {
      return e.getClass().getSimpleName();
    }
    int nl = deepest.indexOf('\n');
    String m = nl < 0 ? deepest : deepest.substring(0, nl);
    return m.length() > 160 ? m.substring(0, 160) + "..." : m;
  }

  /** The GPU's name and compute capability, for engine cache keys. */
  static String gpu(int device) {
    check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    try (cudaDeviceProp p = new cudaDeviceProp()) {
      check(cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties");
      // name, compute capability, SM count and memory: what TensorRT's engines and timing caches depend on
      return p.name().getString().strip() + " sm_" + p.major() + p.minor() + " " + p.multiProcessorCount() + "SM "
          + (p.totalGlobalMem() >> 20) + "MiB";
    }
  }

  /** TensorRT's version as major.minor.patch.build. */
  static String tensorRtVersion() {
    return nvinfer.getInferLibMajorVersion() + "." + nvinfer.getInferLibMinorVersion() + "." + nvinfer.getInferLibPatchVersion()
        + "." + nvinfer.getInferLibBuildVersion();
  }

  static void check(int rc, String what) {
    if (rc != cudaSuccess) {
      throw new VideoJamException("CUDA " + what + " failed: " + cudaGetErrorString(rc).getString() + " (error " + rc + ")");
    }
  }
}
