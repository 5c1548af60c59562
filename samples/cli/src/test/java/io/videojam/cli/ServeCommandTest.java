package io.videojam.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.serve.ServeConfig;
import io.videojam.serve.VideoServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code videojam serve} as a process: SIGTERM finishes the running generation within --grace (or
 * cancels it past a grace of 0), cancels the queued ones, leaves no staging folder and exits 0; and
 * the API's 400 lines are the CLI's error lines with the field in place of the flag.
 */
class ServeCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static Path fixture() {
    return BuiltinModelTest.REPO.resolve("models").resolve(BuiltinModel.FIXTURE);
  }

  @Test
  void sigtermLetsTheRunningGenerationFinishCancelsTheQueuedOneAndExitsZero(@TempDir Path tmp) throws Exception {
    Path outputs = tmp.resolve("outputs");
    Served s = serve(tmp, outputs, "60s");
    try {
      String running = submit(s.url, 300);
      String queued = submit(s.url, 5);
      JsonNode at = awaitStep(s.url, running);
      s.process.toHandle().destroy(); // SIGTERM (Process.destroy would also close its output, which the test still reads)
      assertThat(s.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(s.process.exitValue()).isZero();
      assertThat(at.get("progress").get("done").asInt()).isLessThan(300); // it was mid-way when the signal came
      assertThat(outputs.resolve(running).resolve("video.mp4")).isRegularFile(); // and it finished
      assertThat(outputs.resolve(running).resolve("run.json")).isRegularFile();
      assertThat(outputs.resolve(queued)).doesNotExist();
      assertThat(hidden(outputs)).isEmpty();
      assertThat(s.stdout()).contains("videojam serve: stopping: new requests get 503").endsWith("videojam serve: stopped");
    } finally {
      s.process.destroyForcibly();
    }
  }

  @Test
  void sigtermPastAGraceOfZeroCancelsTheRunningGenerationAndLeavesNoStaging(@TempDir Path tmp) throws Exception {
    Path outputs = tmp.resolve("outputs");
    Served s = serve(tmp, outputs, "0s");
    try {
      String running = submit(s.url, 300);
      awaitStep(s.url, running);
      s.process.toHandle().destroy();
      assertThat(s.process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(s.process.exitValue()).isZero();
      assertThat(outputs.resolve(running)).doesNotExist();
      assertThat(hidden(outputs)).isEmpty();
    } finally {
      s.process.destroyForcibly();
    }
  }

  @Test
  void theApisFourHundredLinesAreTheClisErrorLinesWithFieldsForFlags(@TempDir Path tmp) throws Exception {
    Map<String, List<String>> cases = Map.of(
        "{\"prompt\": \"a red ball\", \"steps\": 0}", List.of("--steps", "0"),
        "{\"prompt\": \"a red ball\", \"solver\": \"rk9\"}", List.of("--solver", "rk9"),
        "{\"prompt\": \"a red ball\", \"schedule\": \"wobbly\"}", List.of("--schedule", "wobbly"),
        "{\"prompt\": \"a red ball\", \"guidance_start\": 0.8, \"guidance_stop\": 0.2}", List.of("--guidance-start", "0.8", "--guidance-stop", "0.2"),
        "{\"prompt\": \"a red ball\", \"pass_mode\": \"sideways\"}", List.of("--pass-mode", "sideways"),
        "{\"prompt\": \"a red ball\", \"guidance\": \"loud\"}", List.of("--guidance", "loud"));
    try (VideoServer server = VideoServer.start(ServeConfig.defaults(RuntimeConfig.cpu(fixture()), tmp.resolve("outputs")).withPort(0))) {
      for (var c : cases.entrySet()) {
        List<String> args = new ArrayList<>(List.of("generate", "--model", fixture().toString(), "--prompt", "a red ball", "--no-progress",
            "--out", tmp.resolve("cli").toString()));
        args.addAll(c.getValue());
        Cli cli = Cli.run(args.toArray(String[]::new));
        assertThat(cli.exit()).as(c.getKey()).isEqualTo(2);
        String line = cli.err().strip();
        assertThat(line).startsWith("videojam: error: ").doesNotContain("\n");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(server.url() + "/v1/videos"))
            .POST(HttpRequest.BodyPublishers.ofString(c.getKey())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).as(c.getKey()).isEqualTo(fields(line.substring("videojam: error: ".length())));
      }
    }
  }

  @Test
  void badFlagsAreOneLineWithExitCodeTwoBeforeAnythingStarts(@TempDir Path tmp) {
    Map<List<String>, String> cases = Map.of(
        List.of("--port", "70000"), "videojam: error: --port must be in [0, 65535], got 70000",
        List.of("--queue", "0"), "videojam: error: --queue must be in [1, 100000], got 0",
        List.of("--workers", "65"), "videojam: error: --workers must be in [1, 64], got 65",
        List.of("--retention", "5x"), "videojam: error: --retention '5x' is not a duration; write for example 90s, 30m, 1h or 2d",
        List.of("--retention", "0s"), "videojam: error: --retention must be longer than 0 s, got 0.0 s; keep outputs for example 1h",
        List.of("--grace", "-3s"), "videojam: error: --grace '-3s' is not a duration; write for example 90s, 30m, 1h or 2d");
    for (var c : cases.entrySet()) {
      List<String> args = new ArrayList<>(List.of("serve", "--model", fixture().toString(), "--outputs", tmp.resolve("o").toString()));
      args.addAll(c.getKey());
      Cli cli = Cli.run(args.toArray(String[]::new));
      assertThat(cli.exit()).as(c.getKey().toString()).isEqualTo(2);
      assertThat(cli.err().strip()).as(c.getKey().toString()).isEqualTo(c.getValue());
    }
    assertThat(ServeCommand.duration("--grace", "90s")).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(ServeCommand.duration("--grace", "2d")).isEqualTo(java.time.Duration.ofDays(2));
    assertThat(ServeCommand.duration("--grace", "45")).isEqualTo(java.time.Duration.ofSeconds(45));
    assertThat(ServeCommand.duration("--grace", "30m")).isEqualTo(java.time.Duration.ofMinutes(30));
    assertThat(ServeCommand.duration("--grace", "1h")).isEqualTo(java.time.Duration.ofHours(1));
    assertThat(ServeCommand.duration("--grace", "250ms")).isEqualTo(java.time.Duration.ofMillis(250));
  }

  /** A CLI line as the API says it: --guidance-start becomes guidance_start. */
  static String fields(String line) {
    Matcher m = Pattern.compile("--([a-z][a-z0-9-]*)").matcher(line);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(b, m.group(1).replace('-', '_'));
    }
    return m.appendTail(b).toString();
  }

  record Served(Process process, String url, List<String> lines, Thread drain) {
    /** Everything the process printed (it has ended). */
    String stdout() throws InterruptedException {
      drain.join(TimeUnit.SECONDS.toMillis(30));
      synchronized (lines) {
        return String.join("\n", lines);
      }
    }
  }

  static Served serve(Path tmp, Path outputs, String grace) throws Exception {
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true",
        "-XX:ErrorFile=" + tmp.resolve("hs_err_pid%p.log"), "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
        "--model", fixture().toString(), "--port", "0", "--outputs", outputs.toString(), "--grace", grace);
    Process p = new ProcessBuilder(cmd).redirectError(tmp.resolve("stderr.txt").toFile()).start();
    List<String> lines = new ArrayList<>();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String url = null;
    for (String line; url == null && (line = out.readLine()) != null; ) {
      lines.add(line);
      Matcher m = Pattern.compile("^videojam serve: (http://127\\.0\\.0\\.1:\\d+) ").matcher(line);
      if (m.find()) {
        url = m.group(1);
      }
    }
    if (url == null) {
      throw new AssertionError("serve did not start: " + lines + " " + Files.readString(tmp.resolve("stderr.txt")));
    }
    Thread drain = new Thread(() -> {
      try {
        for (String line; (line = out.readLine()) != null; ) {
          synchronized (lines) {
            lines.add(line);
          }
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    drain.setDaemon(true);
    drain.start();
    return new Served(p, url, lines, drain);
  }

  static String submit(String url, int steps) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/videos"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a red ball bouncing\", \"steps\": " + steps + "}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("id").asText();
  }

  /** Polls until the request has done at least one step (a two-minute safety bound). */
  static JsonNode awaitStep(String url, String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < deadline) {
      JsonNode v = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/videos/" + id)).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      if (v.get("progress").get("done").asInt() >= 1) {
        return v;
      }
      Thread.sleep(5);
    }
    throw new AssertionError(id + " never started");
  }

  static List<String> hidden(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }
}
