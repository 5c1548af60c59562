package io.videojam.api;

/**
 * Options for opening graphs on a backend.
 *
 * @param intraOpThreads threads inside one operator; 0 lets the backend choose
 * @param interOpThreads threads across operators; 0 lets the backend choose
 * @param optimization graph optimisation level: {@code none}, {@code basic}, {@code extended} or {@code all}
 * @param deviceId GPU index for GPU backends
 */
public record BackendOptions(int intraOpThreads, int interOpThreads, String optimization, int deviceId) {
  public static final java.util.List<String> OPTIMIZATION_LEVELS = java.util.List.of("none", "basic", "extended", "all");

  public BackendOptions {
    if (intraOpThreads < 0 || interOpThreads < 0) {
      throw new VideoJamException("thread counts must be >= 0 (0 = backend default), got " + intraOpThreads + "/" + interOpThreads);
    }
    if (!OPTIMIZATION_LEVELS.contains(optimization)) {
      throw new VideoJamException("unknown optimisation level '" + optimization + "'; use one of " + OPTIMIZATION_LEVELS);
    }
  }

  public static BackendOptions defaults() {
    return new BackendOptions(0, 0, "all", 0);
  }
}
