package io.videojam.training;

import io.videojam.api.AtomicFiles;
import io.videojam.api.VideoJamException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint: the step reached, free-form metadata and named float tensors (weights,
 * Adam moments, EMA weights). Written to a temporary file and moved into place, so an interrupted
 * write never leaves a broken checkpoint.
 *
 * @param step optimiser steps done
 * @param meta text metadata (recipe, stage, model config)
 * @param tensors named tensors, e.g. {@code "w/patch_embed.weight"}, {@code "m/..."}
 */
public record Checkpoint(long step, Map<String, String> meta, Map<String, float[]> tensors) {
  private static final int MAGIC = 0x564a434b; // "VJCK"
  private static final int VERSION = 1;

  /** Writes atomically to {@code file}. */
  public void write(Path file) {
    AtomicFiles.write(file, "checkpoint", tmp -> {
      try (OutputStream os = Files.newOutputStream(tmp);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeLong(step);
        out.writeInt(meta.size());
        for (Map.Entry<String, String> e : meta.entrySet()) {
          out.writeUTF(e.getKey());
          out.writeUTF(e.getValue());
        }
        out.writeInt(tensors.size());
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
          out.writeUTF(e.getKey());
          float[] v = e.getValue();
          out.writeInt(v.length);
          for (float f : v) {
            out.writeFloat(f);
          }
        }
      }
    });
  }

  /** Reads a checkpoint written by {@link #write}. */
  public static Checkpoint read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException("checkpoint " + file + " not found");
    }
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        throw new VideoJamException(file + " is not a videojam training checkpoint; delete it or point --work elsewhere");
      }
      long step = in.readLong();
      Map<String, String> meta = new LinkedHashMap<>();
      int nm = in.readInt();
      for (int i = 0; i < nm; i++) {
        meta.put(in.readUTF(), in.readUTF());
      }
      Map<String, float[]> tensors = new LinkedHashMap<>();
      int nt = in.readInt();
      for (int i = 0; i < nt; i++) {
        String name = in.readUTF();
        int n = in.readInt();
        if (n < 0 || n > 1 << 28) {
          throw new VideoJamException(file + " is corrupt (tensor " + name + " of " + n + " values); delete it to start over");
        }
        float[] v = new float[n];
        for (int j = 0; j < n; j++) {
          v[j] = in.readFloat();
        }
        tensors.put(name, v);
      }
      return new Checkpoint(step, meta, tensors);
    } catch (EOFException e) {
      throw new VideoJamException(file + " is truncated; delete it to start that stage over");
    } catch (IOException e) {
      throw new VideoJamException("cannot read checkpoint " + file + ": " + e.getMessage());
    }
  }

  /** The tensors whose names start with {@code prefix + "/"}, with the prefix removed. */
  public Map<String, float[]> group(String prefix) {
    Map<String, float[]> out = new LinkedHashMap<>();
    tensors.forEach((k, v) -> {
      if (k.startsWith(prefix + "/")) {
        out.put(k.substring(prefix.length() + 1), v);
      }
    });
    return out;
  }
}
