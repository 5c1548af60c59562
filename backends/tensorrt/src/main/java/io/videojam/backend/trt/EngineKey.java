package io.videojam.backend.trt;


/**
 * What a serialized TensorRT engine depends on. An engine only runs on the GPU model and TensorRT
 * version it was built with, for the graph, precision and shape range it was built from; a change
 * of any of them gives another file.
 *
 * @param graphSha256 SHA-256 of the ONNX graph and its external-data files
 * @param precision fp32, fp16 or bf16
 * @param converter what turned the graph into the network (the precision conversion and its version)
 * @param profile the batch profile ({@link io.videojam.onnx.BatchProfile#describe()})
 * @param gpu GPU name, compute capability, SM count and memory
 * @param tensorRt TensorRT library version
 */
record EngineKey(String graphSha256, String precision, String converter, String profile, String gpu, String tensorRt) {
  /** A file-name stem: 24 hex digits of the SHA-256 of every field. */
  String stem() {
    return io.videojam.api.Hashing.sha256Hex(String.join("\n", "videojam-trt-engine-1", graphSha256, precision, converter, profile, gpu, tensorRt)).substring(0, 24);
  }

  /** The timing cache depends only on the GPU and TensorRT version, so every graph shares it. */
  String timingCacheName() {
    return "timing-" + gpu.replaceAll("[^A-Za-z0-9._-]+", "_") + "-trt" + tensorRt + ".cache";
  }

  /** Human-readable description written beside the engine. */
  String json() {
    return "{\n  \"graph_sha256\": \"" + graphSha256 + "\",\n  \"precision\": \"" + precision + "\",\n  \"converter\": \"" + converter
        + "\",\n  \"profile\": \"" + profile + "\",\n  \"gpu\": \"" + gpu.replace("\"", "'") + "\",\n  \"tensorrt\": \"" + tensorRt + "\"\n}\n";
  }
}
