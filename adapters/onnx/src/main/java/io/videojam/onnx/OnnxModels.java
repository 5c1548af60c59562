package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * Reading, writing and describing ONNX model files ({@link OnnxMl.ModelProto}).
 *
 * <p>Failures the user can fix (a missing, foreign, truncated or empty file; an unwritable folder)
 * throw {@link VideoJamException} with a one-line message that names the file.
 */
public final class OnnxModels {
  private OnnxModels() {}

  /**
   * Reads a model file. External-data tensors are left as they are (not resolved).
   *
   * @throws VideoJamException if the file is missing or unreadable, is not an ONNX model, is
   *     truncated, or has an empty graph
   */
  public static OnnxMl.ModelProto read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException(
          "ONNX model file not found: " + file + " (check the path; it must be a .onnx file)");
    }
    OnnxMl.ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      CodedInputStream coded = CodedInputStream.newInstance(in);
      coded.setSizeLimit(Integer.MAX_VALUE);
      coded.setRecursionLimit(1000);
      model = OnnxMl.ModelProto.parseFrom(coded);
      coded.checkLastTagWas(0);
    } catch (InvalidProtocolBufferException e) {
      throw new VideoJamException(
          "Not a valid ONNX model (not an ONNX file, or truncated): " + file + " ("
              + oneLine(e.getMessage()) + ")",
          e);
    } catch (NoSuchFileException e) {
      throw new VideoJamException("ONNX model file not found: " + file, e);
    } catch (IOException e) {
      throw new VideoJamException(
          "Cannot read ONNX model " + file + ": " + oneLine(String.valueOf(e.getMessage())), e);
    }
    if (!model.hasGraph() || model.getIrVersion() <= 0) {
      throw new VideoJamException(
          "Not an ONNX model: " + file + " (no ir_version or graph; is it really a .onnx export?)");
    }
    if (model.getOpsetImportCount() == 0) {
      throw new VideoJamException(
          "Incomplete ONNX model: " + file + " (no opset import; the file may be truncated)");
    }
    if (model.getGraph().getNodeCount() == 0) {
      throw new VideoJamException("ONNX model has an empty graph (no nodes): " + file);
    }
    return model;
  }

  /**
   * Writes a model to {@code file} through a temporary file in the same folder and an atomic
   * move, so a failure never leaves a half-written model behind. Creates missing parent folders.
   */
  public static void write(OnnxMl.ModelProto model, Path file) {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      // not Files.createTempFile: that makes the file owner-only (0600) and the model would stay so
      tmp = dir.resolve("." + abs.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE), 1 << 16)) {
        model.writeTo(out);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
    } catch (IOException | RuntimeException e) {
      throw new VideoJamException(
          "Cannot write ONNX model " + file + ": " + oneLine(String.valueOf(e.getMessage())), e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort: the temporary file is hidden and named after the target
        }
      }
    }
  }

  /** Lower-case hex SHA-256 of the files' contents, read one after another in the given order. */
  public static String sha256(Path... files) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[1 << 16];
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          digest.update(buf, 0, n);
        }
      } catch (NoSuchFileException e) {
        throw new VideoJamException("File not found: " + f, e);
      } catch (IOException e) {
        throw new VideoJamException(
            "Cannot read " + f + ": " + oneLine(String.valueOf(e.getMessage())), e);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The graph inputs a caller must feed (inputs that are not initializers); -1 for free dims. */
  public static List<TensorInfo> inputs(OnnxMl.ModelProto model) {
    Set<String> init = new HashSet<>();
    for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
      init.add(t.getName());
    }
    List<TensorInfo> out = new ArrayList<>();
    for (OnnxMl.ValueInfoProto v : model.getGraph().getInputList()) {
      if (!init.contains(v.getName())) {
        out.add(info(v));
      }
    }
    return List.copyOf(out);
  }

  /** The graph outputs; -1 for free dims. */
  public static List<TensorInfo> outputs(OnnxMl.ModelProto model) {
    return model.getGraph().getOutputList().stream().map(OnnxModels::info).toList();
  }

  /**
   * The number of learned parameters: the elements of all floating-point initializers of rank at
   * least 1. Rank-0 constants (scalars such as an attention scale) and integer tensors (shapes,
   * axes) are not counted.
   */
  public static long parameterCount(OnnxMl.ModelProto model) {
    long n = 0;
    for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDimsCount() == 0 || !isFloating(t.getDataType())) {
        continue;
      }
      long size = 1;
      for (long d : t.getDimsList()) {
        size *= d;
      }
      n += size;
    }
    return n;
  }

  // ---------------------------------------------------------------------------------------------

  private static boolean isFloating(int dataType) {
    return dataType == OnnxMl.TensorProto.DataType.FLOAT_VALUE
        || dataType == OnnxMl.TensorProto.DataType.FLOAT16_VALUE
        || dataType == OnnxMl.TensorProto.DataType.BFLOAT16_VALUE
        || dataType == OnnxMl.TensorProto.DataType.DOUBLE_VALUE;
  }

  private static TensorInfo info(OnnxMl.ValueInfoProto v) {
    TensorInfo.ElementType type = TensorInfo.ElementType.OTHER;
    long[] shape = new long[0];
    if (v.getType().hasTensorType()) {
      OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
      type =
          switch (t.getElemType()) {
            case OnnxMl.TensorProto.DataType.FLOAT_VALUE -> TensorInfo.ElementType.FLOAT;
            case OnnxMl.TensorProto.DataType.INT64_VALUE -> TensorInfo.ElementType.INT64;
            default -> TensorInfo.ElementType.OTHER;
          };
      List<OnnxMl.TensorShapeProto.Dimension> dims = t.getShape().getDimList();
      shape = new long[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
        shape[i] = d.hasDimValue() && d.getDimValue() >= 0 ? d.getDimValue() : -1;
      }
    }
    return new TensorInfo(v.getName(), type, shape);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
