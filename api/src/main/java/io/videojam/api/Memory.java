package io.videojam.api;

import java.util.Locale;

/**
 * Checks, before allocating, that a request fits in the JVM's heap, so that a size that cannot fit
 * gets one line with the size asked for and the limit instead of an {@link OutOfMemoryError}.
 */
public final class Memory {
  /** The share of the maximum heap one request may plan to use (the rest is the JVM's and the libraries'). */
  static final double SHARE = 0.85;

  private Memory() {}

  /** The bytes one request may plan to use: 85 % of the maximum heap ({@code -Xmx}). */
  public static long limit() {
    return (long) (Runtime.getRuntime().maxMemory() * SHARE);
  }

  /**
   * Throws unless {@code bytes} fit in {@link #limit()}.
   *
   * @param what what needs the memory, e.g. "a latent of 1 x 16 x 64 x 512 x 512"
   * @param fix how to ask for less, e.g. "reduce frames, height or width"
   */
  public static void require(long bytes, String what, String fix) {
    long limit = limit();
    if (!fits(bytes)) {
      throw new VideoJamException(what + " needs " + human(bytes < 0 ? Long.MAX_VALUE : bytes) + ", over the " + human(limit)
          + " this JVM may use (85% of -Xmx " + human(Runtime.getRuntime().maxMemory()) + "); " + fix
          + ", or give Java more memory (JAVA_OPTS=-Xmx16g)");
    }
  }

  /** Whether {@code bytes} (negative: an overflowed product) fit in {@link #limit()}. */
  public static boolean fits(long bytes) {
    return bytes >= 0 && bytes <= limit();
  }

  /** {@code a * b * ...} in long arithmetic, or -1 when the product overflows. */
  public static long product(long... factors) {
    long p = 1;
    for (long f : factors) {
      if (f < 0) {
        return -1;
      }
      try {
        p = Math.multiplyExact(p, f);
      } catch (ArithmeticException e) {
        return -1;
      }
    }
    return p;
  }

  /** Bytes as "512 MB", "3.4 GB". */
  public static String human(long bytes) {
    if (bytes == Long.MAX_VALUE) {
      return "more than 9 EB";
    }
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%d MB", Math.max(1, (bytes + (1L << 20) - 1) >> 20));
  }
}
