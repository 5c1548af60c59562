package io.videojam.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A small client of the API for tests. */
final class Http {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;

  Http(String base) {
    this.base = base;
  }

  static Path fixture() {
    return Path.of(System.getProperty("videojam.home", "..")).resolve("models").resolve("jamworld-fixture");
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> bytes(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<java.util.stream.Stream<String>> lines(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(), HttpResponse.BodyHandlers.ofLines());
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return client.send(HttpRequest.newBuilder(URI.create(base + path)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  /** POSTs and returns the new id (the answer must be 202). */
  String submit(String body) throws IOException, InterruptedException {
    HttpResponse<String> r = post("/v1/videos", body);
    if (r.statusCode() != 202) {
      throw new AssertionError("POST " + body + " answered " + r.statusCode() + ": " + r.body());
    }
    return json(r).get("id").asText();
  }

  /** Polls until the request has finished (a safety bound of two minutes, not a timing assertion). */
  JsonNode await(String id) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode v = json(get("/v1/videos/" + id));
      String s = v.get("status").asText();
      if (s.equals("succeeded") || s.equals("failed") || s.equals("cancelled")) {
        return v;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("request " + id + " did not finish in two minutes");
  }

  /** Polls until the request's status is {@code status}. */
  void awaitStatus(String id, String status) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      if (json(get("/v1/videos/" + id)).get("status").asText().equals(status)) {
        return;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("request " + id + " never became " + status);
  }
}
