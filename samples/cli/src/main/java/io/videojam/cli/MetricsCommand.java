package io.videojam.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.VideoJamException;
import io.videojam.api.AtomicFiles;
import io.videojam.media.Clips;
import io.videojam.media.Frames;
import io.videojam.media.VideoReader;
import io.videojam.metrics.MetricsReport;
import io.videojam.metrics.VideoMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code videojam metrics VIDEO...}: generic motion and appearance metrics of any video files. */
@Command(name = "metrics", mixinStandardHelpOptions = true,
    description = {"Motion metrics of any videos (files FFmpeg reads, GIFs, or folders of PNG/JPEG frames):",
        "  dynamic degree (VBench: top-5% flow magnitude > 6 min(H,W)/256 in round(4N/16) pairs) and its",
        "  continuous mean; temporal flickering (VBench); motion smoothness (1 - error of each middle frame",
        "  interpolated from its neighbours with half the flow); flow warping error (non-occluded pixels,",
        "  forward-backward check); subject persistence (stability of the foreground's area and colour)."})
final class MetricsCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "VIDEO", description = "video files or frame folders")
  List<Path> videos;

  @Option(names = "--estimator", defaultValue = "dis:medium", description = "flow estimator NAME[:ARG] (default: ${DEFAULT-VALUE})")
  String estimator;

  @Option(names = "--frames", defaultValue = "64", description = "the most frames read per video (default: ${DEFAULT-VALUE})")
  int frames;

  @Option(names = "--size", paramLabel = "WxH", description = "resize frames before measuring")
  String size;

  @Option(names = "--json", paramLabel = "FILE", description = "also write the figures as JSON")
  Path json;

  @Override
  public Integer call() throws IOException {
    for (Path v : videos) {
      if (!Files.exists(v)) {
        throw new VideoJamException("video file not found: " + v + "; check the path");
      }
    }
    FlowEstimatorProvider.find(estimator, "--estimator"); // a wrong name fails before any video is read
    Supplier<FlowEstimator> flow = null; // made after the first video reads, so a bad path fails before native loading
    Map<String, Object> all = new LinkedHashMap<>();
    System.out.printf(Locale.ROOT, "%-40s %7s %8s %10s %10s %10s %11s%n", "video", "dynamic", "top5flow", "flicker", "smooth", "warp-err", "persistence");
    for (Path v : videos) {
      VideoReader.Decoded clip = Clips.read(v, frames, 1, size == null ? null : Clips.Size.parse(size));
      if (clip.frames().size() < 3) {
        throw new VideoJamException(v + " has " + clip.frames().size() + " frames; the metrics need at least 3");
      }
      FloatTensor video = Frames.fromImages(clip.frames());
      if (flow == null) {
        flow = FlowEstimatorProvider.onCpu(estimator, "--estimator");
      }
      MetricsReport r = VideoMetrics.compute(video, flow);
      System.out.printf(Locale.ROOT, "%-40s %7.0f %8.3f %10.4f %10.4f %10.5f %11.3f%n", shorten(v.toString()), r.dynamicDegree(),
          r.meanFlowTop5(), r.temporalFlickering(), r.motionSmoothness(), r.warpingError(), r.subjectPersistence());
      all.put(v.toString(), r);
    }
    if (json != null) {
      byte[] bytes = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(all);
      AtomicFiles.write(json, "metrics JSON", tmp -> Files.write(tmp, bytes));
    }
    return 0;
  }

  private static String shorten(String s) {
    return s.length() <= 40 ? s : "..." + s.substring(s.length() - 37);
  }
}
