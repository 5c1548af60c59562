package io.videojam.cli;

import io.videojam.api.BackendProvider;
import io.videojam.api.GuidanceProvider;
import io.videojam.api.LatentCodecProvider;
import io.videojam.api.MotionRepresentationProvider;
import io.videojam.api.Named;
import io.videojam.api.Plugins;
import io.videojam.api.SolverProvider;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.TimeScheduleProvider;
import io.videojam.api.VideoModelProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code videojam plugins}: what is on the class path, by seam. */
@Command(name = "plugins", mixinStandardHelpOptions = true, description = "List the plugins found on the class path.")
final class PluginsCommand implements Runnable {
  @Override
  public void run() {
    Map<String, Class<? extends Named>> kinds = new LinkedHashMap<>();
    kinds.put("guidance (--guidance)", GuidanceProvider.class);
    kinds.put("solvers (--solver)", SolverProvider.class);
    kinds.put("schedules (--schedule)", TimeScheduleProvider.class);
    kinds.put("backends (--backend)", BackendProvider.class);
    kinds.put("video models (model.json denoiser.provider)", VideoModelProvider.class);
    kinds.put("text encoders (model.json text.type)", TextEncoderProvider.class);
    kinds.put("codecs (model.json codec.type)", LatentCodecProvider.class);
    kinds.put("motion representations (model.json motion.representation)", MotionRepresentationProvider.class);
    kinds.put("flow estimators (--estimator, model.json motion.estimator)", io.videojam.api.FlowEstimatorProvider.class);
    kinds.forEach((title, type) -> {
      System.out.println(title + ":");
      List<? extends Named> all = Plugins.all(type);
      for (Named n : all) {
        String extra = "";
        if (n instanceof BackendProvider b) {
          var backend = b.create();
          extra = backend.available() ? "" : "  [unavailable here]";
        }
        System.out.printf("  %-12s %s%s%n", n.name(), n.description(), extra);
      }
    });
  }
}
