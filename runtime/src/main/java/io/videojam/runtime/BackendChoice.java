package io.videojam.runtime;

import io.videojam.api.Backend;
import io.videojam.api.BackendProvider;
import io.videojam.api.Plugins;
import io.videojam.api.VideoJamException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The backend a run uses and how it was chosen. {@code --backend auto} takes the first available
 * of {@link #AUTO_ORDER} and records why it passed over the ones before it.
 *
 * @param backend the backend
 * @param requested what was asked for ({@code auto} or a backend name)
 * @param passedOver for {@code auto}: each faster backend that was not available, with the reason
 */
public record BackendChoice(Backend backend, String requested, List<String> passedOver) {
  /** Fastest first: native TensorRT, ONNX Runtime's TensorRT provider, its CUDA provider, CPU. */
  public static final List<String> AUTO_ORDER = List.of("trt-native", "tensorrt", "cuda", "cpu");

  /** Resolves a {@code --backend} value; an unavailable backend asked for by name is an error with its reason. */
  public static BackendChoice choose(String name) {
    if (!name.equals("auto")) {
      Backend b = Plugins.find(BackendProvider.class, name, "backend").create();
      if (!b.available()) {
        throw new VideoJamException(b.unavailableReason());
      }
      return new BackendChoice(b, name, List.of());
    }
    Map<String, BackendProvider> present = Plugins.all(BackendProvider.class).stream()
        .collect(Collectors.toMap(BackendProvider::name, p -> p, (a, b) -> a));
    List<String> passed = new ArrayList<>();
    for (String candidate : AUTO_ORDER) {
      BackendProvider p = present.get(candidate);
      if (p == null) {
        passed.add(candidate + ": not installed (its module is not on the class path)");
        continue;
      }
      Backend b = p.create();
      if (b.available()) {
        return new BackendChoice(b, name, List.copyOf(passed));
      }
      passed.add(candidate + ": " + b.unavailableReason());
    }
    throw new VideoJamException("backend auto: no backend is available: " + String.join("; ", passed));
  }

  /** The chosen backend's name. */
  public String name() {
    return backend.name();
  }
}
