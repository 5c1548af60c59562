package io.videojam.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.DitBuilder;
import io.videojam.onnx.DitConfig;
import io.videojam.onnx.OnnxModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a model directory around the project's DiT builder: model.json, denoiser.onnx (seeded
 * random weights) and vocab.txt. It is the built-in model until trained weights ship.
 */
public final class FixtureModel {
  /** The word vocabulary of the synthetic motion world; line i is token id i. */
  public static final List<String> VOCABULARY = List.of("<pad>", "<unk>",
      "a", "an", "the", "and", "two", "with", "on", "of",
      "red", "green", "blue", "yellow", "white", "orange", "purple", "cyan",
      "square", "circle", "triangle", "ball", "balls", "star", "wheel", "cross",
      "moving", "moves", "to", "left", "right", "up", "down", "diagonally",
      "spinning", "clockwise", "counterclockwise", "bouncing", "falling", "gravity", "wall", "off",
      "zigzag", "circular", "path", "speeding", "crossing", "colliding",
      "dark", "light", "textured", "background", "slowly", "quickly",
      "upper", "lower", "floor", "in", "each", "other", "rolling", "stops", "fast", "slow");

  private FixtureModel() {}

  /** The configuration of the built-in fixture: 3 + 3 channels, 16 frames of 32x32. */
  public static DitConfig config() {
    return DitConfig.fixture();
  }

  /** Writes the model folder for {@code config} into {@code dir} (created; files replaced atomically). */
  public static void write(Path dir, String name, DitConfig config) {
    if (config.vocabSize() < VOCABULARY.size()) {
      throw new VideoJamException("fixture vocabulary has " + VOCABULARY.size() + " words but the DiT embeds " + config.vocabSize());
    }
    try {
      Files.createDirectories(dir);
      OnnxModels.write(DitBuilder.build(config), dir.resolve("denoiser.onnx"));
      atomic(dir.resolve("vocab.txt"), String.join("\n", VOCABULARY).concat("\n").getBytes(StandardCharsets.UTF_8));
      atomic(dir.resolve(ModelDirectory.FILE), new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
          .writeValueAsBytes(modelJson(name, config)));
    } catch (IOException e) {
      throw new VideoJamException("cannot write model folder " + dir + ": " + e.getMessage());
    }
  }

  /** model.json of a DiT written by {@link DitBuilder}. */
  public static Map<String, Object> modelJson(String name, DitConfig c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("format", 1);
    m.put("name", name);
    Map<String, Object> den = new LinkedHashMap<>();
    den.put("onnx", "denoiser.onnx");
    den.put("inputs", ordered("latent", DitBuilder.X, "time", DitBuilder.T, "text", DitBuilder.TEXT));
    den.put("outputs", ordered("velocity", DitBuilder.V));
    den.put("layout", "BCTHW");
    den.put("time", ordered("convention", "data_at_1", "scale", 1.0));
    den.put("prediction", "velocity");
    m.put("denoiser", den);
    m.put("channels", ordered("appearance", c.appearanceChannels(), "motion", c.motionChannels()));
    m.put("video", ordered("frames", c.frames(), "height", c.height(), "width", c.width(), "fps", 8));
    m.put("codec", ordered("type", "identity"));
    m.put("text", ordered("type", "word-vocab", "vocab", "vocab.txt", "max-tokens", c.maxTextTokens(), "null", "empty"));
    if (c.motionChannels() > 0) {
      m.put("motion", ordered("representation", "flow-rgb", "sigma", 0.15));
    }
    List<String> notes = new ArrayList<>();
    notes.add("Seeded random weights (seed " + c.seed() + "): a test fixture, not a trained model. Its videos show what the pipeline does, not learned motion.");
    m.put("notes", notes);
    return m;
  }

  /** A map in the order given (so model.json is byte-identical from run to run). */
  private static Map<String, Object> ordered(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }

  private static void atomic(Path target, byte[] bytes) {
    io.videojam.api.AtomicFiles.write(target, "fixture model file", tmp -> Files.write(tmp, bytes));
  }
}
