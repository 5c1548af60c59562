package io.videojam.conditioning;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.videojam.api.LongTensor;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A HuggingFace {@code tokenizer.json} (the Rust tokenizers library, through DJL) that gives
 * fixed-length ids and attention masks: truncated by the tokenizer to max-tokens (special tokens
 * kept), then padded here with {@code pad-id} and mask 0.
 *
 * <p>Settings of model.json {@code "text"}: {@code "tokenizer"} (default {@code tokenizer.json}),
 * {@code "max-tokens"} (default 77), {@code "pad-id"} (default 0), {@code "add-special-tokens"}
 * (default true).
 *
 * <p>No network: the native library comes from the DJL jar (extracted once into DJL's cache,
 * {@code ~/.djl.ai} or {@code DJL_CACHE_DIR}). Unless the user set them, this class sets DJL's
 * offline mode ({@code ai.djl.offline=true}), which stops DJL from picking a CUDA build of the
 * library that it would download on GPU machines, and its telemetry call ({@code
 * OPT_OUT_TRACKING=true}), before DJL is first used.
 */
final class HfTokenizer implements AutoCloseable {
  static final int DEFAULT_MAX_TOKENS = 77;

  private final HuggingFaceTokenizer tokenizer;
  private final int maxTokens;
  private final long padId;

  private HfTokenizer(HuggingFaceTokenizer tokenizer, int maxTokens, long padId) {
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.padId = padId;
  }

  /** Sets DJL's offline switches unless the environment or the user already chose. */
  static synchronized void keepDjlOffline() {
    if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
  }

  static HfTokenizer load(Path modelDir, Settings s) {
    int maxTokens = s.integer("max-tokens", DEFAULT_MAX_TOKENS);
    if (maxTokens < 1) {
      throw new VideoJamException(s.origin() + ": \"max-tokens\" must be >= 1, got " + maxTokens);
    }
    long padId = s.integer("pad-id", 0);
    if (padId < 0) {
      throw new VideoJamException(s.origin() + ": \"pad-id\" must be >= 0, got " + padId);
    }
    boolean special = s.bool("add-special-tokens", true);
    Settings withDefault = s.has("tokenizer") ? s : new Settings(merge(s, "tokenizer", "tokenizer.json"), s.origin());
    Path file = Graphs.file(modelDir, withDefault, "tokenizer");
    keepDjlOffline();
    Map<String, String> options = Map.of(
        "addSpecialTokens", Boolean.toString(special),
        "truncation", "true",
        "padding", "false",
        "maxLength", Integer.toString(maxTokens),
        "modelMaxLength", Integer.toString(maxTokens));
    try {
      return new HfTokenizer(HuggingFaceTokenizer.newInstance(file, options), maxTokens, padId);
    } catch (IOException e) {
      throw new VideoJamException(s.origin() + ": cannot read tokenizer " + file + ": " + e.getMessage() + "; check the file");
    } catch (UnsatisfiedLinkError | ai.djl.engine.EngineException e) {
      throw new VideoJamException("cannot load the HuggingFace tokenizers native library for " + file + ": " + firstLine(rootMessage(e))
          + "; on this platform set RUST_LIBRARY_PATH to a libtokenizers built for DJL " + "0.38.0", e);
    } catch (RuntimeException e) {
      throw new VideoJamException(s.origin() + ": " + file + " is not a valid HuggingFace tokenizer.json (" + firstLine(rootMessage(e))
          + "); save it with tokenizer.save() / tokenizer_json from transformers or fix \"tokenizer\"", e);
    }
  }

  private static Map<String, Object> merge(Settings s, String key, Object value) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(s.values());
    m.put(key, value);
    return m;
  }

  int maxTokens() {
    return maxTokens;
  }

  /** Ids {@code [B, L]} and attention mask {@code [B, L]} (1 = token, 0 = padding), L = max-tokens. */
  LongTensor[] encode(List<String> prompts) {
    int b = prompts.size();
    long[] ids = new long[b * maxTokens];
    long[] mask = new long[b * maxTokens];
    java.util.Arrays.fill(ids, padId);
    for (int i = 0; i < b; i++) {
      Encoding e;
      try {
        e = tokenizer.encode(prompts.get(i));
      } catch (RuntimeException ex) {
        throw new VideoJamException("the tokenizer cannot encode prompt " + i + ": " + firstLine(rootMessage(ex)), ex);
      }
      long[] tokenIds = e.getIds();
      long[] tokenMask = e.getAttentionMask();
      int n = Math.min(tokenIds.length, maxTokens);
      System.arraycopy(tokenIds, 0, ids, i * maxTokens, n);
      for (int j = 0; j < n; j++) {
        mask[i * maxTokens + j] = j < tokenMask.length ? tokenMask[j] : 1;
      }
    }
    long[] shape = {b, maxTokens};
    return new LongTensor[] {new LongTensor(shape, ids), new LongTensor(shape.clone(), mask)};
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  static String rootMessage(Throwable t) {
    Throwable c = t;
    String msg = t.getMessage();
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
      if (c.getMessage() != null) {
        msg = c.getMessage();
      }
    }
    return msg == null ? t.getClass().getSimpleName() : msg;
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).trim();
  }
}
