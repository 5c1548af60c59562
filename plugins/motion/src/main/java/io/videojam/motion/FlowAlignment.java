package io.videojam.motion;

import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How the T - 1 flows of a T-frame video (flow i goes from frame i to frame i + 1) become T
 * motion frames. The paper does not say; spec section 4 picks {@link #DUPLICATE_FIRST}.
 *
 * <pre>
 *   policy            motion frame 0     motion frame i (1 &lt;= i &lt;= T - 1)
 *   duplicate-first   flow 0 (0 -&gt; 1)    flow i - 1 ((i - 1) -&gt; i): the motion into frame i
 *   duplicate-last    flow 0 (0 -&gt; 1)    flow min(i, T - 2): the motion out of frame i, the last repeated
 *   zero-first        zero flow (black)  flow i - 1 ((i - 1) -&gt; i)
 * </pre>
 */
public enum FlowAlignment {
  /** Motion frame i is the motion into frame i; frame 0 repeats the first flow. The default. */
  DUPLICATE_FIRST("duplicate-first"),
  /** Motion frame i is the motion out of frame i; the last frame repeats the last flow. */
  DUPLICATE_LAST("duplicate-last"),
  /** Motion frame i is the motion into frame i; frame 0 has none (zero flow, black). */
  ZERO_FIRST("zero-first");

  private final String label;

  FlowAlignment(String label) {
    this.label = label;
  }

  /** The name in settings and on the command line, for example {@code duplicate-first}. */
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }

  /**
   * The policy called {@code text} (case-insensitive).
   *
   * @param where what was being set, for the error message (for example {@code model.json "motion" "alignment"})
   * @throws VideoJamException naming the choices when none matches
   */
  public static FlowAlignment parse(String text, String where) {
    for (FlowAlignment a : values()) {
      if (a.label.equalsIgnoreCase(text.trim())) {
        return a;
      }
    }
    throw new VideoJamException(where + ": unknown flow alignment '" + text + "'; use one of " + choices());
  }

  /** The policy called {@code text}; errors say "flow alignment". */
  public static FlowAlignment parse(String text) {
    return parse(text, "alignment");
  }

  /** The accepted names, separated by {@code |}. */
  public static String choices() {
    return Arrays.stream(values()).map(FlowAlignment::label).collect(Collectors.joining("|"));
  }

  /**
   * Which flow motion frame {@code frame} of a {@code frames}-frame video shows.
   *
   * @return the flow index in [0, frames - 2], or -1 for the zero flow
   */
  public int flowIndex(int frame, int frames) {
    if (frames < 2) {
      throw new VideoJamException("flow needs at least two frames, got " + frames);
    }
    if (frame < 0 || frame >= frames) {
      throw new IndexOutOfBoundsException("motion frame " + frame + " of " + frames);
    }
    return switch (this) {
      case DUPLICATE_FIRST -> Math.max(0, frame - 1);
      case DUPLICATE_LAST -> Math.min(frame, frames - 2);
      case ZERO_FIRST -> frame - 1;
    };
  }

  /**
   * The T motion frames' flows for T - 1 flows, in order (the zero flow where the policy has
   * none). Fields are shared, not copied.
   */
  public List<FlowField> align(List<FlowField> flows) {
    if (flows.isEmpty()) {
      throw new VideoJamException("flow alignment needs at least one flow (a video of two frames or more), got none");
    }
    int frames = flows.size() + 1;
    List<FlowField> out = new ArrayList<>(frames);
    for (int t = 0; t < frames; t++) {
      int i = flowIndex(t, frames);
      out.add(i < 0 ? FlowField.zeros(flows.get(0).height(), flows.get(0).width()) : flows.get(i));
    }
    return out;
  }
}
