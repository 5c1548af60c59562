package io.videojam.media;

import io.videojam.api.FloatTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Gets the writers ready on a background thread: FFmpeg's natives, x264, the GIF and PNG encoders
 * and the fonts of {@link ContactSheet} are loaded and run once on a tiny throwaway video. A
 * command starts it before it loads its model, so the first real write does not pay for loading
 * (about 0.4 s, more than the writes themselves on small videos). Failures are ignored: the real
 * write reports its own.
 */
public final class WriterWarmUp {
  private static final Object LOCK = new Object();
  /** The warm-up folder in the temporary folder is this and the process id (a killed process's folder is swept by the next). */
  static final String PREFIX = "videojam-warm-up-";
  private static Thread started;

  private WriterWarmUp() {}

  /** Starts the warm-up once per process (later calls return the same thread); it is a daemon. */
  public static Thread start() {
    synchronized (LOCK) {
      if (started == null) {
        started = new Thread(WriterWarmUp::run, "videojam-writer-warm-up");
        started.setDaemon(true);
        started.setPriority(Thread.MIN_PRIORITY);
        started.start();
      }
      return started;
    }
  }

  private static void run() {
    Path dir = null;
    try {
      sweepDeadProcesses();
      dir = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"), PREFIX + ProcessHandle.current().pid()));
      Path made = dir;
      // a process that ends while this runs (a daemon) must not leave the folder behind
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(made), "videojam-warm-up-cleanup"));
      float[] data = new float[3 * 2 * 16 * 16];
      for (int i = 0; i < data.length; i++) {
        data[i] = (i % 7) / 7f - 0.5f;
      }
      FloatTensor video = new FloatTensor(new long[] {3, 2, 16, 16}, data);
      Mp4Writer.write(dir.resolve("warm.mp4"), video, 8, 1);
      GifWriter.write(dir.resolve("warm.gif"), video, 8, 1);
      PngWriter.writeFrames(dir.resolve("frames"), video, 1);
      LinkedHashMap<String, List<java.awt.image.BufferedImage>> rows = new LinkedHashMap<>();
      rows.put("video", Frames.toImages(video, 1));
      ContactSheet.write(dir.resolve("sheet.png"), "warm-up", rows, 16);
    } catch (Exception | LinkageError e) {
      // only a warm-up: the real write reports its own failure
    } finally {
      if (dir != null) {
        delete(dir);
      }
    }
  }

  /** Removes the warm-up folders of processes that no longer run (a SIGKILL runs no shutdown hook). */
  private static void sweepDeadProcesses() {
    try (var list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      list.filter(p -> p.getFileName().toString().matches(java.util.regex.Pattern.quote(PREFIX) + "\\d+"))
          .filter(p -> ProcessHandle.of(Long.parseLong(p.getFileName().toString().substring(PREFIX.length()))).isEmpty())
          .forEach(WriterWarmUp::delete);
    } catch (Exception ignored) {
      // nothing to sweep, or not readable
    }
  }

  private static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // a temporary folder left behind
    }
  }
}
