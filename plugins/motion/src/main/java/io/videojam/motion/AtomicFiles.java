package io.videojam.motion;

import io.videojam.api.VideoJamException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Writes a file all at once or not at all: the bytes go to a new file with a random name in the
 * target's folder, which is then renamed over the target ({@code ATOMIC_MOVE}). The temporary file
 * is created with {@code CREATE_NEW} and default permissions (the umask applies, as for any new
 * file; {@code Files.createTempFile} would make it owner-only) and is deleted when anything fails.
 */
final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Writes the bytes of a file. */
  @FunctionalInterface
  interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} atomically.
   *
   * @param what what the file is, for error messages (for example {@code .flo file})
   * @throws VideoJamException naming the file when its folder is missing or the write fails
   */
  static void write(Path target, String what, Writer writer) {
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    if (folder == null || absolute.getFileName() == null) {
      throw new VideoJamException(target + ": not a file name; give the " + what + " a name inside a folder");
    }
    if (!Files.isDirectory(folder)) {
      throw new VideoJamException("cannot write " + what + " " + target + ": folder " + folder
          + " does not exist; create it first");
    }
    if (Files.isDirectory(absolute)) {
      throw new VideoJamException("cannot write " + what + " " + target + ": it is a folder; give a file name");
    }
    Path temporary = null;
    try {
      FileChannel channel = null;
      for (int attempt = 0; channel == null; attempt++) {
        byte[] random = new byte[8];
        RANDOM.nextBytes(random);
        temporary = folder.resolve("." + absolute.getFileName() + "." + HexFormat.of().formatHex(random) + ".tmp");
        try {
          channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
          temporary = null;
          if (attempt >= 10) {
            throw e;
          }
        }
      }
      try (FileChannel open = channel;
           OutputStream out = new BufferedOutputStream(Channels.newOutputStream(open), 1 << 16)) {
        writer.write(out);
        out.flush();
        open.force(true);
      }
      Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
      temporary = null;
    } catch (IOException | RuntimeException e) {
      if (e instanceof VideoJamException v) {
        throw v;
      }
      throw new VideoJamException("cannot write " + what + " " + target + ": " + describe(e)
          + "; check that the folder is writable and has space", e);
    } finally {
      if (temporary != null) {
        try {
          Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
          // The write already failed; that error is the one to report.
        }
      }
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : " " + message.replace('\n', ' '));
  }
}
