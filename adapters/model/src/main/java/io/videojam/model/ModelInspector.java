package io.videojam.model;

import ai.onnx.proto.OnnxMl;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.ExtendOptions;
import io.videojam.onnx.ExtendResult;
import io.videojam.onnx.LatentLayout;
import io.videojam.onnx.ModelExtender;
import io.videojam.onnx.OnnxModels;
import io.videojam.onnx.ShapeFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What an ONNX denoiser is, and a model.json that would run it: {@code videojam inspect}.
 *
 * <p>The latent's layout and the patch embedding are found the way {@code extend} finds them: the
 * graph's shape arithmetic is folded, then the latent is followed to its input projection under
 * each layout that fits its rank (BCTHW, BTCHW for rank 5; BNC for a rank-3 token sequence). The
 * architecture (Wan, CogVideoX, LTX-Video, Mochi, HunyuanVideo) is recognised from the module
 * names PyTorch's exporter keeps, and sets the time convention its diffusers pipeline uses. A graph
 * with no video latent is described with one line saying why it is not a video denoiser.
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
   * @param signature the export signature recognised, or why the graph is not a video denoiser
   * @param proposal a model.json for it (edit before use); empty when it is not a video denoiser
   * @param notes what was guessed and should be checked
   * @param pattern the patch embedding and head found, the layout, and the shape folding done
   */
  public record Inspection(Path file, long irVersion, Map<String, Long> opsets, String producer, List<TensorInfo> inputs,
      List<TensorInfo> outputs, long parameters, int nodes, List<String> externalData, String signature,
      Map<String, Object> proposal, List<String> notes, List<String> pattern) {
    /** Whether the graph looks like a video denoiser (a proposal was made). */
    public boolean videoDenoiser() {
      return !proposal.isEmpty();
    }
  }

  /** Architectures recognised by the module names the exporter keeps, and their diffusers conventions. */
  enum Arch {
    WAN("Wan (WanTransformer3DModel)", LatentLayout.BCTHW, "noise_at_1", "patch_embedding", "condition_embedder"),
    COGVIDEOX("CogVideoX (CogVideoXTransformer3DModel)", LatentLayout.BTCHW, "vp", "patch_embed", "text_proj"),
    LTX("LTX-Video (LTXVideoTransformer3DModel)", LatentLayout.BNC, "noise_at_1", "proj_in", "caption_projection"),
    MOCHI("Mochi (MochiTransformer3DModel)", LatentLayout.BCTHW, "data_at_1", "patch_embed", "time_embed", "pooler"),
    HUNYUAN("HunyuanVideo (HunyuanVideoTransformer3DModel)", LatentLayout.BCTHW, "noise_at_1", "x_embedder", "token_refiner");

    final String label;
    final LatentLayout layout;
    final String convention;
    final String[] hints;

    Arch(String label, LatentLayout layout, String convention, String... hints) {
      this.label = label;
      this.layout = layout;
      this.convention = convention;
      this.hints = hints;
    }

    static Arch detect(OnnxMl.GraphProto g) {
      Set<String> names = new LinkedHashSet<>();
      g.getInitializerList().forEach(t -> names.add(t.getName()));
      g.getNodeList().forEach(n -> names.add(n.getName()));
      String all = String.join("\n", names);
      for (Arch a : values()) {
        boolean ok = true;
        for (String h : a.hints) {
          ok &= all.contains(h);
        }
        if (ok) {
          return a;
        }
      }
      return null;
    }
  }

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
    String producer = model.getProducerName() + " " + model.getProducerVersion();
    long params = OnnxModels.parameterCount(model);
    int nodeCount = model.getGraph().getNodeCount();
    List<String> notes = new ArrayList<>();
    List<String> pattern = new ArrayList<>();

    TensorInfo latent = pickLatent(inputs);
    if (latent == null) {
      String why = "not a video denoiser: no float input of rank 5 ([B, C, T, H, W] or [B, T, C, H, W]) or rank 3 (a [B, N, C] token"
          + " sequence) among " + inputs;
      return new Inspection(file, model.getIrVersion(), opsets, producer, inputs, outputs, params, nodeCount, List.copyOf(external), why,
          Map.of(), List.of(), List.of());
    }
    TensorInfo time = pick(without(inputs, latent), List.of("timestep", "timesteps", "t", "time", "sigma"), true);
    List<TensorInfo> rest = without(without(inputs, latent), time);
    TensorInfo text = pickNamed(rest, List.of("encoder_hidden_states", "text", "context", "prompt_embeds", "input_ids"));
    if (text == null) {
      text = rest.stream().filter(t -> t.rank() >= 2 && !t.name().toLowerCase(Locale.ROOT).contains("mask")).findFirst().orElse(null);
    }
    List<TensorInfo> extras = without(rest, text);
    TensorInfo velocity = pickOutput(outputs, latent);
    Arch arch = Arch.detect(model.getGraph());
    boolean own = latent.name().equals("x") && time != null && time.name().equals("t") && text != null && text.name().equals("text");

    // the layout: the one under which the latent reaches a patch embedding that extend can widen
    List<LatentLayout> tries = new ArrayList<>();
    if (arch != null && arch.layout.rank() == latent.rank()) {
      tries.add(arch.layout);
    }
    for (LatentLayout l : LatentLayout.values()) {
      if (l.rank() == latent.rank() && !tries.contains(l)) {
        tries.add(l);
      }
    }
    LatentLayout layout = null;
    List<String> failures = new ArrayList<>();
    for (LatentLayout l : tries) {
      try {
        ExtendResult r = ModelExtender.extend(model, ExtendOptions.defaults().withLatentInput(latent.name())
            .withVelocityOutput(velocity == null ? null : velocity.name()).withLayout(l), file.toAbsolutePath().getParent());
        layout = l;
        describe(r, l, pattern);
        break;
      } catch (RuntimeException e) { // any graph: what cannot be followed is reported, never thrown
        failures.add(l + ": " + (e instanceof VideoJamException ? e.getMessage() : e.toString()));
      }
    }
    if (layout == null) {
      layout = tries.get(0);
      pattern.add("no patch embedding that extend can widen was found (" + String.join("; ", failures) + ")");
    }
    ShapeFolder.Result folded = null;
    try {
      folded = ShapeFolder.fold(model);
    } catch (RuntimeException e) {
      notes.add("the graph's shapes could not be followed (" + e + ")");
    }
    if (folded != null && folded.boolWheres() > 0) {
      notes.add(folded.boolWheres() + " Where node(s) select between booleans, which ONNX Runtime's CPU provider does not implement;"
          + " the ONNX Runtime backend rewrites them to And/Or/Not when it loads the graph, and extend writes them rewritten");
    }
    String signature = own ? "videojam DiT (x, t, text -> v)"
        : arch != null ? arch.label + ", diffusers export"
        : latent.name().equals("hidden_states") || time != null && time.name().equals("timestep")
            ? "diffusers-style transformer (hidden_states, timestep, encoder_hidden_states)"
            : "generic (a rank-" + latent.rank() + " latent input)";

    Map<String, Object> den = new LinkedHashMap<>();
    den.put("onnx", file.getFileName().toString());
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("latent", latent.name());
    in.put("time", time == null ? "FILL: the time/timestep input" : time.name());
    in.put("text", text == null ? "FILL: the text-condition input" : text.name());
    den.put("inputs", in);
    den.put("outputs", Map.of("velocity", velocity == null ? (outputs.isEmpty() ? "FILL" : outputs.get(0).name()) : velocity.name()));
    den.put("layout", layout.name());
    den.put("time", timeConvention(own, arch, notes));
    den.put("prediction", arch == Arch.COGVIDEOX ? "v" : "velocity");
    Map<String, Object> extra = extraInputs(extras, arch, notes);
    if (!extra.isEmpty()) {
      den.put("extra-inputs", extra);
    }

    long[] ls = latent.shape();
    int ci = layout.channelAxis();
    int channels = (int) (ls[ci] > 0 ? ls[ci] : 16);
    if (ls[ci] <= 0) {
      notes.add("the latent's channel count is not fixed in the graph: set \"channels\".appearance");
    }
    if (layout == LatentLayout.BCTHW && !own && pattern.get(0).startsWith("no patch") && ls[1] > 0 && ls[2] > 0 && ls[1] > ls[2]) {
      notes.add("dimension 1 (" + ls[1] + ") is larger than dimension 2 (" + ls[2] + "): if the graph is [B, T, C, H, W] set \"layout\": \"BTCHW\"");
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("format", 1);
    json.put("name", file.getFileName().toString().replaceFirst("\\.onnx$", ""));
    json.put("denoiser", den);
    Map<String, String> meta = new LinkedHashMap<>();
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      meta.put(e.getKey(), e.getValue());
    }
    int motion = 0;
    if (meta.containsKey("videojam.appearance_channels") && meta.containsKey("videojam.motion_channels")) {
      try {
        channels = Integer.parseInt(meta.get("videojam.appearance_channels"));
        motion = Integer.parseInt(meta.get("videojam.motion_channels"));
      } catch (NumberFormatException e) {
        notes.add("the graph's videojam channel metadata is not a number; channels guessed from the shape");
      }
    } else {
      notes.add("all " + channels + " latent channels taken as appearance (a base model); a dual-IO model has appearance + motion");
    }
    json.put("channels", ordered("appearance", channels, "motion", motion));
    long frames;
    long height;
    long width;
    if (layout == LatentLayout.BNC) {
      frames = -1;
      height = -1;
      width = -1;
      notes.add("a token sequence of " + (ls[1] > 0 ? ls[1] + " tokens" : "N tokens") + " = frames x height x width: set \"video\""
          + " (and \"latent\") to the sizes the graph was exported for");
    } else {
      int ti = layout == LatentLayout.BTCHW ? 1 : 2;
      frames = ls[ti];
      height = ls[3];
      width = ls[4];
      if (frames <= 0 || height <= 0 || width <= 0) {
        notes.add("frames, height or width are dynamic in the graph: set \"video\" (and \"latent\" for a compressing codec)");
      }
    }
    json.put("video", ordered("frames", frames > 0 ? frames : 16, "height", height > 0 ? height : 32, "width", width > 0 ? width : 32,
        "fps", 8));
    json.put("codec", ordered("type", "identity"));
    if (motion > 0) {
      json.put("motion", ordered("representation", "flow-rgb", "sigma", 0.15));
    }
    notes.add("codec guessed as identity (pixel space): a latent model needs its VAE/TAE as \"codec\"");
    if (text != null && text.type() == ElementType.INT64) {
      json.put("text", ordered("type", "word-vocab", "vocab", "vocab.txt", "max-tokens", (int) Math.max(1, text.rank() == 0 ? 1 : text.shape()[text.rank() - 1])));
    } else {
      json.put("text", ordered("type", "embeddings", "prompts", "embeddings/index.json", "null", "embeddings/null.npy"));
      notes.add("the text input takes float embeddings: give precomputed ones (\"type\": \"embeddings\", .npy files made by the"
          + " model's own text encoder) or a tokenizer + ONNX encoder (\"type\": \"hf-onnx\")");
    }
    json.put("notes", notes);
    return new Inspection(file, model.getIrVersion(), opsets, producer, inputs, outputs, params, nodeCount, List.copyOf(external),
        signature, json, List.copyOf(notes), List.copyOf(pattern));
  }

  private static void describe(ExtendResult r, LatentLayout layout, List<String> pattern) {
    String in = r.notes().stream().filter(n -> n.startsWith("W+_in")).findFirst().orElse("");
    String out = r.notes().stream().filter(n -> n.startsWith("W+_out")).findFirst().orElse("");
    String embed;
    if (in.contains(": Conv") && in.matches(".*\\[\\d+, \\d+, \\d+, \\d+, \\d+\\] ->.*")) {
      embed = "Conv3d patch embedding on the latent";
    } else if (in.contains(": Conv")) {
      embed = "per-frame Conv2d patch embedding on [B*T, C, H, W]";
    } else if (layout == LatentLayout.BNC) {
      embed = "linear projection of a [B, N, C] token sequence";
    } else {
      embed = "patchify (Reshape/Transpose) + linear projection";
    }
    pattern.add("layout " + layout + ": " + embed + " ('" + r.inputProjection() + "'), output projection '" + r.outputProjection() + "'"
        + (out.contains("ConvTranspose") ? " (ConvTranspose unpatchify)" : out.contains(": Conv") ? " (Conv head)"
            : " (linear head + Reshape/Transpose unpatchify)"));
    r.notes().stream().filter(n -> n.startsWith("shape arithmetic")).forEach(pattern::add);
  }

  private static Map<String, Object> timeConvention(boolean own, Arch arch, List<String> notes) {
    if (own) {
      return ordered("convention", "data_at_1", "scale", 1.0);
    }
    if (arch == Arch.COGVIDEOX) {
      notes.add("CogVideoX is a variance-preserving model (scaled_linear betas 0.00085..0.012, 1000 steps, v prediction, its"
          + " scheduler's snr_shift_scale 3.0 and zero-terminal-SNR rescaling): check the betas against the scheduler config");
      return ordered("convention", "vp", "betas", "scaled_linear", "beta-start", 0.00085, "beta-end", 0.012, "train-steps", 1000,
          "spacing", "trailing");
    }
    if (arch == Arch.MOCHI) {
      notes.add("Mochi's pipeline passes the data-side time (1 - sigma) x 1000 and steps with -noise_pred: data_at_1, scale 1000");
      return ordered("convention", "data_at_1", "scale", 1000.0);
    }
    if (arch == null) {
      notes.add("time convention guessed as noise_at_1 with scale 1000 and velocity = noise - data (SD3/Wan flow matching);"
          + " check your model's scheduler");
    }
    return ordered("convention", "noise_at_1", "scale", 1000.0);
  }

  private static Map<String, Object> extraInputs(List<TensorInfo> extras, Arch arch, List<String> notes) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (TensorInfo t : extras) {
      String n = t.name().toLowerCase(Locale.ROOT);
      Object spec;
      if (n.contains("mask")) {
        spec = ordered("value", "text-mask");
      } else if (n.contains("num_frames") || n.equals("frames")) {
        spec = ordered("value", "frames");
      } else if (n.equals("height")) {
        spec = ordered("value", "height");
      } else if (n.equals("width")) {
        spec = ordered("value", "width");
      } else if (n.contains("guidance")) {
        spec = ordered("value", 6000.0);
        notes.add("'" + t.name() + "' is an embedded guidance scale: diffusers passes guidance_scale x 1000 (6.0 -> 6000)");
      } else if (n.contains("pooled")) {
        spec = ordered("npy", "FILL: pooled.npy");
        notes.add("'" + t.name() + "' is a pooled text embedding: save one row from the model's text encoder as .npy");
      } else if (n.contains("rope") && n.contains("scale")) {
        spec = ordered("value", List.of(1.0, 1.0, 1.0));
        notes.add("'" + t.name() + "': the pipeline's RoPE interpolation scale (temporal, spatial, spatial); check its values");
      } else {
        spec = ordered("value", "FILL: a number, a row of numbers, or frames/height/width/tokens/text-mask");
      }
      m.put(t.name(), spec);
    }
    if (!m.isEmpty()) {
      notes.add("extra graph inputs " + m.keySet() + " are fed as described under \"extra-inputs\": check each");
    }
    return m;
  }

  private static List<TensorInfo> without(List<TensorInfo> l, TensorInfo t) {
    List<TensorInfo> r = new ArrayList<>(l);
    r.remove(t);
    return r;
  }

  /** A float input of rank 5 (by name first), else a float input of rank 3 named like a latent. */
  private static TensorInfo pickLatent(List<TensorInfo> inputs) {
    List<String> names = List.of("hidden_states", "x", "sample", "latent", "latents", "latent_model_input");
    for (int rank : new int[] {5, 3}) {
      for (String n : names) {
        for (TensorInfo t : inputs) {
          if (t.type() == ElementType.FLOAT && t.rank() == rank && t.name().toLowerCase(Locale.ROOT).equals(n)) {
            return t;
          }
        }
      }
      if (rank == 5) {
        for (TensorInfo t : inputs) {
          if (t.type() == ElementType.FLOAT && t.rank() == 5) {
            return t;
          }
        }
      }
    }
    return null;
  }

  private static TensorInfo pickOutput(List<TensorInfo> outputs, TensorInfo latent) {
    TensorInfo named = pickNamed(outputs, List.of("noise_pred", "sample", "out", "output", "v", "velocity"));
    if (named != null) {
      return named;
    }
    return outputs.stream().filter(t -> t.type() == ElementType.FLOAT && t.rank() == latent.rank()).findFirst().orElse(null);
  }

  private static TensorInfo pickNamed(List<TensorInfo> infos, List<String> names) {
    for (String n : names) {
      for (TensorInfo t : infos) {
        if (t.name().toLowerCase(Locale.ROOT).equals(n)) {
          return t;
        }
      }
    }
    return null;
  }

  /** The first input named like one of {@code names}, else (when {@code anyScalar}) the first of rank <= 1. */
  private static TensorInfo pick(List<TensorInfo> infos, List<String> names, boolean anyScalar) {
    TensorInfo t = pickNamed(infos, names);
    if (t != null || !anyScalar) {
      return t;
    }
    return infos.stream().filter(i -> i.rank() <= 1 && i.type() != ElementType.OTHER).findFirst().orElse(null);
  }

  private static Map<String, Object> ordered(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
