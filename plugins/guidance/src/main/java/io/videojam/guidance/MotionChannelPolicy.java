package io.videojam.guidance;

import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;

/**
 * What the motion channels of a guided velocity get (spec section 5). The motion output of a
 * motion-dropped pass is never trained, so by default motion channels get text guidance only.
 */
public enum MotionChannelPolicy {
  /** Motion channels: (1 + w1) u_d(full) - w1 u_d(null prompt). The project default. */
  TEXT_ONLY("text-only"),
  /** Motion channels get the same combination as the appearance channels (the literal Eq. 8). */
  WHOLE("whole");

  private final String key;

  MotionChannelPolicy(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }

  static MotionChannelPolicy from(Settings s) {
    String v = s.string("motion-policy", TEXT_ONLY.key);
    for (MotionChannelPolicy p : values()) {
      if (p.key.equals(v)) {
        return p;
      }
    }
    throw new VideoJamException(s.origin() + ": unknown motion-policy '" + v + "'; use text-only or whole");
  }
}
