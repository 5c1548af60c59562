package io.videojam.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.videojam.api.AtomicFiles;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import io.videojam.model.ModelInspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code videojam inspect}: what an ONNX denoiser is, and a model.json proposal for it. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = {"Print an ONNX model's inputs, outputs, shapes, opset, parameter count and external-data files,",
        "recognise common export signatures and propose a model.json (printed, or written with --out)."})
final class InspectCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "the ONNX file")
  Path file;

  @Option(names = "--out", paramLabel = "model.json", description = "write the proposed model.json here")
  Path out;

  @Override
  public Integer call() throws IOException {
    ModelInspector.Inspection i = ModelInspector.inspect(file);
    System.out.printf(Locale.ROOT, "%s: IR %d, opsets %s, producer %s%n", file, i.irVersion(), i.opsets(), i.producer().strip());
    System.out.println("inputs:");
    for (TensorInfo t : i.inputs()) {
      System.out.println("  " + t);
    }
    System.out.println("outputs:");
    for (TensorInfo t : i.outputs()) {
      System.out.println("  " + t);
    }
    System.out.printf(Locale.ROOT, "parameters: %,d in %,d nodes; external data: %s%n", i.parameters(), i.nodes(),
        i.externalData().isEmpty() ? "none" : String.join(", ", i.externalData()));
    System.out.println("signature: " + i.signature());
    if (!i.videoDenoiser()) {
      if (out != null) {
        throw new VideoJamException(file + " is " + i.signature() + "; nothing written to --out");
      }
      return 0;
    }
    for (String p : i.pattern()) {
      System.out.println("pattern: " + p);
    }
    for (String n : i.notes()) {
      System.out.println("check: " + n);
    }
    byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(i.proposal());
    if (out == null) {
      System.out.println("proposed model.json (save it with --out, then edit):");
      System.out.println(new String(json, java.nio.charset.StandardCharsets.UTF_8));
    } else {
      Path abs = out.toAbsolutePath();
      if (abs.getParent() == null || !Files.isDirectory(abs.getParent())) {
        throw new VideoJamException("--out " + out + ": its folder does not exist; create it first");
      }
      AtomicFiles.write(abs, "model.json", tmp -> Files.write(tmp, json));
      System.out.println("wrote the proposed model.json to " + out + "; edit the values marked FILL and the checks above");
    }
    return 0;
  }
}
