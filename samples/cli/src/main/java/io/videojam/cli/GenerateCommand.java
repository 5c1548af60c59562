package io.videojam.cli;

import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.api.VideoJamException;
import io.videojam.media.OutputStaging;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationFiles;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code videojam generate}: a prompt becomes a video (and its motion). */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = {"Generate a video from a prompt with Inner-Guidance (or another rule).",
        "Writes DIR/video.mp4, video.gif, motion.mp4, motion.gif, frames/*.png, motion-frames/*.png, contact-sheet.png, run.json",
        "(and initial-noise.npy, latents.npy with --latents-out)."})
final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--prompt", required = true, description = "the text prompt")
  String prompt;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (files are written to a staging folder and moved in at the end)")
  Path out;

  @Option(names = "--scale", description = "integer upscale of the written videos (default: auto, short side >= 256 px)")
  Integer scale;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Option(names = "--latents-out", description = "also write initial-noise.npy (the noise at t = 0) and latents.npy (the final joint "
      + "latent, before decoding), float32 [1, C, T, H, W]")
  boolean latentsOut;

  @Option(names = "--init-noise", paramLabel = "FILE.npy", description = "start from this noise (float32 [1, C, T, H, W] of the model's latent, "
      + "e.g. the initial-noise.npy of a --latents-out run) instead of the seed's")
  Path initNoise;

  @Mixin
  ModelOptions model = new ModelOptions();

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  @Override
  public Integer call() {
    if (scale != null) {
      Checks.range("--scale", scale, 1, 64);
    }
    long start = System.nanoTime();
    GenerationRequest request = sampling.request(prompt);
    Map<String, Object> inputs = new LinkedHashMap<>();
    if (initNoise != null) {
      request = request.withInitialNoise(readNoise(initNoise));
      inputs.put("init-noise", Map.of("file", initNoise.toAbsolutePath().normalize().toString(), "sha256", io.videojam.api.Hashing.sha256Hex(initNoise)));
    }
    RuntimeConfig config = model.config();
    io.videojam.media.WriterWarmUp.start(); // the options are good: the writers load while the model loads and samples
    try (OutputStaging staging = OutputStaging.begin(out); VideoJam jam = VideoJam.open(config)) {
      // said after the run, so that a failure stays one line on stderr
      String warning = coverageWarning(jam.videoModel().textEncoder().coverage(prompt));
      Generation g;
      try (Progress bar = new Progress("sampling", request.steps(), !noProgress)) {
        g = jam.generate(request, bar);
      }
      long written = GenerationFiles.write(staging, g, jam.model(), config, jam.backend(), scale, start, "generate", latentsOut, inputs);
      staging.commit();
      if (warning != null) {
        System.err.println(warning);
      }
      jam.videoModel().notes().forEach(n -> System.err.println("videojam: note: " + n));
      Generation.Timings t = g.timings();
      System.out.printf(Locale.ROOT, "wrote %s (video.mp4, video.gif%s, frames, contact-sheet.png, run.json%s) in %.2f s: "
              + "sampling %.2f s, %d model runs, %.1f%% of generation inside the backend, writing %.2f s%n",
          out, g.motion() != null ? ", motion.mp4, motion.gif" : "", latentsOut ? ", initial-noise.npy, latents.npy" : "",
          (System.nanoTime() - start) / 1e9, t.samplingNanos() / 1e9,
          t.modelRuns(), 100.0 * t.backendNanos() / t.totalNanos(), written / 1e9);
    }
    return 0;
  }

  /** The noise file of --init-noise; any failure is one line naming the option and the fix. */
  static FloatTensor readNoise(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException("--init-noise " + file + " does not exist; pass an .npy file, e.g. the initial-noise.npy of a --latents-out run");
    }
    try {
      return Npy.readFloat(file);
    } catch (VideoJamException e) {
      throw new VideoJamException("--init-noise: " + e.getMessage() + "; pass a float32 .npy [1, C, T, H, W], e.g. the initial-noise.npy of a "
          + "--latents-out run");
    }
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
