package io.videojam.media;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A colour palette of at most 256 entries for GIF, built from one or more frames ({@link GifWriter}
 * builds one for the whole animation, so that colours do not flicker, and one per frame where the
 * shared palette is poor for it).
 *
 * <p>If the frames hold 256 distinct colours or fewer, the palette is exactly those colours (no
 * loss). Otherwise it is built by median cut over a 15-bit (5 bits per channel) histogram of all
 * pixels: the box with the largest pixel count times its longest side is split at the pixel median
 * of that side until there are 256 boxes; each entry is the exact mean colour of its box's pixels.
 * (A k-means refinement was tried and changed the error by under 2% at many times the cost.)
 * Pixels are mapped to the nearest entry (weighted squared RGB distance, cached per 6-bit-per-channel
 * cell); there is no dithering, which keeps still areas still and files small.
 */
final class Palette {
  static final int MAX_COLORS = 256;

  private final int[] rgb; // 0xRRGGBB entries
  private final int[] byGreen; // entry indices sorted by green, for nearest()
  private final IndexColorModel model;
  private final HashMap<Integer, Integer> exact; // colour -> index, when lossless
  private final short[] lookup; // 18-bit key -> index + 1 (0 = not computed), when lossy

  private Palette(int[] rgb, boolean lossless) {
    this.rgb = rgb;
    int n = rgb.length;
    this.byGreen = java.util.stream.IntStream.range(0, n).boxed()
        .sorted(Comparator.comparingInt(i -> rgb[i] >> 8 & 0xff))
        .mapToInt(Integer::intValue).toArray();
    int size = 2; // GIF colour tables have 2, 4, ..., 256 entries; unused ones stay black
    while (size < n) {
      size *= 2;
    }
    byte[] r = new byte[size], g = new byte[size], b = new byte[size];
    for (int i = 0; i < n; i++) {
      r[i] = (byte) (rgb[i] >> 16);
      g[i] = (byte) (rgb[i] >> 8);
      b[i] = (byte) rgb[i];
    }
    this.model = new IndexColorModel(8, size, r, g, b);
    if (lossless) {
      exact = new HashMap<>();
      for (int i = 0; i < n; i++) {
        exact.put(rgb[i], i);
      }
      lookup = null;
    } else {
      exact = null;
      lookup = new short[1 << 18];
    }
  }

  /** Number of palette entries. */
  int size() {
    return rgb.length;
  }

  /** Size of the GIF colour table: the next power of two from 2 to 256. */
  int tableSize() {
    return model.getMapSize();
  }

  /** Entry {@code i} as 0xRRGGBB. */
  int color(int i) {
    return rgb[i];
  }

  /** Builds the palette for all pixels of the frames. */
  static Palette of(List<BufferedImage> frames) {
    // Distinct colours, stopping once there are too many for a lossless palette.
    HashSet<Integer> distinct = new HashSet<>();
    int[] hist = new int[1 << 15];
    long[] sumR = new long[1 << 15], sumG = new long[1 << 15], sumB = new long[1 << 15];
    for (BufferedImage f : frames) {
      int w = f.getWidth(), h = f.getHeight();
      int[] row = new int[w];
      for (int y = 0; y < h; y++) {
        f.getRGB(0, y, w, 1, row, 0, w);
        for (int p : row) {
          int c = p & 0xffffff;
          if (distinct.size() <= MAX_COLORS) {
            distinct.add(c);
          }
          int rr = c >> 16, gg = (c >> 8) & 0xff, bb = c & 0xff;
          int key = ((rr >> 3) << 10) | ((gg >> 3) << 5) | (bb >> 3);
          hist[key]++;
          sumR[key] += rr;
          sumG[key] += gg;
          sumB[key] += bb;
        }
      }
    }
    if (distinct.size() <= MAX_COLORS) {
      int[] colors = distinct.stream().mapToInt(Integer::intValue).sorted().toArray();
      return new Palette(colors, true);
    }
    return new Palette(medianCut(hist, sumR, sumG, sumB), false);
  }

  /** A frame mapped to a palette, and the mean absolute per-channel error of that mapping. */
  record Indexed(BufferedImage image, double meanError) {}

  /** The frame as an 8-bit indexed image using this palette. */
  Indexed index(BufferedImage frame) {
    int w = frame.getWidth(), h = frame.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, model);
    int[] row = new int[w];
    int[] idx = new int[w];
    long err = 0;
    for (int y = 0; y < h; y++) {
      frame.getRGB(0, y, w, 1, row, 0, w);
      for (int x = 0; x < w; x++) {
        int c = row[x] & 0xffffff;
        int i = indexOf(c);
        idx[x] = i;
        int p = rgb[i];
        err += Math.abs((c >> 16) - (p >> 16 & 0xff)) + Math.abs((c >> 8 & 0xff) - (p >> 8 & 0xff))
            + Math.abs((c & 0xff) - (p & 0xff));
      }
      out.getRaster().setSamples(0, y, w, 1, 0, idx);
    }
    return new Indexed(out, err / (3.0 * w * h));
  }

  /** Palette index for a colour 0xRRGGBB. */
  int indexOf(int c) {
    if (exact != null) {
      Integer i = exact.get(c);
      return i != null ? i : nearest(c);
    }
    int key = (((c >> 18) & 0x3f) << 12) | (((c >> 10) & 0x3f) << 6) | ((c >> 2) & 0x3f);
    int v = lookup[key];
    if (v == 0) {
      // nearest entry to the centre of the 4x4x4 cell
      int centre = ((((c >> 16) & 0xfc) | 2) << 16) | ((((c >> 8) & 0xfc) | 2) << 8) | ((c & 0xfc) | 2);
      v = nearest(centre) + 1;
      lookup[key] = (short) v;
    }
    return v - 1;
  }

  /**
   * Index of the entry nearest to {@code c} by weighted squared distance {@code 2 dr² + 4 dg² + 3
   * db²} (a mild perceptual weighting). Entries are kept sorted by green; the search walks outwards
   * from {@code c}'s green and stops once the green difference alone exceeds the best distance.
   */
  private int nearest(int c) {
    int r = c >> 16 & 0xff, g = c >> 8 & 0xff, b = c & 0xff;
    int n = byGreen.length;
    int lo = 0, hi = n;
    while (lo < hi) { // first entry with green >= g
      int mid = (lo + hi) >>> 1;
      if ((rgb[byGreen[mid]] >> 8 & 0xff) < g) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    int best = byGreen[Math.min(lo, n - 1)];
    int bestD = Integer.MAX_VALUE;
    int up = lo, down = lo - 1;
    while (up < n || down >= 0) {
      if (up < n) {
        int i = byGreen[up++];
        int dg = (rgb[i] >> 8 & 0xff) - g;
        if (4 * dg * dg >= bestD) {
          up = n;
        } else {
          int dr = r - (rgb[i] >> 16 & 0xff), db = b - (rgb[i] & 0xff);
          int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
          if (d < bestD) {
            bestD = d;
            best = i;
          }
        }
      }
      if (down >= 0) {
        int i = byGreen[down--];
        int dg = g - (rgb[i] >> 8 & 0xff);
        if (4 * dg * dg >= bestD) {
          down = -1;
        } else {
          int dr = r - (rgb[i] >> 16 & 0xff), db = b - (rgb[i] & 0xff);
          int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db;
          if (d < bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }

  /** A box of 15-bit histogram cells, min/max per channel in 5-bit units. */
  private static final class Box {
    final int[] cells;
    final long count;
    final int[] lo = new int[3], hi = new int[3];

    Box(int[] cells, int[] hist) {
      this.cells = cells;
      long n = 0;
      Arrays.fill(lo, 31);
      for (int k : cells) {
        n += hist[k];
        for (int a = 0, shift = 10; a < 3; a++, shift -= 5) {
          int v = (k >> shift) & 31;
          lo[a] = Math.min(lo[a], v);
          hi[a] = Math.max(hi[a], v);
        }
      }
      this.count = n;
    }

    int longest() {
      int best = 0;
      for (int a = 1; a < 3; a++) {
        if (hi[a] - lo[a] > hi[best] - lo[best]) {
          best = a;
        }
      }
      return best;
    }

    double priority() {
      int a = longest();
      return cells.length < 2 ? -1 : (double) count * (hi[a] - lo[a] + 1);
    }
  }

  private static int[] medianCut(int[] hist, long[] sumR, long[] sumG, long[] sumB) {
    int used = 0;
    for (int h : hist) {
      if (h > 0) {
        used++;
      }
    }
    int[] all = new int[used];
    for (int k = 0, j = 0; k < hist.length; k++) {
      if (hist[k] > 0) {
        all[j++] = k;
      }
    }
    PriorityQueue<Box> queue = new PriorityQueue<>(Comparator.comparingDouble(Box::priority).reversed());
    queue.add(new Box(all, hist));
    List<Box> done = new ArrayList<>();
    while (!queue.isEmpty() && queue.size() + done.size() < MAX_COLORS) {
      Box box = queue.poll();
      if (box.priority() < 0) {
        done.add(box); // a single cell cannot be split
        continue;
      }
      int axis = box.longest();
      int shift = axis == 0 ? 10 : (axis == 1 ? 5 : 0);
      int[] cells = new int[box.cells.length];
      for (int i = 0; i < cells.length; i++) { // sort by the axis value: key = value << 15 | cell
        int k = box.cells[i];
        cells[i] = ((k >> shift) & 31) << 15 | k;
      }
      Arrays.sort(cells);
      for (int i = 0; i < cells.length; i++) {
        cells[i] &= 0x7fff;
      }
      long half = box.count / 2, acc = 0;
      int split = 1;
      for (int i = 0; i < cells.length - 1; i++) {
        acc += hist[cells[i]];
        split = i + 1;
        if (acc >= half) {
          break;
        }
      }
      int[] a = Arrays.copyOfRange(cells, 0, split);
      int[] b = Arrays.copyOfRange(cells, split, cells.length);
      queue.add(new Box(a, hist));
      queue.add(new Box(b, hist));
    }
    done.addAll(queue);
    int[] colors = new int[done.size()];
    for (int i = 0; i < colors.length; i++) { // exact mean colour of the box's pixels
      long n = 0, r = 0, g = 0, bl = 0;
      for (int k : done.get(i).cells) {
        n += hist[k];
        r += sumR[k];
        g += sumG[k];
        bl += sumB[k];
      }
      colors[i] = (int) ((r + n / 2) / n) << 16 | (int) ((g + n / 2) / n) << 8 | (int) ((bl + n / 2) / n);
    }
    return colors;
  }
}
