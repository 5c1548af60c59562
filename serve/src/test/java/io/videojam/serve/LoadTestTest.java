package io.videojam.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import io.videojam.runtime.RuntimeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load test's own logic on a small run: 429s retried, every video compared, a wrong reference caught. */
class LoadTestTest {
  @Test
  void aSmallLoadRetriesFullQueueAnswersAndComparesEveryVideo(@TempDir Path tmp) throws Exception {
    RuntimeConfig runtime = RuntimeConfig.cpu(Http.fixture());
    Map<Long, byte[]> reference = new HashMap<>();
    LoadTest.Options probe = new LoadTest.Options("http://127.0.0.1:1", 6, 4, "a red ball", 3, 2, Duration.ofMinutes(2), 1000);
    try (JamRender render = JamRender.open(runtime)) {
      for (long seed = 0; seed < 2; seed++) {
        reference.put(seed, LoadTest.referenceVideo(render, "a red ball", probe.settings(seed), tmp));
      }
    }
    assertThat(reference.get(0L)).isNotEqualTo(reference.get(1L));
    ServeConfig config = ServeConfig.defaults(runtime, tmp.resolve("outputs")).withPort(0).withQueue(1);
    try (VideoServer server = VideoServer.start(config)) {
      LoadTest.Options o = new LoadTest.Options(server.url(), 6, 4, "a red ball", 3, 2, Duration.ofMinutes(2), 1000);
      LoadTest.Result r = LoadTest.run(o, reference, line -> {});
      assertThat(r.problems()).isEmpty();
      assertThat(r.passed(6)).isTrue();
      assertThat(r.succeeded()).isEqualTo(6);
      assertThat(r.identical()).isEqualTo(6);
      // 4 clients, 1 running + 1 queued place: the 429s the clients counted are the ones the service gave
      assertThat(service(server, "videojam_requests_total{result=\"queue_full\"}")).isEqualTo(r.rejected());
      assertThat(service(server, "videojam_requests_total{result=\"accepted\"}")).isEqualTo(6);
      assertThat(r.acceptedToDone()).hasSize(6).isSorted();
      assertThat(r.memory()).isNotEmpty();

      // swapped references: every video differs and the run does not pass
      Map<Long, byte[]> swapped = Map.of(0L, reference.get(1L), 1L, reference.get(0L));
      LoadTest.Result bad = LoadTest.run(new LoadTest.Options(server.url(), 2, 1, "a red ball", 3, 2, Duration.ofMinutes(2), 1000), swapped,
          line -> {});
      assertThat(bad.succeeded()).isEqualTo(2);
      assertThat(bad.identical()).isZero();
      assertThat(bad.passed(2)).isFalse();
      assertThat(bad.problems()).hasSize(2).allMatch(p -> p.contains("differs from the reference"));
    }
  }

  static long service(VideoServer server, String metric) {
    return server.service().metrics().text().lines().filter(l -> l.startsWith(metric + " ")).mapToLong(l -> Long.parseLong(l.split(" ")[1]))
        .findFirst().orElseThrow();
  }

  @Test
  void percentilesAreNearestRank() {
    double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    assertThat(LoadTest.Result.percentile(v, 50)).isEqualTo(5);
    assertThat(LoadTest.Result.percentile(v, 99)).isEqualTo(10);
    assertThat(LoadTest.Result.percentile(v, 10)).isEqualTo(1);
    assertThat(LoadTest.Result.percentile(new double[] {3}, 99)).isEqualTo(3);
  }

  @Test
  void itRunsAgainstThisMachineOnly() {
    assertThatThrownBy(() -> new LoadTest.Options("http://example.com:80", 1, 1, "p", 1, 1, Duration.ofSeconds(1), 0))
        .isInstanceOf(VideoJamException.class).hasMessageStartingWith("the load test runs against this machine only");
  }
}
