package io.videojam.motion;

import io.videojam.api.AtomicFiles;

import io.videojam.api.FlowField;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * One flow field as an Eq. 5 PNG (8-bit RGB, see {@link FlowRgbCodec}), and such a PNG read back
 * to levels for {@link FlowRgbCodec#decode(byte[], int, int)}. PNG is lossless, so the levels
 * read are the levels written. Writing is atomic (see {@link AtomicFiles}); ImageIO's disk cache
 * is not used, so no other file is touched.
 */
public final class FlowPng {
  private FlowPng() {}

  /**
   * 8-bit RGB levels of an image, planar {@code [3, H, W]} (red plane, green plane, blue plane),
   * one unsigned byte per level: read a level with {@code levels[i] & 0xFF}.
   */
  public record Levels(int height, int width, byte[] levels) {
    public Levels {
      if (height < 1 || width < 1 || (long) height * width * 3 != levels.length) {
        throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * height * width
            + " levels, got " + levels.length);
      }
    }
  }

  /** Writes {@code flow} encoded by {@code codec} (Eq. 5) as an 8-bit RGB PNG. */
  public static void write(Path file, FlowField flow, FlowRgbCodec codec) {
    writeLevels(file, new Levels(flow.height(), flow.width(), codec.encodeLevels(flow)));
  }

  /** Writes planar 8-bit RGB levels as a PNG, atomically. */
  public static void writeLevels(Path file, Levels image) {
    int w = image.width();
    int h = image.height();
    int n = w * h;
    BufferedImage picture = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) picture.getRaster().getDataBuffer()).getData();
    byte[] levels = image.levels();
    for (int i = 0; i < n; i++) {
      bgr[3 * i] = levels[2 * n + i];
      bgr[3 * i + 1] = levels[n + i];
      bgr[3 * i + 2] = levels[i];
    }
    AtomicFiles.writeStream(file, "PNG", out -> {
      ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
      try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
        writer.setOutput(stream);
        writer.write(picture);
      } finally {
        writer.dispose();
      }
    });
  }

  /**
   * Reads an 8-bit RGB (or RGBA, alpha ignored, or 8-bit palette) PNG as levels.
   *
   * @throws VideoJamException naming the file when it is missing, not a PNG, or not 8-bit colour
   */
  /** The most pixels of a flow PNG read: 2^26, 8192 x 8192 (read as 7 bytes a pixel: ARGB and the levels). */
  public static final long MAX_PIXELS = 1L << 26;

  public static Levels read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new VideoJamException(file + ": no such PNG file; check the path");
    }
    BufferedImage picture;
    try (ImageInputStream stream = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = stream == null ? null : ImageIO.getImageReaders(stream);
      ImageReader reader = readers != null && readers.hasNext() ? readers.next() : null;
      if (reader == null || !"png".equalsIgnoreCase(reader.getFormatName())) {
        throw new VideoJamException(file + ": not a PNG file; give a flow PNG (8-bit RGB, Eq. 5)");
      }
      try {
        reader.setInput(stream, true, true);
        // the size comes from the header: checked before the reader allocates the picture
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w < 1 || h < 1 || w > FloFiles.MAX_SIDE || h > FloFiles.MAX_SIDE || w * h > MAX_PIXELS) {
          throw new VideoJamException(file + ": a PNG of " + w + " x " + h + " pixels needs " + (w * h * 7 >> 20)
              + " MiB to read, over the limit of " + MAX_PIXELS + " pixels (8192 x 8192; each side at most " + FloFiles.MAX_SIDE
              + "); the file is damaged or not a flow PNG");
        }
        picture = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof VideoJamException v) {
        throw v;
      }
      throw new VideoJamException(file + ": cannot read the PNG (" + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage().replace('\n', ' ')) + "); the file is damaged", e);
    }
    ColorModel model = picture.getColorModel();
    boolean palette = model instanceof IndexColorModel;
    boolean eightBitColour = model.getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_RGB
        && model.getNumColorComponents() == 3;
    if (eightBitColour && !palette) {
      for (int bits : model.getComponentSize()) {
        eightBitColour &= bits == 8;
      }
    }
    if (!eightBitColour) {
      throw new VideoJamException(file + ": a " + describe(model) + " PNG; flow PNGs are 8-bit RGB (Eq. 5)");
    }
    int w = picture.getWidth();
    int h = picture.getHeight();
    int n = w * h;
    int[] argb = picture.getRGB(0, 0, w, h, null, 0, w);
    byte[] levels = new byte[3 * n];
    for (int i = 0; i < n; i++) {
      levels[i] = (byte) (argb[i] >> 16);
      levels[n + i] = (byte) (argb[i] >> 8);
      levels[2 * n + i] = (byte) argb[i];
    }
    return new Levels(h, w, levels);
  }

  /** The flow of an Eq. 5 PNG, decoded with {@code codec} (see its limits). */
  public static FlowField readFlow(Path file, FlowRgbCodec codec) {
    Levels image = read(file);
    return codec.decode(image.levels(), image.height(), image.width());
  }

  private static String describe(ColorModel model) {
    int type = model.getColorSpace().getType();
    String space = type == java.awt.color.ColorSpace.TYPE_GRAY ? "greyscale" : model.getNumColorComponents() + "-channel";
    return space + " " + model.getComponentSize(0) + "-bit";
  }
}
