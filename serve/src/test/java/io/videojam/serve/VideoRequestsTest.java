package io.videojam.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.GuidanceWindow;
import io.videojam.runtime.PassMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each JSON field lands in its own place of the request, with the CLI's defaults where absent. */
class VideoRequestsTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anEmptyRequestHasTheClisDefaults() {
    VideoRequests.Parsed p = VideoRequests.parse(JSON, "{\"prompt\": \"a red ball\"}");
    GenerationRequest r = p.sampling().request(p.prompt(), VideoRequests.NAMES);
    GenerationRequest cli = GenerationRequest.of("a red ball", 0); // the library's defaults, which are the CLI's
    assertThat(r.seed()).isEqualTo(cli.seed());
    assertThat(r.steps()).isEqualTo(30);
    assertThat(r.solver()).isEqualTo("euler");
    assertThat(r.schedule()).isEqualTo("auto");
    assertThat(r.scheduleSettings().values()).isEqualTo(Map.of("shift", 3.0));
    assertThat(r.guidance()).isNull();
    assertThat(r.guidanceSettings().values()).isEmpty();
    assertThat(r.passMode()).isEqualTo(PassMode.AUTO);
    assertThat(r.memoryBudgetBytes()).isEqualTo(GenerationRequest.DEFAULT_MEMORY_BUDGET);
    assertThat(r.guidanceWindow()).isEqualTo(GuidanceWindow.ALWAYS);
    assertThat(p.scale()).isNull();
    assertThat(p.model()).isNull();
  }

  @Test
  void everyFieldGoesToItsOwnSetting() {
    VideoRequests.Parsed p = VideoRequests.parse(JSON, "{\"prompt\": \"a blue bar\", \"model\": \"m\", \"seed\": -5, \"steps\": 17, "
        + "\"solver\": \"heun\", \"schedule\": \"karras\", \"shift\": 2.5, \"guidance\": \"ip2p\", \"w\": 1.5, \"w1\": 2.5, \"w2\": 3.5, "
        + "\"s_text\": 4.5, \"s_image\": 5.5, \"motion_policy\": \"whole\", \"guidance_params\": {\"rescale\": \"0.7\", \"mode\": \"x\", \"k\": 2}, "
        + "\"guidance_start\": 0.25, \"guidance_stop\": 0.75, \"pass_mode\": \"sequential\", \"scale\": 4}");
    GenerationRequest r = p.sampling().request(p.prompt(), VideoRequests.NAMES);
    assertThat(r.prompt()).isEqualTo("a blue bar");
    assertThat(p.model()).isEqualTo("m");
    assertThat(r.seed()).isEqualTo(-5);
    assertThat(r.steps()).isEqualTo(17);
    assertThat(r.solver()).isEqualTo("heun");
    assertThat(r.schedule()).isEqualTo("karras");
    assertThat(r.scheduleSettings().values()).isEqualTo(Map.of("shift", 2.5));
    assertThat(r.guidance()).isEqualTo("ip2p");
    Map<String, Object> g = new LinkedHashMap<>();
    g.put("w", 1.5);
    g.put("w1", 2.5);
    g.put("w2", 3.5);
    g.put("s-text", 4.5);
    g.put("s-image", 5.5);
    g.put("motion-policy", "whole");
    g.put("rescale", 0.7); // a string that reads as a number is one, as with --guidance-param
    g.put("mode", "x");
    g.put("k", 2.0);
    assertThat(r.guidanceSettings().values()).containsExactlyEntriesOf(g);
    assertThat(r.guidanceWindow()).isEqualTo(new GuidanceWindow(0.25, 0.75));
    assertThat(r.passMode()).isEqualTo(PassMode.SEQUENTIAL);
    assertThat(p.scale()).isEqualTo(4);
    assertThat(p.settings()).containsEntry("seed", -5L).containsEntry("steps", 17).containsEntry("scale", 4).containsEntry("s_text", 4.5);
  }
}
