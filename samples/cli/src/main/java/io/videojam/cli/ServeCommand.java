package io.videojam.cli;

import io.videojam.api.VideoJamException;
import io.videojam.serve.ServeConfig;
import io.videojam.serve.VideoServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code videojam serve}: the HTTP service and its web page, until SIGTERM or Ctrl-C. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Serve generation over HTTP: a JSON API (POST /v1/videos, GET /v1/videos/ID, .../content, .../events, DELETE, "
        + "GET /v1/models, /health, /metrics) and a web page at /.",
        "Requests wait in a bounded queue (a full queue answers 429 with Retry-After); each worker loads the model once.",
        "SIGTERM or Ctrl-C: new requests get 503, queued ones are cancelled, running ones may finish within --grace (then are cancelled); "
            + "exit code 0. See docs/serve.md."})
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE}, this machine only)")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "port (default: ${DEFAULT-VALUE}; 0 picks a free one)")
  int port;

  @Option(names = "--queue", defaultValue = "16", description = "requests that may wait for a worker; one more is answered 429 (default: ${DEFAULT-VALUE})")
  int queue;

  @Option(names = "--workers", defaultValue = "1", description = "generations at once, each on its own model session (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--outputs", defaultValue = "runs/serve", paramLabel = "DIR", description = "where each request's files go, DIR/ID (default: ${DEFAULT-VALUE})")
  Path outputs;

  @Option(names = "--retention", defaultValue = "1h", description = "how long finished requests and their files are kept: 90s, 30m, 1h, 2d (default: ${DEFAULT-VALUE})")
  String retention;

  @Option(names = "--grace", defaultValue = "30s", description = "on SIGTERM, how long running generations may take to finish before they are cancelled (default: ${DEFAULT-VALUE})")
  String grace;

  @Mixin
  ModelOptions model = new ModelOptions();

  @Override
  public Integer call() throws InterruptedException {
    Checks.workFolder("--outputs", outputs);
    ServeConfig config = new ServeConfig(model.config(), host, port, queue, workers, duration("--retention", retention), outputs,
        duration("--grace", grace));
    VideoServer server = VideoServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable stop = () -> {
      System.out.println("videojam serve: stopping: new requests get 503, queued ones are cancelled, running ones may finish within " + grace);
      server.close();
      stopped.countDown();
    };
    // handled here rather than by the JVM's default (exit code 143), so that a stop is orderly and ends with exit code 0
    for (String signal : new String[] {"TERM", "INT"}) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> new Thread(stop, "videojam-stop").start());
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (-Xrs): it then ends the process as usual, and the staging hook cleans up
        System.err.println("videojam: warning: SIG" + signal + " stays with the JVM (" + e.getMessage() + "); it will not stop the service in order");
      }
    }
    System.out.printf(Locale.ROOT, "videojam serve: %s (model %s on %s, %d worker%s, queue %d); outputs in %s, kept %s; stop with Ctrl-C or SIGTERM%n",
        server.url(), server.service().model().name(), server.service().backend(), workers, workers == 1 ? "" : "s", queue,
        outputs, retention);
    stopped.await();
    System.out.println("videojam serve: stopped");
    return 0;
  }

  /** "90s", "30m", "1h", "2d" or plain seconds. */
  static Duration duration(String flag, String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      char unit = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
      String n = Character.isDigit(unit) ? t : t.substring(0, t.length() - 1);
      long v = Long.parseLong(n);
      Duration d = switch (unit) {
        case 's' -> Duration.ofSeconds(v);
        case 'm' -> Duration.ofMinutes(v);
        case 'h' -> Duration.ofHours(v);
        case 'd' -> Duration.ofDays(v);
        default -> {
          if (!Character.isDigit(unit)) {
            throw new NumberFormatException();
          }
          yield Duration.ofSeconds(v);
        }
      };
      if (d.isNegative()) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException | ArithmeticException e) {
      throw new VideoJamException(flag + " '" + s + "' is not a duration; write for example 90s, 30m, 1h or 2d");
    }
  }
}
