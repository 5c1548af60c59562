package io.videojam.api;

/** The fuzz tests' contract for a refusal: the project's error type with one clear line that names the input. */
public final class Refusals {
  private Refusals() {}

  /**
   * Checks that {@code e} is a clean refusal.
   *
   * @param names texts one of which the message must contain (the input's file name); none: any
   * @throws AssertionError when the message is empty, spans lines or does not name the input
   */
  public static void check(VideoJamException e, String... names) {
    String m = e.getMessage();
    boolean named = names.length == 0;
    for (String n : names) {
      named |= m != null && m.contains(n);
    }
    if (m == null || m.isBlank() || m.contains("\n") || m.contains("\r") || !named) {
      throw new AssertionError("unclear refusal (must be one line naming " + String.join(" or ", names) + "): " + m, e);
    }
    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
      if (c instanceof Error) { // a library that catches OutOfMemoryError: the size was not checked before allocating
        throw new AssertionError("refused only after " + c + ": check the size before allocating", e);
      }
    }
  }
}
