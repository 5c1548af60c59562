package io.videojam.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Peak memory while a backend runs. CPU: the process's peak resident set (VmHWM), reset first
 * through /proc/self/clear_refs. GPU: the device's used memory polled with nvidia-smi every 50 ms,
 * minus what was used before the backend loaded.
 */
final class MemoryProbe implements AutoCloseable {
  private final boolean gpu;
  private final int device;
  private final long baseline;
  private volatile long peak = -1;
  private final Thread poller;
  private volatile boolean stop;
  private String unavailable;

  private MemoryProbe(boolean gpu, int device) {
    this.gpu = gpu;
    this.device = device;
    if (gpu) {
      baseline = gpuUsedMiB(device);
      if (baseline < 0) {
        unavailable = "n/a (nvidia-smi not found)";
        poller = null;
        return;
      }
      peak = baseline;
      poller = new Thread(() -> {
        while (!stop) {
          long used = gpuUsedMiB(device);
          if (used > peak) {
            peak = used;
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "gpu-memory-probe");
      poller.setDaemon(true);
      poller.start();
    } else {
      baseline = 0;
      poller = null;
      try {
        Files.writeString(Path.of("/proc/self/clear_refs"), "5"); // resets VmHWM to the current RSS
      } catch (IOException | RuntimeException e) {
        unavailable = "n/a (/proc/self/clear_refs not writable: peak RSS cannot be reset)";
      }
    }
  }

  /** Starts measuring; GPU backends are polled on {@code device}. */
  static MemoryProbe start(boolean gpu, int device) {
    return new MemoryProbe(gpu, device);
  }

  /** What was measured, e.g. "412 MiB process peak RSS" or "+1830 MiB on GPU 0". */
  String result() {
    if (unavailable != null) {
      return unavailable;
    }
    if (gpu) {
      return String.format(Locale.ROOT, "+%d MiB on GPU %d", Math.max(0, peak - baseline), device);
    }
    long kb = vmHwmKiB();
    return kb < 0 ? "n/a (no VmHWM in /proc/self/status)" : String.format(Locale.ROOT, "%d MiB process peak RSS", kb / 1024);
  }

  private static long vmHwmKiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Used memory of one GPU in MiB from nvidia-smi, or -1 when it cannot be asked. */
  static long gpuUsedMiB(int device) {
    try {
      Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=memory.used", "--format=csv,noheader,nounits", "-i", Integer.toString(device))
          .redirectErrorStream(true).start();
      String line;
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        line = r.readLine();
      }
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0 || line == null) {
        p.destroyForcibly();
        return -1;
      }
      return Long.parseLong(line.strip());
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() {
    stop = true;
    if (poller != null) {
      poller.interrupt();
    }
  }
}
