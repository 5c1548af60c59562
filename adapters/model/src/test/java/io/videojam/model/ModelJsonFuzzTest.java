package io.videojam.model;

import io.videojam.api.Refusals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.LatentShape;
import io.videojam.api.LongTensor;
import io.videojam.api.Npy;
import io.videojam.api.FloatTensor;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoFormat;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.LatentLayout;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzzes model.json: whatever the file holds, reading it (the folder's model.json, then the parts the ONNX
 * adapter reads before it opens the graph: time convention, layout, extra inputs) either succeeds with sizes
 * that fit the limits or fails with a one-line {@link VideoJamException} naming model.json.
 *
 * <p>Two kinds of input, by the last byte's lowest bit: 0, the other bytes are the file (mutations of the seeds
 * and of whatever grew from them: truncation, flipped bits, spliced keys); 1, a seed model.json with a few keys
 * set to values the fuzzer picks (huge, negative, fractional or non-finite numbers, wrong types, deep nesting),
 * which plain byte mutations of JSON text rarely reach. Seeds: {@code ModelJsonFuzzTestInputs/modelJson/} (each
 * a model.json plus a newline, so raw; every file there also runs as a regression input).
 */
class ModelJsonFuzzTest {
  /** Graph inputs besides latent, time and text, as a model.json with "extra-inputs" must describe them. */
  static final List<TensorInfo> INPUTS = List.of(
      new TensorInfo("x", ElementType.FLOAT, new long[] {-1, 6, 4, 8, 8}),
      new TensorInfo("t", ElementType.FLOAT, new long[] {-1}),
      new TensorInfo("text", ElementType.INT64, new long[] {-1, 16}),
      new TensorInfo("mask", ElementType.INT64, new long[] {-1, -1}),
      new TensorInfo("pooled", ElementType.FLOAT, new long[] {-1, 4}),
      new TensorInfo("scale", ElementType.FLOAT, new long[] {}),
      new TensorInfo("num_frames", ElementType.INT64, new long[] {1}),
      new TensorInfo("rope", ElementType.FLOAT, new long[] {-1, -1, 3}));
  static final List<String> KNOWN = List.of("x", "t", "text");

  private static Path dir;

  static synchronized Path folder() throws IOException {
    if (dir == null) {
      dir = Files.createTempDirectory("model-json-fuzz");
      Npy.write(new FloatTensor(new long[] {1, 4}, new float[] {1, 2, 3, 4}), dir.resolve("pooled.npy"));
    }
    return dir;
  }

  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({"\"frames\"", "\"height\"", "\"width\"", "\"fps\"", "\"latent\"", "\"video\"", "\"channels\"",
      "\"appearance\"", "\"motion\"", "\"denoiser\"", "\"time\"", "\"convention\"", "\"vp\"", "\"edm\"", "\"noise_at_1\"",
      "\"train-steps\"", "\"steps-offset\"", "\"betas\"", "\"squaredcos_cap_v2\"", "\"sigma-max\"", "\"layout\"", "\"BNC\"",
      "\"prediction\"", "\"extra-inputs\"", "\"shape\"", "\"value\"", "\"npy\"", "\"text-mask\"", "\"tokens\"",
      "2147483647", "2e9", "1e10", "4096", "65536", "1e309", "-1", "0.5", "null", "[]", "{}", "[1e9, 1e9]"})
  void modelJson(FuzzedDataProvider data) throws IOException {
    Path d = folder();
    Files.write(d.resolve(ModelDirectory.FILE), data.consumeBoolean() ? edited(data) : data.consumeRemainingAsBytes());
    try {
      read(ModelDirectory.open(d));
    } catch (VideoJamException e) {
      // refusals name model.json, or the .npy file it names for an extra input
      Refusals.check(e, ModelDirectory.FILE, ".npy");
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SEEDS = List.of("seed-fixture.json", "seed-vp-latent.json", "seed-edm.json",
      "seed-extra-inputs.json");
  /** The keys edited, as paths from the top object. */
  private static final String[][] PATHS = {{"format"}, {"name"}, {"video", "frames"}, {"video", "height"},
      {"video", "width"}, {"video", "fps"}, {"latent", "frames"}, {"latent", "height"}, {"latent", "width"},
      {"channels", "appearance"}, {"channels", "motion"}, {"denoiser", "time", "convention"},
      {"denoiser", "time", "train-steps"}, {"denoiser", "time", "steps-offset"}, {"denoiser", "time", "beta-start"},
      {"denoiser", "time", "beta-end"}, {"denoiser", "time", "betas"}, {"denoiser", "time", "spacing"},
      {"denoiser", "time", "scale"}, {"denoiser", "time", "sigma-min"}, {"denoiser", "time", "sigma-max"},
      {"denoiser", "time", "rho"}, {"denoiser", "time", "sigma-data"}, {"denoiser", "prediction"},
      {"denoiser", "prediction-eps"}, {"denoiser", "layout"}, {"denoiser", "batch"}, {"denoiser", "provider"},
      {"denoiser", "extra-inputs", "rope", "shape"}, {"denoiser", "extra-inputs", "rope", "value"},
      {"denoiser", "extra-inputs", "mask", "value"}, {"denoiser", "extra-inputs", "pooled", "npy"},
      {"denoiser", "extra-inputs", "scale", "value"}, {"denoiser", "extra-inputs", "num_frames", "value"},
      {"denoiser", "inputs", "latent"}, {"denoiser", "outputs"}, {"codec", "type"}, {"text", "type"},
      {"motion", "representation"}, {"denoiser"}, {"video"}, {"latent"}, {"channels"}, {"denoiser", "time"}};
  private static final Object[] NUMBERS = {0, 1, -1, 2, 3, 16, 64, 4096, 65536, 1 << 20, 2_000_000_000,
      Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, -2_000_000_000, Long.MAX_VALUE, 0.5, 1e-300, 2e9, 1e10,
      new BigDecimal("1e309"), new BigDecimal("-1e309"), new BigInteger("123456789012345678901234567890"), 1.0000001};
  private static final String[] WORDS = {"data_at_1", "noise_at_1", "vp", "edm", "BCTHW", "BTCHW", "BNC", "velocity",
      "epsilon", "sample", "v", "edm", "linear", "scaled_linear", "squaredcos_cap_v2", "leading", "trailing", "linspace",
      "text-mask", "frames", "height", "width", "tokens", "dynamic", "pooled.npy", "missing.npy", "../pooled.npy",
      "identity", "word-vocab", "flow-rgb", "onnx", "", "\u0000"};

  /** A seed model.json with one to four keys set or removed, as the fuzzer picks. */
  @SuppressWarnings("unchecked")
  private static byte[] edited(FuzzedDataProvider data) throws IOException {
    Map<String, Object> json;
    try (InputStream in = ModelJsonFuzzTest.class.getResourceAsStream("ModelJsonFuzzTestInputs/modelJson/"
        + data.pickValue(SEEDS))) {
      json = JSON.readValue(in, Map.class);
    }
    for (int edits = data.consumeInt(1, 4); edits > 0; edits--) {
      String[] path = data.pickValue(PATHS);
      Map<String, Object> at = json;
      for (int i = 0; i < path.length - 1; i++) {
        Object next = at.get(path[i]);
        if (!(next instanceof Map)) {
          next = new LinkedHashMap<String, Object>();
          at.put(path[i], next);
        }
        at = (Map<String, Object>) next;
      }
      if (data.consumeInt(0, 15) == 0) {
        at.remove(path[path.length - 1]);
      } else {
        at.put(path[path.length - 1], value(data, 0));
      }
    }
    return JSON.writeValueAsBytes(json);
  }

  private static Object value(FuzzedDataProvider data, int depth) {
    switch (data.consumeInt(0, 9)) {
      case 0, 1, 2: return data.pickValue(NUMBERS);
      case 3: return data.consumeInt();
      case 4: return data.consumeLong();
      case 5: return data.consumeRegularDouble();
      case 6: return data.consumeBoolean() ? data.pickValue(WORDS) : data.consumeString(16);
      case 7: return data.consumeBoolean() ? null : data.consumeBoolean();
      case 8: {
        List<Object> list = new ArrayList<>();
        for (int n = data.consumeInt(0, depth > 2 ? 0 : 6); n > 0; n--) {
          list.add(value(data, depth + 1));
        }
        return list;
      }
      default: {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int n = data.consumeInt(0, depth > 2 ? 0 : 3); n > 0; n--) {
          map.put(data.consumeBoolean() ? data.pickValue(WORDS) : data.consumeString(8), value(data, depth + 1));
        }
        return map;
      }
    }
  }

  /**
   * Reads the rest of an accepted model.json as the ONNX adapter does before it opens the graph, and checks
   * what it promises: sizes within the limits and exact in int.
   *
   * @throws VideoJamException where a part is refused
   */
  static void read(ModelDirectory md) {
    Settings json = md.json();
    Settings ch = json.child("channels");
    Settings video = json.child("video");
    Settings lat = json.has("latent") ? json.child("latent") : video;
    long pixels = Math.multiplyExact(3L, Math.multiplyExact((long) video.integer("frames"),
        Math.multiplyExact((long) video.integer("height"), video.integer("width"))));
    long latent = Math.multiplyExact((long) ch.integer("appearance") + ch.integer("motion"), Math.multiplyExact(
        (long) lat.integer("frames"), Math.multiplyExact((long) lat.integer("height"), lat.integer("width"))));
    if (pixels > ModelDirectory.MAX_VIDEO_ELEMENTS || latent > ModelDirectory.MAX_LATENT_ELEMENTS) {
      throw new AssertionError("accepted a video of " + pixels + " or a latent of " + latent + " elements, over the limits");
    }
    new VideoFormat(video.integer("frames"), video.integer("height"), video.integer("width"), video.number("fps"));
    LatentShape shape = new LatentShape(1, ch.integer("appearance"), ch.integer("motion"), lat.integer("frames"),
        lat.integer("height"), lat.integer("width"));
    if (shape.size() != latent) {
      throw new AssertionError("latent size " + shape.size() + " != " + latent);
    }
    Settings den = json.child("denoiser");
    Conventions.from(den).nativeSchedule().ifPresent(s -> s.times(2));
    LatentLayout.parse(den.string("layout", "BCTHW"), den.origin() + ": \"layout\"");
    Tensor text = new LongTensor(new long[] {2, 16}, new long[32]);
    for (ExtraInput e : ExtraInput.parse(den, INPUTS, KNOWN, md.dir().resolve("denoiser.onnx"))) {
      e.tensor(2, shape, text);
    }
  }
}
