package io.videojam.runtime;

import java.util.Locale;

/**
 * The auto pass mode's measurement: the first sampling step of a given number of passes is timed
 * batched and sequentially, {@value #SAMPLES} times each (alternating, the backend's preference
 * first; the results are thrown away), and from then on the mode whose fastest step was faster is
 * used for every step. So a generation runs in one mode throughout and gives what that fixed mode
 * gives (the two can differ in the last bits: ONNX Runtime's kernels depend on the batch), and
 * run.json records it. One chooser serves every generation in the process of one model on one
 * backend with that number of passes, so they all run the same mode; another process measures
 * again. It is thread-safe.
 */
final class PassChooser {
  /** Steps timed per mode before choosing: the fastest of two discounts a first run's warm-up. */
  static final int SAMPLES = 2;

  private final boolean preferBatched;
  private final long[] fastest = {Long.MAX_VALUE, Long.MAX_VALUE}; // [sequential, batched], nanoseconds per step
  private final int[] count = new int[2];

  PassChooser(boolean preferBatched) {
    this.preferBatched = preferBatched;
  }

  /** The mode chosen, or null while it is still measuring. */
  synchronized Boolean chosen() {
    if (count[0] < SAMPLES || count[1] < SAMPLES) {
      return null;
    }
    return fastest[1] < fastest[0] || (fastest[1] == fastest[0] && preferBatched);
  }

  /** Whether the next step runs batched: the chosen mode, or while measuring the mode timed fewer times (ties: the preference). */
  synchronized boolean nextBatched() {
    Boolean c = chosen();
    if (c != null) {
      return c;
    }
    return count[1] == count[0] ? preferBatched : count[1] < count[0];
  }

  /** A step's time in the mode it ran; ignored once the mode is chosen. */
  synchronized void record(boolean batched, long nanos) {
    if (chosen() != null) {
      return;
    }
    int i = batched ? 1 : 0;
    count[i]++;
    fastest[i] = Math.min(fastest[i], nanos);
  }

  /** What was measured, e.g. "batched 6.21 ms, sequential 7.30 ms per step: batched". */
  synchronized String describe() {
    Boolean c = chosen();
    if (c == null) {
      return "measuring (" + count[1] + " batched and " + count[0] + " sequential steps timed)";
    }
    return String.format(Locale.ROOT, "batched %.2f ms, sequential %.2f ms per step: %s", fastest[1] / 1e6, fastest[0] / 1e6,
        c ? "batched" : "sequential");
  }
}
