package io.videojam.serve;

import io.videojam.api.VideoJamException;
import io.videojam.runtime.RuntimeConfig;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How {@code videojam serve} runs.
 *
 * @param runtime the model and backend every worker opens (one session per worker, loaded once)
 * @param host the address to listen on ({@code 127.0.0.1}: this machine only)
 * @param port the port; 0 picks a free one
 * @param queue how many accepted requests may wait for a worker; one more is answered 429
 * @param workers how many generations run at once, each on its own model session
 * @param retention how long a finished request's outputs (and its status) are kept
 * @param outputs the folder the outputs go to, one folder per request ({@code outputs/ID})
 * @param grace on shutdown, how long a running generation may take to finish before it is cancelled
 */
public record ServeConfig(RuntimeConfig runtime, String host, int port, int queue, int workers, Duration retention, Path outputs,
    Duration grace) {
  public ServeConfig {
    if (runtime == null) {
      throw new VideoJamException("runtime is null; pass the model and backend to serve (RuntimeConfig.cpu(modelDirectory))");
    }
    if (host == null || host.isBlank()) {
      throw new VideoJamException("host is empty; name an address to listen on, e.g. 127.0.0.1");
    }
    if (port < 0 || port > 65535) {
      throw new VideoJamException("port must be in [0, 65535], got " + port);
    }
    if (queue < 1 || queue > 100_000) {
      throw new VideoJamException("queue must be in [1, 100000], got " + queue);
    }
    if (workers < 1 || workers > 64) {
      throw new VideoJamException("workers must be in [1, 64], got " + workers);
    }
    if (retention == null || retention.isNegative() || retention.isZero()) {
      throw new VideoJamException("retention must be longer than 0 s, got " + seconds(retention) + "; keep outputs for example 1h");
    }
    if (outputs == null || outputs.toString().isBlank()) {
      throw new VideoJamException("outputs is empty; name a folder for the generated videos");
    }
    if (grace == null || grace.isNegative()) {
      throw new VideoJamException("grace must be 0 s or more, got " + seconds(grace));
    }
  }

  private static String seconds(Duration d) {
    return d == null ? "none" : d.toMillis() / 1000.0 + " s";
  }

  /** 127.0.0.1:8080, a queue of 16, one worker, outputs kept an hour in {@code outputs}, 30 s for a running generation on shutdown. */
  public static ServeConfig defaults(RuntimeConfig runtime, Path outputs) {
    return new ServeConfig(runtime, "127.0.0.1", 8080, 16, 1, Duration.ofHours(1), outputs, Duration.ofSeconds(30));
  }

  public ServeConfig withPort(int p) {
    return new ServeConfig(runtime, host, p, queue, workers, retention, outputs, grace);
  }

  public ServeConfig withQueue(int q) {
    return new ServeConfig(runtime, host, port, q, workers, retention, outputs, grace);
  }

  public ServeConfig withWorkers(int w) {
    return new ServeConfig(runtime, host, port, queue, w, retention, outputs, grace);
  }

  public ServeConfig withRetention(Duration r) {
    return new ServeConfig(runtime, host, port, queue, workers, r, outputs, grace);
  }

  public ServeConfig withGrace(Duration g) {
    return new ServeConfig(runtime, host, port, queue, workers, retention, outputs, g);
  }
}
