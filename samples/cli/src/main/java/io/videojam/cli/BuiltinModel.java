package io.videojam.cli;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the built-in models live: {@code models/} under the repository (videojam.home). The default
 * is the trained VideoJAM model; the random-weight fixture stays for tests and examples.
 */
final class BuiltinModel {
  static final String NAME = "jamworld-videojam";
  static final String FIXTURE = "jamworld-fixture";

  private BuiltinModel() {}

  static Path home() {
    String home = System.getProperty("videojam.home");
    return home != null ? Path.of(home) : Path.of("").toAbsolutePath();
  }

  static Path dir() {
    Path dir = home().resolve("models").resolve(NAME);
    if (!Files.isRegularFile(dir.resolve("model.json"))) {
      throw new VideoJamException("the built-in model is missing at " + dir + "; run from the repository root, set -Dvideojam.home,"
          + " or pass --model DIR (videojam train writes the trained models; videojam fixture --out DIR the random-weight fixture)");
    }
    return dir;
  }
}
