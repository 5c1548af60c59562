package io.videojam.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.SamplingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finished requests and their files are kept for the retention time, then deleted; a clock the test moves decides. */
class RetentionTest {
  /** A clock that stands still until the test moves it. */
  static final class ManualClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void outputsOlderThanTheRetentionTimeAreDeletedAndYoungerOnesKept(@TempDir Path tmp) throws Exception {
    ManualClock clock = new ManualClock();
    Path outputs = tmp.resolve("outputs");
    ServeConfig config = ServeConfig.defaults(RuntimeConfig.cpu(Http.fixture()), outputs).withPort(0).withRetention(Duration.ofMinutes(10));
    // a folder an earlier process left, older than the retention time, and one of now
    Path orphanOld = Files.createDirectories(outputs.resolve("video_00000000000000aa"));
    Files.setLastModifiedTime(orphanOld, FileTime.from(clock.now.minus(Duration.ofMinutes(11))));
    Path orphanNew = Files.createDirectories(outputs.resolve("video_00000000000000bb"));
    Files.setLastModifiedTime(orphanNew, FileTime.from(clock.now.plus(Duration.ofMinutes(5))));
    Path foreign = Files.createDirectories(outputs.resolve("keep-me"));
    Files.setLastModifiedTime(foreign, FileTime.from(clock.now.minus(Duration.ofDays(9))));
    try (VideoService service = new VideoService(config, () -> JamRender.open(config.runtime()), clock)) {
      SamplingSettings s = new SamplingSettings(1, 3, "euler", "auto", 3, null, Map.of(), 0, 1, "auto", 1L << 30);
      Job first = service.submit("a red ball", s, null, Map.of(), VideoRequests.NAMES);
      awaitFinished(first);
      clock.now = clock.now.plus(Duration.ofMinutes(6));
      Job second = service.submit("a blue ball", s, null, Map.of(), VideoRequests.NAMES);
      awaitFinished(second);
      assertThat(first.out().resolve("video.mp4")).isRegularFile();

      assertThat(service.sweep()).isEqualTo(1); // the old orphan only
      assertThat(orphanOld).doesNotExist();
      assertThat(orphanNew).isDirectory();
      assertThat(first.out()).isDirectory();

      clock.now = clock.now.plus(Duration.ofMinutes(5)); // first finished 11 min ago, second 5
      assertThat(service.sweep()).isEqualTo(1);
      assertThat(first.out()).doesNotExist();
      assertThat(service.get(first.id())).isEmpty();
      assertThat(second.out().resolve("video.mp4")).isRegularFile();
      assertThat(service.get(second.id())).isPresent();
      assertThat(foreign).isDirectory();

      assertThat(orphanNew).isDirectory();

      clock.now = clock.now.plus(Duration.ofMinutes(5).plusSeconds(1));
      assertThat(service.sweep()).isEqualTo(2); // the second request, and the orphan of 5 min after the start
      assertThat(second.out()).doesNotExist();
      assertThat(orphanNew).doesNotExist();
    }
  }

  static void awaitFinished(Job job) throws InterruptedException {
    Job.View v = job.view();
    while (!v.status().finished()) {
      v = job.awaitChange(v.version(), 1000);
    }
    assertThat(v.status()).isEqualTo(Status.SUCCEEDED);
  }
}
