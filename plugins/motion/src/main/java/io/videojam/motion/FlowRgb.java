package io.videojam.motion;

import io.videojam.api.FloatTensor;
import io.videojam.api.MotionRepresentation;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;

/**
 * Optical flow rendered as RGB by Eq. 5 (spec section 4): hue = flow angle, brightness =
 * min(1, |flow| / (sigma * diagonal)). The motion video is already RGB, so showing it is the
 * identity; flow estimation and the Eq. 5 encoder/decoder live beside it.
 */
public final class FlowRgb implements MotionRepresentation {
  private final double sigma;

  public FlowRgb(double sigma) {
    if (!(sigma > 0) || sigma > 1) {
      throw new VideoJamException("motion sigma must be in (0, 1], got " + sigma);
    }
    this.sigma = sigma;
  }

  public double sigma() {
    return sigma;
  }

  @Override
  public String name() {
    return "flow-rgb";
  }

  @Override
  public int channels() {
    return 3;
  }

  @Override
  public FloatTensor visualize(FloatTensor motionVideo) {
    if (motionVideo.shape().length != 4 || motionVideo.shape()[0] != 3) {
      throw new IllegalArgumentException("flow-rgb motion video must be [3, T, H, W], got " + motionVideo);
    }
    return motionVideo;
  }

  /** ServiceLoader entry, model.json {@code "motion": {"representation": "flow-rgb", "sigma": 0.15}}. */
  public static final class Provider implements MotionRepresentationProvider {
    @Override
    public String name() {
      return "flow-rgb";
    }

    @Override
    public String description() {
      return "optical flow as RGB (Eq. 5), sigma relative to the frame diagonal";
    }

    @Override
    public MotionRepresentation create(Settings settings) {
      return new FlowRgb(settings.number("sigma", 0.15));
    }
  }
}
