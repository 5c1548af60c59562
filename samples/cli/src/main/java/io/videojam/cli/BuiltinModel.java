package io.videojam.cli;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the built-in model lives: {@code models/jamworld-fixture} under the repository (videojam.home). */
final class BuiltinModel {
  static final String NAME = "jamworld-fixture";

  private BuiltinModel() {}

  static Path home() {
    String home = System.getProperty("videojam.home");
    return home != null ? Path.of(home) : Path.of("").toAbsolutePath();
  }

  static Path dir() {
    Path dir = home().resolve("models").resolve(NAME);
    if (!Files.isRegularFile(dir.resolve("model.json"))) {
      throw new VideoJamException("the built-in model is missing at " + dir + "; run from the repository root, set -Dvideojam.home,"
          + " or pass --model DIR (videojam fixture --out DIR writes the fixture model)");
    }
    return dir;
  }
}
