package io.videojam.api;

import java.nio.file.Path;
import java.util.List;

/**
 * Options for opening graphs on a backend.
 *
 * @param intraOpThreads threads inside one operator; 0 lets the backend choose
 * @param interOpThreads threads across operators; 0 lets the backend choose
 * @param optimization graph optimisation level: {@code none}, {@code basic}, {@code extended} or {@code all}
 * @param deviceId GPU index for GPU backends
 * @param precision arithmetic of the graph: {@code fp32}, {@code fp16} or {@code bf16} (GPU backends;
 *     inputs and outputs stay float32)
 * @param cacheDir where GPU backends keep built TensorRT engines and timing caches; null: the
 *     default ({@link #defaultCacheDir()})
 * @param maxBatch the largest batch one run will use (Inner-Guidance batches its 3 passes of one
 *     video: 3); TensorRT engines are built for batch 1 to this
 */
public record BackendOptions(int intraOpThreads, int interOpThreads, String optimization, int deviceId, String precision,
    Path cacheDir, int maxBatch) {
  public static final List<String> OPTIMIZATION_LEVELS = List.of("none", "basic", "extended", "all");
  public static final List<String> PRECISIONS = List.of("fp32", "fp16", "bf16");

  /** The most threads a backend may be asked for. */
  public static final int MAX_THREADS = 1024;

  public BackendOptions {
    if (intraOpThreads < 0 || intraOpThreads > MAX_THREADS) {
      throw new VideoJamException("intraOpThreads must be in [0, " + MAX_THREADS + "] (0 = backend default), got " + intraOpThreads);
    }
    if (interOpThreads < 0 || interOpThreads > MAX_THREADS) {
      throw new VideoJamException("interOpThreads must be in [0, " + MAX_THREADS + "] (0 = backend default), got " + interOpThreads);
    }
    if (!OPTIMIZATION_LEVELS.contains(optimization)) {
      throw new VideoJamException("unknown optimisation level '" + optimization + "'; use one of " + OPTIMIZATION_LEVELS);
    }
    if (deviceId < 0) {
      throw new VideoJamException("deviceId must be a GPU index >= 0, got " + deviceId);
    }
    if (!PRECISIONS.contains(precision)) {
      throw new VideoJamException("unknown precision '" + precision + "'; use one of " + PRECISIONS);
    }
    if (maxBatch < 1 || maxBatch > 256) {
      throw new VideoJamException("maxBatch must be in [1, 256], got " + maxBatch);
    }
  }

  /** Float32, default cache folder, batches up to 3. */
  public BackendOptions(int intraOpThreads, int interOpThreads, String optimization, int deviceId) {
    this(intraOpThreads, interOpThreads, optimization, deviceId, "fp32", null, 3);
  }

  public static BackendOptions defaults() {
    return new BackendOptions(0, 0, "all", 0);
  }

  public BackendOptions withPrecision(String p) {
    return new BackendOptions(intraOpThreads, interOpThreads, optimization, deviceId, p, cacheDir, maxBatch);
  }

  public BackendOptions withMaxBatch(int b) {
    return new BackendOptions(intraOpThreads, interOpThreads, optimization, deviceId, precision, cacheDir, b);
  }

  /** The engine cache folder: {@link #cacheDir()}, else {@code $XDG_CACHE_HOME/videojam/engines} or {@code ~/.cache/videojam/engines}. */
  public Path engineCache() {
    if (cacheDir != null) {
      return cacheDir;
    }
    return defaultCacheDir();
  }

  public static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("videojam").resolve("engines");
  }
}
