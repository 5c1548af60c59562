package io.videojam.flow;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import org.bytedeco.opencv.global.opencv_video;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Gunnar Farneback's polynomial-expansion optical flow as implemented by OpenCV's
 * {@code cv::calcOpticalFlowFarneback}, on the 8-bit BT.601 luma of the frames. Its flow is
 * written straight into the estimator's buffer (no initial flow is used).
 */
public final class FarnebackFlowEstimator extends OpenCvFlowEstimator {
  /**
   * Farneback's parameters, with OpenCV's names.
   *
   * @param pyrScale each pyramid level is this fraction of the one below, in (0, 1)
   * @param levels pyramid levels above the frame (OpenCV stops earlier when a level would be
   *     smaller than 32 pixels)
   * @param winsize averaging window, pixels; larger is more robust and smoother
   * @param iterations iterations per pyramid level
   * @param polyN neighbourhood of the polynomial expansion, 5 or 7
   * @param polySigma Gaussian sigma of the expansion (1.1 suits 5, 1.5 suits 7)
   * @param gaussian a Gaussian instead of a box window (slower, more accurate)
   */
  public record Parameters(double pyrScale, int levels, int winsize, int iterations, int polyN, double polySigma, boolean gaussian) {
    /** Settings keys, in the order of the components. */
    public static final java.util.List<String> KEYS =
        java.util.List.of("pyr-scale", "levels", "winsize", "iterations", "poly-n", "poly-sigma", "gaussian");

    public Parameters {
      String at = "farneback settings: ";
      if (!(pyrScale > 0 && pyrScale < 1)) {
        throw new VideoJamException(at + "\"pyr-scale\" must be in (0, 1), got " + pyrScale + "; 0.5 halves each level");
      }
      if (levels < 0 || levels > 16) {
        throw new VideoJamException(at + "\"levels\" must be 0..16, got " + levels);
      }
      if (winsize < 3 || winsize > 255) {
        throw new VideoJamException(at + "\"winsize\" must be 3..255 pixels, got " + winsize);
      }
      if (iterations < 1 || iterations > 100) {
        throw new VideoJamException(at + "\"iterations\" must be 1..100, got " + iterations);
      }
      if (polyN != 5 && polyN != 7) {
        throw new VideoJamException(at + "\"poly-n\" must be 5 or 7, got " + polyN);
      }
      if (!(polySigma > 0 && polySigma <= 10)) {
        throw new VideoJamException(at + "\"poly-sigma\" must be in (0, 10], got " + polySigma + "; use 1.1 for poly-n 5, 1.5 for 7");
      }
    }

    /**
     * The defaults: pyr-scale 0.5, 4 levels, a 15-pixel window, 3 iterations, poly-n 5,
     * poly-sigma 1.2, box window. (OpenCV's own sample uses 0.5, 3, 15, 3, 5, 1.2; one more level
     * follows larger motions on frames of 256 pixels and more.)
     */
    public static Parameters defaults() {
      return new Parameters(0.5, 4, 15, 3, 5, 1.2, false);
    }

    /** The defaults with whichever of {@link #KEYS} the settings give replaced. */
    public static Parameters from(Settings s) {
      Parameters d = defaults();
      return new Parameters(
          s.number("pyr-scale", d.pyrScale),
          s.integer("levels", d.levels),
          s.integer("winsize", d.winsize),
          s.integer("iterations", d.iterations),
          s.integer("poly-n", d.polyN),
          s.number("poly-sigma", d.polySigma),
          s.bool("gaussian", d.gaussian));
    }
  }

  /** The smallest frame side accepted. */
  public static final int MIN_SIDE = 16;

  private final Parameters p;

  public FarnebackFlowEstimator(Parameters parameters) {
    super("farneback", MIN_SIDE);
    this.p = parameters;
  }

  public Parameters parameters() {
    return p;
  }

  @Override
  void calc(Mat first, Mat second, Mat flow) {
    int flags = p.gaussian() ? opencv_video.OPTFLOW_FARNEBACK_GAUSSIAN : 0;
    opencv_video.calcOpticalFlowFarneback(first, second, flow, p.pyrScale(), p.levels(), p.winsize(), p.iterations(), p.polyN(),
        p.polySigma(), flags);
  }
}
