package io.videojam.conditioning;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.GraphSession;
import io.videojam.api.LongTensor;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.TextEncoder;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prompts through a HuggingFace {@code tokenizer.json} and an ONNX text encoder (T5, UMT5, CLIP,
 * ... exported with input {@code input_ids} int64 {@code [B, L]} and optionally {@code
 * attention_mask}); the result is the encoder's output, for example {@code last_hidden_state
 * [B, L, D]}.
 *
 * <p>model.json: {@code "text": {"type": "hf-onnx", "tokenizer": "tokenizer.json", "encoder":
 * "text_encoder.onnx", "max-tokens": 77, "null": "empty"}}, plus optional {@code "output"}
 * (default {@code last_hidden_state}), {@code "input-ids"} (default {@code input_ids}), {@code
 * "attention-mask"} (default {@code attention_mask}; fed when the graph has that input), {@code
 * "pad-id"} (0) and {@code "add-special-tokens"} (true). {@code "null"}: {@code empty} encodes the
 * empty prompt (computed once), {@code zeros} is an all-zero tensor of the output's shape.
 *
 * <p>With type {@code "hf-tokens"} there is no encoder: the token ids {@code [B, L]} are the text
 * input; {@code "null": "zeros"} then means all ids 0.
 */
public final class HfOnnxTextEncoder implements TextEncoder {
  private final HfTokenizer tokenizer;
  private final GraphSession session; // null for hf-tokens
  private final String idsName;
  private final String maskName; // null when the graph has no mask input
  private final String output;
  private final boolean perSample;
  private final boolean nullZeros;
  private Tensor emptyPrompt; // batch 1, computed on first use
  private boolean closed;

  private HfOnnxTextEncoder(HfTokenizer tokenizer, GraphSession session, String idsName, String maskName, String output,
      boolean perSample, boolean nullZeros) {
    this.tokenizer = tokenizer;
    this.session = session;
    this.idsName = idsName;
    this.maskName = maskName;
    this.output = output;
    this.perSample = perSample;
    this.nullZeros = nullZeros;
  }

  /** The tokenizer's ids and attention mask {@code [B, max-tokens]}, as fed to the encoder. */
  public LongTensor[] tokens(List<String> prompts) {
    return tokenizer.encode(prompts);
  }

  @Override
  public synchronized Tensor encode(List<String> prompts) {
    if (closed) {
      throw new IllegalStateException("text encoder is closed");
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException("no prompts");
    }
    LongTensor[] t = tokenizer.encode(prompts);
    if (session == null) {
      return t[0];
    }
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put(idsName, t[0]);
    if (maskName != null) {
      in.put(maskName, t[1]);
    }
    return Graphs.run(session, in, output, perSample);
  }

  @Override
  public synchronized Tensor nullCondition(int batch) {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    }
    if (emptyPrompt == null) {
      emptyPrompt = encode(List.of(""));
    }
    return nullZeros ? Graphs.zerosLike(emptyPrompt, batch) : Graphs.repeat(emptyPrompt, batch);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Graphs.closeAll(session, tokenizer);
    }
  }

  static boolean nullPolicy(Settings s, String type) {
    String policy = s.string("null", "empty");
    if (!policy.equals("empty") && !policy.equals("zeros")) {
      throw new VideoJamException(s.origin() + ": \"null\" must be \"empty\" (encode the empty prompt) or \"zeros\" (an all-zero tensor) for "
          + type + ", got \"" + policy + "\"");
    }
    return policy.equals("zeros");
  }

  /** ServiceLoader entry, {@code "type": "hf-onnx"}. */
  public static final class Provider implements TextEncoderProvider {
    @Override
    public String name() {
      return "hf-onnx";
    }

    @Override
    public String description() {
      return "HuggingFace tokenizer.json + ONNX text encoder (input_ids [B, L] -> last_hidden_state)";
    }

    @Override
    public TextEncoder create(Path modelDir, Settings s, Backend backend, BackendOptions options) {
      boolean zeros = nullPolicy(s, name());
      Path file = Graphs.file(modelDir, s, "encoder");
      Graphs.requireBackend(backend, s, name());
      String idsName = s.string("input-ids", "input_ids");
      String maskName = s.string("attention-mask", "attention_mask");
      String output = s.string("output", "last_hidden_state");
      HfTokenizer tokenizer = HfTokenizer.load(modelDir, s);
      GraphSession session = null;
      try {
        session = backend.open(file, Graphs.orDefaults(options));
        TensorInfo ids = Graphs.input(session, file, s, "input-ids", idsName);
        if (ids.type() != TensorInfo.ElementType.INT64 || ids.rank() != 2) {
          throw new VideoJamException(s.origin() + ": " + file.getFileName() + " input '" + idsName + "' is " + ids
              + "; the text encoder must take int64 token ids [B, L] (re-export it with int64 input_ids)");
        }
        checkLength(s, file, ids, tokenizer.maxTokens());
        boolean hasMask = false;
        for (TensorInfo in : session.inputs()) {
          if (in.name().equals(idsName)) {
            continue;
          }
          if (!in.name().equals(maskName)) {
            throw new VideoJamException(s.origin() + ": " + file.getFileName() + " has input '" + in.name() + "', which is neither \""
                + "input-ids\" ('" + idsName + "') nor \"attention-mask\" ('" + maskName + "'); set those keys to the graph's input names");
          }
          if (in.type() != TensorInfo.ElementType.INT64 || in.rank() != 2) {
            throw new VideoJamException(s.origin() + ": " + file.getFileName() + " input '" + maskName + "' is " + in
                + "; the attention mask must be int64 [B, L]");
          }
          checkLength(s, file, in, tokenizer.maxTokens());
          hasMask = true;
        }
        Graphs.output(session, file, s, "output", output);
        return new HfOnnxTextEncoder(tokenizer, session, idsName, hasMask ? maskName : null, output, Graphs.batchOfOne(ids), zeros);
      } catch (RuntimeException e) {
        try {
          Graphs.closeAll(session, tokenizer);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    private static void checkLength(Settings s, Path file, TensorInfo in, int maxTokens) {
      long l = in.shape()[1];
      if (l > 0 && l != maxTokens) {
        throw new VideoJamException(s.origin() + ": " + file.getFileName() + " input '" + in.name() + "' has a fixed length " + l
            + " but \"max-tokens\" is " + maxTokens + "; set \"max-tokens\": " + l);
      }
    }
  }

  /** ServiceLoader entry, {@code "type": "hf-tokens"}: the token ids are the text input. */
  public static final class TokensProvider implements TextEncoderProvider {
    @Override
    public String name() {
      return "hf-tokens";
    }

    @Override
    public String description() {
      return "HuggingFace tokenizer.json -> int64 token ids [B, L] (no encoder graph)";
    }

    @Override
    public TextEncoder create(Path modelDir, Settings s, Backend backend, BackendOptions options) {
      boolean zeros = nullPolicy(s, name());
      return new HfOnnxTextEncoder(HfTokenizer.load(modelDir, s), null, null, null, null, false, zeros);
    }
  }
}
