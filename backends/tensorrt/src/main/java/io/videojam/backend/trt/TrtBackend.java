package io.videojam.backend.trt;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.GraphSession;
import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TensorRT without ONNX Runtime ({@code --backend trt-native}): builds an engine from the ONNX
 * graph through TensorRT's ONNX parser, caches it on disk, and runs it on a CUDA stream with device
 * buffers reused between runs. The natives (CUDA 13 runtime, TensorRT 11.2) are looked up only
 * when this backend is asked whether it is available or opened.
 */
public final class TrtBackend implements Backend {
  @Override
  public String name() {
    return "trt-native";
  }

  @Override
  public String description() {
    return "TensorRT " + TrtNatives.PRESET_TENSORRT + " through JavaCPP (needs CUDA " + TrtNatives.PRESET_CUDA + " and TensorRT "
        + TrtNatives.PRESET_TENSORRT + " installed)";
  }

  @Override
  public boolean prefersBatching() {
    return true;
  }

  @Override
  public boolean batchLimited() {
    return true;
  }

  @Override
  public boolean available() {
    return TrtNatives.problem() == null;
  }

  @Override
  public String unavailableReason() {
    String p = TrtNatives.problem();
    return p == null ? "" : "--backend trt-native: " + p;
  }

  @Override
  public GraphSession open(Path onnxFile, BackendOptions options) {
    if (!Files.isRegularFile(onnxFile)) {
      throw new VideoJamException("ONNX file " + onnxFile + " not found; check the path (or model.json's \"onnx\")");
    }
    if (!available()) {
      throw new VideoJamException(unavailableReason());
    }
    TrtEngines.Loaded engine = TrtEngines.load(onnxFile, options);
    return new TrtGraphSession(engine, onnxFile, options);
  }

  /** ServiceLoader entry for {@code --backend trt-native}. */
  public static final class Provider implements BackendProvider {
    @Override
    public String name() {
      return "trt-native";
    }

    @Override
    public String description() {
      return "TensorRT engine built from the ONNX graph, without ONNX Runtime (needs CUDA 13 + TensorRT 11.2)";
    }

    @Override
    public Backend create() {
      return new TrtBackend();
    }
  }
}
