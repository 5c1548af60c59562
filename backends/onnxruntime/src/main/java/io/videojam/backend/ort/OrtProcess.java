package io.videojam.backend.ort;

import ai.onnxruntime.OrtEnvironment;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's process-wide set-up, done once before anything of ONNX Runtime runs.
 *
 * <p>Two things in ONNX Runtime 1.29.0's Linux build need it:
 *
 * <ul>
 *   <li>Its telemetry (Microsoft's 1DS SDK) parses {@code /proc/self/cmdline} with a recursive
 *       regular expression when the environment is created; past about 3,970 bytes of command line
 *       (an ordinary Maven-built classpath) the native stack overflows and the JVM dies with
 *       SIGSEGV and no message. The same telemetry writes an empty {@code /tmp/mat-debug-PID.log}
 *       per process. The native library reads {@code ORT_DISABLE_TELEMETRY=1} and then skips both,
 *       so this sets it in the process environment (libc {@code setenv}, which the native code
 *       reads; Java's own copy of the environment cannot be changed) unless the user set it.
 *   <li>Its Java loader extracts the native libraries into a fresh {@code onnxruntime-java*} temp
 *       folder and asks the JVM to delete it on exit before its files, so the empty folder stays.
 *       A shutdown hook removes the folder with its files (already loaded, so safe to unlink).
 * </ul>
 */
public final class OrtProcess {
  private static final Logger LOG = LoggerFactory.getLogger(OrtProcess.class);
  static final String TELEMETRY_VARIABLE = "ORT_DISABLE_TELEMETRY";
  private static boolean prepared;

  private OrtProcess() {}

  /** The process's ONNX Runtime environment, created after {@link #prepare()}. */
  public static OrtEnvironment environment() {
    prepare();
    return OrtEnvironment.getEnvironment();
  }

  /** Sets ONNX Runtime's process environment up; idempotent, cheap after the first call. */
  public static synchronized void prepare() {
    if (prepared) {
      return;
    }
    prepared = true;
    disableTelemetry();
    try {
      OrtEnvironment.getAvailableProviders(); // loads the native libraries (creates the temp folder)
    } catch (RuntimeException | LinkageError e) {
      return; // reported where a session is opened (OrtBackend.available)
    }
    Path extracted = extractionFolder();
    if (extracted != null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(extracted), "videojam-ort-cleanup"));
    }
  }

  private static void disableTelemetry() {
    if (System.getenv(TELEMETRY_VARIABLE) != null || System.getProperty("os.name", "").startsWith("Windows")) {
      return; // the user's choice stands; Windows builds report through ETW, not this SDK
    }
    try {
      LibC.INSTANCE.setenv(TELEMETRY_VARIABLE, "1", 0);
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("could not set {}=1 in the process environment ({}); set it before starting Java, "
          + "or a command line over about 4 KB crashes ONNX Runtime", TELEMETRY_VARIABLE, e.toString());
    }
  }

  /** ONNX Runtime's private temp folder, or null when this version keeps it elsewhere. */
  static Path extractionFolder() {
    try {
      var field = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
      field.setAccessible(true);
      return (Path) field.get(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("ONNX Runtime's extraction folder is not reachable: {}", e.toString());
      return null;
    }
  }

  static void deleteTree(Path root) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // a library still mapped on a platform that forbids unlinking it; ONNX Runtime's own hook retries
        }
      });
    } catch (IOException | RuntimeException e) {
      // nothing more to do at shutdown
    }
  }

  /** The libc call used. */
  interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int setenv(String name, String value, int overwrite);
  }
}
