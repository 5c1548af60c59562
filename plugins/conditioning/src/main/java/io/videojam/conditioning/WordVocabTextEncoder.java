package io.videojam.conditioning;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.LongTensor;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TextEncoder;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The built-in models' text encoder: prompts become int64 token ids {@code [B, L]} from a word
 * vocabulary (one word per line; line i is id i; id 0 is padding, id 1 stands for unknown words).
 * Words are lower-cased runs of letters and digits. The null prompt is the encoded empty prompt,
 * all padding.
 *
 * <p>model.json: {@code "text": {"type": "word-vocab", "vocab": "vocab.txt", "max-tokens": 16}}
 */
public final class WordVocabTextEncoder implements TextEncoder {
  private final Map<String, Integer> ids = new HashMap<>();
  private final List<String> known = new java.util.ArrayList<>();
  private final int maxTokens;

  public WordVocabTextEncoder(List<String> vocabulary, int maxTokens) {
    if (maxTokens < 1) {
      throw new VideoJamException("text max-tokens must be >= 1, got " + maxTokens);
    }
    for (int i = 2; i < vocabulary.size(); i++) {
      String w = vocabulary.get(i).trim().toLowerCase(Locale.ROOT);
      if (ids.putIfAbsent(w, i) == null) {
        known.add(w);
      }
    }
    this.maxTokens = maxTokens;
  }

  /** Token ids of one prompt, padded with 0 to max-tokens (longer prompts are cut). */
  public long[] ids(String prompt) {
    long[] out = new long[maxTokens];
    int n = 0;
    for (String word : words(prompt)) {
      if (n == maxTokens) {
        break;
      }
      out[n++] = ids.getOrDefault(word, 1);
    }
    return out;
  }

  @Override
  public PromptCoverage coverage(String prompt) {
    java.util.LinkedHashSet<String> unknown = new java.util.LinkedHashSet<>();
    List<String> truncated = new java.util.ArrayList<>();
    int n = 0;
    for (String word : words(prompt)) {
      if (n++ >= maxTokens) {
        truncated.add(word);
      } else if (!ids.containsKey(word)) {
        unknown.add(word);
      }
    }
    return new PromptCoverage(List.copyOf(unknown), truncated, known);
  }

  private static List<String> words(String prompt) {
    List<String> out = new java.util.ArrayList<>();
    for (String word : prompt.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!word.isEmpty()) {
        out.add(word);
      }
    }
    return out;
  }

  @Override
  public Tensor encode(List<String> prompts) {
    long[] data = new long[prompts.size() * maxTokens];
    for (int b = 0; b < prompts.size(); b++) {
      System.arraycopy(ids(prompts.get(b)), 0, data, b * maxTokens, maxTokens);
    }
    return new LongTensor(new long[] {prompts.size(), maxTokens}, data);
  }

  @Override
  public Tensor nullCondition(int batch) {
    return new LongTensor(new long[] {batch, maxTokens}, new long[batch * maxTokens]);
  }

  /** ServiceLoader entry, {@code "type": "word-vocab"}. */
  public static final class Provider implements TextEncoderProvider {
    @Override
    public String name() {
      return "word-vocab";
    }

    @Override
    public String description() {
      return "word vocabulary -> int64 token ids [B, L]; null prompt = all padding";
    }

    @Override
    public TextEncoder create(Path modelDir, Settings s, Backend backend, BackendOptions options) {
      Path vocab = modelDir.resolve(s.string("vocab"));
      if (!Files.isRegularFile(vocab)) {
        throw new VideoJamException(s.origin() + ": vocabulary file " + vocab + " not found; put it in the model folder or fix \"vocab\"");
      }
      String nullPrompt = s.string("null", "empty");
      if (!nullPrompt.equals("empty") && !nullPrompt.equals("zeros")) {
        throw new VideoJamException(s.origin() + ": \"null\" must be \"empty\" or \"zeros\" for word-vocab (both mean all padding), got " + nullPrompt);
      }
      try {
        return new WordVocabTextEncoder(Files.readAllLines(vocab, StandardCharsets.UTF_8), s.integer("max-tokens", 16));
      } catch (IOException e) {
        throw new VideoJamException("cannot read vocabulary " + vocab + ": " + e.getMessage());
      }
    }
  }
}
