package io.videojam.flow;

import io.videojam.api.VideoJamException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.global.opencv_video;

/**
 * Loads the OpenCV natives the estimators use (core, imgproc, video) once, and turns a failure
 * into one line the user can act on. Only these three modules are loaded: not the camera,
 * GUI or FFmpeg-backed video I/O ones, whose system libraries servers often lack.
 */
final class OpenCv {
  private static volatile boolean loaded;

  private OpenCv() {}

  static void load() {
    if (loaded) {
      return;
    }
    synchronized (OpenCv.class) {
      if (loaded) {
        return;
      }
      try {
        Loader.load(opencv_core.class);
        Loader.load(opencv_imgproc.class);
        Loader.load(opencv_video.class);
      } catch (Throwable e) {
        throw new VideoJamException("OpenCV natives cannot be loaded on this platform (" + System.getProperty("os.name") + " "
            + System.getProperty("os.arch") + "): " + reason(e) + "; use --estimator raft:FILE.onnx or run on linux-x86_64", e);
      }
      loaded = true;
    }
  }

  static boolean loaded() {
    return loaded;
  }

  /** OpenCV's own worker-thread count (global to the process). */
  static int threads() {
    load();
    return opencv_core.getNumThreads();
  }

  /** Sets OpenCV's worker-thread count (global to the process; 0 or 1 = run in the calling thread). */
  static void threads(int n) {
    load();
    opencv_core.setNumThreads(n);
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
