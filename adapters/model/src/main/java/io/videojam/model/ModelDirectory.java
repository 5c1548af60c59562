package io.videojam.model;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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
      map = new ObjectMapper().readValue(file.toFile(), Map.class);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      throw new VideoJamException(file + " is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr())
          + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
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
    if (ch.integer("appearance") < 1 || ch.integer("motion") < 0) {
      throw new VideoJamException(json.origin() + ": \"channels\" needs appearance >= 1 and motion >= 0");
    }
    Settings video = json.child("video");
    for (String k : List.of("frames", "height", "width")) {
      if (video.integer(k) < 1) {
        throw new VideoJamException(video.origin() + ": \"" + k + "\" must be >= 1");
      }
    }
    video.number("fps");
    json.child("codec").string("type");
    json.child("text").string("type");
    if (ch.integer("motion") > 0) {
      json.child("motion").string("representation");
    }
  }

  public String name() {
    return json.string("name");
  }

  /** SHA-256 over the names and bytes of every file in the folder (sorted), hex. */
  public String hash() {
    try (Stream<Path> files = Files.walk(dir)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        sha.update(dir.relativize(p).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), sha)) {
          in.transferTo(java.io.OutputStream.nullOutputStream());
        }
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new VideoJamException("cannot hash model folder " + dir + ": " + e.getMessage());
    }
  }
}
