package io.videojam.cli;

import ai.onnx.proto.OnnxMl;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.VideoJamException;
import io.videojam.media.OutputStaging;
import io.videojam.model.ModelDirectory;
import io.videojam.onnx.ExtendOptions;
import io.videojam.onnx.LatentLayout;
import io.videojam.onnx.ExtendResult;
import io.videojam.onnx.ExternalDataPolicy;
import io.videojam.onnx.ModelExtender;
import io.videojam.onnx.MotionHeadInit;
import io.videojam.onnx.OnnxModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code videojam extend}: a base model becomes the dual-IO VideoJAM form (spec section 3). */
@Command(name = "extend", mixinStandardHelpOptions = true,
    description = {"Widen a base model to take [x, d] and return [u_x, u_d]: the input projection gets ZERO rows for the",
        "motion channels (so the appearance output is unchanged for any d) and a motion output head is added."})
final class ExtendCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "BASE_DIR", description = "model folder of the base model (\"motion\": 0 channels)")
  Path base;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "model folder to write")
  Path out;

  @Option(names = "--motion-head-init", defaultValue = "copy", description = "copy (of the appearance head), zero or random (default: ${DEFAULT-VALUE})")
  String headInit;

  @Option(names = "--motion-channels", defaultValue = "0", description = "motion channels (default: as many as appearance channels)")
  int motionChannels;

  @Option(names = "--seed", defaultValue = "0", description = "seed of a random motion head (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--name", description = "name of the extended model (default: BASE-videojam)")
  String name;

  @Override
  @SuppressWarnings("unchecked")
  public Integer call() throws IOException {
    ModelDirectory md = ModelDirectory.open(base);
    var den = md.json().child("denoiser");
    if (md.json().child("channels").integer("motion") != 0) {
      throw new VideoJamException(md.json().origin() + ": the model already has motion channels; extend takes a base model (\"motion\": 0)");
    }
    if (den.has("provider")) {
      throw new VideoJamException(md.json().origin() + ": extend works on ONNX denoisers; this one uses provider '" + den.string("provider") + "'");
    }
    MotionHeadInit init = switch (headInit.toLowerCase(Locale.ROOT)) {
      case "copy" -> MotionHeadInit.COPY;
      case "zero" -> MotionHeadInit.ZERO;
      case "random" -> MotionHeadInit.RANDOM;
      default -> throw new VideoJamException("--motion-head-init must be copy, zero or random, got " + headInit);
    };
    String onnxName = den.string("onnx");
    Path onnx = base.resolve(onnxName);
    OnnxMl.ModelProto model = OnnxModels.read(onnx);
    LatentLayout layout = LatentLayout.parse(den.string("layout", "BCTHW"), md.json().origin() + ": denoiser \"layout\"");
    var lat = md.json().has("latent") ? md.json().child("latent") : md.json().child("video");
    String latentName = den.child("inputs").string("latent");
    long[] sizes = layout.dims(-1, md.json().child("channels").integer("appearance"), lat.integer("frames"), lat.integer("height"),
        lat.integer("width"));
    ExtendOptions options = ExtendOptions.defaults().withLatentInput(latentName)
        .withVelocityOutput(den.child("outputs").string("velocity")).withMotionChannels(motionChannels).withHeadInit(init, seed)
        .withLayout(layout).withInputSizes(Map.of(latentName, sizes));
    ExtendResult r = ModelExtender.extend(model, options, onnx.toAbsolutePath().getParent());
    boolean external = OnnxModels.hasExternalData(model);

    try (OutputStaging staging = OutputStaging.begin(out)) {
      // everything but the graph (and its external data) and model.json comes along unchanged
      try (Stream<Path> files = Files.walk(base)) {
        for (Path p : files.filter(Files::isRegularFile).toList()) {
          String rel = base.relativize(p).toString();
          if (rel.equals(ModelDirectory.FILE) || rel.equals(onnxName) || (external && rel.startsWith(onnxName + ".data"))
              || isExternalDataOf(model, rel)) {
            continue;
          }
          Files.copy(p, staging.file(rel));
        }
      }
      Path target = staging.file(onnxName);
      if (external) {
        OnnxModels.write(r.model(), target, ExternalDataPolicy.defaults().from(onnx.toAbsolutePath().getParent()));
      } else {
        OnnxModels.write(r.model(), target);
      }
      ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      Map<String, Object> json = om.readValue(base.resolve(ModelDirectory.FILE).toFile(), LinkedHashMap.class);
      json.put("name", name != null ? name : md.name() + "-videojam");
      ((Map<String, Object>) json.get("channels")).put("motion", r.motionChannels());
      if (!json.containsKey("motion") || !(json.get("motion") instanceof Map)) {
        Map<String, Object> motion = new LinkedHashMap<>();
        motion.put("representation", "flow-rgb");
        motion.put("sigma", 0.15);
        json.put("motion", motion);
      }
      Map<String, Object> ext = new LinkedHashMap<>();
      ext.put("from", md.name());
      ext.put("base-sha256", md.hash());
      ext.put("input-projection", r.inputProjection());
      ext.put("output-projection", r.outputProjection());
      ext.put("motion-head-init", init.name().toLowerCase(Locale.ROOT));
      ext.put("notes", r.notes());
      json.put("extended", ext);
      Files.write(staging.file(ModelDirectory.FILE), om.writeValueAsBytes(json));
      staging.commit();
    }
    System.out.printf(Locale.ROOT, "wrote %s: %d appearance + %d motion channels; input projection '%s' widened with zero rows, "
        + "motion head on '%s' (%s)%n", out, r.appearanceChannels(), r.motionChannels(), r.inputProjection(), r.outputProjection(),
        init.name().toLowerCase(Locale.ROOT));
    return 0;
  }

  /** Whether {@code rel} is a file some initializer of {@code model} keeps its external data in. */
  private static boolean isExternalDataOf(OnnxMl.ModelProto model, String rel) {
    for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
      for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
        if (e.getKey().equals("location") && e.getValue().equals(rel)) {
          return true;
        }
      }
    }
    return false;
  }

}
