package io.videojam.cli;

import io.videojam.api.BackendOptions;
import io.videojam.api.VideoJamException;

/**
 * A backend to benchmark: {@code NAME[:KEY=VALUE,...]}, e.g. {@code cpu}, {@code cpu:threads=1} or
 * {@code trt-native:precision=fp16}. Keys override the command's own options for this backend:
 * threads, inter-threads, optimization, precision, max-batch, device.
 *
 * @param label the text as given
 * @param name the backend name ({@code --backend})
 * @param settings the overrides, {@code k=v,...} (may be empty)
 */
record BackendSpec(String label, String name, String settings) {
  static BackendSpec parse(String text) {
    int colon = text.indexOf(':');
    String name = colon < 0 ? text : text.substring(0, colon);
    if (name.isBlank()) {
      throw new VideoJamException("--backend '" + text + "': a backend name comes first, e.g. cpu or cpu:threads=1");
    }
    BackendSpec spec = new BackendSpec(text, name, colon < 0 ? "" : text.substring(colon + 1));
    spec.apply(BackendOptions.defaults()); // reject bad keys and values before anything runs
    return spec;
  }

  /** The options with this spec's overrides. */
  BackendOptions apply(BackendOptions o) {
    int threads = o.intraOpThreads();
    int inter = o.interOpThreads();
    String optimization = o.optimization();
    String precision = o.precision();
    int maxBatch = o.maxBatch();
    int device = o.deviceId();
    if (!settings.isBlank()) {
      for (String kv : settings.split(",")) {
        int eq = kv.indexOf('=');
        if (eq < 0) {
          throw new VideoJamException("--backend '" + label + "': '" + kv + "' is not KEY=VALUE");
        }
        String k = kv.substring(0, eq).strip();
        String v = kv.substring(eq + 1).strip();
        try {
          switch (k) {
            case "threads" -> threads = Integer.parseInt(v);
            case "inter-threads" -> inter = Integer.parseInt(v);
            case "optimization" -> optimization = v;
            case "precision" -> precision = v;
            case "max-batch" -> maxBatch = Integer.parseInt(v);
            case "device" -> device = Integer.parseInt(v);
            default -> throw new VideoJamException("--backend '" + label + "': unknown setting '" + k
                + "'; use threads, inter-threads, optimization, precision, max-batch or device");
          }
        } catch (NumberFormatException e) {
          throw new VideoJamException("--backend '" + label + "': " + k + " must be a whole number, got '" + v + "'");
        }
      }
    }
    return new BackendOptions(threads, inter, optimization, device, precision, o.cacheDir(), maxBatch);
  }
}
