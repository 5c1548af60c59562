package io.videojam.runtime;

import io.videojam.api.FloatTensor;
import java.util.Map;

/**
 * A generated clip.
 *
 * @param video RGB frames {@code [3, T, H, W]} in [-1, 1]
 * @param motion the model's motion prediction shown as RGB {@code [3, T, H, W]}, or null for a model without motion channels
 * @param latent the final joint latent {@code [1, C, T', H', W']}, before decoding
 * @param record every setting that decided the clip (what run.json records)
 * @param timings where the time went
 * @param initialNoise the noise at t = 0 the sampler started from, {@code [1, C, T', H', W']} (the
 *     request's, or the seed's); null where the producer does not say
 */
public record Generation(FloatTensor video, FloatTensor motion, FloatTensor latent, GenerationRecord record, Timings timings,
    FloatTensor initialNoise) {
  /** A clip without its initial noise. */
  public Generation(FloatTensor video, FloatTensor motion, FloatTensor latent, GenerationRecord record, Timings timings) {
    this(video, motion, latent, record, timings, null);
  }

  /** The record as run.json's {@code "settings"} object (a view for printing and JSON; use {@link #record()} in code). */
  public Map<String, Object> settings() {
    return record.asMap();
  }

  /**
   * @param totalNanos wall time of text encoding, sampling and decoding
   * @param samplingNanos wall time of the sampling loop
   * @param backendNanos time inside backend graph runs
   * @param modelRuns number of graph runs
   */
  public record Timings(long totalNanos, long samplingNanos, long backendNanos, long modelRuns) {
    /** Share of the wall time spent outside the backend: (total - backend) / total. */
    public double overhead() {
      return totalNanos == 0 ? 0 : (double) (totalNanos - backendNanos) / totalNanos;
    }

    /** Time outside the backend per unit of time inside it: (total - backend) / backend. */
    public double overheadPerBackendTime() {
      return backendNanos == 0 ? 0 : (double) (totalNanos - backendNanos) / backendNanos;
    }
  }
}
