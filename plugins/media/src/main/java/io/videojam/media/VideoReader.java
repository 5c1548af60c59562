package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.FloatTensor;
import io.videojam.api.VideoFormat;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Decodes any video FFmpeg can read (MP4, WebM, MOV, GIF, ...) into frames, ignoring audio.
 *
 * <p>Every failure is a one-line {@link VideoJamException} that names the file: missing, a folder,
 * empty, not decodable, without a video stream or without frames.
 */
public final class VideoReader {
  /** The largest frame read: 2^26 pixels (8192 x 8192). */
  public static final long MAX_FRAME_PIXELS = 1L << 26;
  /** The most pixels of all frames of one file together, whatever the heap: 2^28 (768 MiB as BGR). */
  public static final long MAX_PIXELS = 1L << 28;
  /** Bytes a decoded pixel takes: 3 as BGR, 12 in the float tensor, and room for a resized copy. */
  static final int BYTES_PER_PIXEL = 24;

  private VideoReader() {}

  /** The most pixels of all frames of one file: {@link #MAX_PIXELS}, or fewer where this JVM's heap holds fewer. */
  public static long maxPixels() {
    return Math.min(MAX_PIXELS, Runtime.getRuntime().maxMemory() / BYTES_PER_PIXEL);
  }

  /**
   * Refuses frame {@code index} (0-based) of {@code width x height} before it is allocated when the frame or all
   * frames up to it are over the limits ({@link #MAX_FRAME_PIXELS}, {@link #maxPixels()}).
   *
   * @param what the file, as messages name it ("video x.mp4", "GIF x.gif", "frame x.png")
   */
  static void checkSize(String what, long width, long height, long index) {
    long pixels = width * height; // each side < 2^31: exact
    if (width < 1 || height < 1 || pixels > MAX_FRAME_PIXELS) {
      throw new VideoJamException("cannot read " + what + ": a frame of " + width + " x " + height + " pixels is over the limit of "
          + MAX_FRAME_PIXELS + " pixels (8192 x 8192); the file is damaged, or resize the video first");
    }
    long max = maxPixels();
    if ((index + 1) * pixels > max) {
      throw new VideoJamException("cannot read " + what + ": " + (index + 1) + " frames of " + width + " x " + height + " pixels need "
          + ((index + 1) * pixels * BYTES_PER_PIXEL >> 20) + " MiB decoded, over the limit of " + max + " pixels ("
          + (max * BYTES_PER_PIXEL >> 20) + " MiB of this JVM's " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB heap);"
          + " read fewer frames (--frames) or a smaller video, or give Java more memory (JAVA_OPTS=-Xmx8g)");
    }
  }

  /** Decoded frames ({@code TYPE_3BYTE_BGR}, all the same size) and the stream's frame rate. */
  public record Decoded(List<BufferedImage> frames, double fps) {
    public Decoded {
      frames = List.copyOf(frames);
    }

    /** The frames as a video tensor {@code [3, T, H, W]} with values in [-1, 1]. */
    public FloatTensor tensor() {
      return Frames.fromImages(frames);
    }

    /** Frames, size and frame rate (fps falls back to 25 where the file does not say). */
    public VideoFormat format() {
      return new VideoFormat(frames.size(), frames.get(0).getHeight(), frames.get(0).getWidth(), fps > 0 ? fps : 25);
    }
  }

  /** All frames of the video as a tensor {@code [3, T, H, W]} with values in [-1, 1]. */
  public static FloatTensor read(Path video) {
    return decode(video, Integer.MAX_VALUE).tensor();
  }

  /** The first {@code maxFrames} frames (or all, if fewer) as a tensor {@code [3, T, H, W]}. */
  public static FloatTensor read(Path video, int maxFrames) {
    return decode(video, maxFrames).tensor();
  }

  /** All frames of the video as {@code TYPE_3BYTE_BGR} images. */
  public static List<BufferedImage> readImages(Path video) {
    return decode(video, Integer.MAX_VALUE).frames();
  }

  /**
   * Decodes the first {@code maxFrames} frames (or all, if fewer) and the frame rate.
   *
   * @throws VideoJamException one line naming the file when it is missing, a folder, empty, not a
   *     video FFmpeg can decode, or has no video frames
   */
  public static Decoded decode(Path video, int maxFrames) {
    if (maxFrames < 1) {
      throw new IllegalArgumentException("maxFrames must be >= 1, got " + maxFrames);
    }
    List<BufferedImage> frames = new ArrayList<>();
    double fps = read(video, maxFrames, 1, 0, 0, true, (index, bgr, w, h) -> {
      BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
      System.arraycopy(bgr, 0, ((DataBufferByte) img.getRaster().getDataBuffer()).getData(), 0, bgr.length);
      frames.add(img);
    });
    return new Decoded(frames, fps);
  }

  /**
   * What the container says of its video stream, before any frame is decoded.
   *
   * @param frames the frame count the container gives (may be 0 or an estimate)
   * @param fps the frame rate, 25 where the file does not say
   */
  public record Probe(int frames, double fps) {}

  /** Takes the frames {@link #stream} decodes, one at a time, in order. */
  @FunctionalInterface
  public interface FrameSink {
    /**
     * @param index the frame's place among the frames kept (0, 1, ...)
     * @param bgr the frame as BGR24, rows {@code 3 * width} bytes apart; the sink may keep it
     */
    void frame(int index, byte[] bgr, int width, int height);

    /** Called once, when the stream is open and before the first frame: what the container says. */
    default void opened(Probe probe) {}
  }

  /**
   * Decodes every {@code stride}-th frame, at most {@code maxFrames} of them, resized by FFmpeg
   * (bilinear, swscale) to {@code width x height} when both are positive, and hands each to
   * {@code sink} as it comes: a stream, so only the frames the sink keeps are in memory. Errors are
   * the one-line messages of {@link #decode}.
   *
   * @return the frame rate of the frames kept (the stream's, divided by the stride; 25 where the file does not say)
   */
  public static double stream(Path video, int maxFrames, int stride, int width, int height, FrameSink sink) {
    if (maxFrames < 1 || stride < 1) {
      throw new IllegalArgumentException("maxFrames and stride must be >= 1, got " + maxFrames + " and " + stride);
    }
    double fps = read(video, maxFrames, stride, width, height, false, sink);
    return (fps > 0 ? fps : 25) / stride;
  }

  /**
   * Decodes every {@code stride}-th frame, at most {@code maxFrames}, resized by FFmpeg when
   * {@code width} and {@code height} are positive, into {@code sink}. With {@code whole}, the
   * frames are kept together, so each is checked with all before it against {@link #maxPixels()};
   * else each on its own. Every check comes before the frame is copied.
   *
   * @return the stream's frame rate as the container gives it (0 where it does not say)
   */
  private static double read(Path video, int maxFrames, int stride, int width, int height, boolean whole, FrameSink sink) {
    checkFile(video);
    Ffmpeg.ensureLoaded();
    int kept = 0;
    int read = 0;
    double fps;
    int expected;
    String what = "video " + video;
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile())) {
      grabber.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
      if (width > 0 && height > 0) {
        checkSize(what, width, height, 0);
        grabber.setImageWidth(width);
        grabber.setImageHeight(height);
        grabber.setImageScalingFlags(org.bytedeco.ffmpeg.global.swscale.SWS_BILINEAR);
      }
      start(grabber, video);
      fps = grabber.getFrameRate();
      expected = grabber.getLengthInFrames();
      if (grabber.getImageWidth() > 0 && grabber.getImageHeight() > 0) { // the stream's size, before any frame is copied
        checkSize(what, grabber.getImageWidth(), grabber.getImageHeight(), 0);
      }
      sink.opened(new Probe(Math.max(0, expected), fps > 0 && fps <= 1000 ? fps : 25));
      int w0 = -1;
      int h0 = -1;
      while (kept < maxFrames) {
        Frame f;
        try {
          f = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
          throw new VideoJamException("cannot read video " + video + ": decoding failed at frame " + read + " (" + Ffmpeg.describe(e) + ")", e);
        }
        if (f == null) {
          break;
        }
        if (f.image == null || f.imageWidth < 1 || f.imageHeight < 1) {
          continue;
        }
        if (read++ % stride != 0) {
          continue;
        }
        checkSize(what, f.imageWidth, f.imageHeight, whole ? kept : 0);
        if (f.imageStride < 3L * f.imageWidth || !(f.image[0] instanceof ByteBuffer b)
            || b.capacity() < (long) f.imageStride * (f.imageHeight - 1) + 3L * f.imageWidth) {
          throw new VideoJamException("cannot read video " + video + ": frame " + (read - 1) + " came out of the decoder damaged");
        }
        if (w0 < 0) {
          w0 = f.imageWidth;
          h0 = f.imageHeight;
        } else if (f.imageWidth != w0 || f.imageHeight != h0) {
          throw new VideoJamException("cannot read video " + video + ": frame size changes from " + w0 + "x" + h0 + " to "
              + f.imageWidth + "x" + f.imageHeight + " at frame " + (read - 1));
        }
        sink.frame(kept++, bytes(f), f.imageWidth, f.imageHeight);
      }
    } catch (FrameGrabber.Exception e) { // from close()
      throw new VideoJamException("cannot read video " + video + ": " + Ffmpeg.describe(e), e);
    }
    if (kept == 0) {
      throw new VideoJamException("cannot read video " + video + (expected > 0
          ? ": no frame could be decoded (the file may be truncated or corrupt)"
          : ": it has no video frames"));
    }
    return fps;
  }

  /** A BGR24 frame's pixels, rows packed {@code 3 * width} bytes apart. */
  private static byte[] bytes(Frame f) {
    int w = f.imageWidth;
    int h = f.imageHeight;
    byte[] dst = new byte[3 * w * h];
    ByteBuffer src = ((ByteBuffer) f.image[0]).duplicate();
    for (int y = 0; y < h; y++) {
      src.position(y * f.imageStride);
      src.get(dst, y * w * 3, w * 3);
    }
    return dst;
  }

  /** Opens the stream; one line naming the file when FFmpeg cannot decode it or it has no video. */
  private static void start(FFmpegFrameGrabber grabber, Path video) {
    try {
      grabber.start();
    } catch (FrameGrabber.Exception e) {
      throw new VideoJamException("cannot read video " + video + ": not a video FFmpeg can decode (" + Ffmpeg.describe(e) + ")", e);
    }
    if (!grabber.hasVideo()) {
      throw new VideoJamException("cannot read video " + video + ": the file has no video stream");
    }
  }

  private static void checkFile(Path video) {
    if (!Files.exists(video)) {
      throw new VideoJamException("video file not found: " + video);
    }
    if (Files.isDirectory(video)) {
      throw new VideoJamException("cannot read video " + video + ": it is a folder, not a video file");
    }
    if (!Files.isReadable(video)) {
      throw new VideoJamException("cannot read video " + video + ": permission denied");
    }
    try {
      if (Files.size(video) == 0) {
        throw new VideoJamException("cannot read video " + video + ": the file is empty");
      }
    } catch (IOException e) {
      throw new VideoJamException("cannot read video " + video + ": " + AtomicFiles.reason(e), e);
    }
  }
}
