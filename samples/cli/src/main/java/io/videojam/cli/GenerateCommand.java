package io.videojam.cli;

import io.videojam.media.OutputStaging;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code videojam generate}: a prompt becomes a video (and its motion). */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Generate a video from a prompt with Inner-Guidance (or another rule).",
        "Writes DIR/video.mp4, video.gif, motion.mp4, motion.gif, frames/*.png, motion-frames/*.png, contact-sheet.png, run.json."})
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--prompt", required = true, description = "the text prompt")
  String prompt;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (files are written to a staging folder and moved in at the end)")
  Path out;

  @Option(names = "--scale", description = "integer upscale of the written videos (default: auto, short side >= 256 px)")
  Integer scale;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Mixin
  ModelOptions model = new ModelOptions();

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  @Override
  public Integer call() {
    long start = System.nanoTime();
    GenerationRequest request = sampling.request(prompt);
    RuntimeConfig config = model.config();
    try (OutputStaging staging = OutputStaging.begin(out); VideoJam jam = VideoJam.open(config)) {
      // said after the run, so that a failure stays one line on stderr
      String warning = coverageWarning(jam.videoModel().textEncoder().coverage(prompt));
      Generation g;
      try (Progress bar = new Progress("sampling", request.steps(), !noProgress)) {
        g = jam.generate(request, bar);
      }
      long written = GenerationWriter.write(staging, g, jam.model(), config, jam.backend(), scale, start);
      staging.commit();
      if (warning != null) {
        System.err.println(warning);
      }
      Generation.Timings t = g.timings();
      System.out.printf(Locale.ROOT, "wrote %s (video.mp4, video.gif%s, frames, contact-sheet.png, run.json) in %.2f s: "
              + "sampling %.2f s, %d model runs, %.1f%% of generation inside the backend, writing %.2f s%n",
          out, g.motion() != null ? ", motion.mp4, motion.gif" : "", (System.nanoTime() - start) / 1e9, t.samplingNanos() / 1e9,
          t.modelRuns(), 100.0 * t.backendNanos() / t.totalNanos(), written / 1e9);
    }
    return 0;
  }

  /** One line about the words of the prompt the model never sees, or null when it sees them all. */
  static String coverageWarning(io.videojam.api.TextEncoder.PromptCoverage c) {
    if (c.complete()) {
      return null;
    }
    StringBuilder b = new StringBuilder("videojam: warning: ");
    if (!c.unknown().isEmpty()) {
      b.append("the model's vocabulary lacks ").append(quoted(c.unknown())).append(" (ignored)");
    }
    if (!c.truncated().isEmpty()) {
      b.append(c.unknown().isEmpty() ? "" : "; ").append("the prompt is longer than the model reads; dropped: ")
          .append(quoted(c.truncated()));
    }
    if (!c.known().isEmpty()) {
      b.append("; it knows: ").append(String.join(" ", c.known()));
    }
    return b.toString();
  }

  private static String quoted(java.util.List<String> words) {
    return words.stream().map(w -> "\"" + w + "\"").collect(java.util.stream.Collectors.joining(", "));
  }
}
