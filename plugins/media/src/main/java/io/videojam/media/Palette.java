package io.videojam.media;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A colour palette of at most 256 entries for GIF, built once for all frames of an animation so
 * that colours do not flicker between frames.
 *
 * <p>If the frames hold 256 distinct colours or fewer, the palette is exactly those colours (no
 * loss). Otherwise it is built by median cut over a 15-bit (5 bits per channel) histogram of all
 * pixels: the box with the largest pixel count times its longest side is split at the pixel median
 * of that side until there are 256 boxes, whose mean colours are then refined by a few rounds of
 * weighted k-means over the histogram.
 * Pixels are mapped to the nearest entry (squared RGB distance, via an 18-bit lookup table); there
 * is no dithering, which keeps still areas still and files small.
 */
final class Palette {
  static final int MAX_COLORS = 256;
  private static final int KMEANS_ROUNDS = 4;

  private final int[] rgb; // 0xRRGGBB entries
  private final IndexColorModel model;
  private final java.util.HashMap<Integer, Integer> exact; // colour -> index, when lossless
  private final short[] lookup; // 18-bit key -> index + 1 (0 = not computed), when lossy

  private Palette(int[] rgb, boolean lossless) {
    this.rgb = rgb;
    int n = rgb.length;
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
      exact = new java.util.HashMap<>();
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

  /** Builds the palette for all pixels of all frames. */
  static Palette of(List<BufferedImage> frames) {
    // Distinct colours, stopping once there are too many for a lossless palette.
    java.util.HashSet<Integer> distinct = new java.util.HashSet<>();
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

  private int nearest(int c) {
    int r = c >> 16 & 0xff, g = c >> 8 & 0xff, b = c & 0xff;
    int best = 0;
    int bestD = Integer.MAX_VALUE;
    for (int i = 0; i < rgb.length; i++) {
      int dr = r - (rgb[i] >> 16 & 0xff), dg = g - (rgb[i] >> 8 & 0xff), db = b - (rgb[i] & 0xff);
      int d = 2 * dr * dr + 4 * dg * dg + 3 * db * db; // mild perceptual weighting
      if (d < bestD) {
        bestD = d;
        best = i;
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
        int[] ch = {k >> 10, (k >> 5) & 31, k & 31};
        for (int a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a], ch[a]);
          hi[a] = Math.max(hi[a], ch[a]);
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
      Integer[] cells = Arrays.stream(box.cells).boxed().toArray(Integer[]::new);
      Arrays.sort(cells, Comparator.comparingInt(k -> (k >> shift) & 31));
      long half = box.count / 2, acc = 0;
      int split = 1;
      for (int i = 0; i < cells.length - 1; i++) {
        acc += hist[cells[i]];
        split = i + 1;
        if (acc >= half) {
          break;
        }
      }
      int[] a = Arrays.stream(cells, 0, split).mapToInt(Integer::intValue).toArray();
      int[] b = Arrays.stream(cells, split, cells.length).mapToInt(Integer::intValue).toArray();
      queue.add(new Box(a, hist));
      queue.add(new Box(b, hist));
    }
    done.addAll(queue);
    // Each histogram cell as a weighted point at the mean colour of its pixels.
    int m = all.length;
    double[] pr = new double[m], pg = new double[m], pb = new double[m];
    long[] w = new long[m];
    for (int j = 0; j < m; j++) {
      int k = all[j];
      w[j] = hist[k];
      pr[j] = (double) sumR[k] / hist[k];
      pg[j] = (double) sumG[k] / hist[k];
      pb[j] = (double) sumB[k] / hist[k];
    }
    java.util.HashMap<Integer, Integer> cellIndex = new java.util.HashMap<>();
    for (int j = 0; j < m; j++) {
      cellIndex.put(all[j], j);
    }
    int n = done.size();
    double[] cr = new double[n], cg = new double[n], cb = new double[n];
    int[] assign = new int[m];
    for (int i = 0; i < n; i++) {
      double sw = 0, r = 0, g = 0, bl = 0;
      for (int k : done.get(i).cells) {
        int j = cellIndex.get(k);
        assign[j] = i;
        sw += w[j];
        r += w[j] * pr[j];
        g += w[j] * pg[j];
        bl += w[j] * pb[j];
      }
      cr[i] = r / sw;
      cg[i] = g / sw;
      cb[i] = bl / sw;
    }
    // A few weighted k-means (Lloyd) rounds move the median-cut colours to where the pixels are.
    for (int round = 0; round < KMEANS_ROUNDS; round++) {
      for (int j = 0; j < m; j++) {
        int best = assign[j];
        double bestD = Double.MAX_VALUE;
        for (int i = 0; i < n; i++) {
          double dr = pr[j] - cr[i], dg = pg[j] - cg[i], db = pb[j] - cb[i];
          double d = dr * dr + dg * dg + db * db;
          if (d < bestD) {
            bestD = d;
            best = i;
          }
        }
        assign[j] = best;
      }
      double[] sw = new double[n], sr = new double[n], sg = new double[n], sb = new double[n];
      for (int j = 0; j < m; j++) {
        int i = assign[j];
        sw[i] += w[j];
        sr[i] += w[j] * pr[j];
        sg[i] += w[j] * pg[j];
        sb[i] += w[j] * pb[j];
      }
      for (int i = 0; i < n; i++) {
        if (sw[i] > 0) { // an entry that lost all its pixels keeps its colour
          cr[i] = sr[i] / sw[i];
          cg[i] = sg[i] / sw[i];
          cb[i] = sb[i] / sw[i];
        }
      }
    }
    int[] colors = new int[n];
    for (int i = 0; i < n; i++) {
      colors[i] = (int) Math.round(cr[i]) << 16 | (int) Math.round(cg[i]) << 8 | (int) Math.round(cb[i]);
    }
    return colors;
  }
}
