package io.videojam.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the one hash of the project: model and file fingerprints, cache keys, ids. */
public final class Hashing {
  private Hashing() {}

  /** A fresh SHA-256 digest (every JDK has one). */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  /** Hex SHA-256 of {@code bytes}. */
  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  /** Hex SHA-256 of {@code text} in UTF-8. */
  public static String sha256Hex(String text) {
    return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Hex SHA-256 of the files' bytes, one after the other. */
  public static String sha256Hex(Path... files) {
    MessageDigest digest = sha256();
    for (Path f : files) {
      update(digest, f);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Feeds a file's bytes to {@code digest}.
   *
   * @throws VideoJamException naming the file when it is missing or unreadable
   */
  public static void update(MessageDigest digest, Path file) {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
    } catch (NoSuchFileException e) {
      throw new VideoJamException("file not found: " + file, e);
    } catch (IOException e) {
      throw new VideoJamException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
