package io.videojam.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.VideoJamException;
import io.videojam.runtime.SamplingSettings;
import io.videojam.runtime.Soak;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A load test of a running service: {@code requests} POSTs from {@code clients} concurrent clients
 * (each sends one, follows its progress events to the end, fetches its video, then sends the next);
 * a 429 is retried after its Retry-After, a bounded number of times. Every succeeded video is
 * compared byte for byte with a reference for its settings. Memory (resident set, heap after a
 * collection, heap committed) is sampled at the start, after each tenth of the requests, and at the
 * end: meaningful where the service runs in this process.
 */
public final class LoadTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadTest() {}

  /**
   * @param url the service, {@code http://127.0.0.1:PORT}
   * @param requests how many requests in all
   * @param clients how many send at once
   * @param prompt the prompt of every request
   * @param steps sampling steps of every request
   * @param seeds request i uses seed {@code i % seeds}
   * @param deadline the whole test stops after this (requests not sent by then are counted as not sent)
   * @param retries how often a client retries one request after a 429
   */
  public record Options(String url, int requests, int clients, String prompt, int steps, int seeds, Duration deadline, int retries) {
    public Options {
      if (!url.startsWith("http://127.0.0.1:") && !url.startsWith("http://localhost:") && !url.startsWith("http://[::1]:")) {
        throw new VideoJamException("the load test runs against this machine only (http://127.0.0.1:PORT), got " + url);
      }
      check("requests", requests, 1, 1_000_000);
      check("clients", clients, 1, 1024);
      check("steps", steps, 1, 10_000);
      check("seeds", seeds, 1, 1_000_000);
      check("retries", retries, 0, 1_000_000);
    }

    private static void check(String name, long v, long min, long max) {
      if (v < min || v > max) {
        throw new VideoJamException(name + " must be in [" + min + ", " + max + "], got " + v);
      }
    }

    /** The JSON body of request {@code i}. */
    public String body(int i) {
      try {
        return JSON.writeValueAsString(Map.of("prompt", prompt, "seed", seed(i), "steps", steps));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    public long seed(int i) {
      return i % seeds;
    }

    /** The settings request {@code i} asks for, as {@code videojam generate --prompt P --seed S --steps N} has them. */
    public SamplingSettings settings(long seed) {
      SamplingSettings d = SamplingSettings.DEFAULTS;
      return new SamplingSettings(seed, steps, d.solver(), d.schedule(), d.shift(), d.guidance(), d.guidanceSettings(), d.guidanceStart(),
          d.guidanceStop(), d.passMode(), d.memoryBudgetBytes());
    }
  }

  /** Memory at one moment: resident set, heap used after a collection, and heap committed. */
  public record Memory(String when, long residentBytes, long heapAfterGcBytes, long heapCommittedBytes) {
    static Memory now(String when) {
      System.gc();
      var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
      return new Memory(when, Soak.residentBytes(), heap.getUsed(), heap.getCommitted());
    }

    /** Resident memory outside the Java heap (native: model sessions, encoders, thread stacks, code). */
    public long outsideHeapBytes() {
      return residentBytes - heapCommittedBytes;
    }
  }

  /**
   * @param seconds wall time of the test
   * @param sent requests sent (accepted or given up after 429s)
   * @param accepted requests answered 202
   * @param succeeded accepted requests that succeeded
   * @param rejected 429 answers (each retried, up to the retry bound)
   * @param gaveUp requests given up after that many 429s
   * @param identical succeeded requests whose video.mp4 equals the reference for their settings, byte for byte
   * @param acceptedToDone seconds from the 202 to the end event, sorted
   * @param submitToDone seconds from the first POST (429s included) to the end event, sorted
   * @param memory at the start, after each tenth of the requests, at the end
   * @param problems one line per request that did not succeed or whose video differs (at most 20)
   */
  public record Result(double seconds, int sent, int accepted, int succeeded, int rejected, int gaveUp, int identical,
      double[] acceptedToDone, double[] submitToDone, List<Memory> memory, List<String> problems) {
    public double throughput() {
      return succeeded / seconds;
    }

    /** Nearest-rank percentile {@code p} (0..100) of sorted values. */
    public static double percentile(double[] sorted, double p) {
      if (sorted.length == 0) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(p / 100.0 * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Whether every request was sent, accepted, succeeded and matched its reference. */
    public boolean passed(int requests) {
      return sent == requests && accepted == requests && succeeded == requests && identical == requests && gaveUp == 0;
    }
  }

  /**
   * Runs the test. {@code reference} gives the expected video.mp4 of a seed; {@code progress}
   * hears a line now and then.
   */
  public static Result run(Options o, Map<Long, byte[]> reference, Consumer<String> progress) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger rejected = new AtomicInteger();
    AtomicInteger gaveUp = new AtomicInteger();
    AtomicInteger identical = new AtomicInteger();
    List<Double> acceptedToDone = Collections.synchronizedList(new ArrayList<>());
    List<Double> submitToDone = Collections.synchronizedList(new ArrayList<>());
    List<String> problems = Collections.synchronizedList(new ArrayList<>());
    List<Memory> memory = Collections.synchronizedList(new ArrayList<>());
    memory.add(Memory.now("start"));
    long start = System.nanoTime();
    long deadline = start + o.deadline().toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(o.clients());
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < o.clients(); c++) {
      futures.add(pool.submit(() -> {
        int i;
        while ((i = next.getAndIncrement()) < o.requests() && System.nanoTime() < deadline) {
          try {
            one(client, o, i, deadline, reference, sent, accepted, succeeded, rejected, gaveUp, identical, acceptedToDone, submitToDone,
                problems);
          } catch (IOException e) {
            problem(problems, "request " + i + ": " + e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
          }
          int f = finished.incrementAndGet();
          if (f % Math.max(1, o.requests() / 10) == 0 && f < o.requests()) {
            Memory m = Memory.now(f + " done");
            memory.add(m);
            progress.accept(String.format(java.util.Locale.ROOT, "  %d of %d done after %.1f s; RSS %d MB, heap %d MB after GC of %d MB committed",
                f, o.requests(), (System.nanoTime() - start) / 1e9, m.residentBytes() >> 20, m.heapAfterGcBytes() >> 20,
                m.heapCommittedBytes() >> 20));
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        problem(problems, "a client failed: " + e.getCause());
      }
    }
    pool.shutdownNow();
    double seconds = (System.nanoTime() - start) / 1e9;
    memory.add(Memory.now("end"));
    return new Result(seconds, sent.get(), accepted.get(), succeeded.get(), rejected.get(), gaveUp.get(), identical.get(), sorted(acceptedToDone),
        sorted(submitToDone), List.copyOf(memory), List.copyOf(problems));
  }

  private static void one(HttpClient client, Options o, int i, long deadline, Map<Long, byte[]> reference, AtomicInteger sent,
      AtomicInteger accepted, AtomicInteger succeeded, AtomicInteger rejected, AtomicInteger gaveUp, AtomicInteger identical,
      List<Double> acceptedToDone, List<Double> submitToDone, List<String> problems) throws IOException, InterruptedException {
    long submit = System.nanoTime();
    String id = null;
    long acceptedAt = 0;
    for (int attempt = 0; id == null; attempt++) {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(o.url() + "/v1/videos")).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(o.body(i))).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 202) {
        id = JSON.readTree(r.body()).get("id").asText();
        acceptedAt = System.nanoTime();
      } else if (r.statusCode() == 429) {
        rejected.incrementAndGet();
        long wait = Long.parseLong(r.headers().firstValue("Retry-After").orElse("1")) * 1_000_000_000L;
        if (attempt >= o.retries() || System.nanoTime() + wait > deadline) {
          sent.incrementAndGet();
          gaveUp.incrementAndGet();
          problem(problems, "request " + i + ": gave up after " + (attempt + 1) + " answers 429");
          return;
        }
        Thread.sleep(wait / 1_000_000L);
      } else {
        sent.incrementAndGet();
        problem(problems, "request " + i + ": POST answered " + r.statusCode() + " " + r.body());
        return;
      }
    }
    sent.incrementAndGet();
    accepted.incrementAndGet();
    JsonNode end = follow(client, o.url() + "/v1/videos/" + id + "/events");
    long done = System.nanoTime();
    String status = end == null ? "no end event" : end.get("status").asText();
    if (!status.equals("succeeded")) {
      problem(problems, "request " + i + " (" + id + "): " + status + (end != null && end.has("error") ? ": " + end.get("error").asText() : ""));
      return;
    }
    succeeded.incrementAndGet();
    acceptedToDone.add((done - acceptedAt) / 1e9);
    submitToDone.add((done - submit) / 1e9);
    HttpResponse<byte[]> video = client.send(HttpRequest.newBuilder(URI.create(o.url() + "/v1/videos/" + id + "/content?variant=video")).GET()
        .build(), HttpResponse.BodyHandlers.ofByteArray());
    byte[] expected = reference.get(o.seed(i));
    if (video.statusCode() == 200 && expected != null && Arrays.equals(video.body(), expected)) {
      identical.incrementAndGet();
    } else {
      problem(problems, "request " + i + " (" + id + ", seed " + o.seed(i) + "): video.mp4 differs from the reference (" + video.body().length
          + " bytes, reference " + (expected == null ? "missing" : expected.length + " bytes") + ")");
    }
  }

  /** Follows a request's progress events; returns the end event's object, or null when the stream ends without one. */
  private static JsonNode follow(HttpClient client, String url) throws IOException, InterruptedException {
    HttpResponse<Stream<String>> r = client.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofLines());
    boolean end = false;
    try (Stream<String> lines = r.body()) {
      for (String line : (Iterable<String>) lines::iterator) {
        if (line.equals("event: end")) {
          end = true;
        } else if (end && line.startsWith("data: ")) {
          return JSON.readTree(line.substring(6));
        }
      }
    }
    return null;
  }

  private static void problem(List<String> problems, String line) {
    synchronized (problems) {
      if (problems.size() < 20) {
        problems.add(line);
      }
    }
  }

  private static double[] sorted(List<Double> values) {
    synchronized (values) {
      return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }
  }

  /** The video.mp4 the library path writes for these settings ({@link JamRender}, as {@code videojam generate} does), in a scratch folder. */
  public static byte[] referenceVideo(Render render, String prompt, SamplingSettings settings, Path scratch) throws IOException {
    Path out = scratch.resolve("reference-" + settings.seed());
    render.render(settings.request(prompt, n -> n), null, null, () -> false, out);
    return Files.readAllBytes(out.resolve("video.mp4"));
  }
}
