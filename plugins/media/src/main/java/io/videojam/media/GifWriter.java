package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Writes animated GIFs with {@code javax.imageio} (pure Java, no natives): loops forever, every
 * frame shown for {@link #delayCentiseconds(double)}, no dithering.
 *
 * <p>Colours: one palette shared by all frames (exact when the animation has at most 256 colours,
 * else median cut, see {@link Palette}) so that still areas do not flicker; a
 * frame the shared palette renders poorly (colours drifting through the clip) gets its own palette
 * as a local colour table.
 *
 * <p>GIF delays are whole hundredths of a second, so the frame rate is rounded: the delay is {@code
 * round(100 / fps)} but at least 2 (browsers show 0 and 1 as 10), and {@link #write} returns the
 * delay actually used; the true frame rate is {@code 100 / delay}.
 *
 * <p>The file is written to a temporary sibling and moved into place atomically; on failure the
 * temporary file is removed and a one-line {@link VideoJamException} naming the file is thrown.
 */
public final class GifWriter {
  private static final String FORMAT = "javax_imageio_gif_image_1.0";
  private static final String STREAM_FORMAT = "javax_imageio_gif_stream_1.0";
  /** Mean absolute error (8-bit levels) above which a frame may get a palette of its own. */
  static final double LOCAL_PALETTE_ERROR = 3.0;

  private GifWriter() {}

  /** The GIF frame delay for {@code fps}, in hundredths of a second: {@code max(2, round(100 / fps))}. */
  public static int delayCentiseconds(double fps) {
    if (!(fps > 0) || Double.isInfinite(fps)) {
      throw new VideoJamException("GIF frame rate must be a positive number, got " + fps);
    }
    return (int) Math.max(2, Math.min(65535, Math.round(100.0 / fps)));
  }

  /**
   * Writes a video tensor {@code [3, T, H, W]} (values in [-1, 1]) upscaled by {@code scale}
   * (nearest neighbour; {@code 0} picks {@link Frames#autoScale}).
   *
   * @return the frame delay used, in hundredths of a second
   */
  public static int write(Path gif, FloatTensor video, double fps, int scale) {
    int s = Frames.resolveScale(video, scale);
    // nearest-neighbour upscaling adds no colours: quantise the small frames, then upscale the indices
    return write(gif, Frames.toImages(video, 1), fps, s);
  }

  /**
   * Writes the frames (all the same size, any image type) as a looping GIF.
   *
   * @return the frame delay used, in hundredths of a second ({@code 100 / delay} is the true fps)
   * @throws VideoJamException one line naming the file, for bad arguments or any I/O failure
   */
  public static int write(Path gif, List<BufferedImage> frames, double fps) {
    return write(gif, frames, fps, 1);
  }

  /** Writes {@code frames} upscaled by an integer {@code scale} (nearest neighbour). */
  public static int write(Path gif, List<BufferedImage> frames, double fps, int scale) {
    if (scale < 1) {
      throw new VideoJamException("cannot write GIF " + gif + ": scale must be >= 1, got " + scale);
    }
    if (frames.isEmpty()) {
      throw new VideoJamException("cannot write GIF " + gif + ": there are no frames");
    }
    int w = frames.get(0).getWidth() * scale, h = frames.get(0).getHeight() * scale;
    if (w > 65535 || h > 65535) {
      throw new VideoJamException("cannot write GIF " + gif + ": " + w + "x" + h + " is larger than GIF allows (65535)");
    }
    for (int i = 1; i < frames.size(); i++) {
      BufferedImage f = frames.get(i);
      if (f.getWidth() * scale != w || f.getHeight() * scale != h) {
        throw new VideoJamException("cannot write GIF " + gif + ": frame " + i + " is "
            + f.getWidth() + "x" + f.getHeight() + " but frame 0 is " + frames.get(0).getWidth() + "x" + frames.get(0).getHeight());
      }
    }
    int delay;
    try {
      delay = delayCentiseconds(fps);
    } catch (VideoJamException e) {
      throw new VideoJamException("cannot write GIF " + gif + ": " + e.getMessage(), e);
    }
    Palette palette = Palette.of(frames);
    List<BufferedImage> indexed = new ArrayList<>(frames.size());
    for (BufferedImage f : frames) {
      indexed.add(upscaleIndexed(quantize(f, palette), scale));
    }
    AtomicFiles.write(gif, "GIF", temp -> {
      Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
      if (!writers.hasNext()) {
        throw new VideoJamException("this Java runtime has no GIF writer");
      }
      ImageWriter writer = writers.next();
      try (ImageOutputStream out = ImageIO.createImageOutputStream(temp.toFile())) {
        if (out == null) {
          throw new VideoJamException("cannot open the temporary file " + temp);
        }
        writer.setOutput(out);
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (param.canWriteProgressive()) {
          param.setProgressiveMode(ImageWriteParam.MODE_DISABLED); // not interlaced
        }
        writer.prepareWriteSequence(streamMetadata(writer, param, palette));
        for (int i = 0; i < frames.size(); i++) {
          IIOMetadata meta = frameMetadata(writer, param, indexed.get(i), delay, i == 0);
          writer.writeToSequence(new IIOImage(indexed.get(i), null, meta), param);
        }
        writer.endWriteSequence();
      } finally {
        writer.dispose();
      }
    });
    return delay;
  }

  /**
   * The frame in the shared palette, or in a palette of its own (written as a local colour table)
   * when the shared one is poor for it (mean error above {@value #LOCAL_PALETTE_ERROR} levels) and
   * its own is clearly better.
   */
  private static BufferedImage quantize(BufferedImage frame, Palette shared) {
    Palette.Indexed global = shared.index(frame);
    if (global.meanError() <= LOCAL_PALETTE_ERROR) {
      return global.image();
    }
    Palette.Indexed local = Palette.of(List.of(frame)).index(frame);
    return local.meanError() < 0.75 * global.meanError() ? local.image() : global.image();
  }

  /** Nearest-neighbour upscale of an indexed image, keeping its colour model. */
  private static BufferedImage upscaleIndexed(BufferedImage img, int scale) {
    if (scale == 1) {
      return img;
    }
    int w = img.getWidth();
    int h = img.getHeight();
    BufferedImage out = new BufferedImage(w * scale, h * scale, img.getType(), (java.awt.image.IndexColorModel) img.getColorModel());
    int[] row = new int[w];
    int[] big = new int[w * scale];
    for (int y = 0; y < h; y++) {
      img.getRaster().getSamples(0, y, w, 1, 0, row);
      for (int x = 0; x < w * scale; x++) {
        big[x] = row[x / scale];
      }
      for (int k = 0; k < scale; k++) {
        out.getRaster().setSamples(0, y * scale + k, w * scale, 1, 0, big);
      }
    }
    return out;
  }

  /**
   * Stream metadata whose global colour table is the shared palette. The JDK writer otherwise
   * writes a default web-safe table and the frames' indices would point into the wrong colours.
   */
  private static IIOMetadata streamMetadata(ImageWriter writer, ImageWriteParam param, Palette palette)
      throws Exception {
    IIOMetadata meta = writer.getDefaultStreamMetadata(param);
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(STREAM_FORMAT);
    IIOMetadataNode table = child(root, "GlobalColorTable");
    while (table.getFirstChild() != null) {
      table.removeChild(table.getFirstChild());
    }
    table.setAttribute("sizeOfGlobalColorTable", Integer.toString(palette.tableSize()));
    table.setAttribute("backgroundColorIndex", "0");
    table.setAttribute("sortFlag", "FALSE");
    for (int i = 0; i < palette.tableSize(); i++) {
      int c = i < palette.size() ? palette.color(i) : 0;
      IIOMetadataNode entry = new IIOMetadataNode("ColorTableEntry");
      entry.setAttribute("index", Integer.toString(i));
      entry.setAttribute("red", Integer.toString(c >> 16 & 0xff));
      entry.setAttribute("green", Integer.toString(c >> 8 & 0xff));
      entry.setAttribute("blue", Integer.toString(c & 0xff));
      table.appendChild(entry);
    }
    meta.setFromTree(STREAM_FORMAT, root);
    return meta;
  }

  private static IIOMetadata frameMetadata(
      ImageWriter writer, ImageWriteParam param, BufferedImage img, int delay, boolean first) throws Exception {
    IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(img), param);
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);

    IIOMetadataNode gce = child(root, "GraphicControlExtension");
    gce.setAttribute("disposalMethod", "none");
    gce.setAttribute("userInputFlag", "FALSE");
    gce.setAttribute("transparentColorFlag", "FALSE");
    gce.setAttribute("delayTime", Integer.toString(delay));
    gce.setAttribute("transparentColorIndex", "0");

    if (first) {
      IIOMetadataNode apps = child(root, "ApplicationExtensions");
      IIOMetadataNode netscape = new IIOMetadataNode("ApplicationExtension");
      netscape.setAttribute("applicationID", "NETSCAPE");
      netscape.setAttribute("authenticationCode", "2.0");
      netscape.setUserObject(new byte[] {1, 0, 0}); // sub-block 1: loop count 0 = forever
      apps.appendChild(netscape);
    }
    meta.setFromTree(FORMAT, root);
    return meta;
  }

  /** The named child of {@code root}, created (and appended) if absent. */
  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }
}
