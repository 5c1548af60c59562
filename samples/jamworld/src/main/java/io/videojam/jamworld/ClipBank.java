package io.videojam.jamworld;

import io.videojam.api.AtomicFiles;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import io.videojam.conditioning.WordVocabTextEncoder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of rendered training clips with their motion targets and token ids, stored as 8-bit
 * levels (value = level / 127.5 - 1), so thousands of clips fit in memory and on disk and every
 * training stage reads the same data.
 *
 * <p>Clip {@code i} is {@code world.sample(seed + i, split)}: the bank is a pure function of
 * (world config, split, count, seed, estimator, sigma).
 */
public final class ClipBank {
  private static final int MAGIC = 0x564a424b; // "VJBK"

  private final WorldConfig config;
  private final int maxTokens;
  private final byte[] video;
  private final byte[] motion;
  private final long[] text;
  private final List<String> prompts;

  private ClipBank(WorldConfig config, int maxTokens, byte[] video, byte[] motion, long[] text, List<String> prompts) {
    this.config = config;
    this.maxTokens = maxTokens;
    this.video = video;
    this.motion = motion;
    this.text = text;
    this.prompts = prompts;
  }

  /** Values per clip and channel group: {@code 3 * T * H * W}. */
  public int clipValues() {
    return 3 * config.frames() * config.height() * config.width();
  }

  public int size() {
    return prompts.size();
  }

  public WorldConfig config() {
    return config;
  }

  /** Text token ids per clip (the prompts' ids are padded or cut to this many). */
  public int maxTokens() {
    return maxTokens;
  }

  public List<String> prompts() {
    return prompts;
  }

  /**
   * Renders {@code count} clips of {@code split} with motion targets on {@code threads} threads.
   *
   * @param estimator flow estimator for the motion targets, e.g. {@code dis:medium}
   */
  public static ClipBank build(WorldConfig config, Split split, int count, long seed, String estimator,
      double sigma, int maxTokens, int threads, StepListener progress) {
    JamWorld world = new JamWorld(config);
    WordVocabTextEncoder encoder = new WordVocabTextEncoder(JamWorld.vocabulary(), maxTokens);
    ClipBank bank = new ClipBank(config, maxTokens, new byte[count * 3 * config.frames() * config.height() * config.width()],
        new byte[count * 3 * config.frames() * config.height() * config.width()], new long[count * maxTokens],
        new ArrayList<>(java.util.Collections.nCopies(count, "")));
    int n = bank.clipValues();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    int workers = Math.max(1, Math.min(threads, count));
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        jobs.add(pool.submit(() -> {
          try (MotionTargets targets = new MotionTargets(estimator, sigma, config.supersample())) {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
              Clip clip = world.render(world.sample(seed + i, split));
              quantise(clip.video(), bank.video, i * n);
              quantise(targets.encode(clip), bank.motion, i * n);
              System.arraycopy(encoder.ids(clip.spec().prompt()), 0, bank.text, i * maxTokens, maxTokens);
              bank.prompts.set(i, clip.spec().prompt());
              int d = done.incrementAndGet();
              if (progress != null) {
                synchronized (bank) {
                  progress.step(d, count);
                }
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> f : jobs) {
        f.get();
      }
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof VideoJamException v ? v : new VideoJamException("rendering the clip bank failed: " + c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VideoJamException("interrupted while rendering the clip bank");
    } finally {
      pool.shutdownNow();
    }
    return bank;
  }

  private static void quantise(float[] v, byte[] out, int offset) {
    for (int i = 0; i < v.length; i++) {
      float c = Math.max(-1f, Math.min(1f, v[i]));
      out[offset + i] = (byte) Math.round((c + 1f) * 127.5f);
    }
  }

  private static float level(byte b) {
    return (b & 0xff) / 127.5f - 1f;
  }

  /**
   * Fills a batch: clip {@code indices[k]} goes to batch row {@code k}: appearance channels, then
   * the motion channels when {@code x1} has room for 6 channels per clip.
   */
  public void fill(int[] indices, float[] x1, long[] ids) {
    int n = clipValues();
    int perClip = x1.length / indices.length;
    boolean withMotion = perClip == 2 * n;
    if (!withMotion && perClip != n) {
      throw new VideoJamException("clip bank: batch rows of " + perClip + " values, expected " + n + " or " + 2 * n);
    }
    for (int k = 0; k < indices.length; k++) {
      int i = indices[k];
      for (int j = 0; j < n; j++) {
        x1[k * perClip + j] = level(video[i * n + j]);
      }
      if (withMotion) {
        for (int j = 0; j < n; j++) {
          x1[k * perClip + n + j] = level(motion[i * n + j]);
        }
      }
      System.arraycopy(text, i * maxTokens, ids, k * maxTokens, maxTokens);
    }
  }

  /** Writes the bank atomically. */
  public void write(Path file) {
    AtomicFiles.write(file, "clip bank", tmp -> {
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16))) {
        out.writeInt(MAGIC);
        out.writeInt(config.frames());
        out.writeInt(config.height());
        out.writeInt(config.width());
        out.writeInt(config.supersample());
        out.writeInt(maxTokens);
        out.writeInt(size());
        out.write(video);
        out.write(motion);
        for (long t : text) {
          out.writeLong(t);
        }
        for (String p : prompts) {
          out.writeUTF(p);
        }
      }
    });
  }

  /** Reads a bank written by {@link #write}, or null when {@code file} is absent. */
  public static ClipBank read(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new VideoJamException(file + " is not a clip bank; delete it");
      }
      WorldConfig c = new WorldConfig(in.readInt(), in.readInt(), in.readInt(), in.readInt());
      int maxTokens = in.readInt();
      int count = in.readInt();
      int n = 3 * c.frames() * c.height() * c.width();
      byte[] video = new byte[count * n];
      byte[] motion = new byte[count * n];
      in.readFully(video);
      in.readFully(motion);
      long[] text = new long[count * maxTokens];
      for (int i = 0; i < text.length; i++) {
        text[i] = in.readLong();
      }
      List<String> prompts = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        prompts.add(in.readUTF());
      }
      return new ClipBank(c, maxTokens, video, motion, text, prompts);
    } catch (IOException e) {
      throw new VideoJamException("cannot read clip bank " + file + " (" + e.getMessage() + "); delete it to render it again");
    }
  }
}
