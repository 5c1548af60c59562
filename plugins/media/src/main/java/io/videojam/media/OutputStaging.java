package io.videojam.media;

import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * "No half-written output": results are written into a hidden staging folder next to the output
 * folder and only moved into it by {@link #commit()}, once everything succeeded.
 *
 * <pre>{@code
 * try (OutputStaging out = OutputStaging.begin(outDir)) {   // fails early if outDir is not writable
 *   Mp4Writer.write(out.file("video.mp4"), frames, fps);
 *   ContactSheet.write(out.file("sheet.png"), title, rows, 8);
 *   out.commit();                                          // moves everything into outDir
 * }                                                        // without commit: staging is deleted
 * }</pre>
 *
 * <p>{@link #begin} checks up front that the output folder can be written (creating missing parent
 * folders), and creates the staging folder {@code .videojam-staging-<random>} in the output
 * folder's parent, on the same file system, so that commit is a rename. {@link #commit} moves
 * each staged file into the output folder (creating it; replacing files of the same name; other
 * files there are kept). If the output folder does not exist yet, the staging folder itself is
 * renamed to it, so the folder appears complete in one step. {@link #close()} without a commit
 * deletes the staging folder and any parent folders {@code begin} created, leaving no trace.
 */
public final class OutputStaging implements AutoCloseable {
  private static final String PREFIX = ".videojam-staging-";

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
    Path out = outDir.toAbsolutePath().normalize();
    Path parent = out.getParent();
    if (parent == null) {
      throw unwritable(outDir, "the file system root cannot be the output folder");
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
    Path staging = null;
    try {
      Files.createDirectories(parent);
      staging = AtomicFiles.createUnique(parent, PREFIX, "", true); // umask permissions, not 0700
      if (Files.isDirectory(out)) {
        Path probe = AtomicFiles.createUnique(out, ".videojam-probe-", ".tmp", false);
        Files.delete(probe);
      }
    } catch (IOException | SecurityException e) {
      deleteTree(staging);
      deleteEmptyParents(parent, firstCreated);
      throw unwritable(outDir, AtomicFiles.reason(e));
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
    if (relative.isBlank() || rel.isAbsolute() || rel.startsWith("..") || rel.toString().isEmpty()) {
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
   * Moves every staged file into the output folder (creating it; replacing files of the same name)
   * and deletes the staging folder.
   *
   * @return the committed files, inside the output folder, in path order
   * @throws VideoJamException one line naming the output folder if a move fails (files moved before
   *     the failure stay; the rest is deleted on close)
   */
  public List<Path> commit() {
    checkOpen();
    List<Path> relative = new ArrayList<>();
    try (Stream<Path> s = Files.walk(staging)) {
      s.filter(Files::isRegularFile).map(staging::relativize).sorted().forEach(relative::add);
    } catch (IOException e) {
      throw new VideoJamException("cannot move results into " + outDir + ": " + AtomicFiles.reason(e), e);
    }
    List<Path> result = relative.stream().map(out::resolve).toList();
    if (!Files.exists(out) && renameWhole()) {
      committed = true;
      return result;
    }
    try {
      Files.createDirectories(out);
      for (Path rel : relative) {
        Path target = out.resolve(rel);
        Files.createDirectories(target.getParent());
        if (Files.isDirectory(target)) {
          throw new IOException(target + " is a folder and cannot be replaced by a file");
        }
        AtomicFiles.moveReplacing(staging.resolve(rel), target);
      }
    } catch (IOException e) {
      throw new VideoJamException("cannot move results into " + outDir + ": " + AtomicFiles.reason(e), e);
    }
    committed = true;
    deleteTree(staging);
    return result;
  }

  /** Deletes the staging folder (and parent folders begin created) unless committed. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    deleteTree(staging);
    if (!committed) {
      deleteEmptyParents(out.getParent(), firstCreated);
    }
  }

  /** Renames the staging folder to the (absent) output folder; false if that is not possible. */
  private boolean renameWhole() {
    try {
      Files.move(staging, out, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      return false; // fall back to moving file by file, which reports a precise error
    }
  }

  private void checkOpen() {
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
    } catch (IOException ignored) {
      // best effort: leftovers are hidden and named .videojam-staging-*
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
