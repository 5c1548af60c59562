package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * "No half-written output, no mixed output": results are written into a hidden staging folder next
 * to the output folder, which {@link #commit()} puts in the output folder's place in one rename.
 *
 * <pre>{@code
 * try (OutputStaging out = OutputStaging.begin(outDir)) {   // fails early if outDir is not writable
 *   Mp4Writer.write(out.file("video.mp4"), frames, fps);
 *   ContactSheet.write(out.file("sheet.png"), title, rows, 8);
 *   out.commit();                                          // outDir now holds exactly these files
 * }                                                        // without commit: staging is deleted
 * }</pre>
 *
 * <ul>
 *   <li>{@link #begin} checks up front that the output folder can be written (creating missing
 *       parent folders) and creates {@code .videojam-staging-PID-RANDOM} in its parent, on the same
 *       file system. An existing output folder must be empty or one videojam wrote (it carries a
 *       {@code .videojam-output} marker); a folder holding anything else is refused, so a mistyped
 *       folder never loses its files.
 *   <li>{@link #commit} replaces the output folder whole: a previous run's files that this run does
 *       not write (frames 8-15 of a longer clip, a motion video) do not survive. The old folder is
 *       renamed aside, the staging folder renamed into place, the old one deleted; two runs with the
 *       same folder leave one run's complete output, never a mix.
 *   <li>{@link #close()} without a commit deletes the staging folder and any parent folders {@code
 *       begin} created. On SIGINT or SIGTERM a shutdown hook deletes open staging folders; after a
 *       SIGKILL the next {@code begin} in the same parent folder removes the leftovers of processes
 *       that no longer run (and puts back an output folder a kill caught between the two renames).
 * </ul>
 */
public final class OutputStaging implements AutoCloseable {
  private static final String PREFIX = ".videojam-staging-";
  private static final String OLD_PREFIX = ".videojam-old-";
  /** The marker of a folder videojam wrote (and may therefore replace). */
  public static final String MARKER = ".videojam-output";
  private static final long PID = ProcessHandle.current().pid();
  private static final Set<Path> OPEN = ConcurrentHashMap.newKeySet();
  /** Previous output folders this process has set aside and is about to delete (or put back). */
  private static final Set<Path> ASIDE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;
  private static volatile boolean shuttingDown;
  private static final Object SHUTDOWN = new Object();

  private final Path outDir; // as given, for messages
  private final Path out; // absolute, normalised
  private final Path staging;
  private final Path firstCreated; // first parent folder begin() created, or null
  private boolean committed;
  private boolean closed;

  private OutputStaging(Path outDir, Path out, Path staging, Path firstCreated) {
    this.outDir = outDir;
    this.out = out;
    this.staging = staging;
    this.firstCreated = firstCreated;
  }

  /**
   * Checks that {@code outDir} can be written and creates the staging folder beside it.
   *
   * @throws VideoJamException "cannot write to OUTDIR: REASON; choose a writable --out folder"
   */
  public static OutputStaging begin(Path outDir) {
    if (outDir == null || outDir.toString().isBlank()) {
      throw new VideoJamException("the output folder is empty; name a folder (e.g. runs/first)");
    }
    Path out = outDir.toAbsolutePath().normalize();
    Path parent = out.getParent();
    if (parent == null) {
      throw unwritable(outDir, "the file system root cannot be the output folder");
    }
    if (Path.of("").toAbsolutePath().normalize().startsWith(out)) {
      throw unwritable(outDir, "it is the current folder or holds it, and the output folder is replaced whole");
    }
    if (Files.exists(out) && !Files.isDirectory(out)) {
      throw unwritable(outDir, "it is a file, not a folder");
    }
    Path existing = parent;
    Path firstCreated = null;
    while (!Files.exists(existing)) {
      firstCreated = existing;
      existing = existing.getParent();
      if (existing == null) {
        throw unwritable(outDir, "no part of the path exists");
      }
    }
    if (!Files.isDirectory(existing)) {
      throw unwritable(outDir, existing + " is a file, not a folder");
    }
    if (firstCreated == null) {
      sweep(parent);
    }
    List<String> foreign = foreignEntries(out);
    if (!foreign.isEmpty()) {
      throw new VideoJamException("cannot write to " + outDir + ": it holds files videojam did not write (" + String.join(", ", foreign)
          + "); choose a new or empty folder (an output folder is replaced whole)");
    }
    installHook(outDir);
    Path staging = null;
    try {
      Files.createDirectories(parent);
      // under the lock the shutdown hook takes first: a staging folder is either registered before the
      // hook looks (and deleted by it) or never made (the JVM halts once the hooks end, whatever else runs)
      synchronized (SHUTDOWN) {
        if (!shuttingDown) {
          staging = AtomicFiles.createUnique(parent, PREFIX + PID + "-", "", true); // umask permissions, not 0700
          OPEN.add(staging);
        }
      }
      // no probe file inside an existing output folder: commit renames the folder as a whole, which
      // needs only the parent writable, and creating the staging folder there just proved it is
    } catch (IOException | SecurityException e) {
      if (staging != null) {
        OPEN.remove(staging);
      }
      deleteTree(staging);
      deleteEmptyParents(parent, firstCreated);
      throw unwritable(outDir, AtomicFiles.reason(e));
    }
    if (staging == null) {
      deleteEmptyParents(parent, firstCreated);
      throw stopped(outDir);
    }
    return new OutputStaging(outDir, out, staging, firstCreated);
  }

  /** The output folder, as given to {@link #begin}. */
  public Path outDir() {
    return outDir;
  }

  /** The hidden staging folder (deleted by commit or close). */
  public Path stagingDir() {
    return staging;
  }

  /**
   * Where to write the file that will be {@code outDir/relative} after commit; its parent folders in
   * staging are created.
   *
   * @param relative a relative path without {@code ..}, e.g. {@code "video.mp4"} or {@code
   *     "frames/0000.png"}
   */
  public Path file(String relative) {
    checkOpen();
    Path rel = Path.of(relative).normalize();
    if (relative.isBlank() || rel.isAbsolute() || rel.startsWith("..") || rel.toString().isEmpty() || rel.toString().equals(MARKER)) {
      throw new IllegalArgumentException("staged file must be a relative path inside the output folder, got " + relative);
    }
    Path p = staging.resolve(rel);
    try {
      Files.createDirectories(p.getParent());
    } catch (IOException e) {
      throw unwritable(outDir, AtomicFiles.reason(e));
    }
    return p;
  }

  /** Whether {@link #commit()} succeeded. */
  public boolean committed() {
    return committed;
  }

  /**
   * Puts the staged files in the output folder's place (replacing a previous output folder whole).
   *
   * @return the committed files, inside the output folder, in path order (without the marker)
   * @throws VideoJamException one line naming the output folder if the folder cannot be replaced (the
   *     previous folder then stays as it was)
   */
  public List<Path> commit() {
    checkOpen();
    List<Path> relative = new ArrayList<>();
    try (Stream<Path> s = Files.walk(staging)) {
      s.filter(Files::isRegularFile).map(staging::relativize).sorted().forEach(relative::add);
      Files.writeString(staging.resolve(MARKER), "videojam wrote this folder; a later run with the same output folder replaces it whole.\n");
    } catch (IOException e) {
      throw new VideoJamException("cannot move results into " + outDir + ": " + AtomicFiles.reason(e), e);
    }
    for (int attempt = 0; ; attempt++) {
      Path aside = null;
      try {
        if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          List<String> foreign = foreignEntries(out);
          if (!foreign.isEmpty()) {
            throw new VideoJamException("cannot write to " + outDir + ": it now holds files videojam did not write ("
                + String.join(", ", foreign) + "); choose a new or empty folder");
          }
          aside = out.resolveSibling(OLD_PREFIX + PID + "-" + Long.toUnsignedString(System.nanoTime(), 36) + "-" + out.getFileName());
          ASIDE.add(aside);
          Files.move(out, aside, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
        OPEN.remove(staging);
        if (aside != null) {
          deleteTree(aside);
          ASIDE.remove(aside);
        }
        return relative.stream().map(out::resolve).toList();
      } catch (AtomicMoveNotSupportedException e) {
        restore(aside);
        throw new VideoJamException("cannot move results into " + outDir + ": its file system cannot rename folders atomically", e);
      } catch (IOException e) {
        boolean taken = Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        restore(aside);
        // another run replaced the folder between our two renames (ours was moved, or theirs took the
        // place): try again against the folder that is there now
        boolean raced = e instanceof NoSuchFileException || e instanceof FileAlreadyExistsException
            || e instanceof DirectoryNotEmptyException || taken;
        if (!raced || attempt >= 20) {
          throw new VideoJamException("cannot move results into " + outDir + ": " + AtomicFiles.reason(e)
              + (raced ? " (other runs keep replacing it; run one at a time)" : ""), e);
        }
      }
    }
  }

  /** Deletes the staging folder (and parent folders begin created) unless committed. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    OPEN.remove(staging);
    deleteTree(staging);
    if (!committed) {
      deleteEmptyParents(out.getParent(), firstCreated);
    }
  }

  /** Moves a folder set aside back into place when nothing took its place. */
  private void restore(Path aside) {
    if (aside == null) {
      return;
    }
    ASIDE.remove(aside);
    if (Files.exists(aside) && Files.exists(aside) && !Files.exists(out)) {
      try {
        Files.move(aside, out, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // another run's output took the place first; ours is stale and goes
        deleteTree(aside);
      }
    } else {
      deleteTree(aside);
    }
  }

  /** What in an existing output folder shows that videojam did not write it: empty when absent, empty or marked. */
  static List<String> foreignEntries(Path out) {
    if (!Files.isDirectory(out) || Files.exists(out.resolve(MARKER))) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(out)) {
      return s.map(p -> p.getFileName().toString()).sorted().limit(3).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * Removes, in {@code parent}, the staging and set-aside folders of videojam processes that no
   * longer run (killed with SIGKILL, or the machine lost power), and puts an output folder back where
   * a kill caught a commit between its two renames.
   */
  static void sweep(Path parent) {
    List<Path> leftovers;
    try (Stream<Path> s = Files.list(parent)) {
      leftovers = s.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) || n.startsWith(OLD_PREFIX);
      }).toList();
    } catch (IOException | RuntimeException e) {
      return;
    }
    for (Path p : leftovers) {
      String n = p.getFileName().toString();
      boolean old = n.startsWith(OLD_PREFIX);
      String[] parts = n.substring(old ? OLD_PREFIX.length() : PREFIX.length()).split("-", 3);
      long pid;
      try {
        pid = Long.parseLong(parts[0]);
      } catch (NumberFormatException e) {
        continue; // not ours to judge
      }
      if (pid == PID ? OPEN.contains(p) || ASIDE.contains(p) : ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        continue;
      }
      Path target = old && parts.length == 3 ? parent.resolve(parts[2]) : null;
      if (target != null && !Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
          continue;
        } catch (IOException e) {
          // fall through: delete it
        }
      }
      deleteTree(p);
    }
  }

  private static synchronized void installHook(Path outDir) {
    if (!hookInstalled) {
      try {
        Runtime.getRuntime().addShutdownHook(new Thread(OutputStaging::deleteOpenAtShutdown, "videojam-staging-cleanup"));
      } catch (IllegalStateException e) {
        throw stopped(outDir); // shutdown had begun before the first output of this process
      }
      hookInstalled = true;
    }
  }

  private static VideoJamException stopped(Path outDir) {
    return new VideoJamException("stopped: the process is shutting down (SIGINT or SIGTERM); nothing was written to " + outDir);
  }

  /**
   * SIGINT or SIGTERM: no new staged files from now on; the open staging folders go. Writer threads
   * may still finish a file meanwhile, so deletion is retried briefly.
   */
  private static void deleteOpenAtShutdown() {
    synchronized (SHUTDOWN) {
      shuttingDown = true;
    }
    List<Path> open = List.copyOf(OPEN);
    AtomicFiles.deleteUntilQuiet(open, p -> {
      if (!Files.exists(p)) {
        return false;
      }
      deleteTree(p);
      return true;
    });
    OPEN.removeAll(open);
  }

  private void checkOpen() {
    if (shuttingDown) {
      throw stopped(outDir);
    }
    if (closed || committed) {
      throw new IllegalStateException("output staging for " + outDir + " is already " + (committed ? "committed" : "closed"));
    }
  }

  private static VideoJamException unwritable(Path outDir, String reason) {
    return new VideoJamException(
        "cannot write to " + outDir + ": " + AtomicFiles.oneLine(reason) + "; choose a writable --out folder");
  }

  /** Deletes a folder tree, best effort. */
  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException ignored) {
      // best effort (another process may be deleting it too): leftovers are hidden, carry this process's id, and the next run sweeps them
    }
  }

  /** Deletes {@code dir} and its parents up to and including {@code last} while they are empty. */
  private static void deleteEmptyParents(Path dir, Path last) {
    if (last == null) {
      return;
    }
    for (Path p = dir; p != null && p.startsWith(last); p = p.getParent()) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException e) {
        return; // not empty (or not ours to delete): stop
      }
    }
  }
}
