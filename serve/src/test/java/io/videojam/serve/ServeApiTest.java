package io.videojam.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.videojam.api.Settings;
import io.videojam.media.OutputStaging;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationFiles;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's contract, against a real server on an ephemeral port of 127.0.0.1 with the fixture model. */
class ServeApiTest {
  @TempDir
  static Path tmp;
  static Path outputs;
  static GatedRender render;
  static VideoServer server;
  static Http http;

  @BeforeAll
  static void start() {
    outputs = tmp.resolve("outputs");
    RuntimeConfig runtime = RuntimeConfig.cpu(Http.fixture());
    ServeConfig config = ServeConfig.defaults(runtime, outputs).withPort(0).withQueue(2);
    VideoService service = new VideoService(config, () -> render = new GatedRender(JamRender.open(runtime)), Clock.systemUTC());
    server = VideoServer.start(service);
    http = new Http(server.url());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void aRequestIsAcceptedRunsAndItsContentIsWhatTheLibraryWritesForTheSameSettings() throws Exception {
    HttpResponse<String> posted = http.post("/v1/videos", "{\"prompt\": \"a red square moving right\", \"seed\": 3, \"steps\": 8, \"w1\": 4.5}");
    assertThat(posted.statusCode()).isEqualTo(202);
    JsonNode accepted = Http.json(posted);
    String id = accepted.get("id").asText();
    assertThat(id).startsWith("video_");
    assertThat(posted.headers().firstValue("Location")).contains("/v1/videos/" + id);
    assertThat(accepted.get("status").asText()).isIn("queued", "running");
    assertThat(accepted.get("progress").get("total").asInt()).isEqualTo(8);

    JsonNode done = http.await(id);
    assertThat(done.get("status").asText()).isEqualTo("succeeded");
    assertThat(done.get("progress").get("done").asInt()).isEqualTo(8);
    assertThat(done.get("settings").get("seed").asLong()).isEqualTo(3);
    assertThat(done.get("settings").get("w1").asDouble()).isEqualTo(4.5);
    assertThat(done.get("timings").get("sampling_s").asDouble()).isPositive();
    assertThat(done.get("guidance").get("rule").asText()).isEqualTo("inner"); // the fixture's default, with the weight asked for
    assertThat(done.get("guidance").get("settings").get("w1").asDouble()).isEqualTo(4.5);
    assertThat(done.get("content").get("motion").asText()).isEqualTo("/v1/videos/" + id + "/content?variant=motion");

    // the same settings through the library, written by GenerationFiles as the CLI does
    GenerationRequest request = GenerationRequest.builder("a red square moving right").seed(3).steps(8)
        .guidance(null, new Settings(Map.of("w1", 4.5), "guidance options")).build();
    Path ref = tmp.resolve("reference");
    try (VideoJam jam = VideoJam.open(RuntimeConfig.cpu(Http.fixture())); OutputStaging staging = OutputStaging.begin(ref)) {
      Generation g = jam.generate(request, null);
      GenerationFiles.write(staging, g, jam.model(), jam.config(), jam.backend(), null, System.nanoTime());
      staging.commit();
    }
    Map<String, String> files = Map.of("video", "video.mp4", "motion", "motion.mp4", "gif", "video.gif", "motion-gif", "motion.gif",
        "sheet", "contact-sheet.png");
    Map<String, String> types = Map.of("video", "video/mp4", "motion", "video/mp4", "gif", "image/gif", "motion-gif", "image/gif",
        "sheet", "image/png");
    for (var e : files.entrySet()) {
      HttpResponse<byte[]> c = http.bytes("/v1/videos/" + id + "/content?variant=" + e.getKey());
      assertThat(c.statusCode()).as(e.getKey()).isEqualTo(200);
      assertThat(c.headers().firstValue("Content-Type").orElse("")).as(e.getKey()).startsWith(types.get(e.getKey()));
      assertThat(c.body()).as(e.getKey()).isEqualTo(Files.readAllBytes(ref.resolve(e.getValue())));
    }
    HttpResponse<byte[]> plain = http.bytes("/v1/videos/" + id + "/content");
    assertThat(plain.body()).isEqualTo(Files.readAllBytes(ref.resolve("video.mp4")));
    JsonNode run = Http.JSON.readTree(http.bytes("/v1/videos/" + id + "/content?variant=run").body());
    assertThat(run.get("settings").get("seed").asLong()).isEqualTo(3);
    assertThat(http.get("/v1/videos/" + id + "/content?variant=poster").statusCode()).isEqualTo(400);
  }

  @Test
  void badRequestsGetFourHundredWithTheLibrarysOneLineNamingTheField() throws Exception {
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("{\"prompt\": \"a red ball\", \"steps\": 0}", "steps must be in [1, 10000], got 0");
    cases.put("{\"prompt\": \"a red ball\", \"solver\": \"rk9\"}", "unknown solver 'rk9'");
    cases.put("{\"prompt\": \"a red ball\", \"guidance\": \"loud\"}", "unknown guidance 'loud'");
    cases.put("{\"prompt\": \"a red ball\", \"guidance_start\": 0.8, \"guidance_stop\": 0.2}",
        "guidance_start 0.8 and guidance_stop 0.2 must satisfy 0 <= start <= stop <= 1");
    cases.put("{\"prompt\": \"a red ball\", \"pass_mode\": \"sideways\"}", "unknown pass mode 'sideways'; use auto, batched or sequential");
    cases.put("{\"prompt\": \"a red ball\", \"steps\": \"ten\"}", "steps must be an integer, got \"ten\"");
    cases.put("{\"prompt\": \"a red ball\", \"scale\": 0}", "scale must be in [1, 64], got 0");
    cases.put("{\"prompt\": \"a red ball\", \"colour\": \"red\"}", "unknown field 'colour'; the fields are prompt, model, seed");
    cases.put("{\"prompt\": \"a red ball\", \"model\": \"sora\"}", "model 'sora' is not served here; this server serves 'jamworld-fixture'");
    cases.put("{\"seed\": 1}", "prompt is required");
    cases.put("[1, 2]", "the body must be a JSON object");
    cases.put("{\"prompt\": ", "the body is not JSON");
    for (var e : cases.entrySet()) {
      HttpResponse<String> r = http.post("/v1/videos", e.getKey());
      assertThat(r.statusCode()).as(e.getKey()).isEqualTo(400);
      assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
      String error = Http.json(r).get("error").asText();
      assertThat(error).as(e.getKey()).startsWith(e.getValue()).doesNotContain("\n").doesNotContain("Exception");
    }
    assertThat(http.get("/v1/videos/video_0000").statusCode()).isEqualTo(404);
    assertThat(Http.json(http.get("/v1/videos/video_0000")).get("error").asText()).startsWith("no video 'video_0000'");
  }

  @Test
  void aFullQueueAnswers429WithRetryAfterAndDeleteCancelsQueuedAndRunningRequests() throws Exception {
    render.close(true);
    try {
      String running = http.submit("{\"prompt\": \"a red ball moving up\", \"steps\": 5}");
      render.reached.await();
      http.awaitStatus(running, "running");
      String queued1 = http.submit("{\"prompt\": \"a blue ball\", \"steps\": 5}");
      String queued2 = http.submit("{\"prompt\": \"a green ball\", \"steps\": 5}");
      HttpResponse<String> full = http.post("/v1/videos", "{\"prompt\": \"one too many\", \"steps\": 5}");
      assertThat(full.statusCode()).isEqualTo(429);
      int retryAfter = Integer.parseInt(full.headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isGreaterThanOrEqualTo(1);
      assertThat(Http.json(full).get("error").asText()).isEqualTo("the queue is full; retry after " + retryAfter + " s");
      assertThat(metric("videojam_queue_length")).isEqualTo(2);
      assertThat(Http.json(http.get("/v1/videos/" + queued1 + "/content")).get("error").asText())
          .isEqualTo("video " + queued1 + " is queued; its content is there once its status is succeeded");

      JsonNode q = Http.json(http.delete("/v1/videos/" + queued1));
      assertThat(q.get("status").asText()).isEqualTo("cancelled");
      assertThat(metric("videojam_queue_length")).isEqualTo(1);
      JsonNode r = Http.json(http.delete("/v1/videos/" + running));
      assertThat(r.get("status").asText()).isEqualTo("cancelled");
      assertThat(r.get("progress").get("done").asInt()).isZero();
      render.close(false);
      assertThat(http.await(queued2).get("status").asText()).isEqualTo("succeeded");
      assertThat(outputs.resolve(running)).doesNotExist();
      assertThat(outputs.resolve(queued1)).doesNotExist();
      assertThat(outputs.resolve(queued2).resolve("video.mp4")).isRegularFile();
      assertThat(staging()).isEmpty();
      // a finished request: DELETE forgets it and deletes its files
      assertThat(Http.json(http.delete("/v1/videos/" + queued2)).get("deleted").asBoolean()).isTrue();
      assertThat(outputs.resolve(queued2)).doesNotExist();
      assertThat(http.get("/v1/videos/" + queued2).statusCode()).isEqualTo(404);
    } finally {
      render.close(false);
    }
  }

  @Test
  void eventsReportIncreasingProgressAndEndWithTheFinishedRequest() throws Exception {
    render.close(true); // held at its first step until the stream has shown the request
    List<String> names = new ArrayList<>();
    List<JsonNode> data = new ArrayList<>();
    try {
      String id = http.submit("{\"prompt\": \"a yellow bar spinning clockwise\", \"steps\": 12}");
      HttpResponse<Stream<String>> events = http.lines("/v1/videos/" + id + "/events");
      assertThat(events.statusCode()).isEqualTo(200);
      assertThat(events.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      try (Stream<String> lines = events.body()) {
        for (String line : (Iterable<String>) lines::iterator) {
          if (line.startsWith("event: ")) {
            names.add(line.substring(7));
          } else if (line.startsWith("data: ")) {
            data.add(Http.JSON.readTree(line.substring(6)));
            render.close(false);
          }
        }
      }
    } finally {
      render.close(false);
    }
    assertThat(names).hasSameSizeAs(data).last().isEqualTo("end");
    assertThat(names.subList(0, names.size() - 1)).isNotEmpty().containsOnly("progress");
    assertThat(data.get(0).get("status").asText()).isIn("queued", "running");
    assertThat(data.get(0).get("progress").get("done").asInt()).isZero();
    int previous = -1;
    for (JsonNode d : data) {
      int done = d.get("progress").get("done").asInt();
      assertThat(done).isGreaterThanOrEqualTo(previous);
      previous = done;
    }
    JsonNode last = data.get(data.size() - 1);
    assertThat(last.get("status").asText()).isEqualTo("succeeded");
    assertThat(last.get("progress").get("done").asInt()).isEqualTo(12);
  }

  @Test
  void metricsAreValidPrometheusTextAndCountRunsFailuresAndSteps() throws Exception {
    Map<String, Double> before = metrics();
    String ok = http.submit("{\"prompt\": \"a white wheel\", \"steps\": 7}");
    String bad = http.submit("{\"prompt\": \"explode\", \"steps\": 7}");
    assertThat(http.await(ok).get("status").asText()).isEqualTo("succeeded");
    JsonNode failed = http.await(bad);
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.get("error").asText()).isEqualTo("the model exploded (a test's failure)");
    assertThat(http.post("/v1/videos", "{\"steps\": 3}").statusCode()).isEqualTo(400);
    Map<String, Double> after = metrics();
    assertThat(after.get("videojam_runs_total{status=\"succeeded\"}") - before.get("videojam_runs_total{status=\"succeeded\"}")).isEqualTo(1);
    assertThat(after.get("videojam_runs_total{status=\"failed\"}") - before.get("videojam_runs_total{status=\"failed\"}")).isEqualTo(1);
    assertThat(after.get("videojam_failures_total") - before.get("videojam_failures_total")).isEqualTo(1);
    assertThat(after.get("videojam_requests_total{result=\"accepted\"}") - before.get("videojam_requests_total{result=\"accepted\"}"))
        .isEqualTo(2);
    assertThat(after.get("videojam_requests_total{result=\"bad_request\"}") - before.get("videojam_requests_total{result=\"bad_request\"}"))
        .isEqualTo(1);
    assertThat(after.get("videojam_step_seconds_count") - before.get("videojam_step_seconds_count")).isEqualTo(7);
    assertThat(after.get("videojam_step_seconds_bucket{le=\"+Inf\"}")).isEqualTo(after.get("videojam_step_seconds_count"));
    assertThat(after.get("videojam_step_seconds_sum")).isGreaterThan(before.get("videojam_step_seconds_sum"));
    assertThat(after.get("videojam_queue_length")).isZero();
    assertThat(after.get("videojam_workers")).isEqualTo(1);
    // cumulative buckets never decrease
    double last = 0;
    for (String le : new String[] {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}) {
      double v = after.get("videojam_step_seconds_bucket{le=\"" + le + "\"}");
      assertThat(v).as(le).isGreaterThanOrEqualTo(last);
      last = v;
    }
  }

  @Test
  void healthAndModelsDescribeTheService() throws Exception {
    HttpResponse<String> h = http.get("/health");
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(Http.json(h).get("status").asText()).isEqualTo("ok");
    JsonNode m = Http.json(http.get("/v1/models")).get("data").get(0);
    assertThat(m.get("id").asText()).isEqualTo("jamworld-fixture");
    assertThat(m.get("frames").asInt()).isEqualTo(16);
    assertThat(m.get("width").asInt()).isEqualTo(32);
    assertThat(m.get("motion").asBoolean()).isTrue();
    HttpResponse<String> page = http.get("/");
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("<video id=\"video\"").contains("<video id=\"motion\"").contains("EventSource");
  }

  static List<Path> staging() throws java.io.IOException {
    try (Stream<Path> s = Files.list(outputs)) {
      return s.filter(p -> p.getFileName().toString().startsWith(".videojam-")).toList();
    }
  }

  static double metric(String name) throws Exception {
    return metrics().get(name);
  }

  /** Parses the Prometheus text format strictly: every line a comment (HELP, TYPE) or NAME{LABELS} VALUE. */
  static Map<String, Double> metrics() throws Exception {
    HttpResponse<String> r = http.get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
    Pattern sample = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"\\})?) (-?[0-9.]+(E-?[0-9]+)?|\\+Inf)");
    Pattern comment = Pattern.compile("# (HELP [a-z_]+ .+|TYPE [a-z_]+ (gauge|counter|histogram|summary))");
    Map<String, Double> m = new HashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.startsWith("#")) {
        assertThat(comment.matcher(line).matches()).as(line).isTrue();
        continue;
      }
      Matcher x = sample.matcher(line);
      assertThat(x.matches()).as(line).isTrue();
      assertThat(m.put(x.group(1), Double.parseDouble(x.group(3)))).as("duplicate " + line).isNull();
    }
    return m;
  }
}
