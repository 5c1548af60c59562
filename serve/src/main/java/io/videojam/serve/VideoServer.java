package io.videojam.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.videojam.api.ModelInfo;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code videojam serve}: the {@link VideoService} behind a JSON API shaped like the public
 * video-generation APIs, with progress as Server-Sent Events, Prometheus metrics and a web page.
 *
 * <pre>
 * POST   /v1/videos                       {"prompt": ..., "seed": 7, ...} -> 202 {"id": ..., "status": "queued", ...}
 * GET    /v1/videos/{id}                  status, progress (steps done/total), settings, timings
 * GET    /v1/videos/{id}/events           text/event-stream: the same object at every change, until it finishes
 * GET    /v1/videos/{id}/content?variant= video (mp4), motion (mp4), gif, motion-gif, sheet (png), run (run.json)
 * DELETE /v1/videos/{id}                  cancels a queued or running request; forgets a finished one and deletes its files
 * GET    /v1/models                       the served model
 * GET    /health, /metrics, /             liveness, Prometheus text, the web page
 * </pre>
 */
public final class VideoServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(VideoServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The variants of GET .../content: file and content type. */
  static final Map<String, String[]> VARIANTS = variants();

  private final VideoService service;
  private final Javalin app;

  private VideoServer(VideoService service, Javalin app) {
    this.service = service;
    this.app = app;
  }

  private static Map<String, String[]> variants() {
    Map<String, String[]> m = new LinkedHashMap<>();
    m.put("video", new String[] {"video.mp4", "video/mp4"});
    m.put("motion", new String[] {"motion.mp4", "video/mp4"});
    m.put("gif", new String[] {"video.gif", "image/gif"});
    m.put("motion-gif", new String[] {"motion.gif", "image/gif"});
    m.put("sheet", new String[] {"contact-sheet.png", "image/png"});
    m.put("run", new String[] {"run.json", "application/json"});
    return java.util.Collections.unmodifiableMap(m);
  }

  /** Opens the model sessions and listens on the configured host and port. */
  public static VideoServer start(ServeConfig config) {
    return start(VideoService.start(config));
  }

  /** Serves {@code service} on its configuration's host and port (the server closes the service). */
  public static VideoServer start(VideoService service) {
    ServeConfig c = service.config();
    Javalin app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.maxRequestSize = 1 << 20;
      routes(cfg, service);
    });
    try {
      app.start(c.host(), c.port());
    } catch (RuntimeException e) {
      service.close();
      throw new VideoJamException("cannot listen on " + c.host() + ":" + c.port() + ": " + rootMessage(e)
          + "; choose another --port (0 picks a free one) or --host");
    }
    return new VideoServer(service, app);
  }

  private static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.toString() : c.getMessage();
  }

  public VideoService service() {
    return service;
  }

  /** The port it listens on (the one picked, for port 0). */
  public int port() {
    return app.port();
  }

  /** {@code http://HOST:PORT}, for printing and clients. */
  public String url() {
    String h = service.config().host();
    return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port();
  }

  /** Stops accepting, lets running work finish within the grace time (cancels it after), then stops listening. */
  @Override
  public void close() {
    service.close();
    app.stop();
  }

  private static void routes(io.javalin.config.JavalinConfig cfg, VideoService service) {
    var r = cfg.routes;
    r.get("/", ctx -> {
      try (InputStream in = VideoServer.class.getResourceAsStream("web/index.html")) {
        ctx.contentType("text/html; charset=utf-8").result(in.readAllBytes());
      }
    });
    r.get("/health", ctx -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("status", service.stopping() ? "stopping" : "ok");
      m.put("model", service.model().name());
      m.put("queued", service.queued());
      m.put("queue_capacity", service.config().queue());
      m.put("workers", service.config().workers());
      json(ctx, service.stopping() ? 503 : 200, m);
    });
    r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(service.metrics().text()));
    r.get("/v1/models", ctx -> json(ctx, 200, Map.of("object", "list", "data", List.of(model(service)))));
    r.post("/v1/videos", ctx -> {
      VideoRequests.Parsed p;
      try {
        p = VideoRequests.parse(JSON, ctx.body());
        if (p.model() != null && !p.model().equals(service.model().name())) {
          throw new VideoJamException("model '" + io.videojam.api.Settings.describe(p.model()) + "' is not served here; this server serves '"
              + service.model().name() + "' (GET /v1/models)");
        }
      } catch (VideoJamException e) {
        service.metrics().badRequests.incrementAndGet();
        throw e;
      }
      Job job = service.submit(p.prompt(), p.sampling(), p.scale(), p.settings(), VideoRequests.NAMES);
      ctx.header("Location", "/v1/videos/" + job.id());
      json(ctx, 202, view(job.view(), service));
    });
    r.get("/v1/videos/{id}", ctx -> {
      Job job = find(service, ctx.pathParam("id"));
      json(ctx, 200, view(job.view(), service));
    });
    r.delete("/v1/videos/{id}", ctx -> {
      Optional<VideoService.Cancel> c = service.cancel(ctx.pathParam("id"), Duration.ofSeconds(10));
      if (c.isEmpty()) {
        throw notFound(ctx.pathParam("id"));
      }
      Map<String, Object> m = view(c.get().view(), service);
      if (c.get().deleted()) {
        m = new LinkedHashMap<>(Map.of("id", c.get().view().id(), "object", "video", "deleted", true));
      }
      json(ctx, 200, m);
    });
    r.get("/v1/videos/{id}/content", ctx -> content(ctx, service));
    r.get("/v1/videos/{id}/events", ctx -> events(ctx, service));
    r.exception(VideoJamException.class, (e, ctx) -> json(ctx, 400, Map.of("error", e.getMessage())));
    r.exception(NotFound.class, (e, ctx) -> json(ctx, e.status, Map.of("error", e.getMessage())));
    r.exception(VideoService.QueueFullException.class, (e, ctx) -> {
      ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
      json(ctx, 429, Map.of("error", e.getMessage()));
    });
    r.exception(VideoService.UnavailableException.class, (e, ctx) -> json(ctx, 503, Map.of("error", e.getMessage())));
    r.exception(Exception.class, (e, ctx) -> {
      LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      json(ctx, 500, Map.of("error", "internal error: " + e + " (the service log has the stack trace; report it)"));
    });
  }

  private static Map<String, Object> model(VideoService service) {
    ModelInfo m = service.model();
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("id", m.name());
    o.put("object", "model");
    o.put("owned_by", "videojam");
    o.put("sha256", m.hash());
    o.put("frames", m.video().frames());
    o.put("height", m.video().height());
    o.put("width", m.video().width());
    o.put("fps", m.video().fps());
    o.put("motion", m.hasMotion());
    o.put("backend", service.backend());
    o.put("workers", service.config().workers());
    return o;
  }

  private static Job find(VideoService service, String id) {
    return service.get(id).orElseThrow(() -> notFound(id));
  }

  private static NotFound notFound(String id) {
    return new NotFound(404, "no video '" + io.videojam.api.Settings.describe(id) + "'; ids come from POST /v1/videos, and finished videos "
        + "are kept for the retention time only");
  }

  private static void content(Context ctx, VideoService service) throws IOException {
    Job job = find(service, ctx.pathParam("id"));
    String variant = Optional.ofNullable(ctx.queryParam("variant")).orElse("video");
    String[] file = VARIANTS.get(variant);
    if (file == null) {
      throw new VideoJamException("variant must be one of " + String.join(", ", VARIANTS.keySet()) + ", got '"
          + io.videojam.api.Settings.describe(variant) + "'");
    }
    Job.View v = job.view();
    if (v.status() != Status.SUCCEEDED) {
      throw new NotFound(409, "video " + v.id() + " is " + v.status().key() + "; its content is there once its status is succeeded");
    }
    Path p = job.out().resolve(file[0]);
    if (!Files.isRegularFile(p)) {
      throw new NotFound(404, "video " + v.id() + " has no " + variant + " file (" + file[0] + ")"
          + (variant.startsWith("motion") ? ": the model has no motion channels" : "; it may have been deleted"));
    }
    ctx.header("Cache-Control", "no-cache");
    if (file[1].startsWith("video/")) {
      ctx.writeSeekableStream(Files.newInputStream(p), file[1], Files.size(p));
    } else {
      ctx.contentType(file[1]).result(Files.readAllBytes(p));
    }
  }

  /** Server-Sent Events: the request's object at once and at each change, until it has finished. */
  private static void events(Context ctx, VideoService service) throws IOException, InterruptedException {
    Job job = find(service, ctx.pathParam("id"));
    ctx.res().setStatus(200);
    ctx.res().setContentType("text/event-stream");
    ctx.res().setCharacterEncoding("utf-8");
    ctx.res().setHeader("Cache-Control", "no-cache");
    ctx.res().setHeader("X-Accel-Buffering", "no");
    OutputStream out = ctx.res().getOutputStream();
    Job.View v = job.view();
    write(out, "retry: 1000\n\n");
    long sent = -1;
    while (true) {
      if (v.version() != sent) {
        write(out, "id: " + v.version() + "\nevent: " + (v.status().finished() ? "end" : "progress") + "\ndata: "
            + JSON.writeValueAsString(view(v, service)) + "\n\n");
        sent = v.version();
        if (v.status().finished()) {
          return;
        }
      } else {
        write(out, ": keep-alive\n\n");
      }
      v = job.awaitChange(sent, 15_000);
    }
  }

  private static void write(OutputStream out, String s) throws IOException {
    out.write(s.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** The API's object for a request. */
  static Map<String, Object> view(Job.View v, VideoService service) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", v.id());
    m.put("object", "video");
    m.put("model", service.model().name());
    m.put("status", v.status().key());
    Map<String, Object> progress = new LinkedHashMap<>();
    progress.put("done", v.done());
    progress.put("total", v.total());
    progress.put("percent", v.total() == 0 ? 0 : Math.round(1000.0 * v.done() / v.total()) / 10.0);
    m.put("progress", progress);
    m.put("settings", v.settings());
    if (v.result() != null) {
      m.put("guidance", Map.of("rule", v.result().guidance(), "settings", v.result().guidanceSettings()));
    }
    m.put("created_at", v.created().toString());
    m.put("started_at", str(v.started()));
    m.put("finished_at", str(v.finished()));
    Map<String, Object> t = new LinkedHashMap<>();
    if (v.started() != null) {
      t.put("queued_s", seconds(Duration.between(v.created(), v.started())));
    }
    if (v.started() != null && v.finished() != null) {
      t.put("run_s", seconds(Duration.between(v.started(), v.finished())));
    }
    if (v.result() != null) {
      t.put("sampling_s", v.result().samplingNanos() / 1e9);
      t.put("generation_s", v.result().generationNanos() / 1e9);
      t.put("writing_s", v.result().writingNanos() / 1e9);
    }
    m.put("timings", t);
    if (v.error() != null) {
      m.put("error", v.error());
    }
    if (v.status() == Status.SUCCEEDED) {
      Map<String, String> c = new LinkedHashMap<>();
      for (String k : VARIANTS.keySet()) {
        if (!k.startsWith("motion") || v.result() == null || v.result().motion()) {
          c.put(k, "/v1/videos/" + v.id() + "/content?variant=" + k);
        }
      }
      m.put("content", c);
    }
    return m;
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A 404 or 409 with its message. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    NotFound(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
