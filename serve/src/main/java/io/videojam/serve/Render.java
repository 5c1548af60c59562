package io.videojam.serve;

import io.videojam.api.ModelInfo;
import io.videojam.api.StepListener;
import io.videojam.runtime.GenerationRequest;
import java.nio.file.Path;

/**
 * What a worker runs requests on: one loaded model session. {@link JamRender} is the real one;
 * tests wrap it to hold a worker at a step.
 */
public interface Render extends AutoCloseable {
  /** The loaded model. */
  ModelInfo model();

  /** The backend's name ({@code cpu}, {@code cuda}, ...). */
  String backend();

  /**
   * Checks what can be checked before a run (guidance rule and weights, solver, schedule) and
   * throws the library's one-line {@link io.videojam.api.VideoJamException} for bad settings.
   */
  void check(GenerationRequest request);

  /**
   * Generates {@code request} and writes its files to {@code out} through a staging folder, as
   * {@code videojam generate} does. {@code progress} may throw {@link java.util.concurrent.CancellationException}
   * to stop the run; nothing is left in {@code out} or beside it then. {@code cancelled} is asked
   * again after sampling and after writing, before the outputs are committed.
   */
  Result render(GenerationRequest request, Integer scale, StepListener progress, java.util.function.BooleanSupplier cancelled, Path out);

  @Override
  void close();

  /**
   * @param samplingNanos the sampling loop
   * @param generationNanos text encoding, sampling and decoding
   * @param writingNanos writing every file
   * @param motion whether motion.mp4 and motion.gif were written
   * @param guidance the rule that ran (after the model's defaults)
   * @param guidanceSettings its effective weights
   */
  record Result(long samplingNanos, long generationNanos, long writingNanos, boolean motion, String guidance,
      java.util.Map<String, Object> guidanceSettings) {}
}
