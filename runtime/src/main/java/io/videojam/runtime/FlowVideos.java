package io.videojam.runtime;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowField;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.media.Clips;
import io.videojam.media.Frames;
import io.videojam.media.GifWriter;
import io.videojam.media.Mp4Writer;
import io.videojam.media.OutputStaging;
import io.videojam.media.PngWriter;
import io.videojam.media.VideoReader;
import io.videojam.motion.FlowAlignment;
import io.videojam.motion.FlowRgb;
import io.videojam.motion.FlowStats;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A video file (or folder of frames) to its motion video: frames decoded (and resized) by FFmpeg,
 * frame pairs estimated by a {@link FlowRgb} on its worker threads, each flow rendered by Eq. 5 and
 * written in order, all at once as a stream: decoding, estimation and encoding overlap, and only a
 * window of frames is in memory whatever the length of the video. Writes an MP4 (streamed), a GIF or
 * a folder of PNG frames (both collected first).
 *
 * <p>The motion frames are those of {@link FlowRgb#encodeFlows} (the flows in the representation's
 * alignment), as 8-bit levels; the statistics are {@link FlowStats} of every flow.
 */
public final class FlowVideos {
  private FlowVideos() {}

  /**
   * What to read and write.
   *
   * @param input a video file FFmpeg reads, or a folder of PNG/JPEG frames
   * @param out the motion video: {@code .mp4}, {@code .gif}, or a folder for PNG frames
   * @param frames the most frames to keep (after the stride)
   * @param stride keep every stride-th frame
   * @param size resize to this, or null for the source size
   * @param scale integer upscale of the written video, or 0 for {@link Frames#autoScale}
   */
  public record Request(Path input, Path out, int frames, int stride, Clips.Size size, int scale) {
    public Request {
      if (frames < 2) {
        throw new VideoJamException("frames must be >= 2 (flow needs two frames), got " + frames);
      }
      if (stride < 1) {
        throw new VideoJamException("stride must be >= 1, got " + stride);
      }
      if (scale < 0 || scale > 64) {
        throw new VideoJamException("scale must be in [1, 64] (or 0 for automatic), got " + scale);
      }
    }
  }

  /**
   * Where the time went. Each stage's figure is the time its threads were busy with it, added over
   * threads (stages overlap, so they may add up to more than {@code wall}).
   *
   * @param decode decoding and resizing (FFmpeg)
   * @param convert BGR bytes to RGB floats
   * @param flow optical flow (the estimator)
   * @param render Eq. 5 and the speed statistics
   * @param write upscaling and encoding the motion video, and writing the file
   * @param wall from the first frame asked for to the file in place
   */
  public record Timings(long decode, long convert, long flow, long render, long write, long wall) {
    /** One line per stage: seconds and share of the wall-clock time. */
    public String table() {
      StringBuilder b = new StringBuilder();
      row(b, "decode + resize (FFmpeg)", decode);
      row(b, "frames to floats", convert);
      row(b, "optical flow", flow);
      row(b, "Eq. 5 + statistics", render);
      row(b, "encode + write", write);
      b.append(String.format(Locale.ROOT, "  %-26s %7.2f s  (stages overlap on %d cores)", "wall clock", wall / 1e9,
          Runtime.getRuntime().availableProcessors()));
      return b.toString();
    }

    private void row(StringBuilder b, String name, long nanos) {
      b.append(String.format(Locale.ROOT, "  %-26s %7.2f s  %5.1f%% of wall%n", name, nanos / 1e9, 100.0 * nanos / Math.max(1, wall)));
    }
  }

  /**
   * What was written.
   *
   * @param frames motion frames (as many as frames read)
   * @param width frame width, before the upscale
   * @param height frame height
   * @param fps frame rate of the frames read
   * @param scale the upscale used
   * @param stats speed statistics of all flows
   * @param saturationSpeed Eq. 5's saturation speed at this size, pixels
   */
  public record Result(int frames, int width, int height, double fps, int scale, FlowStats stats, double saturationSpeed, Timings timings) {}

  /**
   * Reads, estimates and writes. The output is replaced atomically (a file through a temporary
   * sibling, a folder through {@link OutputStaging}).
   *
   * @param progress told {@code (frame pairs estimated, expected pairs)}; the expected count is the
   *     container's and may be corrected upwards at the end
   * @throws VideoJamException one line naming the file for unreadable input, fewer than two frames,
   *     or an output it cannot write
   */
  public static Result write(Request request, FlowRgb rep, StepListener progress) {
    String ext = extension(request.out());
    if (!ext.isEmpty() && !ext.equals("mp4") && !ext.equals("gif")) {
      throw new VideoJamException("out " + request.out() + ": write the motion video as .mp4 or .gif, or name a folder for PNG frames");
    }
    try (Pipeline p = new Pipeline(request, rep, progress)) {
      return p.run(ext);
    }
  }

  /** The stages and what they share; one per call. */
  private static final class Pipeline implements AutoCloseable {
    private final Request request;
    private final FlowRgb rep;
    private final StepListener progress;
    private final FlowAlignment alignment;
    private final ExecutorService pool;
    private final int window;
    private final AtomicLong decodeNanos = new AtomicLong();
    private final AtomicLong convertNanos = new AtomicLong();
    private final AtomicLong flowNanos = new AtomicLong();
    private final AtomicLong renderNanos = new AtomicLong();
    private final AtomicInteger pairsDone = new AtomicInteger();
    // guarded by this
    private final Map<Integer, byte[]> rendered = new HashMap<>();
    private int decoded;
    private int pending; // pairs submitted and not yet dropped by the writer
    private boolean finished;
    private RuntimeException failure;
    private int width;
    private int height;
    private FlowStats.Accumulator stats;
    private volatile int expectedPairs = 1;
    private double fps; // guarded by this

    /** The frame rate of the frames kept and how many frames the input holds (the container's word for a video). */
    private synchronized void opened(double rate, int frames) {
      fps = rate;
      expectedPairs = Math.max(1, Math.min(request.frames(), frames) - 1);
    }

    private synchronized double fps() {
      return fps;
    }

    Pipeline(Request request, FlowRgb rep, StepListener progress) {
      this.request = request;
      this.rep = rep;
      this.progress = progress;
      this.alignment = rep.alignment();
      AtomicInteger n = new AtomicInteger();
      this.pool = Executors.newFixedThreadPool(rep.threads(), r -> {
        Thread t = new Thread(r, "videojam-flow-" + n.incrementAndGet());
        t.setDaemon(true);
        return t;
      });
      this.window = 2 * rep.threads() + 2;
    }

    Result run(String ext) {
      long start = System.nanoTime();
      // a folder of frames is read whole (its frames have no container to stream from); a video is streamed
      VideoReader.Decoded clip = null;
      if (Files.isDirectory(request.input())) {
        clip = Clips.read(request.input(), request.frames(), request.stride(), request.size());
        opened(clip.fps(), clip.frames().size());
        decodeNanos.addAndGet(System.nanoTime() - start);
      }
      VideoReader.Decoded frames0 = clip;
      // the estimator (OpenCV's natives: about half a second) loads while the first frames decode
      pool.execute(() -> {
        try {
          rep.prepare();
          if (rep.threads() > 1 && io.videojam.flow.FlowEstimators.openCvLoaded()) {
            io.videojam.flow.FlowEstimators.openCvThreads(1); // frame pairs run in parallel: OpenCV's own pool would compete with them
          }
        } catch (RuntimeException | Error e) {
          fail(e instanceof RuntimeException r ? r : new VideoJamException("flow failed: " + e, e));
        }
      });
      Thread decoder = new Thread(() -> decode(frames0), "videojam-decode");
      decoder.setDaemon(true);
      decoder.start();
      long[] writeBusy = {0};
      int scale;
      int frames;
      try {
        int[] hw = awaitSize();
        int h = hw[0];
        int w = hw[1];
        double fps = fps(); // known once the first frame is
        scale = request.scale() > 0 ? request.scale() : Frames.autoScale(h, w);
        int s = scale;
        java.util.function.Supplier<BufferedImage> source = () -> {
          long t0 = System.nanoTime();
          byte[] levels = nextFrame();
          long t1 = System.nanoTime();
          BufferedImage img = levels == null ? null : Frames.fromPlanarLevels(levels, h, w, s);
          writeBusy[0] -= t1 - t0; // waiting for a frame is not writing
          return img;
        };
        long w0 = System.nanoTime();
        if (ext.equals("mp4")) {
          // a motion video is smooth fields of colour: x264's veryfast preset keeps it near-lossless at CRF 18
          frames = Mp4Writer.write(request.out(), w * s, h * s, fps, Mp4Writer.DEFAULT_CRF, Mp4Writer.FAST_PRESET, source);
        } else {
          List<BufferedImage> images = new ArrayList<>();
          for (BufferedImage img = source.get(); img != null; img = source.get()) {
            images.add(img);
          }
          frames = images.size();
          if (ext.equals("gif")) {
            GifWriter.write(request.out(), images, fps);
          } else {
            try (OutputStaging staging = OutputStaging.begin(request.out())) {
              PngWriter.writeFrames(staging.file("frames"), images);
              staging.commit();
            }
          }
        }
        writeBusy[0] += System.nanoTime() - w0;
        decoder.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail(new VideoJamException("flow was interrupted"));
        throw failureOr(null);
      } catch (RuntimeException e) {
        fail(e);
        throw failureOr(e);
      }
      synchronized (this) {
        if (failure != null) {
          throw failure;
        }
      }
      long wall = System.nanoTime() - start;
      return new Result(frames, width, height, fps(), scale, stats.result(), rep.codec().saturationSpeed(height, width),
          new Timings(decodeNanos.get(), convertNanos.get(), flowNanos.get(), renderNanos.get(), writeBusy[0], wall));
    }

    /** The decoder thread: frames in (from {@code clip} when the input is a folder), pair jobs out. */
    private void decode(VideoReader.Decoded clip) {
      try {
        FloatTensor[] previous = {null};
        long[] mark = {System.nanoTime()};
        VideoReader.FrameSink sink = (index, bgr, w, h) -> {
          long t0 = System.nanoTime();
          decodeNanos.addAndGet(t0 - mark[0]);
          FloatTensor frame = Frames.fromBgr(bgr, h, w);
          long t1 = System.nanoTime();
          convertNanos.addAndGet(t1 - t0);
          if (index == 0) {
            started(h, w);
          } else {
            submit(index - 1, previous[0], frame);
          }
          previous[0] = frame;
          mark[0] = System.nanoTime();
        };
        if (clip != null) {
          for (int i = 0; i < clip.frames().size(); i++) {
            BufferedImage img = Frames.copy(clip.frames().get(i)); // packed BGR24
            mark[0] = System.nanoTime();
            sink.frame(i, ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData(), img.getWidth(), img.getHeight());
          }
        } else {
          Clips.Size size = request.size();
          VideoReader.stream(request.input(), request.frames(), request.stride(), size == null ? 0 : size.width(),
              size == null ? 0 : size.height(), new VideoReader.FrameSink() {
                @Override
                public void frame(int index, byte[] bgr, int width, int height) {
                  sink.frame(index, bgr, width, height);
                }

                @Override
                public void opened(VideoReader.Probe probe) {
                  Pipeline.this.opened(probe.fps() / request.stride(), probe.frames() / request.stride());
                }
              });
        }
        synchronized (this) {
          finished = true;
          if (decoded < 2 && failure == null) {
            failure = new VideoJamException("flow needs at least two frames, but " + request.input() + " gave " + decoded
                + (request.stride() > 1 ? " at stride " + request.stride() : "") + "; pass a longer video");
          }
          notifyAll();
        }
      } catch (RuntimeException | Error e) {
        fail(e instanceof RuntimeException r ? r : new VideoJamException("flow failed: " + e, e));
      }
    }

    private synchronized void started(int h, int w) {
      height = h;
      width = w;
      stats = new FlowStats.Accumulator(rep.codec().saturationSpeed(h, w));
      decoded = 1;
      // the frames of the window, as floats and rendered, must fit (the video itself is never whole in memory)
      io.videojam.api.Memory.require((long) (window + 2) * h * w * (12 + 8 + 3 + 3L * scaleGuess(h, w) * scaleGuess(h, w)),
          (window + 2) + " frames of " + w + "x" + h + " in flight", "use a smaller size");
      notifyAll();
    }

    private int scaleGuess(int h, int w) {
      return request.scale() > 0 ? request.scale() : Frames.autoScale(h, w);
    }

    /** Queues flow {@code index} (frames index and index + 1), waiting while the window is full. */
    private void submit(int index, FloatTensor first, FloatTensor second) {
      synchronized (this) {
        while (pending >= window && failure == null) {
          try {
            wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VideoJamException("flow was interrupted");
          }
        }
        if (failure != null) {
          throw new Stop();
        }
        pending++;
        decoded = index + 2;
        notifyAll();
      }
      pool.execute(() -> {
        try {
          long t0 = System.nanoTime();
          FlowField flow = rep.flow(index, first, second);
          long t1 = System.nanoTime();
          flowNanos.addAndGet(t1 - t0);
          stats.add(index, flow);
          byte[] levels = rep.codec().encodeLevels(flow);
          renderNanos.addAndGet(System.nanoTime() - t1);
          synchronized (this) {
            rendered.put(index, levels);
            notifyAll();
          }
          int done = pairsDone.incrementAndGet();
          synchronized (progress) {
            progress.step(done, Math.max(done, expectedPairs));
          }
        } catch (RuntimeException | Error e) {
          fail(e instanceof RuntimeException r ? r : new VideoJamException("flow failed: " + e, e));
        }
      });
    }

    private int[] awaitSize() {
      synchronized (this) {
        while (decoded < 1 && failure == null && !finished) {
          waitHere();
        }
        if (failure != null) {
          throw new Stop();
        }
        if (decoded < 1) {
          throw new VideoJamException(request.input() + " gave no frames");
        }
        return new int[] {height, width};
      }
    }

    private int written;

    /** The writer's next motion frame as planar levels, or null after the last; drops flows no later frame shows. */
    private byte[] nextFrame() {
      synchronized (this) {
        int t = written;
        // frame t is not the last while frame t + 1 exists: then its flow does not depend on the frame count
        while (failure == null && !finished && decoded < t + 2) {
          waitHere();
        }
        if (failure != null) {
          throw new Stop();
        }
        int total = finished ? decoded : Integer.MAX_VALUE;
        if (t >= total) {
          return null;
        }
        int k = t + 1 < total ? alignment.flowIndex(t, t + 2) : alignment.flowIndex(t, total);
        byte[] levels;
        if (k < 0) {
          levels = new byte[3 * height * width]; // the zero flow: black
        } else {
          while (failure == null && !rendered.containsKey(k)) {
            waitHere();
          }
          if (failure != null) {
            throw new Stop();
          }
          levels = rendered.get(k);
          // later frames show flow k or later ones (the alignments are monotone)
          for (java.util.Iterator<Integer> it = rendered.keySet().iterator(); it.hasNext();) {
            if (it.next() < k) {
              it.remove();
              pending--;
            }
          }
          notifyAll();
        }
        written++;
        return levels;
      }
    }

    private void waitHere() {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new VideoJamException("flow was interrupted");
      }
    }

    private synchronized void fail(RuntimeException e) {
      if (e instanceof Stop) {
        return;
      }
      if (failure == null) {
        failure = e;
      }
      notifyAll();
    }

    private synchronized RuntimeException failureOr(RuntimeException e) {
      return failure != null ? failure : e;
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  /** Unwinds a stage after another stage failed; the first failure is what the caller sees. */
  private static final class Stop extends RuntimeException {
    Stop() {
      super("stopped after another stage failed", null, false, false);
    }
  }

  private static String extension(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    int dot = name.lastIndexOf('.');
    return dot < 0 || Files.isDirectory(p) ? "" : name.substring(dot + 1);
  }
}
