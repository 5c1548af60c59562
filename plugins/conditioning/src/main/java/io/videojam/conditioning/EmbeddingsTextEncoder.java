package io.videojam.conditioning;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.Npy;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TextEncoder;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Precomputed text embeddings, for models whose text encoder runs elsewhere: each prompt names a
 * float32 {@code .npy} file of shape {@code [L, D]} or {@code [1, L, D]}, and the graph gets
 * {@code [B, L, D]}. Every embedding must have the shape of the null embedding.
 *
 * <p>model.json: {@code "text": {"type": "embeddings", "prompts": "embeddings/index.json", "null":
 * "embeddings/null.npy"}}. {@code "prompts"} names a JSON object {@code {"a red ball":
 * "embeddings/red-ball.npy", ...}} (paths relative to the model folder); it may also be that object
 * itself, inline. A prompt that is not in the index and ends with {@code .npy} is a path (as given,
 * relative to the working directory) to its embedding, read directly. (Not {@code @FILE}: command
 * lines expand {@code @FILE} arguments as argument files.) Files are read on first use and kept.
 */
public final class EmbeddingsTextEncoder implements TextEncoder {
  /** The ending that makes a prompt outside the index a path to its embedding. */
  public static final String FILE_SUFFIX = ".npy";

  private final String origin;
  private final Map<String, Path> index;
  private final String indexName;
  private final FloatTensor nullEmbedding; // [1, L, D]
  private final Map<String, FloatTensor> cache = new HashMap<>();

  /**
   * @param origin where the settings came from, for messages
   * @param index prompt -> .npy file
   * @param indexName the index file as model.json names it (for messages), or null when inline
   * @param nullFile the null embedding
   */
  public EmbeddingsTextEncoder(String origin, Map<String, Path> index, String indexName, Path nullFile) {
    this.origin = origin;
    this.index = new LinkedHashMap<>(index);
    this.indexName = indexName;
    this.nullEmbedding = load(nullFile, "the null embedding (\"null\")", null);
  }

  @Override
  public synchronized Tensor encode(List<String> prompts) {
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts");
    }
    List<FloatTensor> parts = new ArrayList<>(prompts.size());
    for (String prompt : prompts) {
      parts.add(embedding(prompt));
    }
    return concat(parts);
  }

  @Override
  public Tensor nullCondition(int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    return concat(java.util.Collections.nCopies(batch, nullEmbedding));
  }

  /** The embedding of one prompt, {@code [1, L, D]}. */
  public synchronized FloatTensor embedding(String prompt) {
    FloatTensor e = cache.get(prompt);
    if (e != null) {
      return e;
    }
    Path file = index.get(prompt);
    String what = "the embedding of \"" + prompt + "\" (" + (indexName != null ? indexName : "\"prompts\"") + ")";
    if (file == null && prompt.endsWith(FILE_SUFFIX)) {
      file = Path.of(prompt);
      what = "prompt " + prompt;
      if (!Files.isRegularFile(file)) {
        throw new VideoJamException("prompt " + prompt + " ends with .npy but " + file.toAbsolutePath().normalize()
            + " does not exist; pass the path of an existing .npy embedding");
      }
    }
    if (file == null) {
      throw new VideoJamException(origin + ": no embedding for prompt \"" + prompt + "\"; save it with np.save(FILE.npy, emb.astype(np.float32)) "
          + "and add \"" + prompt + "\": \"FILE.npy\" to " + (indexName != null ? indexName : "\"prompts\"")
          + ", or pass the path of the .npy file as the prompt");
    }
    e = load(file, what, nullEmbedding);
    cache.put(prompt, e);
    return e;
  }

  /** Reads an embedding as {@code [1, L, D]}, checking dtype, rank, values and (against {@code like}) shape. */
  private FloatTensor load(Path file, String what, FloatTensor like) {
    FloatTensor t;
    try {
      t = Npy.readFloat(file);
    } catch (VideoJamException ex) {
      throw new VideoJamException(origin + ": " + what + ": " + ex.getMessage());
    }
    long[] s = t.shape();
    long[] shape;
    if (s.length == 2) {
      shape = new long[] {1, s[0], s[1]};
    } else if (s.length == 3 && s[0] == 1) {
      shape = s;
    } else {
      throw new VideoJamException(origin + ": " + what + " " + file + " has shape " + Arrays.toString(s)
          + "; an embedding is [L, D] or [1, L, D]");
    }
    if (like != null && !Arrays.equals(shape, like.shape())) {
      throw new VideoJamException(origin + ": " + what + " " + file + " has shape " + Arrays.toString(s) + " but the null embedding is "
          + Arrays.toString(like.shape()) + "; every embedding must have the null embedding's [L, D]");
    }
    int bad = t.firstNonFinite();
    if (bad >= 0) {
      throw new VideoJamException(origin + ": " + what + " " + file + " holds " + t.data()[bad] + " at flat index " + bad
          + "; every value must be finite");
    }
    return new FloatTensor(shape, t.data());
  }

  private static FloatTensor concat(List<FloatTensor> parts) {
    if (parts.size() == 1) {
      return parts.get(0).copy();
    }
    long[] shape = parts.get(0).shape().clone();
    int n = parts.get(0).data().length;
    shape[0] = parts.size();
    float[] data = new float[Math.multiplyExact(n, parts.size())];
    for (int b = 0; b < parts.size(); b++) {
      System.arraycopy(parts.get(b).data(), 0, data, b * n, n);
    }
    return new FloatTensor(shape, data);
  }

  /** ServiceLoader entry, {@code "type": "embeddings"}. */
  public static final class Provider implements TextEncoderProvider {
    @Override
    public String name() {
      return "embeddings";
    }

    @Override
    public String description() {
      return "precomputed text embeddings: prompt -> .npy [L, D] from an index (or a prompt that is a path ending .npy), plus a null embedding";
    }

    @Override
    @SuppressWarnings("unchecked")
    public TextEncoder create(Path modelDir, Settings s, Backend backend, BackendOptions options) {
      Path nullFile = Graphs.file(modelDir, s, "null");
      Map<String, Path> index = new LinkedHashMap<>();
      String indexName = null;
      if (s.has("prompts")) {
        Object v = s.values().get("prompts");
        if (v instanceof Map<?, ?> inline) {
          for (Map.Entry<?, ?> e : inline.entrySet()) {
            if (!(e.getValue() instanceof String f)) {
              throw new VideoJamException(s.origin() + " \"prompts\": the value of \"" + e.getKey() + "\" must be a .npy path, got " + e.getValue());
            }
            index.put(String.valueOf(e.getKey()), entry(modelDir, s.origin() + " \"prompts\"", String.valueOf(e.getKey()), f));
          }
        } else {
          Path file = Graphs.file(modelDir, s, "prompts");
          indexName = s.string("prompts");
          JsonNode json;
          try {
            json = new ObjectMapper().readTree(file.toFile());
          } catch (IOException e) {
            throw new VideoJamException(file + " is not readable JSON: " + e.getMessage().lines().findFirst().orElse("")
                + "; write {\"PROMPT\": \"FILE.npy\", ...}");
          }
          if (json == null || !json.isObject()) {
            throw new VideoJamException(file + " must be a JSON object {\"PROMPT\": \"FILE.npy\", ...}");
          }
          for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
              throw new VideoJamException(file + ": the value of \"" + e.getKey() + "\" must be a .npy path, got " + e.getValue());
            }
            index.put(e.getKey(), entry(modelDir, file.toString(), e.getKey(), e.getValue().asText()));
          }
        }
      }
      return new EmbeddingsTextEncoder(s.origin(), index, indexName, nullFile);
    }

    private static Path entry(Path modelDir, String where, String prompt, String name) {
      Path p = modelDir.resolve(name);
      if (!Files.isRegularFile(p)) {
        throw new VideoJamException(where + ": the embedding of \"" + prompt + "\" names " + p + ", which does not exist; "
            + "put the file in the model folder or fix the path");
      }
      return p;
    }
  }
}
