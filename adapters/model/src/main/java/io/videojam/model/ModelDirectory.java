package io.videojam.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A model folder: {@code model.json} and the files it names (design.md, model directory contract).
 *
 * @param dir the folder
 * @param json model.json, parsed
 */
public record ModelDirectory(Path dir, Settings json) {
  public static final String FILE = "model.json";
  /** The largest model.json read. */
  public static final long MAX_FILE_BYTES = 16L << 20;

  /** Reads and checks {@code dir/model.json}; errors name the file and the key. */
  @SuppressWarnings("unchecked")
  public static ModelDirectory open(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new VideoJamException("model folder " + dir + " not found; pass --model DIR with a folder that holds model.json");
    }
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException(dir + " has no " + FILE + "; a model folder needs one (see README, model directory)");
    }
    Map<String, Object> map;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new VideoJamException(file + " is " + size + " bytes, more than the " + MAX_FILE_BYTES + " a model.json may have"
            + " (one is a few KB); give the model folder's model.json");
      }
      map = new ObjectMapper().readValue(file.toFile(), Map.class);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new VideoJamException(file + " is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr())
          + ": " + String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new VideoJamException("cannot read " + file + ": " + e.getMessage());
    }
    if (map == null) {
      throw new VideoJamException(file + " is empty; it must be a JSON object (see README, model directory)");
    }
    ModelDirectory md = new ModelDirectory(dir, new Settings(map, file.toString()));
    md.validate();
    return md;
  }

  private void validate() {
    int format = json.integer("format");
    if (format != 1) {
      throw new VideoJamException(json.origin() + ": \"format\" " + format + " is not supported; this version reads format 1");
    }
    json.string("name");
    Settings den = json.child("denoiser");
    if (!den.has("provider")) {
      den.string("onnx");
      Settings in = den.child("inputs");
      for (String k : List.of("latent", "time", "text")) {
        in.string(k);
      }
      den.child("outputs").string("velocity");
    }
    Settings ch = json.child("channels");
    int appearance = ch.integer("appearance");
    int motion = ch.integer("motion");
    if (appearance < 1 || motion < 0) {
      throw new VideoJamException(json.origin() + ": \"channels\" needs appearance >= 1 and motion >= 0");
    }
    Settings video = json.child("video");
    long[] pixels = sizes(video);
    double fps = video.number("fps");
    if (!(fps > 0) || Double.isInfinite(fps)) {
      throw new VideoJamException(video.origin() + ": \"fps\" must be a number > 0, got " + fps);
    }
    // every size is checked before anything is allocated: in long, against limits that fit a Java array with room
    checkElements(video, pixels, 3, "RGB values", MAX_VIDEO_ELEMENTS, "decoded video");
    Settings lat = json.has("latent") ? json.child("latent") : video;
    checkElements(lat, lat == video ? pixels : sizes(lat), (long) appearance + motion, "channels", MAX_LATENT_ELEMENTS, "latent");
    json.child("codec").string("type");
    json.child("text").string("type");
    if (motion > 0) {
      json.child("motion").string("representation");
    }
  }

  /** The most elements of one latent sample, channels x frames x height x width: 2^28 (1 GiB of float32). */
  public static final long MAX_LATENT_ELEMENTS = 1L << 28;
  /** The most elements of the decoded video, 3 x frames x height x width: 2^30 (4 GiB of float32). */
  public static final long MAX_VIDEO_ELEMENTS = 1L << 30;

  /** frames, height and width of {@code s} ("video" or "latent"), each >= 1. */
  private static long[] sizes(Settings s) {
    long[] out = new long[3];
    List<String> keys = List.of("frames", "height", "width");
    for (int i = 0; i < 3; i++) {
      int v = s.integer(keys.get(i));
      if (v < 1) {
        throw new VideoJamException(s.origin() + ": \"" + keys.get(i) + "\" must be >= 1, got " + v);
      }
      out[i] = v;
    }
    return out;
  }

  /**
   * Refuses a {@code what} of {@code channels x frames x height x width} elements over {@code limit}, naming the
   * sizes, the memory they need and the limit. The product is exact: each factor is below 2^31, the product of
   * the first two below 2^62, and the check divides rather than multiplies past that.
   */
  private static void checkElements(Settings s, long[] fhw, long channels, String channelWord, long limit, String what) {
    long n = channels;
    boolean over = false;
    for (long d : fhw) {
      if (n > limit / d) {
        over = true;
        break;
      }
      n *= d;
    }
    if (over || n > limit) {
      double bytes = (double) channels * fhw[0] * fhw[1] * fhw[2] * Float.BYTES;
      throw new VideoJamException(String.format(java.util.Locale.ROOT,
          "%s: %d frames x %d x %d (height x width) x %d %s need %s per float32 %s, over the limit of %s (%d elements);"
              + " reduce frames, height or width", s.origin(), fhw[0], fhw[1], fhw[2], channels, channelWord, bytes(bytes), what,
          bytes(limit * (double) Float.BYTES), limit));
    }
  }

  private static String bytes(double b) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (b >= 1024 && u < units.length - 1) {
      b /= 1024;
      u++;
    }
    return u == 0 ? String.format(java.util.Locale.ROOT, "%.0f bytes", b) : String.format(java.util.Locale.ROOT, "%.1f %s", b, units[u]);
  }

  public String name() {
    return json.string("name");
  }

  /**
   * SHA-256 over the names and bytes of every file in the folder (sorted), hex. Hidden files (the
   * {@code .videojam-output} marker of a folder videojam wrote, editor files) are not the model.
   */
  public String hash() {
    try (Stream<Path> files = Files.walk(dir)) {
      MessageDigest sha = io.videojam.api.Hashing.sha256();
      for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
        sha.update(dir.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        io.videojam.api.Hashing.update(sha, p);
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException e) {
      throw new VideoJamException("cannot hash model folder " + dir + ": " + e.getMessage());
    }
  }
}
