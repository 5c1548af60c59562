package io.videojam.runtime;

import io.videojam.api.FloatTensor;
import io.videojam.api.ModelInfo;
import io.videojam.api.Npy;
import io.videojam.api.VideoJamException;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.media.GifWriter;
import io.videojam.media.Mp4Writer;
import io.videojam.media.OutputStaging;
import io.videojam.media.PngWriter;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Writes a generation's files (what design.md lists for {@code generate}: videos, GIFs, frames,
 * contact sheet, run.json) into a staging folder; the CLI and the HTTP service share it, so both
 * write the same bytes for the same run.
 */
public final class GenerationFiles {
  private GenerationFiles() {}

  /** Writes every output and run.json; returns the nanoseconds spent writing. */
  public static long write(OutputStaging staging, Generation g, ModelInfo model, RuntimeConfig config, BackendChoice backend, Integer scaleOption,
      long commandStart) {
    return write(staging, g, model, config, backend, scaleOption, commandStart, "generate", false, Map.of());
  }

  /**
   * Writes every output and run.json; with {@code latents} also initial-noise.npy and latents.npy
   * (float32 {@code [1, C, T, H, W]}). {@code command} (e.g. {@code generate}, {@code serve}) and
   * {@code inputs} (files the run read, e.g. {@code init-noise}) go into run.json. Returns the
   * nanoseconds spent writing.
   */
  public static long write(OutputStaging staging, Generation g, ModelInfo model, RuntimeConfig config, BackendChoice backend, Integer scaleOption,
      long commandStart, String command, boolean latents, Map<String, Object> inputs) {
    long start = System.nanoTime();
    double fps = model.video().fps();
    int h = (int) g.video().shape()[2];
    int w = (int) g.video().shape()[3];
    int scale = scaleOption != null ? scaleOption : Frames.autoScale(h, w);
    // the files are independent: write them on all cores, the slowest first
    FloatTensor motion = g.motion();
    List<Runnable> jobs = new ArrayList<>();
    jobs.add(() -> Mp4Writer.write(staging.file("video.mp4"), g.video(), fps, scale));
    if (motion != null) {
      jobs.add(() -> Mp4Writer.write(staging.file("motion.mp4"), motion, fps, scale));
    }
    jobs.add(() -> GifWriter.write(staging.file("video.gif"), g.video(), fps, scale));
    if (motion != null) {
      jobs.add(() -> GifWriter.write(staging.file("motion.gif"), motion, fps, scale));
    }
    GenerationRecord r = g.record();
    jobs.add(() -> {
      LinkedHashMap<String, List<BufferedImage>> rows = new LinkedHashMap<>();
      rows.put("video", Frames.toImages(g.video(), Math.max(1, scale / 2)));
      if (motion != null) {
        rows.put("motion", Frames.toImages(motion, Math.max(1, scale / 2)));
      }
      ContactSheet.write(staging.file("contact-sheet.png"), "\"" + r.prompt() + "\"  " + r.guidance() + " " + r.guidanceSettings()
          + "  seed " + r.seed(), rows, 16);
    });
    jobs.add(() -> PngWriter.writeFrames(staging.file("frames"), g.video(), 1));
    if (motion != null) {
      jobs.add(() -> PngWriter.writeFrames(staging.file("motion-frames"), motion, 1));
    }
    if (latents) {
      if (g.initialNoise() == null) {
        throw new VideoJamException("latents need a generator that reports its initial noise; this one does not");
      }
      jobs.add(() -> Npy.write(g.initialNoise(), staging.file("initial-noise.npy")));
      jobs.add(() -> Npy.write(g.latent(), staging.file("latents.npy")));
    }
    runAll(jobs);
    long writing = System.nanoTime() - start;

    RunRecord.Extras extras = new RunRecord.Extras(command, inputs, scale, writing, System.nanoTime() - commandStart,
        RunRecord.listOutputs(staging.stagingDir()));
    RunRecord.write(staging.file("run.json"), RunRecord.of(g, model, config, backend, extras));
    return writing;
  }

  /** Runs the jobs on a pool of one thread per core; the first failure is rethrown as it was. */
  private static void runAll(List<Runnable> jobs) {
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs.size(), Runtime.getRuntime().availableProcessors()));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Runnable job : jobs) {
        futures.add(pool.submit(job));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new VideoJamException("writing the outputs was interrupted");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
