package io.videojam.serve;

import io.videojam.api.ModelInfo;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.SolverProvider;
import io.videojam.api.StepListener;
import io.videojam.media.OutputStaging;
import io.videojam.model.OnnxVideoModel;
import io.videojam.runtime.Generation;
import io.videojam.runtime.GenerationFiles;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import io.videojam.sampling.Schedules;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/** A worker's model session: one {@link VideoJam}, loaded once, writing through {@link GenerationFiles} as the CLI does. */
public final class JamRender implements Render {
  private final VideoJam jam;
  private final RuntimeConfig config;

  private JamRender(VideoJam jam, RuntimeConfig config) {
    this.jam = jam;
    this.config = config;
  }

  /** Loads the model of {@code config}. */
  public static JamRender open(RuntimeConfig config) {
    return new JamRender(VideoJam.open(config), config);
  }

  @Override
  public ModelInfo model() {
    return jam.model();
  }

  @Override
  public String backend() {
    return jam.backend().backend().name();
  }

  @Override
  public void check(GenerationRequest request) {
    jam.generator().rule(request);
    Plugins.find(SolverProvider.class, request.solver(), "solver").create(Settings.empty("solver"));
    Schedules.resolve(request.schedule(), request.scheduleSettings(),
        jam.videoModel() instanceof OnnxVideoModel onnx ? onnx.nativeSchedule() : Optional.empty()).times(request.steps());
  }

  @Override
  public Result render(GenerationRequest request, Integer scale, StepListener progress, BooleanSupplier cancelled, Path out) {
    long start = System.nanoTime();
    try (OutputStaging staging = OutputStaging.begin(out)) {
      Generation g = jam.generate(request, progress);
      stopIf(cancelled);
      long writing = GenerationFiles.write(staging, g, jam.model(), config, jam.backend(), scale, start, "serve", false, java.util.Map.of());
      stopIf(cancelled);
      staging.commit();
      return new Result(g.timings().samplingNanos(), g.timings().totalNanos(), writing, g.motion() != null, g.record().guidance(),
          g.record().guidanceSettings());
    }
  }

  private static void stopIf(BooleanSupplier cancelled) {
    if (cancelled.getAsBoolean()) {
      throw new CancellationException("cancelled");
    }
  }

  @Override
  public void close() {
    jam.close();
  }
}
