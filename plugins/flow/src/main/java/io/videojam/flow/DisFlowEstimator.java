package io.videojam.flow;

import io.videojam.api.VideoJamException;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_video.DISOpticalFlow;

/**
 * Dense Inverse Search optical flow (Kroeger et al., ECCV 2016) as implemented by OpenCV's
 * {@code cv::DISOpticalFlow}, on the 8-bit BT.601 luma of the frames.
 *
 * <p>OpenCV's {@code calc} treats a flow argument of the frame's size as an initial guess, and
 * then keeps using it as a candidate in every later call of the same instance. To give each pair
 * a result that depends on that pair alone (so that frames can be split across threads and still
 * give the same flows), the flow is computed into an empty matrix, copied into the estimator's
 * buffer and released; OpenCV's own pyramid buffers live in the algorithm object and are reused.
 *
 * <p>DIS needs frames of at least 16 x 16 pixels. On small frames, where the coarsest pyramid
 * level OpenCV builds is finer than the preset's finest level (for ultrafast and fast: a long
 * side under 91 pixels or a short side under 32; for medium: under 46 or 16), the finest level
 * is lowered to the coarsest one for that pair: OpenCV itself would read past its pyramid and
 * crash the process.
 */
public final class DisFlowEstimator extends OpenCvFlowEstimator {
  /** OpenCV's presets, from fastest to most accurate. */
  public enum Preset {
    /** Finest level 1/4 resolution, patch stride 4, 12 descent iterations, no variational refinement. */
    ULTRAFAST(DISOpticalFlow.PRESET_ULTRAFAST),
    /** Finest level 1/4 resolution, patch stride 4, 16 descent iterations, 5 refinement iterations. */
    FAST(DISOpticalFlow.PRESET_FAST),
    /** Finest level 1/2 resolution, patch stride 3, 25 descent iterations, 5 refinement iterations. */
    MEDIUM(DISOpticalFlow.PRESET_MEDIUM);

    final int code;

    Preset(int code) {
      this.code = code;
    }

    /** The preset's name as users type it: {@code ultrafast}, {@code fast} or {@code medium}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code ultrafast}, {@code fast} or {@code medium} (any case); null or blank gives
     * {@link #MEDIUM}.
     */
    public static Preset parse(String text) {
      if (text == null || text.isBlank()) {
        return MEDIUM;
      }
      for (Preset p : values()) {
        if (p.key().equals(text.strip().toLowerCase(Locale.ROOT))) {
          return p;
        }
      }
      throw new VideoJamException("estimator dis:" + text + ": unknown DIS preset '" + text
          + "'; use dis:ultrafast, dis:fast or dis:medium (default medium)");
    }
  }

  /** The smallest frame side DIS accepts here. */
  public static final int MIN_SIDE = 16;

  private final Preset preset;
  private final DISOpticalFlow dis;
  private final int presetFinestScale;
  private final Mat result = new Mat();

  public DisFlowEstimator(Preset preset) {
    super("dis:" + preset.key(), MIN_SIDE);
    this.preset = preset;
    this.dis = DISOpticalFlow.create(preset.code);
    this.presetFinestScale = dis.getFinestScale();
  }

  public Preset preset() {
    return preset;
  }

  @Override
  void calc(Mat first, Mat second, Mat flow) {
    dis.setFinestScale(finestScale(first.rows(), first.cols()));
    dis.calc(first, second, result);
    result.copyTo(flow);
    result.release();
  }

  /**
   * The preset's finest pyramid level, lowered to the coarsest level OpenCV builds for this
   * frame size when that one is finer. OpenCV picks the coarsest level from the size
   * (dis_flow.cpp, {@code calc}; integer division included) and does not check it against the
   * finest: when it is finer, {@code calc} indexes past its pyramid and crashes the process
   * (seen with ultrafast on 91 x 24 frames).
   */
  int finestScale(int height, int width) {
    int patch = dis.getPatchSize();
    int byLongSide = (int) (Math.log(Math.max(width, height) / (4.0 * patch)) / Math.log(2.0) + 0.5);
    int byShortSide = (int) (Math.log(Math.min(width, height) / patch) / Math.log(2.0));
    return Math.max(0, Math.min(presetFinestScale, Math.min(byLongSide, byShortSide)));
  }

  @Override
  void closeAlgorithm() {
    result.close();
    dis.close();
  }
}
