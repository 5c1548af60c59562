package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.VideoJamException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;

/**
 * Loading of the FFmpeg natives and translation of FFmpeg errors into one-line messages.
 *
 * <p>FFmpeg's own log goes to stderr; it is limited to the level named by the system property
 * {@code videojam.ffmpeg.log} ({@code quiet}, {@code fatal} (default), {@code error}, {@code
 * warning}, {@code info}, {@code verbose}, {@code debug}) so that a failed decode does not print
 * native noise next to the one-line error; the errors themselves reach the caller as exceptions.
 */
final class Ffmpeg {
  private static final Pattern ERROR_CODE = Pattern.compile("error (-\\d+)");
  private static volatile boolean loaded;

  private Ffmpeg() {}

  /** Loads the natives once and sets the log level; a one-line error if they cannot be loaded. */
  static void ensureLoaded() {
    if (loaded) {
      return;
    }
    synchronized (Ffmpeg.class) {
      if (loaded) {
        return;
      }
      try {
        // The libraries javacv's grabber and recorder use. Not FFmpegFrameGrabber.tryLoad(): it also
        // loads libavdevice, which needs system libraries (PulseAudio, ...) that servers often lack
        // and that file I/O never uses; javacv's own static initialisers swallow that failure.
        Loader.load(avutil.class);
        Loader.load(swresample.class);
        Loader.load(avcodec.class);
        Loader.load(avformat.class);
        Loader.load(swscale.class);
        avutil.av_log_set_level(logLevel(System.getProperty("videojam.ffmpeg.log", "fatal")));
      } catch (Throwable e) {
        throw new VideoJamException(
            "FFmpeg is not available on this platform (" + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + "): " + AtomicFiles.reason(rootCause(e))
                + "; write GIF or PNG frames instead",
            e);
      }
      loaded = true;
    }
  }

  static int logLevel(String name) {
    return switch (name.strip().toLowerCase(Locale.ROOT)) {
      case "quiet" -> avutil.AV_LOG_QUIET;
      case "error" -> avutil.AV_LOG_ERROR;
      case "warning" -> avutil.AV_LOG_WARNING;
      case "info" -> avutil.AV_LOG_INFO;
      case "verbose" -> avutil.AV_LOG_VERBOSE;
      case "debug" -> avutil.AV_LOG_DEBUG;
      default -> avutil.AV_LOG_FATAL;
    };
  }

  /**
   * A short reason for a javacv exception: FFmpeg's own text for the error code in the message
   * ("Invalid data found when processing input") where there is one, else the message's first line.
   */
  static String describe(Throwable e) {
    String msg = e.getMessage() == null ? "" : e.getMessage();
    Matcher m = ERROR_CODE.matcher(msg);
    if (m.find()) {
      try {
        int code = Integer.parseInt(m.group(1));
        byte[] buf = new byte[256];
        if (avutil.av_strerror(code, buf, buf.length) == 0) {
          int n = 0;
          while (n < buf.length && buf[n] != 0) {
            n++;
          }
          String text = new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8).strip();
          if (!text.isEmpty()) {
            return AtomicFiles.oneLine(text);
          }
        }
      } catch (NumberFormatException | LinkageError ignored) {
        // fall through to the message itself
      }
    }
    return AtomicFiles.reason(e);
  }

  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t;
  }
}
