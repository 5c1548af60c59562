package io.videojam.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import io.videojam.runtime.SamplingSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The body of {@code POST /v1/videos} as {@link SamplingSettings}: the same fields as {@code
 * videojam generate}'s flags, in snake case ({@code --s-text} is {@code s_text}), with the same
 * defaults, so the same settings give the same video. Bad input is one line naming the field.
 */
public final class VideoRequests {
  /** Every field, in the order the API documents them. */
  public static final List<String> FIELDS = List.of("prompt", "model", "seed", "steps", "solver", "schedule", "shift", "guidance", "w", "w1",
      "w2", "s_text", "s_image", "motion_policy", "guidance_params", "guidance_start", "guidance_stop", "pass_mode", "scale");

  /** A library parameter's name ({@code guidance-start}) as the API spells it ({@code guidance_start}). */
  public static final UnaryOperator<String> NAMES = name -> name.replace('-', '_');

  private VideoRequests() {}

  /**
   * A parsed request.
   *
   * @param prompt the prompt
   * @param model the model asked for, or null for the served one
   * @param sampling the settings as {@code videojam generate} would have them
   * @param scale integer upscale of the written videos, or null for auto
   * @param settings what the API shows back: every field with its value or default
   */
  public record Parsed(String prompt, String model, SamplingSettings sampling, Integer scale, Map<String, Object> settings) {}

  /** Parses a JSON body. */
  public static Parsed parse(ObjectMapper mapper, String body) {
    JsonNode root;
    try {
      root = body == null || body.isBlank() ? null : mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw new VideoJamException("the body is not JSON (" + e.getOriginalMessage().lines().findFirst().orElse("")
          + "); send an object like {\"prompt\": \"a red ball moving right\", \"seed\": 7}");
    }
    if (!(root instanceof ObjectNode o)) {
      throw new VideoJamException("the body must be a JSON object like {\"prompt\": \"a red ball moving right\", \"seed\": 7}");
    }
    for (var it = o.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!FIELDS.contains(f)) {
        throw new VideoJamException("unknown field '" + Settings.describe(f) + "'; the fields are " + String.join(", ", FIELDS));
      }
    }
    String prompt = string(o, "prompt", null);
    if (prompt == null) {
      throw new VideoJamException("prompt is required; send {\"prompt\": \"a red ball moving right\"}");
    }
    SamplingSettings d = SamplingSettings.DEFAULTS;
    long seed = integer(o, "seed", d.seed(), Long.MIN_VALUE, Long.MAX_VALUE);
    int steps = (int) integer(o, "steps", d.steps(), Integer.MIN_VALUE, Integer.MAX_VALUE);
    String solver = string(o, "solver", d.solver());
    String schedule = string(o, "schedule", d.schedule());
    double shift = number(o, "shift", d.shift());
    String guidance = string(o, "guidance", d.guidance());
    Double w = number(o, "w", null);
    Double w1 = number(o, "w1", null);
    Double w2 = number(o, "w2", null);
    Double sText = number(o, "s_text", null);
    Double sImage = number(o, "s_image", null);
    String motionPolicy = string(o, "motion_policy", null);
    Map<String, Object> params = new LinkedHashMap<>();
    JsonNode gp = o.get("guidance_params");
    if (gp != null && !gp.isNull()) {
      if (!gp.isObject()) {
        throw new VideoJamException("guidance_params must be an object of names to numbers or strings, got " + gp.getNodeType()
            .toString().toLowerCase(java.util.Locale.ROOT) + "; send e.g. {\"guidance_params\": {\"rescale\": 0.7}}");
      }
      gp.fields().forEachRemaining(e -> {
        JsonNode v = e.getValue();
        if (v.isNumber()) {
          params.put(e.getKey(), v.doubleValue());
        } else if (v.isTextual()) {
          params.put(e.getKey(), v.textValue());
        } else if (v.isBoolean()) {
          params.put(e.getKey(), v.booleanValue());
        } else {
          throw new VideoJamException("guidance_params \"" + Settings.describe(e.getKey()) + "\" must be a number, a string or true/false");
        }
      });
    }
    double start = number(o, "guidance_start", d.guidanceStart());
    double stop = number(o, "guidance_stop", d.guidanceStop());
    String passMode = string(o, "pass_mode", d.passMode());
    Integer scale = o.hasNonNull("scale") ? (int) integer(o, "scale", 0, Integer.MIN_VALUE, Integer.MAX_VALUE) : null;
    String model = string(o, "model", null);

    SamplingSettings sampling = new SamplingSettings(seed, steps, solver, schedule, shift, guidance,
        SamplingSettings.guidanceSettings(w, w1, w2, sText, sImage, motionPolicy, params), start, stop, passMode, d.memoryBudgetBytes());
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("prompt", prompt);
    shown.put("seed", seed);
    shown.put("steps", steps);
    shown.put("solver", solver);
    shown.put("schedule", schedule);
    shown.put("shift", shift);
    shown.put("guidance", guidance == null ? "default" : guidance);
    putIf(shown, "w", w);
    putIf(shown, "w1", w1);
    putIf(shown, "w2", w2);
    putIf(shown, "s_text", sText);
    putIf(shown, "s_image", sImage);
    putIf(shown, "motion_policy", motionPolicy);
    if (!params.isEmpty()) {
      shown.put("guidance_params", params);
    }
    shown.put("guidance_start", start);
    shown.put("guidance_stop", stop);
    shown.put("pass_mode", passMode);
    shown.put("scale", scale == null ? "auto" : scale);
    return new Parsed(prompt, model, sampling, scale, shown);
  }

  private static void putIf(Map<String, Object> m, String k, Object v) {
    if (v != null) {
      m.put(k, v);
    }
  }

  private static String string(ObjectNode o, String field, String fallback) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual()) {
      throw new VideoJamException(field + " must be a string, got " + Settings.describe(v.toString()));
    }
    return v.textValue();
  }

  private static Double number(ObjectNode o, String field, Double fallback) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new VideoJamException(field + " must be a number, got " + Settings.describe(v.toString()));
    }
    double d = v.doubleValue();
    if (!Double.isFinite(d)) {
      throw new VideoJamException(field + " must be a finite number, got " + v);
    }
    return d;
  }

  private static long integer(ObjectNode o, String field, long fallback, long min, long max) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
      throw new VideoJamException(field + " must be an integer, got " + Settings.describe(v.toString()));
    }
    if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
      throw new VideoJamException(field + " must be an integer from " + min + " to " + max + ", got " + Settings.describe(v.toString()));
    }
    return v.longValue();
  }
}
