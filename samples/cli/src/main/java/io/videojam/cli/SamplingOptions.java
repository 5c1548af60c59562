package io.videojam.cli;

import io.videojam.api.VideoJamException;
import io.videojam.runtime.GenerationRequest;
import io.videojam.runtime.SamplingSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Sampling and guidance settings. */
final class SamplingOptions {
  @Option(names = "--steps", defaultValue = "30", description = "sampling steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--seed", defaultValue = "0", description = "noise seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--solver", defaultValue = "euler", description = "euler, heun, dpm++2m or unipc (default: ${DEFAULT-VALUE})")
  String solver;

  @Option(names = "--schedule", defaultValue = "auto",
      description = "auto (the model's own for vp/edm models, else shifted), model, uniform, shifted or karras (default: ${DEFAULT-VALUE})")
  String schedule;

  @Option(names = "--shift", defaultValue = "3", description = "shift s of the shifted schedule (default: ${DEFAULT-VALUE})")
  double shift;

  @Option(names = "--guidance", description = "inner, cfg, ip2p, none, motion-off or a plugin's name (default: inner, or cfg for a model without motion)")
  String guidance;

  @Option(names = "--w", description = "text guidance weight of cfg and motion-off (default 5)")
  Double w;

  @Option(names = "--w1", description = "Inner-Guidance text weight (default 5)")
  Double w1;

  @Option(names = "--w2", description = "Inner-Guidance motion weight (default 3)")
  Double w2;

  @Option(names = "--s-text", description = "InstructPix2Pix text scale (default 6)")
  Double sText;

  @Option(names = "--s-image", description = "InstructPix2Pix motion scale (default 4)")
  Double sImage;

  @Option(names = "--motion-policy", description = "motion channels under inner/ip2p: text-only (default) or whole (literal Eq. 8)")
  String motionPolicy;

  @Option(names = "--guidance-param", paramLabel = "KEY=VALUE", description = "extra parameter for a guidance plugin (repeatable)")
  Map<String, String> guidanceParams = new LinkedHashMap<>();

  @Option(names = "--guidance-start", defaultValue = "0", description = "guide only from this sampling time on (0 = noise, 1 = data; default: ${DEFAULT-VALUE})")
  double guidanceStart;

  @Option(names = "--guidance-stop", defaultValue = "1", description = "guide only up to this sampling time (default: ${DEFAULT-VALUE}); outside, the fully conditioned pass alone")
  double guidanceStop;

  @Option(names = "--pass-mode", defaultValue = "auto", description = "auto, batched or sequential: how a step's guidance passes run (default: ${DEFAULT-VALUE})")
  String passMode;

  @Option(names = "--memory-budget", defaultValue = "2g", description = "memory budget that auto pass mode checks a batched run against (default: ${DEFAULT-VALUE})")
  String memoryBudget;

  GenerationRequest request(String prompt) {
    return settings().request(prompt, name -> "--" + name);
  }

  /** The settings these flags give (the HTTP service builds the same from its JSON fields). */
  SamplingSettings settings() {
    return new SamplingSettings(seed, steps, solver, schedule, shift, guidance,
        SamplingSettings.guidanceSettings(w, w1, w2, sText, sImage, motionPolicy, guidanceParams), guidanceStart, guidanceStop, passMode,
        bytes(memoryBudget));
  }

  static long bytes(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    long mult = 1;
    if (t.endsWith("k") || t.endsWith("m") || t.endsWith("g")) {
      mult = switch (t.charAt(t.length() - 1)) {
        case 'k' -> 1L << 10;
        case 'm' -> 1L << 20;
        default -> 1L << 30;
      };
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.round(Double.parseDouble(t) * mult);
    } catch (NumberFormatException e) {
      throw new VideoJamException("--memory-budget '" + s + "' is not a size; write for example 512m or 2g");
    }
  }
}
