package io.videojam.api;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;

/**
 * Writes a file through a temporary sibling so that the destination is either the complete new
 * file or untouched: the content goes to {@code .<name>.<pid>-<random>.tmp} in the destination folder
 * (created with the usual permissions, not owner-only),
 * which is then moved over the destination atomically (plain replace where the file system has no
 * atomic move). On any failure the temporary file is deleted and a one-line {@link
 * VideoJamException} naming the destination is thrown; on SIGINT or SIGTERM a shutdown hook deletes
 * the temporary files being written, and none is moved into place after that. The temporary name
 * carries the process id, so the first write into a folder removes those of processes that no
 * longer run (killed with SIGKILL).
 */
public final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Writes a file's bytes to a stream (buffered; flushed and synced to disk before the rename). */
  @FunctionalInterface
  public interface StreamContent {
    void writeTo(java.io.OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} atomically from a stream, synced to disk before it replaces the old file.
   * Unlike {@link #write}, the folder must exist (a file name in a missing folder is usually a typo).
   *
   * @param what what is being written, for the error message (".flo file", "PNG", ...)
   */
  public static void writeStream(Path target, String what, StreamContent content) {
    Path absolute = target.toAbsolutePath();
    Path folder = absolute.getParent();
    if (folder == null || absolute.getFileName() == null) {
      throw new VideoJamException(target + ": not a file name; give the " + what + " a name inside a folder");
    }
    if (!Files.isDirectory(folder)) {
      throw new VideoJamException("cannot write " + what + " " + target + ": folder " + folder + " does not exist; create it first");
    }
    if (Files.isDirectory(absolute)) {
      throw new VideoJamException("cannot write " + what + " " + target + ": it is a folder; give a file name");
    }
    write(target, what, temp -> {
      try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE);
           java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16)) {
        content.writeTo(out);
        out.flush();
        channel.force(true);
      }
    });
  }

  /** Writes the content of one file to the (temporary) path it is given. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path temp) throws Exception;
  }

  /**
   * Writes {@code target} atomically. Creates missing parent folders.
   *
   * @param what what is being written, for the error message ("MP4 video", "GIF", ...)
   */
  public static void write(Path target, String what, Content content) {
    Path abs = target.toAbsolutePath().normalize();
    Path dir = abs.getParent();
    Path temp = null;
    try {
      Files.createDirectories(dir);
      sweep(dir);
      synchronized (SHUTDOWN) { // a temporary file is either registered before the hook looks, or never made
        if (shuttingDown) {
          throw stopped();
        }
        installHook();
        temp = createUnique(dir, "." + abs.getFileName() + "." + PID + "-", ".tmp", false);
        OPEN.add(temp);
      }
      content.writeTo(temp);
      synchronized (SHUTDOWN) { // once the hook has begun, a file it may have deleted under a writer is never moved into place
        if (shuttingDown) {
          throw stopped();
        }
        moveReplacing(temp, abs);
        OPEN.remove(temp);
      }
      temp = null;
    } catch (VideoJamException e) {
      throw new VideoJamException("cannot write " + what + " " + target + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new VideoJamException("cannot write " + what + " " + target + ": " + reason(e), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // best effort: the write already failed and that error is the one to report
        }
        OPEN.remove(temp);
      }
    }
  }

  private static final long PID = ProcessHandle.current().pid();
  /** A temporary file's name: {@code .NAME.PID-RANDOM.tmp}. */
  private static final java.util.regex.Pattern TEMP = java.util.regex.Pattern.compile("\\..+\\.(\\d{1,18})-[0-9a-z]+\\.tmp");
  /** Folders already swept by this process (the latest ones: a long-running process writes into many). */
  private static final java.util.Map<Path, Boolean> SWEPT = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<Path, Boolean> eldest) {
      return size() > 64;
    }
  });

  /**
   * Deletes, once per folder and process, the temporary files in {@code dir} of processes that no
   * longer run (a SIGKILL or a power cut stops a write before any cleanup can run).
   */
  private static void sweep(Path dir) {
    if (SWEPT.put(dir, Boolean.TRUE) != null) {
      return;
    }
    try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".*.tmp")) {
      for (Path p : entries) {
        java.util.regex.Matcher m = TEMP.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        long pid = Long.parseLong(m.group(1));
        if (pid != PID && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException | RuntimeException e) {
      // best effort: leftovers are hidden files, and the write itself goes on
    }
  }

  /** Temporary files being written; on SIGINT or SIGTERM a shutdown hook deletes them (a finally block does not run then). */
  private static final java.util.Set<Path> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private static final Object SHUTDOWN = new Object();
  private static boolean shuttingDown; // guarded by SHUTDOWN
  private static boolean hookInstalled; // guarded by SHUTDOWN

  private static VideoJamException stopped() {
    return new VideoJamException("stopped: the process is shutting down (SIGINT or SIGTERM)");
  }

  private static void installHook() {
    if (!hookInstalled) {
      try {
        Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::deleteOpenAtShutdown, "videojam-temporary-file-cleanup"));
      } catch (IllegalStateException e) {
        throw stopped(); // shutdown had begun before this process's first write
      }
      hookInstalled = true;
    }
  }

  /** SIGINT or SIGTERM: nothing more is moved into place; the temporary files being written go. */
  private static void deleteOpenAtShutdown() {
    synchronized (SHUTDOWN) {
      shuttingDown = true;
    }
    deleteUntilQuiet(java.util.List.copyOf(OPEN), Files::deleteIfExists);
  }

  /** Deletes one path; true when something was there. */
  @FunctionalInterface
  public interface Deleter {
    boolean delete(Path p) throws IOException;
  }

  /**
   * For shutdown hooks: deletes {@code paths} until nothing has come back for 100 ms, for at most half
   * a second. Writer threads (video encoders, frame writers) keep running while hooks run and may
   * re-create a file or folder just deleted.
   */
  public static void deleteUntilQuiet(java.util.List<Path> paths, Deleter deleter) {
    long start = System.nanoTime();
    long quietSince = start;
    while (System.nanoTime() - start < 500_000_000L && System.nanoTime() - quietSince < 100_000_000L) {
      for (Path p : paths) {
        try {
          if (deleter.delete(p)) {
            quietSince = System.nanoTime();
          }
        } catch (IOException ignored) {
          // best effort: the process is ending
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Creates a new, uniquely named file or folder {@code prefix<random>suffix} in {@code dir}. Unlike
   * {@link Files#createTempFile}, which makes owner-only (0600/0700) entries, the permissions follow
   * the umask like any other output, so the result is as readable as a file written directly.
   */
  public static Path createUnique(Path dir, String prefix, String suffix, boolean directory) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path p = dir.resolve(prefix + Long.toUnsignedString(RANDOM.nextLong(), 36) + suffix);
      try {
        return directory ? Files.createDirectory(p) : Files.createFile(p);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }

  /** Moves {@code from} over {@code to}, atomically where the file system can. */
  public static void moveReplacing(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** A short, one-line reason for an I/O (or other) failure, for user-facing messages. */
  public static String reason(Throwable e) {
    String r;
    if (e instanceof AccessDeniedException) {
      r = "permission denied";
    } else if (e instanceof NotDirectoryException n) {
      r = n.getFile() + " is not a folder";
    } else if (e instanceof FileAlreadyExistsException f) {
      r = f.getFile() + " already exists and is not a folder";
    } else if (e instanceof NoSuchFileException n) {
      r = "no such file or folder " + n.getFile();
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      r = f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
    } else if (e.getMessage() != null && !e.getMessage().isBlank()) {
      r = e.getMessage();
    } else {
      r = e.getClass().getSimpleName();
    }
    return oneLine(r);
  }

  /** The first line of a message, trimmed. */
  public static String oneLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return (nl >= 0 ? t.substring(0, nl) : t).strip();
  }
}
