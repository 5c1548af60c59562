package io.videojam.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.SamplingSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each worker has its own session and they run at once; the queue hands requests out in arrival order. */
class WorkersTest {
  @Test
  void twoWorkersRunTwoRequestsAtOnceAndTheThirdWaits(@TempDir Path tmp) throws Exception {
    RuntimeConfig runtime = RuntimeConfig.cpu(Http.fixture());
    List<GatedRender> renders = new ArrayList<>();
    ServeConfig config = ServeConfig.defaults(runtime, tmp.resolve("outputs")).withPort(0).withWorkers(2);
    try (VideoService service = new VideoService(config, () -> {
      GatedRender r = new GatedRender(JamRender.open(runtime));
      r.close(true);
      renders.add(r);
      return r;
    }, Clock.systemUTC())) {
      assertThat(renders).hasSize(2);
      SamplingSettings s = new SamplingSettings(4, 3, "euler", "auto", 3, null, Map.of(), 0, 1, "auto", 1L << 30);
      Job a = service.submit("a red ball", s, null, Map.of(), VideoRequests.NAMES);
      Job b = service.submit("a blue ball", s, null, Map.of(), VideoRequests.NAMES);
      Job c = service.submit("a green ball", s, null, Map.of(), VideoRequests.NAMES);
      for (GatedRender r : renders) {
        r.reached.await(); // both sessions are inside a generation at the same time
      }
      assertThat(a.view().status()).isEqualTo(Status.RUNNING);
      assertThat(b.view().status()).isEqualTo(Status.RUNNING);
      assertThat(c.view().status()).isEqualTo(Status.QUEUED);
      assertThat(service.metrics().text()).contains("videojam_running 2\n").contains("videojam_queue_length 1\n");
      renders.forEach(r -> r.close(false));
      for (Job j : List.of(a, b, c)) {
        RetentionTest.awaitFinished(j);
      }
      // the same seed and steps, three prompts: three different videos, each complete
      assertThat(Files.readAllBytes(a.out().resolve("video.mp4"))).isNotEqualTo(Files.readAllBytes(b.out().resolve("video.mp4")));
      assertThat(c.out().resolve("motion.mp4")).isRegularFile();
      assertThat(service.metrics().text()).contains("videojam_runs_total{status=\"succeeded\"} 3\n");
    }
  }

}
