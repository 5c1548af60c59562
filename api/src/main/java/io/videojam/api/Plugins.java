package io.videojam.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/** Finds plugins on the class path with {@link ServiceLoader} and selects them by name. */
public final class Plugins {
  private Plugins() {}

  private static final Map<ClassLoader, Map<Class<?>, List<?>>> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

  /** Every provider of {@code type} on the class path, sorted by name (found once per class loader). */
  @SuppressWarnings("unchecked")
  public static <T extends Named> List<T> all(Class<T> type) {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    ClassLoader loader = context == null ? Plugins.class.getClassLoader() : context;
    Map<Class<?>, List<?>> byType = CACHE.computeIfAbsent(loader, l -> new ConcurrentHashMap<>());
    return (List<T>) byType.computeIfAbsent(type, t -> {
      List<T> found = new ArrayList<>();
      ServiceLoader.load(type, loader).forEach(found::add);
      found.sort(Comparator.comparing(Named::name));
      return List.copyOf(found);
    });
  }

  /**
   * The provider of {@code type} called {@code name}.
   *
   * @param what what the user was choosing, for the error message (for example {@code --guidance})
   * @throws VideoJamException naming the choices when none matches
   */
  public static <T extends Named> T find(Class<T> type, String name, String what) {
    List<T> all = all(type);
    for (T t : all) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    throw new VideoJamException("unknown " + what + " '" + name + "'; available: "
        + all.stream().map(Named::name).collect(Collectors.joining(", "))
        + " (plugins are found on the class path through META-INF/services/" + type.getName() + ")");
  }
}
