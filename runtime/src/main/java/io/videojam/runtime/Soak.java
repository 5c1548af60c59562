package io.videojam.runtime;

import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A soak: many generations on one {@link VideoJam}, then many open/close cycles, with the process's
 * resident memory sampled along the way. Growth after warm-up shows a leak (native memory not closed,
 * caches that never stop growing) that a single run cannot.
 */
public final class Soak {
  /**
   * One sample after {@code count} generations (or cycles): the process's resident set and the Java
   * heap's committed size, in bytes. Their difference is native memory (and JVM internals).
   */
  public record Sample(String phase, int count, long residentBytes, long heapCommittedBytes) {
    public long nativeBytes() {
      return residentBytes - heapCommittedBytes;
    }
  }

  /**
   * The series and growth of one phase.
   *
   * @param warmUp the sample growth is measured from (after the first tenth of the phase)
   */
  public record Phase(String name, List<Sample> samples, Sample warmUp, Sample last) {
    /** Resident set: (last - warm-up) / warm-up. */
    public double growth() {
      return (double) (last.residentBytes() - warmUp.residentBytes()) / warmUp.residentBytes();
    }

    /** The part of the resident set's growth outside the Java heap, as a share of the warm-up resident set. */
    public double nativeGrowth() {
      return (double) (last.nativeBytes() - warmUp.nativeBytes()) / warmUp.residentBytes();
    }
  }

  private Soak() {}

  /**
   * Runs {@code generations} generations of {@code request} on one instance, sampling every {@code
   * every}, and reports each sample to {@code listener} as it is taken.
   */
  public static Phase generations(RuntimeConfig config, GenerationRequest request, int generations, int every, Consumer<Sample> listener) {
    check("generations", generations);
    check("every", every);
    List<Sample> samples = new ArrayList<>();
    try (VideoJam jam = VideoJam.open(config)) {
      for (int i = 1; i <= generations; i++) {
        jam.generate(request, null);
        if (i % every == 0 || i == generations) {
          samples.add(sample("generate", i, listener));
        }
      }
    }
    return phase("generate", samples, generations);
  }

  /** Opens and closes {@code cycles} instances, generating once in each (so a session really ran), sampling every {@code every}. */
  public static Phase openClose(RuntimeConfig config, GenerationRequest request, int cycles, int every, Consumer<Sample> listener) {
    check("cycles", cycles);
    check("every", every);
    List<Sample> samples = new ArrayList<>();
    for (int i = 1; i <= cycles; i++) {
      try (VideoJam jam = VideoJam.open(config)) {
        jam.generate(request, null);
      }
      if (i % every == 0 || i == cycles) {
        samples.add(sample("open-close", i, listener));
      }
    }
    return phase("open-close", samples, cycles);
  }

  private static Phase phase(String name, List<Sample> samples, int total) {
    Sample warm = samples.stream().filter(s -> s.count() >= Math.max(1, total / 10)).findFirst().orElse(samples.get(0));
    return new Phase(name, List.copyOf(samples), warm, samples.get(samples.size() - 1));
  }

  private static Sample sample(String phase, int count, Consumer<Sample> listener) {
    Sample s = new Sample(phase, count, residentBytes(), Runtime.getRuntime().totalMemory());
    if (listener != null) {
      listener.accept(s);
    }
    return s;
  }

  private static void check(String name, int value) {
    if (value < 1 || value > 1_000_000) {
      throw new VideoJamException(name + " must be in [1, 1000000], got " + value);
    }
  }

  /** The process's resident set (VmRSS in /proc/self/status), in bytes; -1 where there is no /proc. */
  public static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }
}
