package io.videojam.model;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an ONNX denoiser is, and a model.json that would run it: {@code videojam inspect}. Export
 * signatures it knows: diffusers-style transformers ({@code hidden_states}, {@code timestep},
 * {@code encoder_hidden_states} -> {@code sample}/{@code noise_pred}/{@code out}), the project's
 * own DiT ({@code x}, {@code t}, {@code text} -> {@code v}), and any graph with one rank-5 float
 * input, one scalar or {@code [B]} time input and one more input for the text.
 */
public final class ModelInspector {
  private ModelInspector() {}

  /**
   * The inspection.
   *
   * @param file the ONNX file
   * @param irVersion ONNX IR version
   * @param opsets opset imports, domain -> version ("" is the default domain)
   * @param producer producer name and version
   * @param inputs graph inputs (initializers excluded)
   * @param outputs graph outputs
   * @param parameters elements of floating-point initializers
   * @param nodes node count
   * @param externalData files holding external tensor data
   * @param signature the export signature recognised
   * @param proposal a model.json for it (edit before use)
   * @param notes what was guessed and should be checked
   */
  public record Inspection(Path file, long irVersion, Map<String, Long> opsets, String producer, List<TensorInfo> inputs,
      List<TensorInfo> outputs, long parameters, int nodes, List<String> externalData, String signature,
      Map<String, Object> proposal, List<String> notes) {}

  public static Inspection inspect(Path file) {
    OnnxMl.ModelProto model = OnnxModels.read(file);
    Map<String, Long> opsets = new LinkedHashMap<>();
    for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
      opsets.put(o.getDomain(), o.getVersion());
    }
    Set<String> external = new LinkedHashSet<>();
    for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
        for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
          if (e.getKey().equals("location")) {
            external.add(e.getValue());
          }
        }
      }
    }
    List<TensorInfo> inputs = OnnxModels.inputs(model);
    List<TensorInfo> outputs = OnnxModels.outputs(model);
    List<String> notes = new ArrayList<>();
    TensorInfo latent = pick(inputs, List.of("hidden_states", "x", "sample", "latent", "latents", "latent_model_input"), 5, true);
    TensorInfo time = pick(inputs, List.of("timestep", "timesteps", "t", "time", "sigma"), -1, false);
    List<TensorInfo> rest = new ArrayList<>(inputs);
    rest.remove(latent);
    rest.remove(time);
    TensorInfo text = pick(rest, List.of("encoder_hidden_states", "text", "context", "prompt_embeds", "input_ids"), -1, false);
    TensorInfo velocity = pick(outputs, List.of("noise_pred", "sample", "out", "output", "v", "velocity"), 5, true);
    String signature;
    boolean diffusers = latent != null && latent.name().equals("hidden_states") || time != null && time.name().equals("timestep");
    boolean own = latent != null && latent.name().equals("x") && time != null && time.name().equals("t") && text != null
        && text.name().equals("text");
    signature = own ? "videojam DiT (x, t, text -> v)" : diffusers ? "diffusers-style transformer (hidden_states, timestep, encoder_hidden_states)"
        : latent != null ? "generic (a rank-5 latent input)" : "unknown";

    Map<String, Object> den = new LinkedHashMap<>();
    den.put("onnx", file.getFileName().toString());
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("latent", latent == null ? "FILL: the rank-5 latent input" : latent.name());
    in.put("time", time == null ? "FILL: the time/timestep input" : time.name());
    in.put("text", text == null ? "FILL: the text-condition input" : text.name());
    den.put("inputs", in);
    den.put("outputs", Map.of("velocity", velocity == null ? (outputs.isEmpty() ? "FILL" : outputs.get(0).name()) : velocity.name()));
    den.put("layout", "BCTHW");
    Map<String, Object> timeConv = new LinkedHashMap<>();
    if (own) {
      timeConv.put("convention", "data_at_1");
      timeConv.put("scale", 1.0);
    } else {
      timeConv.put("convention", "noise_at_1");
      timeConv.put("scale", 1000.0);
      notes.add("time convention guessed as noise_at_1 with scale 1000 and velocity = noise - data (SD3/Wan flow matching);"
          + " check your model's scheduler");
    }
    den.put("time", timeConv);
    den.put("prediction", "velocity");
    long[] ls = latent == null ? new long[] {-1, -1, -1, -1, -1} : latent.shape();
    int channels = (int) (ls[1] > 0 ? ls[1] : 16);
    if (ls[1] <= 0) {
      notes.add("the latent's channel count is not fixed in the graph: set \"channels\".appearance");
    }
    if (ls[1] > 0 && ls[2] > 0 && ls[1] > ls[2] && !own) {
      notes.add("dimension 1 (" + ls[1] + ") is larger than dimension 2 (" + ls[2] + "): if the graph is [B, T, C, H, W] set \"layout\": \"BTCHW\"");
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("format", 1);
    String stem = file.getFileName().toString().replaceFirst("\\.onnx$", "");
    json.put("name", stem);
    json.put("denoiser", den);
    Map<String, String> meta = new LinkedHashMap<>();
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      meta.put(e.getKey(), e.getValue());
    }
    int motion = 0;
    if (meta.containsKey("videojam.appearance_channels") && meta.containsKey("videojam.motion_channels")) {
      channels = Integer.parseInt(meta.get("videojam.appearance_channels"));
      motion = Integer.parseInt(meta.get("videojam.motion_channels"));
    } else {
      notes.add("all " + channels + " latent channels taken as appearance (a base model); a dual-IO model has appearance + motion");
    }
    json.put("channels", ordered("appearance", channels, "motion", motion));
    int frames = (int) (ls[2] > 0 ? ls[2] : 16);
    int height = (int) (ls[3] > 0 ? ls[3] : 32);
    int width = (int) (ls[4] > 0 ? ls[4] : 32);
    if (ls[2] <= 0 || ls[3] <= 0 || ls[4] <= 0) {
      notes.add("frames, height or width are dynamic in the graph: set \"video\" (and \"latent\" for a compressing codec)");
    }
    json.put("video", ordered("frames", frames, "height", height, "width", width, "fps", 8));
    json.put("codec", ordered("type", "identity"));
    if (motion > 0) {
      json.put("motion", ordered("representation", "flow-rgb", "sigma", 0.15));
    }
    notes.add("codec guessed as identity (pixel space): a latent model needs its VAE/TAE as \"codec\"");
    if (text != null && text.type() == ElementType.INT64) {
      json.put("text", ordered("type", "word-vocab", "vocab", "vocab.txt", "max-tokens", (int) Math.max(1, text.shape()[text.rank() - 1])));
    } else {
      json.put("text", ordered("type", "FILL: a text encoder for float embeddings", "null", "zeros"));
      notes.add("the text input takes float embeddings: configure a text encoder (tokenizer + ONNX encoder, \"type\": \"hf-onnx\") in \"text\", or precomputed .npy embeddings (\"type\": \"embeddings\")");
    }
    json.put("notes", notes);
    return new Inspection(file, model.getIrVersion(), opsets, model.getProducerName() + " " + model.getProducerVersion(), inputs,
        outputs, OnnxModels.parameterCount(model), model.getGraph().getNodeCount(), List.copyOf(external), signature, json,
        List.copyOf(notes));
  }

  /** The first input named like one of {@code names}, else the first of rank {@code rank} (float if asked). */
  private static TensorInfo pick(List<TensorInfo> infos, List<String> names, int rank, boolean floatOnly) {
    for (String n : names) {
      for (TensorInfo t : infos) {
        if (t.name().toLowerCase(Locale.ROOT).equals(n)) {
          return t;
        }
      }
    }
    for (TensorInfo t : infos) {
      if ((rank < 0 ? t.rank() <= 1 : t.rank() == rank) && (!floatOnly || t.type() == ElementType.FLOAT)) {
        return t;
      }
    }
    return null;
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
