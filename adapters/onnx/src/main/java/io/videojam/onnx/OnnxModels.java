package io.videojam.onnx;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.videojam.api.AtomicFiles;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
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
    AtomicFiles.write(file, "ONNX model", tmp -> {
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
        model.writeTo(out);
      }
    });
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
  // External data (ONNX "external_data": location, offset, length relative to the model's folder)

  /** Whether the tensor's data lives in an external file. */
  public static boolean isExternal(OnnxMl.TensorProto t) {
    return t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL;
  }

  /** Whether any initializer of the model lives in an external file. */
  public static boolean hasExternalData(OnnxMl.ModelProto model) {
    return model.getGraph().getInitializerList().stream().anyMatch(OnnxModels::isExternal);
  }

  /**
   * Reads a model file and loads every external initializer into the protobuf ({@code raw_data}),
   * resolving locations relative to the model's folder.
   */
  public static OnnxMl.ModelProto readWithExternalData(Path file) {
    OnnxMl.ModelProto model = read(file);
    return resolveExternal(model, file.toAbsolutePath().getParent(), null);
  }

  /**
   * Loads the named external initializers ({@code names == null}: all) into the protobuf, relative
   * to {@code dir}; other tensors stay as they are, so memory grows only by the loaded tensors.
   */
  public static OnnxMl.ModelProto resolveExternal(
      OnnxMl.ModelProto model, Path dir, java.util.Collection<String> names) {
    OnnxMl.ModelProto.Builder mb = null;
    List<OnnxMl.TensorProto> inits = model.getGraph().getInitializerList();
    for (int i = 0; i < inits.size(); i++) {
      OnnxMl.TensorProto t = inits.get(i);
      if (isExternal(t) && (names == null || names.contains(t.getName()))) {
        if (mb == null) {
          mb = model.toBuilder();
        }
        mb.getGraphBuilder().setInitializer(i, loadExternal(t, dir));
      }
    }
    return mb == null ? model : mb.build();
  }

  /**
   * The tensor with its external data read in as {@code raw_data} (an inline tensor is returned
   * as it is).
   *
   * @param dir the folder the tensor's location is relative to (the model file's folder)
   */
  public static OnnxMl.TensorProto loadExternal(OnnxMl.TensorProto t, Path dir) {
    if (!isExternal(t)) {
      return t;
    }
    ExternalRef ref = externalRef(t, dir);
    if (ref.length > Integer.MAX_VALUE - 16) {
      throw new VideoJamException("External tensor '" + t.getName() + "' is " + ref.length
          + " bytes; a single tensor over 2 GB cannot be loaded into memory");
    }
    ByteBuffer buf = ByteBuffer.allocate((int) ref.length);
    try (FileChannel ch = FileChannel.open(ref.file, StandardOpenOption.READ)) {
      while (buf.hasRemaining()) {
        if (ch.read(buf, ref.offset + buf.position()) < 0) {
          throw new VideoJamException("External data file " + ref.file + " ends before tensor '"
              + t.getName() + "' (offset " + ref.offset + ", length " + ref.length
              + "); the .data file does not belong to this model or is truncated");
        }
      }
    } catch (IOException e) {
      throw new VideoJamException("Cannot read external data of tensor '" + t.getName() + "' from "
          + ref.file + ": " + oneLine(String.valueOf(e.getMessage())), e);
    }
    buf.flip();
    return t.toBuilder()
        .clearExternalData()
        .clearDataLocation()
        .setRawData(ByteString.copyFrom(buf))
        .build();
  }

  /**
   * Writes a model with large initializers in a sidecar file {@code <file name>.data} next to it
   * (ONNX external data; ONNX Runtime resolves it relative to the model file). Each tensor's
   * offset is aligned (4096 bytes for tensors of 64 KiB or more, 64 bytes otherwise). Tensors that
   * are already external in {@code model} are copied from their file under {@link
   * ExternalDataPolicy#sourceDir()} in a streaming fashion, never loaded as a whole; so memory
   * stays bounded by the tensors held in the protobuf. Both files are written to temporary files
   * and moved into place (the data file first). Without any tensor above the threshold no sidecar
   * is written. Integer tensors and scalars of up to 1 KiB (shapes, axes, constants) always stay inline: ONNX Runtime
   * reads them during shape inference, before external data is resolved.
   */
  public static void write(OnnxMl.ModelProto model, Path file, ExternalDataPolicy policy) {
    Path abs = file.toAbsolutePath();
    Path dir = abs.getParent();
    String dataName = abs.getFileName() + ".data";
    Path dataFile = dir.resolve(dataName);
    Path tmpData = null;
    try {
      Files.createDirectories(dir);
      tmpData = dir.resolve("." + dataName + "." + java.util.UUID.randomUUID() + ".tmp");
      OnnxMl.ModelProto.Builder mb = model.toBuilder();
      OnnxMl.GraphProto.Builder gb = mb.getGraphBuilder();
      long pos = 0;
      java.util.Map<Path, FileChannel> sources = new java.util.HashMap<>();
      try (FileChannel out = FileChannel.open(tmpData, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        for (int i = 0; i < gb.getInitializerCount(); i++) {
          OnnxMl.TensorProto t = gb.getInitializer(i);
          boolean ext = isExternal(t);
          ExternalRef ref = null;
          ByteString bytes = null;
          long len;
          if (ext) {
            if (policy.sourceDir() == null) {
              throw new VideoJamException("tensor '" + t.getName() + "' is stored in external data;"
                  + " pass the folder of the model it was read from (ExternalDataPolicy.from(dir))");
            }
            ref = externalRef(t, policy.sourceDir());
            len = ref.length;
          } else {
            bytes = rawBytes(t);
            len = bytes == null ? -1 : bytes.size();
          }
          boolean small = len <= policy.thresholdBytes()
              || ((!isFloating(t.getDataType()) || t.getDimsCount() == 0)
                  && len <= ExternalDataPolicy.DEFAULT_THRESHOLD);
          if (len <= 0 || small) {
            if (ext) {
              gb.setInitializer(i, loadExternal(t, policy.sourceDir()));
            }
            continue; // stays inline (including tensors whose type has no raw form here)
          }
          long align = len >= 65536 ? 4096 : 64;
          pos = (pos + align - 1) / align * align;
          if (ext) {
            FileChannel src = sources.get(ref.file);
            if (src == null) {
              src = FileChannel.open(ref.file, StandardOpenOption.READ);
              sources.put(ref.file, src);
            }
            if (ref.offset + ref.length > src.size()) {
              throw new VideoJamException("External data file " + ref.file + " ends before tensor '"
                  + t.getName() + "'; the .data file does not belong to this model or is truncated");
            }
            long done = 0;
            while (done < len) {
              long n = src.transferTo(ref.offset + done, len - done, out.position(pos + done));
              if (n <= 0) {
                throw new IOException("short copy from " + ref.file);
              }
              done += n;
            }
          } else {
            ByteBuffer b = bytes.asReadOnlyByteBuffer();
            long at = pos;
            while (b.hasRemaining()) {
              at += out.write(b, at);
            }
          }
          gb.setInitializer(i, externalTensor(t, dataName, pos, len));
          pos += len;
        }
      } finally {
        for (FileChannel c : sources.values()) {
          c.close();
        }
      }
      if (pos > 0) {
        try {
          Files.move(tmpData, dataFile, StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmpData, dataFile, StandardCopyOption.REPLACE_EXISTING);
        }
        tmpData = null;
      }
      write(mb.build(), file);
    } catch (VideoJamException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new VideoJamException(
          "Cannot write ONNX model " + file + " with external data " + dataName + ": "
              + oneLine(String.valueOf(e.getMessage())), e);
    } finally {
      if (tmpData != null) {
        try {
          Files.deleteIfExists(tmpData);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  private record ExternalRef(Path file, long offset, long length) {}

  private static ExternalRef externalRef(OnnxMl.TensorProto t, Path dir) {
    String location = null;
    long offset = 0;
    long length = -1;
    for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
      try {
        switch (e.getKey()) {
          case "location" -> location = e.getValue();
          case "offset" -> offset = Long.parseLong(e.getValue().strip());
          case "length" -> length = Long.parseLong(e.getValue().strip());
          default -> { } // checksum and others are not checked
        }
      } catch (NumberFormatException ex) {
        throw new VideoJamException("Tensor '" + t.getName() + "': bad external_data "
            + e.getKey() + " '" + e.getValue() + "' (must be an integer)");
      }
    }
    if (location == null || location.isEmpty()) {
      throw new VideoJamException("Tensor '" + t.getName()
          + "' is marked external but has no external_data location");
    }
    Path rel = Path.of(location);
    if (rel.isAbsolute() || rel.normalize().startsWith("..")) {
      throw new VideoJamException("Tensor '" + t.getName() + "': external data location '" + location
          + "' must be a relative path inside the model's folder");
    }
    if (dir == null) {
      throw new VideoJamException("Tensor '" + t.getName() + "' is stored in external data ("
          + location + "); the folder of the model file is needed to read it");
    }
    Path f = dir.resolve(rel);
    if (!Files.isRegularFile(f)) {
      throw new VideoJamException("External data file not found: " + f + " (tensor '" + t.getName()
          + "'; keep the .data file next to the .onnx file)");
    }
    if (length < 0) {
      long elem = elementSize(t.getDataType());
      if (elem > 0) {
        length = elem;
        for (long d : t.getDimsList()) {
          length *= d;
        }
      } else {
        try {
          length = Files.size(f) - offset;
        } catch (IOException e) {
          throw new VideoJamException("Cannot read " + f + ": " + oneLine(e.getMessage()), e);
        }
      }
    }
    if (offset < 0 || length < 0) {
      throw new VideoJamException("Tensor '" + t.getName() + "': negative external offset or length");
    }
    return new ExternalRef(f, offset, length);
  }

  private static OnnxMl.TensorProto externalTensor(
      OnnxMl.TensorProto t, String location, long offset, long length) {
    return t.toBuilder()
        .clearRawData()
        .clearFloatData()
        .clearInt32Data()
        .clearInt64Data()
        .clearDoubleData()
        .clearUint64Data()
        .clearStringData()
        .clearExternalData()
        .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(entry("location", location))
        .addExternalData(entry("offset", Long.toString(offset)))
        .addExternalData(entry("length", Long.toString(length)))
        .build();
  }

  private static OnnxMl.StringStringEntryProto entry(String k, String v) {
    return OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v).build();
  }

  /** The tensor's little-endian bytes, or null if its type is only stored in a typed field. */
  private static ByteString rawBytes(OnnxMl.TensorProto t) {
    if (t.hasRawData() || (t.getFloatDataCount() == 0 && t.getInt64DataCount() == 0
        && t.getInt32DataCount() == 0 && t.getDoubleDataCount() == 0
        && t.getStringDataCount() == 0 && t.getUint64DataCount() == 0)) {
      return t.getStringDataCount() > 0 ? null : t.getRawData();
    }
    int type = t.getDataType();
    ByteBuffer b;
    if (type == OnnxMl.TensorProto.DataType.FLOAT_VALUE) {
      b = ByteBuffer.allocate(t.getFloatDataCount() * 4).order(ByteOrder.LITTLE_ENDIAN);
      t.getFloatDataList().forEach(b::putFloat);
    } else if (type == OnnxMl.TensorProto.DataType.INT64_VALUE) {
      b = ByteBuffer.allocate(t.getInt64DataCount() * 8).order(ByteOrder.LITTLE_ENDIAN);
      t.getInt64DataList().forEach(b::putLong);
    } else if (type == OnnxMl.TensorProto.DataType.INT32_VALUE) {
      b = ByteBuffer.allocate(t.getInt32DataCount() * 4).order(ByteOrder.LITTLE_ENDIAN);
      t.getInt32DataList().forEach(b::putInt);
    } else if (type == OnnxMl.TensorProto.DataType.DOUBLE_VALUE) {
      b = ByteBuffer.allocate(t.getDoubleDataCount() * 8).order(ByteOrder.LITTLE_ENDIAN);
      t.getDoubleDataList().forEach(b::putDouble);
    } else {
      return null;
    }
    b.flip();
    return ByteString.copyFrom(b);
  }

  /** Bytes per element of fixed-size ONNX types; 0 for strings and unknown types. */
  static int elementSize(int dataType) {
    return switch (OnnxMl.TensorProto.DataType.forNumber(dataType) == null
        ? OnnxMl.TensorProto.DataType.UNDEFINED : OnnxMl.TensorProto.DataType.forNumber(dataType)) {
      case FLOAT, INT32, UINT32 -> 4;
      case DOUBLE, INT64, UINT64, COMPLEX64 -> 8;
      case FLOAT16, BFLOAT16, INT16, UINT16 -> 2;
      case INT8, UINT8, BOOL -> 1;
      case COMPLEX128 -> 16;
      default -> 0;
    };
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
