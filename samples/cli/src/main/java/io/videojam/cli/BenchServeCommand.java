package io.videojam.cli;

import io.videojam.api.VideoJamException;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.serve.BatchProbe;
import io.videojam.serve.JamRender;
import io.videojam.serve.LoadTest;
import io.videojam.serve.ServeConfig;
import io.videojam.serve.VideoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code videojam bench serve}: a load test of {@code videojam serve} on 127.0.0.1. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Load test of videojam serve on 127.0.0.1: --requests POSTs from --clients concurrent clients (a 429 is retried after its "
        + "Retry-After), each followed by its progress events to the end.",
        "Prints throughput, p50/p99 latency, the 429s, whether every accepted request succeeded with a video.mp4 byte-identical to "
            + "`videojam generate`'s for the same settings, and memory (RSS, heap after GC) at the start, middle and end.",
        "Starts the service in this process unless --url names one already running (then with the same --model)."})
final class BenchServeCommand implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "200", description = "requests in all (default: ${DEFAULT-VALUE})")
  int requests;

  @Option(names = "--clients", defaultValue = "16", description = "concurrent clients (default: ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--steps", defaultValue = "10", description = "sampling steps of each request (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--seeds", defaultValue = "4", description = "distinct seeds: request i uses seed i % N (default: ${DEFAULT-VALUE})")
  int seeds;

  @Option(names = "--prompt", defaultValue = "a red square moving right", description = "prompt (default: ${DEFAULT-VALUE})")
  String prompt;

  @Option(names = "--queue", defaultValue = "8", description = "queue of the service started here (default: ${DEFAULT-VALUE}, fewer than the clients, so some get 429)")
  int queue;

  @Option(names = "--workers", defaultValue = "1", description = "workers of the service started here (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(names = "--deadline", defaultValue = "600", description = "seconds the test may take at most (default: ${DEFAULT-VALUE})")
  int deadline;

  @Option(names = "--retries", defaultValue = "100", description = "retries of one request after 429s (default: ${DEFAULT-VALUE})")
  int retries;

  @Option(names = "--url", description = "a service already running on this machine, http://127.0.0.1:PORT")
  String url;

  @Mixin
  ModelOptions model = new ModelOptions();

  @Override
  public Integer call() throws Exception {
    Checks.range("--deadline", deadline, 1, 86_400);
    RuntimeConfig config = model.config();
    Path scratch = Files.createTempDirectory("videojam-bench-serve");
    try {
      LoadTest.Options options = new LoadTest.Options(url != null ? url : "http://127.0.0.1:1", requests, clients, prompt, steps, seeds,
          Duration.ofSeconds(deadline), retries);
      Map<Long, byte[]> reference = references(options, config, scratch);
      if (url == null) {
        batching(config);
      }
      VideoServer server = null;
      if (url == null) {
        server = VideoServer.start(new ServeConfig(config, "127.0.0.1", 0, queue, workers, Duration.ofHours(1), scratch.resolve("outputs"),
            Duration.ofSeconds(30)));
        options = new LoadTest.Options(server.url(), requests, clients, prompt, steps, seeds, Duration.ofSeconds(deadline), retries);
      }
      try {
        System.out.printf(Locale.ROOT, "load test: %d requests from %d clients to %s (%s), \"%s\", %d steps, seeds 0-%d%n", requests, clients,
            options.url(), server != null ? workers + " worker" + (workers == 1 ? "" : "s") + ", queue " + queue + ", in this process"
                : "started elsewhere", prompt, steps, seeds - 1);
        // warm-up: one request per worker, untimed
        LoadTest.run(new LoadTest.Options(options.url(), workers, workers, prompt, steps, seeds, Duration.ofSeconds(deadline), retries),
            reference, line -> {});
        LoadTest.Result r = LoadTest.run(options, reference, System.out::println);
        print(r);
        boolean ok = r.passed(requests);
        System.out.println(ok ? "passed: every request was accepted and succeeded, and every video equals the CLI's"
            : "FAILED: see the lines above");
        return ok ? 0 : 1;
      } finally {
        if (server != null) {
          server.close();
        }
      }
    } finally {
      deleteTree(scratch);
    }
  }

  /**
   * The expected video.mp4 of each seed, from `videojam generate` itself (run in this process) and
   * from the library path the service uses; the two must be equal.
   */
  private Map<Long, byte[]> references(LoadTest.Options o, RuntimeConfig config, Path scratch) throws Exception {
    Map<Long, byte[]> cli = new HashMap<>();
    for (long seed = 0; seed < Math.min(seeds, requests); seed++) {
      Path out = scratch.resolve("cli-" + seed);
      List<String> args = new ArrayList<>(List.of("generate", "--prompt", prompt, "--seed", Long.toString(seed), "--steps", Integer.toString(steps),
          "--out", out.toString(), "--no-progress", "--model", config.modelDir().toString(), "--backend", config.backend()));
      PrintStream stdout = System.out;
      ByteArrayOutputStream captured = new ByteArrayOutputStream();
      int code;
      try {
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        code = Main.run(args.toArray(String[]::new));
      } finally {
        System.setOut(stdout);
      }
      if (code != 0) {
        throw new VideoJamException("videojam generate for the reference of seed " + seed + " failed (exit code " + code + ")");
      }
      cli.put(seed, Files.readAllBytes(out.resolve("video.mp4")));
    }
    int equal = 0;
    try (JamRender render = JamRender.open(config)) {
      for (var e : cli.entrySet()) {
        byte[] lib = LoadTest.referenceVideo(render, prompt, o.settings(e.getKey()), scratch.resolve("library"));
        equal += Arrays.equals(lib, e.getValue()) ? 1 : 0;
      }
    }
    System.out.printf(Locale.ROOT, "references: video.mp4 of seeds 0-%d by `videojam generate` and by the service's library path: %d of %d "
        + "byte-identical%n", cli.size() - 1, equal, cli.size());
    if (equal != cli.size()) {
      throw new VideoJamException("the service's library path writes a different video.mp4 than videojam generate for the same settings; "
          + "report it");
    }
    return cli;
  }

  /** Whether batching two requests' passes would pay here: one model run at batch 1, 3 and 6. */
  private void batching(RuntimeConfig config) {
    List<BatchProbe.Point> points = BatchProbe.measure(config, prompt, new int[] {1, 3, 6}, 10, 100);
    StringBuilder b = new StringBuilder("batching probe (" + config.backend() + ", median of 100 model runs each, taking turns):");
    for (BatchProbe.Point p : points) {
      b.append(String.format(Locale.ROOT, " batch %d %.2f ms (%.2f ms a sample);", p.batch(), p.msPerRun(), p.msPerSample()));
    }
    double three = points.get(1).msPerSample();
    double six = points.get(2).msPerSample();
    b.append(String.format(Locale.ROOT, " two requests' passes at batch 6 instead of 3 save %.0f %% a sample", 100 * (1 - six / three)));
    System.out.println(b);
  }

  private static void print(LoadTest.Result r) {
    System.out.printf(Locale.ROOT, "done in %.1f s: throughput %.2f videos/s%n", r.seconds(), r.throughput());
    System.out.printf(Locale.ROOT, "requests: %d sent, %d accepted, %d succeeded; 429 answers: %d (each retried after its Retry-After), "
        + "given up: %d%n", r.sent(), r.accepted(), r.succeeded(), r.rejected(), r.gaveUp());
    System.out.printf(Locale.ROOT, "latency, accepted (202) -> succeeded: p50 %.2f s, p99 %.2f s; first POST -> succeeded (429 waits "
        + "included): p50 %.2f s, p99 %.2f s%n", LoadTest.Result.percentile(r.acceptedToDone(), 50), LoadTest.Result.percentile(r.acceptedToDone(), 99),
        LoadTest.Result.percentile(r.submitToDone(), 50), LoadTest.Result.percentile(r.submitToDone(), 99));
    System.out.printf(Locale.ROOT, "videos byte-identical to `videojam generate`'s for the same settings: %d of %d succeeded%n", r.identical(),
        r.succeeded());
    LoadTest.Memory first = r.memory().get(0);
    LoadTest.Memory last = r.memory().get(r.memory().size() - 1);
    long maxRss = r.memory().stream().mapToLong(LoadTest.Memory::residentBytes).max().orElse(0);
    long maxOutside = r.memory().stream().mapToLong(LoadTest.Memory::outsideHeapBytes).max().orElse(0);
    System.out.printf(Locale.ROOT, "memory: RSS %d MB at the start, %d MB at the end (%+.1f %%), at most %d MB; heap after GC %d -> %d MB; "
        + "outside the heap %d -> %d MB (%+.1f %%), at most %d MB%n", first.residentBytes() >> 20, last.residentBytes() >> 20,
        100.0 * (last.residentBytes() - first.residentBytes()) / first.residentBytes(), maxRss >> 20, first.heapAfterGcBytes() >> 20,
        last.heapAfterGcBytes() >> 20, first.outsideHeapBytes() >> 20, last.outsideHeapBytes() >> 20,
        100.0 * (last.outsideHeapBytes() - first.outsideHeapBytes()) / first.outsideHeapBytes(), maxOutside >> 20);
    r.problems().forEach(p -> System.out.println("  problem: " + p));
  }

  private static void deleteTree(Path root) throws java.io.IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
