package io.videojam.runtime;

import io.videojam.api.VideoJamException;
import java.util.Locale;

/**
 * Where in sampling time guidance applies, as diffusers' guiders gate by start and stop: at times t
 * in [start, stop] the rule combines its passes; elsewhere only the fully conditioned pass runs
 * and its velocity is used as it is. Time runs from t = 0 (noise) to t = 1 (data). The default,
 * [0, 1], guides every step.
 *
 * @param start the first guided time, in [0, 1]
 * @param stop the last guided time, in [start, 1]
 */
public record GuidanceWindow(double start, double stop) {
  public static final GuidanceWindow ALWAYS = new GuidanceWindow(0, 1);

  public GuidanceWindow {
    if (!(start >= 0 && start <= 1 && stop >= start && stop <= 1)) {
      throw new VideoJamException("guidance window [" + start + ", " + stop + "] must satisfy 0 <= start <= stop <= 1 (times run from 0, "
          + "noise, to 1, data)");
    }
  }

  /** Whether step time {@code t} is guided. */
  public boolean contains(double t) {
    return t >= start && t <= stop;
  }

  /** Whether every time is guided. */
  public boolean always() {
    return start == 0 && stop == 1;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "[%s, %s]", start, stop);
  }
}
