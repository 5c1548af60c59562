package io.videojam.cli;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Up-front checks of option values, so bad input gets one line before any work starts. */
final class Checks {
  private Checks() {}

  /** Throws "FLAG must be in [MIN, MAX], got VALUE" unless {@code min <= value <= max}. */
  static void range(String flag, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new VideoJamException(flag + " must be in [" + num(min) + ", " + num(max) + "], got " + num(value));
    }
  }

  /** A folder a command writes into over time (not staged): absent or a folder, never empty or a file. */
  static void workFolder(String flag, Path dir) {
    if (dir == null || dir.toString().isBlank()) {
      throw new VideoJamException(flag + " is empty; name a folder");
    }
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new VideoJamException(flag + " " + dir + " is a file; this command writes a folder there, so name a new or existing folder");
    }
  }

  private static String num(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
