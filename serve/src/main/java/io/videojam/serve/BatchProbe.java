package io.videojam.serve;

import io.videojam.api.FloatTensor;
import io.videojam.api.LatentShape;
import io.videojam.api.Tensor;
import io.videojam.api.VideoModel;
import io.videojam.runtime.RuntimeConfig;
import io.videojam.runtime.VideoJam;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Whether batching the passes of queued requests together would pay on this backend: the time of
 * one model run at batch sizes 1, 3 (one Inner-Guidance step of one request: its three passes) and
 * 6 (the same step of two requests), per sample. Batching two requests pays where a sample at batch
 * 6 costs clearly less than at batch 3.
 */
public final class BatchProbe {
  private BatchProbe() {}

  /**
   * @param batch the batch size
   * @param msPerRun median milliseconds of one model run
   */
  public record Point(int batch, double msPerRun) {
    public double msPerSample() {
      return msPerRun / batch;
    }
  }

  /**
   * Median time of {@code runs} model runs (after {@code warmup}) at each batch size; the sizes take
   * turns, run by run, so that a busy spell of a shared machine falls on all of them alike.
   */
  public static List<Point> measure(RuntimeConfig config, String prompt, int[] batches, int warmup, int runs) {
    List<Point> out = new ArrayList<>();
    try (VideoJam jam = VideoJam.open(config)) {
      VideoModel model = jam.videoModel();
      FloatTensor[] latents = new FloatTensor[batches.length];
      Tensor[] texts = new Tensor[batches.length];
      float[][] outs = new float[batches.length][];
      for (int k = 0; k < batches.length; k++) {
        LatentShape shape = model.info().latent().withBatch(batches[k]);
        float[] x = new float[shape.size()];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
          x[i] = (float) random.nextGaussian();
        }
        latents[k] = new FloatTensor(shape.dims(), x);
        texts[k] = model.textEncoder().encode(Collections.nCopies(batches[k], prompt));
        outs[k] = new float[x.length];
      }
      double[][] ms = new double[batches.length][runs];
      for (int r = -warmup; r < runs; r++) {
        for (int k = 0; k < batches.length; k++) {
          long t = System.nanoTime();
          model.velocity(latents[k], 0.5, texts[k], outs[k]);
          if (r >= 0) {
            ms[k][r] = (System.nanoTime() - t) / 1e6;
          }
        }
      }
      for (int k = 0; k < batches.length; k++) {
        java.util.Arrays.sort(ms[k]);
        out.add(new Point(batches[k], ms[k][runs / 2]));
      }
    }
    return out;
  }
}
