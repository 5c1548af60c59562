package io.videojam.cli;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.BackendProvider;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import io.videojam.media.Clips;
import io.videojam.media.Frames;
import io.videojam.media.OutputStaging;
import io.videojam.media.VideoReader;
import io.videojam.runtime.FlowVideos;
import io.videojam.motion.FloFiles;
import io.videojam.motion.FlowPng;
import io.videojam.motion.FlowRgb;
import io.videojam.motion.FlowStats;
import io.videojam.motion.FlowRgbCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code videojam flow}: optical flow as an Eq. 5 motion video, and back. */
@Command(name = "flow", mixinStandardHelpOptions = true,
    description = {"Turn a video into its motion video (optical flow rendered as RGB by Eq. 5), a .flo file into a PNG,",
        "or with --decode a motion PNG into a .flo file (a motion video into a folder of .flo files).",
        "The motion representation is the same flow-rgb plugin that training and inference use."})
final class FlowCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "INPUT",
      description = "a video FFmpeg reads (mp4, avi, mkv, webm, mov, gif), a folder of PNG/JPEG frames, a .flo file, or with --decode a motion .png or video")
  Path input;

  @Option(names = "--out", required = true, paramLabel = "OUTPUT",
      description = "motion video (.mp4 or .gif, or a folder for PNG frames); .png for a .flo input; .flo (or a folder) with --decode")
  Path out;

  @Option(names = "--estimator", defaultValue = FlowRgb.DEFAULT_ESTIMATOR,
      description = "dis:ultrafast|fast|medium, farneback, or raft:MODEL.onnx (default: ${DEFAULT-VALUE})")
  String estimator;

  @Option(names = "--sigma", defaultValue = "0.15", description = "Eq. 5 saturation speed as a fraction of the frame diagonal (default: ${DEFAULT-VALUE})")
  double sigma;

  @Option(names = "--alignment", defaultValue = "duplicate-first",
      description = "how T-1 flows become T motion frames: duplicate-first, duplicate-last, zero-first (default: ${DEFAULT-VALUE})")
  String alignment;

  @Option(names = "--size", paramLabel = "WxH", description = "resize frames to WxH before estimating")
  String size;

  @Option(names = "--frames", defaultValue = "100000", description = "at most this many frames (after --stride)")
  int frames;

  @Option(names = "--stride", defaultValue = "1", description = "keep every N-th frame (default: ${DEFAULT-VALUE})")
  int stride;

  @Option(names = "--threads", defaultValue = "0", description = "frame pairs estimated at once (0: all cores)")
  int threads;

  @Option(names = "--scale", description = "integer upscale of the written motion video (default: auto, short side >= 256 px)")
  Integer scale;

  @Option(names = "--decode", description = "invert Eq. 5: motion PNG -> .flo, motion video -> folder of .flo")
  boolean decode;

  @Option(names = "--estimator-param", paramLabel = "KEY=VALUE",
      description = "estimator setting, repeatable (raft: input1, input2, output, input-range, layout, pad-to, flow-scale; farneback: levels, winsize, ...)")
  Map<String, String> estimatorParams = new LinkedHashMap<>();

  @Option(names = "--backend", defaultValue = "cpu", description = "backend of a raft:MODEL.onnx estimator (default: ${DEFAULT-VALUE})")
  String backend;

  @Option(names = "--timings", description = "print where the time went, stage by stage")
  boolean timings;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Override
  public Integer call() {
    if (scale != null) {
      Checks.range("--scale", scale, 1, 64);
    }
    Checks.range("--threads", threads, 0, io.videojam.api.BackendOptions.MAX_THREADS);
    Checks.range("--sigma", sigma, 1e-6, 10);
    if (!Files.exists(input)) {
      throw new VideoJamException(input + " not found; pass an existing video, folder of frames, .flo or .png file");
    }
    FlowRgbCodec codec = new FlowRgbCodec(sigma);
    String in = extension(input);
    String o = extension(out);
    if (decode) {
      if (in.equals("png")) {
        requireExtension(o, "flo", "--decode of a PNG writes a .flo file");
        FlowField f = FlowPng.readFlow(input, codec);
        FloFiles.write(out, f);
        System.out.printf(Locale.ROOT, "wrote %s (%dx%d, %s)%n", out, f.width(), f.height(), stats(List.of(f), codec));
      } else {
        decodeVideo(codec);
      }
    } else if (in.equals("flo")) {
      requireExtension(o, "png", "a .flo file becomes a .png");
      FlowField f = FloFiles.read(input);
      FlowPng.write(out, f, codec);
      System.out.printf(Locale.ROOT, "wrote %s (%dx%d, %s)%n", out, f.width(), f.height(), stats(List.of(f), codec));
    } else if (in.equals("png") || in.equals("jpg") || in.equals("jpeg")) {
      throw new VideoJamException(input + " is a single image: flow needs at least two frames; pass a video or a folder of frames"
          + " (or --decode to turn a motion PNG into .flo)");
    } else {
      encodeVideo();
    }
    return 0;
  }

  private void encodeVideo() {
    FlowVideos.Request request = new FlowVideos.Request(input, out, frames, stride,
        size == null ? null : Clips.Size.parse(size), scale == null ? 0 : scale);
    Map<String, Object> settings = new LinkedHashMap<>();
    estimatorParams.forEach((k, v) -> {
      try {
        settings.put(k, Double.parseDouble(v));
      } catch (NumberFormatException e) {
        settings.put(k, v);
      }
    });
    settings.put("sigma", sigma);
    settings.put("estimator", estimator);
    settings.put("alignment", alignment);
    settings.put("threads", threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
    Backend b = Plugins.find(BackendProvider.class, backend, "--backend").create();
    try (FlowRgb rep = (FlowRgb) Plugins.find(MotionRepresentationProvider.class, "flow-rgb", "motion representation")
        .create(new Settings(settings, "--estimator/--sigma/--alignment"), b, BackendOptions.defaults())) {
      FlowVideos.Result r;
      try (Progress bar = new Progress("flow", 1, !noProgress)) {
        r = FlowVideos.write(request, rep, bar);
      }
      FlowVideos.Timings t = r.timings();
      System.out.printf(Locale.ROOT, "wrote %s: %d frames of %dx%d at %.3g fps, %s, %s; %.2f s (%.1f frames/s)%n",
          out, r.frames(), r.width(), r.height(), r.fps(), rep.estimator(), stats(r.stats(), r.saturationSpeed()), t.wall() / 1e9,
          r.frames() / Math.max(1e-9, t.wall() / 1e9));
      if (timings) {
        // since the JVM started: what the user waits for, less the JVM's own exit
        double sinceStart = (System.currentTimeMillis() - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime()) / 1e3;
        System.out.printf(Locale.ROOT, "timings:%n  %-26s %7.2f s  (JVM, options, plugins)%n%s%n  %-26s %7.2f s%n", "start-up",
            sinceStart - t.wall() / 1e9, t.table(), "since the JVM started", sinceStart);
      }
    }
  }

  private void decodeVideo(FlowRgbCodec codec) {
    VideoReader.Decoded clip = Clips.read(input, frames, stride, size == null ? null : Clips.Size.parse(size));
    FloatTensor video = Frames.fromImages(clip.frames());
    int t = (int) video.shape()[1];
    int h = (int) video.shape()[2];
    int w = (int) video.shape()[3];
    try (OutputStaging staging = OutputStaging.begin(out)) {
      float[] frame = new float[3 * h * w];
      List<FlowField> fields = new java.util.ArrayList<>();
      for (int i = 0; i < t; i++) {
        for (int c = 0; c < 3; c++) {
          System.arraycopy(video.data(), (c * t + i) * h * w, frame, c * h * w, h * w);
        }
        FlowField f = codec.decode(frame, h, w);
        fields.add(f);
        FloFiles.write(staging.file(String.format(Locale.ROOT, "%04d.flo", i)), f);
      }
      staging.commit();
      System.out.printf(Locale.ROOT, "wrote %s (%d .flo files of %dx%d, %s)%n", out, t, w, h, stats(fields, codec));
    }
  }

  /** Mean and 95th-percentile speed, and the share of pixels at Eq. 5's saturation. */
  static String stats(List<FlowField> flows, FlowRgbCodec codec) {
    double limit = codec.saturationSpeed(flows.get(0).height(), flows.get(0).width());
    return stats(FlowStats.of(flows, limit), limit);
  }

  static String stats(FlowStats st, double limit) {
    return String.format(Locale.ROOT, "speed mean %.2f px, p95 %.2f px, saturation at %.1f px (%.1f%% of pixels)", st.mean(), st.p95(),
        limit, 100.0 * st.saturated());
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot < 0 || Files.isDirectory(p) ? "" : name.substring(dot + 1);
  }

  private void requireExtension(String got, String wanted, String why) {
    if (!got.equals(wanted)) {
      throw new VideoJamException("--out " + out + ": " + why + "; name it *." + wanted);
    }
  }
}
