package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.VideoJamException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Picks a clip out of a video file (anything FFmpeg reads: mp4, avi, mkv, webm, mov, gif...) or a
 * folder of PNG/JPEG frames (sorted by name): every {@code stride}-th frame, at most {@code frames}
 * of them, resized to {@code size} when given.
 */
public final class Clips {
  private Clips() {}

  /**
   * A frame size, parsed from {@code WxH}.
   *
   * @param width pixels
   * @param height pixels
   */
  public record Size(int width, int height) {
    public Size {
      if (width < 2 || height < 2 || width > 8192 || height > 8192) {
        throw new VideoJamException("size " + width + "x" + height + " is out of range; use WxH between 2 and 8192");
      }
    }

    public static Size parse(String s) {
      String[] p = s.toLowerCase(Locale.ROOT).split("x");
      try {
        if (p.length == 2) {
          return new Size(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim()));
        }
      } catch (NumberFormatException e) {
        // fall through
      }
      throw new VideoJamException("size '" + s + "' is not WxH (for example 256x256)");
    }
  }

  /**
   * Reads the clip.
   *
   * @param source a video file or a folder of frames
   * @param frames the most frames to keep (after the stride)
   * @param stride keep every stride-th frame (1 keeps all)
   * @param size resize to this, or null to keep the source size
   */
  public static VideoReader.Decoded read(Path source, int frames, int stride, Size size) {
    if (frames < 1) {
      throw new VideoJamException("frames must be >= 1, got " + frames);
    }
    if (stride < 1) {
      throw new VideoJamException("stride must be >= 1, got " + stride);
    }
    if (size != null) {
      // a clip needs two frames at least; refuse a size whose two frames cannot fit before decoding anything
      io.videojam.api.Memory.require(2 * bytesPerFrame(size.width(), size.height()), "two frames of " + size.width() + "x" + size.height()
          + " (as pixels, floats, flow and motion)", "use a smaller --size");
    }
    VideoReader.Decoded all;
    if (Files.isDirectory(source)) {
      all = readFolder(source, frames * stride);
    } else {
      all = VideoReader.decode(source, (int) Math.min(Integer.MAX_VALUE, (long) frames * stride - (stride - 1)));
    }
    List<BufferedImage> kept = new ArrayList<>();
    long planned = 0;
    for (int i = 0; i < all.frames().size() && kept.size() < frames; i += stride) {
      BufferedImage f = all.frames().get(i);
      int w = size == null ? f.getWidth() : size.width();
      int h = size == null ? f.getHeight() : size.height();
      planned += bytesPerFrame(w, h);
      io.videojam.api.Memory.require(planned, (kept.size() + 1) + " frames of " + w + "x" + h + " (as pixels, floats, flow and motion)",
          "keep at most " + kept.size() + " frames (--frames) or use a smaller --size");
      kept.add(size == null ? f : resize(f, size));
    }
    return new VideoReader.Decoded(kept, all.fps() / stride);
  }

  /**
   * Memory one frame of a clip takes through the pipeline that reads it: 3 bytes of pixels, 12 of
   * float RGB, 8 of optical flow and 12 of the flow's RGB rendering, per pixel.
   */
  public static long bytesPerFrame(int width, int height) {
    return (long) width * height * 35;
  }

  private static VideoReader.Decoded readFolder(Path dir, int max) {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g)$"))
          .sorted().limit(max).toList();
    } catch (IOException e) {
      throw new VideoJamException("cannot list frames in " + dir + ": " + e.getMessage());
    }
    if (files.isEmpty()) {
      throw new VideoJamException(dir + " holds no .png or .jpg frames; pass a video file or a folder of frames");
    }
    List<BufferedImage> frames = new ArrayList<>();
    for (Path f : files) {
      BufferedImage img = readImage(f, frames.size());
      if (!frames.isEmpty() && (img.getWidth() != frames.get(0).getWidth() || img.getHeight() != frames.get(0).getHeight())) {
        throw new VideoJamException("frames of different sizes in " + dir + ": " + files.get(0).getFileName() + " is "
            + frames.get(0).getWidth() + "x" + frames.get(0).getHeight() + ", " + f.getFileName() + " is " + img.getWidth() + "x"
            + img.getHeight() + "; resize them alike or pass --size");
      }
      frames.add(Frames.toBgr(img));
    }
    return new VideoReader.Decoded(frames, 24);
  }

  /**
   * One frame of a folder, its size (from the file's header) checked before it is decoded.
   *
   * @param index the frame's place in the folder: the frames before it count against {@link VideoReader#MAX_PIXELS}
   */
  static BufferedImage readImage(Path f, int index) {
    try (javax.imageio.stream.ImageInputStream in = javax.imageio.ImageIO.createImageInputStream(f.toFile())) {
      java.util.Iterator<javax.imageio.ImageReader> readers = in == null ? null : javax.imageio.ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new VideoJamException("cannot read frame " + f + ": not an image");
      }
      javax.imageio.ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        VideoReader.checkSize("frame " + f, reader.getWidth(0), reader.getHeight(0), index);
        BufferedImage img = reader.read(0);
        if (img == null) {
          throw new VideoJamException("cannot read frame " + f + ": not an image");
        }
        return img;
      } finally {
        reader.dispose();
      }
    } catch (VideoJamException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new VideoJamException("cannot read frame " + f + ": " + AtomicFiles.reason(e), e);
    }
  }

  /** Bilinear resize (halving first while the image is more than twice the target, to avoid aliasing). */
  public static BufferedImage resize(BufferedImage img, Size size) {
    BufferedImage cur = img;
    while (cur.getWidth() >= 2 * size.width() && cur.getHeight() >= 2 * size.height()) {
      cur = draw(cur, cur.getWidth() / 2, cur.getHeight() / 2);
    }
    return cur.getWidth() == size.width() && cur.getHeight() == size.height() ? cur : draw(cur, size.width(), size.height());
  }

  private static BufferedImage draw(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
