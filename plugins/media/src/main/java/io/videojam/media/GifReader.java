package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.Node;

/**
 * Reads all frames of a (possibly animated) GIF with {@code javax.imageio}, composited as a viewer
 * shows them: each frame is drawn at its offset over the previous canvas, honouring transparency and
 * the disposal methods; areas never drawn are black.
 */
public final class GifReader {
  private GifReader() {}

  /**
   * A decoded GIF.
   *
   * @param frames full-canvas frames, {@code TYPE_3BYTE_BGR}
   * @param delaysCentiseconds each frame's delay in hundredths of a second (0 where not given)
   * @param loopCount NETSCAPE2.0 loop count: 0 loops forever, -1 when the file has no loop block
   */
  public record Gif(List<BufferedImage> frames, List<Integer> delaysCentiseconds, int loopCount) {
    public Gif {
      frames = List.copyOf(frames);
      delaysCentiseconds = List.copyOf(delaysCentiseconds);
    }

    /** The frames as a video tensor {@code [3, T, H, W]} with values in [-1, 1]. */
    public FloatTensor tensor() {
      return Frames.fromImages(frames);
    }
  }

  /**
   * Reads every frame of the GIF.
   *
   * @throws VideoJamException one line naming the file when it is missing or not a readable GIF
   */
  public static Gif read(Path gif) {
    if (!Files.isRegularFile(gif)) {
      throw new VideoJamException(Files.exists(gif)
          ? "cannot read GIF " + gif + ": it is not a regular file"
          : "GIF file not found: " + gif);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
      Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("gif");
      if (in == null || !readers.hasNext()) {
        throw new VideoJamException("cannot read GIF " + gif + ": no GIF reader in this Java runtime");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, false);
        return decode(reader, "GIF " + gif);
      } finally {
        reader.dispose();
      }
    } catch (VideoJamException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new VideoJamException("cannot read GIF " + gif + ": " + AtomicFiles.reason(e), e);
    }
  }

  private static Gif decode(ImageReader reader, String what) throws IOException {
    int n = reader.getNumImages(true);
    if (n < 1) {
      throw new IOException("the file has no frames");
    }
    int width = -1, height = -1;
    IIOMetadata stream = reader.getStreamMetadata();
    if (stream != null) {
      Node lsd = find(stream.getAsTree("javax_imageio_gif_stream_1.0"), "LogicalScreenDescriptor");
      if (lsd != null) {
        width = intAttr(lsd, "logicalScreenWidth", -1);
        height = intAttr(lsd, "logicalScreenHeight", -1);
      }
    }
    if (width > 0 && height > 0) { // the logical screen: every frame is a canvas of its size
      VideoReader.checkSize(what, width, height, n - 1);
    }
    List<BufferedImage> frames = new ArrayList<>(Math.min(n, 1024));
    List<Integer> delays = new ArrayList<>(n);
    int loop = -1;
    BufferedImage canvas = null;
    for (int i = 0; i < n; i++) {
      // the frame's own size, from its image descriptor, before the reader allocates it
      VideoReader.checkSize(what, reader.getWidth(i), reader.getHeight(i), 0);
      BufferedImage img = reader.read(i);
      Node root = reader.getImageMetadata(i).getAsTree("javax_imageio_gif_image_1.0");
      Node desc = find(root, "ImageDescriptor");
      int left = desc == null ? 0 : intAttr(desc, "imageLeftPosition", 0);
      int top = desc == null ? 0 : intAttr(desc, "imageTopPosition", 0);
      Node gce = find(root, "GraphicControlExtension");
      String disposal = gce == null ? "none" : ((IIOMetadataNode) gce).getAttribute("disposalMethod");
      delays.add(gce == null ? 0 : intAttr(gce, "delayTime", 0));
      Node apps = find(root, "ApplicationExtensions");
      if (apps != null) {
        for (Node a = apps.getFirstChild(); a != null; a = a.getNextSibling()) {
          IIOMetadataNode app = (IIOMetadataNode) a;
          if ("NETSCAPE".equals(app.getAttribute("applicationID"))
              && app.getUserObject() instanceof byte[] b && b.length >= 3 && b[0] == 1) {
            loop = (b[1] & 0xff) | (b[2] & 0xff) << 8;
          }
        }
      }
      if (canvas == null) {
        int w = width > 0 ? width : left + img.getWidth();
        int h = height > 0 ? height : top + img.getHeight();
        VideoReader.checkSize(what, w, h, n - 1);
        canvas = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
      }
      BufferedImage previous = "restoreToPrevious".equals(disposal) ? copyArgb(canvas) : null;
      Graphics2D g = canvas.createGraphics();
      try {
        g.drawImage(img, left, top, null);
      } finally {
        g.dispose();
      }
      frames.add(opaque(canvas));
      if ("restoreToBackgroundColor".equals(disposal)) {
        Graphics2D c = canvas.createGraphics();
        try {
          c.setComposite(AlphaComposite.Clear);
          c.fillRect(left, top, img.getWidth(), img.getHeight());
        } finally {
          c.dispose();
        }
      } else if (previous != null) {
        canvas = previous;
      }
    }
    return new Gif(frames, delays, loop);
  }

  /** The canvas over black, as {@code TYPE_3BYTE_BGR}. */
  private static BufferedImage opaque(BufferedImage canvas) {
    BufferedImage out = new BufferedImage(canvas.getWidth(), canvas.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    try {
      g.drawImage(canvas, 0, 0, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static BufferedImage copyArgb(BufferedImage img) {
    BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setComposite(AlphaComposite.Src);
      g.drawImage(img, 0, 0, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  private static Node find(Node root, String name) {
    for (Node c = root.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (name.equals(c.getNodeName())) {
        return c;
      }
    }
    return null;
  }

  private static int intAttr(Node node, String name, int fallback) {
    String v = ((IIOMetadataNode) node).getAttribute(name);
    try {
      return v == null || v.isEmpty() ? fallback : Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
