package io.videojam.eval;

import io.videojam.api.FloatTensor;
import io.videojam.jamworld.JamWorld;
import io.videojam.jamworld.WorldConfig;
import io.videojam.media.ContactSheet;
import io.videojam.media.Frames;
import io.videojam.media.PngWriter;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The pictures of an evaluation: each configuration's first-seed clip of each prompt as a strip
 * ({@code clips/CONFIG/ID.png}), contact sheets per configuration and category
 * ({@code sheets/CONFIG-CATEGORY.png}) and the per-prompt sheets of the HTML report.
 */
public final class ContactSheets {
  private ContactSheets() {}

  /** The strip of a clip: {@code OUT/clips/CONFIG/ID.png}. */
  public static Path stripFile(Path out, String config, String id) {
    return out.resolve("clips").resolve(config).resolve(id + ".png");
  }

  /** The clip's frames side by side (and the motion prediction under them, when not null), 8-bit PNG, for the report's sheets. */
  public static void writeStrip(Path out, String config, String id, FloatTensor video, FloatTensor motion) throws IOException {
    BufferedImage strip = Frames.strip(video, motion);
    Path file = stripFile(out, config, id);
    Files.createDirectories(file.getParent());
    PngWriter.write(file, strip);
  }

  /**
   * OUT/sheets/CONFIG-CATEGORY.png: the first seed's clips of a category's first 8 prompts, video
   * above motion prediction, frames upscaled 8x (for a world suite, whose frames are the world's size).
   *
   * @param seed the first seed number (named in the titles)
   */
  public static void writeSheets(Path out, List<Configuration> configurations, PromptSuite prompts, WorldConfig wc, long seed) throws IOException {
    int w = wc.width(), h = wc.height(), scale = 8;
    Files.createDirectories(out.resolve("sheets"));
    for (Configuration c : configurations) {
      if (c.reference()) {
        continue;
      }
      Map<String, LinkedHashMap<String, List<BufferedImage>>> byCategory = new LinkedHashMap<>();
      Map<String, Integer> counts = new LinkedHashMap<>();
      for (PromptSuite.Prompt p : prompts.prompts()) {
        Path png = stripFile(out, c.key(), p.id());
        int n = counts.merge(p.category(), 1, Integer::sum);
        if (n > 8 || !Files.isRegularFile(png)) {
          continue;
        }
        BufferedImage strip = ImageIO.read(png.toFile());
        LinkedHashMap<String, List<BufferedImage>> rows = byCategory.computeIfAbsent(p.category(), k -> new LinkedHashMap<>());
        for (int r = 0; r < strip.getHeight() / h; r++) {
          List<BufferedImage> frames = new ArrayList<>();
          for (int f = 0; f < strip.getWidth() / w; f++) {
            BufferedImage big = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = big.createGraphics();
            g.drawImage(strip.getSubimage(f * w, r * h, w, h), 0, 0, w * scale, h * scale, null);
            g.dispose();
            frames.add(big);
          }
          rows.put(r == 0 ? p.id() + ": " + p.prompt() : "(" + p.id() + ") motion", frames);
        }
      }
      for (Map.Entry<String, LinkedHashMap<String, List<BufferedImage>>> e : byCategory.entrySet()) {
        ContactSheet.write(out.resolve("sheets").resolve(c.key() + "-" + e.getKey().toLowerCase(Locale.ROOT) + ".png"),
            c.label() + ", " + e.getKey() + ", seed " + seed, e.getValue(), wc.frames());
      }
    }
  }

  /** The prompt's first-seed clips of every configuration (and the rendered truth), from OUT/clips; null when there are none. */
  public static BufferedImage sheet(Path out, List<Configuration> configurations, PromptSuite.Prompt p) {
    LinkedHashMap<String, List<BufferedImage>> rowsOut = new LinkedHashMap<>();
    if (p.spec() != null) {
      WorldConfig wc = WorldConfig.defaults();
      rowsOut.put("truth", upscale(Frames.toImages(new FloatTensor(new long[] {3, wc.frames(), wc.height(), wc.width()},
          new JamWorld(wc).render(p.spec()).video()), 1)));
    }
    for (Configuration c : configurations) {
      if (c.reference()) {
        continue;
      }
      Path strip = stripFile(out, c.key(), p.id());
      if (!Files.isRegularFile(strip)) {
        continue;
      }
      BufferedImage img = PngWriter.read(strip);
      int h = img.getWidth() / 8 == img.getHeight() ? img.getHeight() : img.getHeight() / 2;
      int frames = img.getWidth() / h;
      List<BufferedImage> v = new ArrayList<>();
      List<BufferedImage> m = new ArrayList<>();
      for (int t = 0; t < frames; t++) {
        v.add(img.getSubimage(t * h, 0, h, h));
        if (img.getHeight() > h) {
          m.add(img.getSubimage(t * h, h, h, h));
        }
      }
      rowsOut.put(c.key(), upscale(v));
      if (!m.isEmpty() && !"motion-off".equals(c.guidance())) { // with motion off the motion output is never guided: noise
        rowsOut.put(c.key() + " motion", upscale(m));
      }
    }
    return rowsOut.isEmpty() ? null : ContactSheet.render(p.id() + ": " + p.prompt(), rowsOut, 8);
  }

  private static List<BufferedImage> upscale(List<BufferedImage> frames) {
    return frames.stream().map(f -> Frames.upscale(f, Math.max(1, 32 / f.getHeight()))).toList();
  }
}
