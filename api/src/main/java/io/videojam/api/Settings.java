package io.videojam.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named settings for a plugin (a JSON object of model.json, or CLI options) with typed getters
 * whose errors name where the settings came from.
 *
 * @param values the settings; numbers, strings, booleans, lists and nested maps
 * @param origin where they came from, for error messages (for example {@code model.json "text"})
 */
public record Settings(Map<String, Object> values, String origin) {
  public Settings {
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static Settings empty(String origin) {
    return new Settings(Map.of(), origin);
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public String string(String key) {
    Object v = require(key);
    if (!(v instanceof String s)) {
      throw wrongType(key, "a string", v);
    }
    return s;
  }

  public String string(String key, String fallback) {
    return has(key) ? string(key) : fallback;
  }

  public double number(String key) {
    Object v = require(key);
    if (!(v instanceof Number n)) {
      throw wrongType(key, "a number", v);
    }
    return n.doubleValue();
  }

  public double number(String key, double fallback) {
    return has(key) ? number(key) : fallback;
  }

  public int integer(String key) {
    double d = number(key);
    if (d != Math.rint(d)) {
      throw wrongType(key, "an integer", d);
    }
    if (Math.abs(d) > Integer.MAX_VALUE) {
      throw wrongType(key, "an integer from -" + Integer.MAX_VALUE + " to " + Integer.MAX_VALUE, d);
    }
    return (int) d;
  }

  public int integer(String key, int fallback) {
    return has(key) ? integer(key) : fallback;
  }

  public boolean bool(String key, boolean fallback) {
    if (!has(key)) {
      return fallback;
    }
    Object v = values.get(key);
    if (!(v instanceof Boolean b)) {
      throw wrongType(key, "true or false", v);
    }
    return b;
  }

  @SuppressWarnings("unchecked")
  public Settings child(String key) {
    Object v = require(key);
    if (!(v instanceof Map<?, ?> m)) {
      throw wrongType(key, "an object", v);
    }
    return new Settings((Map<String, Object>) m, origin + " \"" + key + "\"");
  }

  public List<?> list(String key) {
    Object v = require(key);
    if (!(v instanceof List<?> l)) {
      throw wrongType(key, "a list", v);
    }
    return l;
  }

  private Object require(String key) {
    if (!has(key)) {
      throw new VideoJamException(origin + ": missing key \"" + key + "\"; add it (see design.md, model directory)");
    }
    return values.get(key);
  }

  private VideoJamException wrongType(String key, String expected, Object got) {
    return new VideoJamException(origin + ": \"" + key + "\" must be " + expected + ", got " + describe(got));
  }

  /**
   * A value as an error message shows it: on one line and short whatever the file holds (a string as it is,
   * or quoted with its control characters escaped and cut after 40 characters; a list or object by its size).
   */
  public static String describe(Object value) {
    if (value instanceof String s) {
      if (s.length() <= 40 && s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        return s;
      }
      StringBuilder b = new StringBuilder("\"");
      for (int i = 0; i < s.length() && i < 40; i++) {
        char c = s.charAt(i);
        b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
      return b.append(s.length() > 40 ? "...\" (" + s.length() + " characters)" : "\"").toString();
    }
    if (value instanceof List<?> l) {
      return "a list of " + l.size();
    }
    if (value instanceof Map<?, ?> m) {
      return "an object of " + m.size() + " keys";
    }
    String s = String.valueOf(value);
    return s.length() > 40 ? s.substring(0, 40) + "... (" + s.length() + " characters)" : s;
  }
}
