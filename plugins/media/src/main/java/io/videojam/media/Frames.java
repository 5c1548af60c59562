package io.videojam.media;

import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conversions between video tensors and images.
 *
 * <p>A video tensor is a {@link FloatTensor} of shape {@code [C, T, H, W]} (channels, frames,
 * height, width; row-major) with values in {@code [-1, 1]}. {@code C} is 3 (RGB) or 1 (grey, shown
 * as grey RGB). A value {@code v} becomes the 8-bit level {@code round((clamp(v, -1, 1) + 1) / 2 *
 * 255)}; the inverse maps level {@code p} to {@code p / 127.5 - 1}, so tensor -> image -> tensor ->
 * image is exact.
 *
 * <p>Images produced here are {@link BufferedImage#TYPE_3BYTE_BGR}; methods that read images accept
 * any type.
 */
public final class Frames {
  /** The shorter side, in pixels, that {@link #autoScale} upscales small videos to. */
  public static final int AUTO_SCALE_MIN_SIDE = 256;

  private Frames() {}

  /** 8-bit level of a tensor value: clamps to [-1, 1], then {@code round((v + 1) / 2 * 255)}. */
  public static int toLevel(float v) {
    float c = v < -1f ? -1f : (v > 1f ? 1f : v);
    return Math.round((c + 1f) * 0.5f * 255f);
  }

  /** Tensor value of an 8-bit level: {@code p / 127.5 - 1}. */
  public static float fromLevel(int p) {
    return p / 127.5f - 1f;
  }

  /**
   * Smallest integer upscale factor {@code s >= 1} with {@code min(height, width) * s >= 256}, raised
   * by one when needed so that both {@code height * s} and {@code width * s} are even (H.264 in
   * yuv420p needs even sizes). Odd sizes of 256 or more therefore get {@code s = 2}.
   */
  public static int autoScale(int height, int width) {
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("frame size must be positive, got " + width + "x" + height);
    }
    int min = Math.min(height, width);
    int s = Math.max(1, (AUTO_SCALE_MIN_SIDE + min - 1) / min);
    if ((height * s) % 2 != 0 || (width * s) % 2 != 0) {
      s++; // s was odd and a side is odd; an even s makes both products even
    }
    return s;
  }

  /**
   * The upscale factor to use for a video tensor: {@code scale} itself, or {@link #autoScale} of its
   * size when {@code scale == 0}. Validates the shape.
   */
  public static int resolveScale(FloatTensor video, int scale) {
    int[] d = dims(video);
    if (scale < 0) {
      throw new IllegalArgumentException("scale must be >= 0 (0 = auto), got " + scale);
    }
    return scale == 0 ? autoScale(d[2], d[3]) : scale;
  }

  /** Number of frames T of a video tensor {@code [C, T, H, W]} (validates the shape). */
  public static int frameCount(FloatTensor video) {
    return dims(video)[1];
  }

  /**
   * All frames of a video tensor {@code [C, T, H, W]} as {@code TYPE_3BYTE_BGR} images of size
   * {@code (W * scale) x (H * scale)}, upscaled by nearest neighbour.
   *
   * @throws VideoJamException if the tensor holds NaN or infinity (one line, names the position)
   * @throws IllegalArgumentException if the shape is not {@code [1|3, T, H, W]} or scale < 1
   */
  public static List<BufferedImage> toImages(FloatTensor video, int scale) {
    int t = frameCount(video);
    List<BufferedImage> out = new ArrayList<>(t);
    for (int i = 0; i < t; i++) {
      out.add(toImage(video, i, scale));
    }
    return out;
  }

  /** Frame {@code t} of a video tensor {@code [C, T, H, W]}; see {@link #toImages}. */
  public static BufferedImage toImage(FloatTensor video, int t, int scale) {
    int[] d = dims(video);
    int c = d[0], frames = d[1], h = d[2], w = d[3];
    if (t < 0 || t >= frames) {
      throw new IndexOutOfBoundsException("frame " + t + " of " + frames);
    }
    if (scale < 1) {
      throw new IllegalArgumentException("scale must be >= 1, got " + scale);
    }
    float[] data = video.data();
    int plane = h * w;
    int outW = Math.multiplyExact(w, scale);
    int outH = Math.multiplyExact(h, scale);
    BufferedImage img = new BufferedImage(outW, outH, BufferedImage.TYPE_3BYTE_BGR);
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    byte[] row = new byte[outW * 3];
    int[] rgb = new int[3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int ch = 0; ch < 3; ch++) {
          int idx = ((c == 1 ? 0 : ch) * frames + t) * plane + y * w + x;
          float v = data[idx];
          if (!Float.isFinite(v)) {
            throw new VideoJamException(
                "video tensor " + Arrays.toString(video.shape()) + " has a non-finite value (" + v
                    + ") at channel " + (c == 1 ? 0 : ch) + ", frame " + t + ", pixel (" + x + ", " + y + ")");
          }
          rgb[ch] = toLevel(v);
        }
        for (int k = 0; k < scale; k++) {
          int o = (x * scale + k) * 3;
          row[o] = (byte) rgb[2];
          row[o + 1] = (byte) rgb[1];
          row[o + 2] = (byte) rgb[0];
        }
      }
      for (int k = 0; k < scale; k++) {
        System.arraycopy(row, 0, px, (y * scale + k) * outW * 3, row.length);
      }
    }
    return img;
  }

  /**
   * Images (all the same size, any type) to a video tensor {@code [3, T, H, W]} with values {@code p
   * / 127.5 - 1}.
   */
  public static FloatTensor fromImages(List<BufferedImage> frames) {
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("no frames");
    }
    int w = frames.get(0).getWidth();
    int h = frames.get(0).getHeight();
    int t = frames.size();
    int plane = h * w;
    float[] data = new float[Math.multiplyExact(Math.multiplyExact(3, t), plane)];
    int[] argb = new int[plane];
    for (int i = 0; i < t; i++) {
      BufferedImage img = frames.get(i);
      if (img.getWidth() != w || img.getHeight() != h) {
        throw new IllegalArgumentException(
            "frame " + i + " is " + img.getWidth() + "x" + img.getHeight() + ", frame 0 is " + w + "x" + h);
      }
      img.getRGB(0, 0, w, h, argb, 0, w);
      for (int p = 0; p < plane; p++) {
        int v = argb[p];
        data[(0 * t + i) * plane + p] = fromLevel((v >> 16) & 0xff);
        data[(1 * t + i) * plane + p] = fromLevel((v >> 8) & 0xff);
        data[(2 * t + i) * plane + p] = fromLevel(v & 0xff);
      }
    }
    return new FloatTensor(new long[] {3, t, h, w}, data);
  }

  /**
   * The videos' frames side by side at their own size, one video per row (rows of one size and
   * frame count; null rows are left out), e.g. a clip above its motion prediction.
   */
  public static BufferedImage strip(FloatTensor... rows) {
    List<List<BufferedImage>> frames = new java.util.ArrayList<>();
    for (FloatTensor r : rows) {
      if (r != null) {
        frames.add(toImages(r, 1));
      }
    }
    int w = frames.get(0).get(0).getWidth();
    int h = frames.get(0).get(0).getHeight();
    BufferedImage strip = new BufferedImage(w * frames.get(0).size(), h * frames.size(), BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = strip.createGraphics();
    for (int r = 0; r < frames.size(); r++) {
      for (int t = 0; t < frames.get(r).size(); t++) {
        g.drawImage(frames.get(r).get(t), t * w, r * h, null);
      }
    }
    g.dispose();
    return strip;
  }

  /** Nearest-neighbour integer upscale; returns a new {@code TYPE_3BYTE_BGR} image. */
  public static BufferedImage upscale(BufferedImage img, int scale) {
    if (scale < 1) {
      throw new IllegalArgumentException("scale must be >= 1, got " + scale);
    }
    int w = img.getWidth(), h = img.getHeight();
    BufferedImage out =
        new BufferedImage(Math.multiplyExact(w, scale), Math.multiplyExact(h, scale), BufferedImage.TYPE_3BYTE_BGR);
    int[] src = img.getRGB(0, 0, w, h, null, 0, w);
    int outW = w * scale;
    int[] row = new int[outW];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        Arrays.fill(row, x * scale, (x + 1) * scale, src[y * w + x]);
      }
      for (int k = 0; k < scale; k++) {
        out.setRGB(0, y * scale + k, outW, 1, row, 0, outW);
      }
    }
    return out;
  }

  /**
   * The image as {@code TYPE_3BYTE_BGR}: the same object if it already is one, else a copy (alpha
   * is dropped).
   */
  public static BufferedImage toBgr(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_3BYTE_BGR) {
      return img;
    }
    int w = img.getWidth(), h = img.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    out.setRGB(0, 0, w, h, img.getRGB(0, 0, w, h, null, 0, w), 0, w);
    return out;
  }

  /** A deep copy of the image as {@code TYPE_3BYTE_BGR}. */
  public static BufferedImage copy(BufferedImage img) {
    int w = img.getWidth(), h = img.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    out.setRGB(0, 0, w, h, img.getRGB(0, 0, w, h, null, 0, w), 0, w);
    return out;
  }

  /**
   * A BGR24 frame (rows {@code 3 * width} bytes apart, as {@link VideoReader#stream} gives it) as an
   * RGB frame {@code [3, H, W]} with values {@code p / 127.5 - 1}, as {@link #fromImages} makes them.
   */
  public static FloatTensor fromBgr(byte[] bgr, int height, int width) {
    // one frame of [3, 1, H, W] is laid out as [3, H, W]
    return new FloatTensor(new long[] {3, height, width}, fromBgr(List.of(bgr), height, width).data());
  }

  /**
   * BGR24 frames of one size (as {@link VideoReader#stream} gives them) as a video tensor
   * {@code [3, T, H, W]} with values {@code p / 127.5 - 1}, as {@link #fromImages} makes it.
   */
  public static FloatTensor fromBgr(List<byte[]> frames, int height, int width) {
    int plane = Math.multiplyExact(height, width);
    int t = frames.size();
    if (t < 1) {
      throw new IllegalArgumentException("no frames");
    }
    float[] data = new float[Math.multiplyExact(Math.multiplyExact(3, t), plane)];
    for (int f = 0; f < t; f++) {
      byte[] bgr = frames.get(f);
      if (bgr.length != 3 * plane) {
        throw new IllegalArgumentException("frame " + f + ": " + bgr.length + " bytes are not a BGR24 frame of " + width + "x" + height);
      }
      int r = f * plane;
      int g = (t + f) * plane;
      int b = (2 * t + f) * plane;
      for (int p = 0; p < plane; p++) {
        data[r + p] = LEVELS[bgr[3 * p + 2] & 0xff];
        data[g + p] = LEVELS[bgr[3 * p + 1] & 0xff];
        data[b + p] = LEVELS[bgr[3 * p] & 0xff];
      }
    }
    return new FloatTensor(new long[] {3, t, height, width}, data);
  }

  /** {@link #fromLevel} of every level. */
  private static final float[] LEVELS = new float[256];

  static {
    for (int p = 0; p < 256; p++) {
      LEVELS[p] = fromLevel(p);
    }
  }

  /**
   * An 8-bit RGB frame, planar {@code [3, H, W]} (red plane, green plane, blue plane, as
   * {@code FlowRgbCodec.encodeLevels} writes it), as a {@code TYPE_3BYTE_BGR} image upscaled by
   * {@code scale} (nearest neighbour).
   */
  public static BufferedImage fromPlanarLevels(byte[] rgb, int height, int width, int scale) {
    int plane = Math.multiplyExact(height, width);
    if (rgb.length != 3 * plane || scale < 1) {
      throw new IllegalArgumentException(rgb.length + " bytes at scale " + scale + " are not a planar RGB frame of " + width + "x" + height);
    }
    int outW = Math.multiplyExact(width, scale);
    BufferedImage img = new BufferedImage(outW, Math.multiplyExact(height, scale), BufferedImage.TYPE_3BYTE_BGR);
    byte[] px = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < height; y++) {
      int o = y * scale * outW * 3;
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        for (int k = 0; k < scale; k++) {
          px[o++] = rgb[2 * plane + i];
          px[o++] = rgb[plane + i];
          px[o++] = rgb[i];
        }
      }
      for (int k = 1; k < scale; k++) { // the other rows of this pixel row repeat the first
        System.arraycopy(px, y * scale * outW * 3, px, (y * scale + k) * outW * 3, outW * 3);
      }
    }
    return img;
  }

  /** {C, T, H, W} as ints, validating rank, channels and sizes. */
  private static int[] dims(FloatTensor video) {
    long[] s = video.shape();
    if (s.length != 4 || (s[0] != 3 && s[0] != 1) || s[1] < 1 || s[2] < 1 || s[3] < 1) {
      throw new IllegalArgumentException("video tensor must be [3, T, H, W] or [1, T, H, W], got " + Arrays.toString(s));
    }
    return new int[] {(int) s[0], Math.toIntExact(s[1]), Math.toIntExact(s[2]), Math.toIntExact(s[3])};
  }
}
