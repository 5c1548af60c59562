package io.videojam.api;

/** A plugin found through {@link java.util.ServiceLoader} and selected by name. */
public interface Named {
  /** The name users type (CLI flags, model.json); lower case, no spaces. */
  String name();

  /** One line for {@code --help} and error messages. */
  default String description() {
    return name();
  }
}
