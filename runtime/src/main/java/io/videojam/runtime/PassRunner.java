package io.videojam.runtime;

import io.videojam.api.FloatTensor;
import io.videojam.api.GuidanceRule;
import io.videojam.api.LatentShape;
import io.videojam.api.Pass;
import io.videojam.api.Tensor;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One sampling step's model evaluations: the guidance rule's passes, run batched (one graph run of
 * batch P) or sequentially, combined by the rule, checked for NaN and Inf. Outside the guidance
 * window only the fully conditioned pass runs and its velocity is used as it is. Every buffer is
 * allocated once, here; a step allocates nothing large.
 */
final class PassRunner {
  private final VideoModel model;
  private final GuidanceRule rule;
  private final List<Pass> passes;
  private final LatentShape shape;
  private final Tensor text;
  private final Tensor nullText;
  private final Tensor batchedText;
  private final boolean batched; // batched buffers made (fixed batched mode, or auto measuring)
  private final PassChooser chooser; // auto pass mode: picks the mode per step; null for a fixed mode
  private boolean lastBatched;
  private final GuidanceWindow window;
  private final int full; // index of the pass that drops nothing, or -1
  private final int steps;
  private final int n;
  private final List<float[]> outputs;
  private final float[] guided;
  private final float[] scratch;
  /** The rule's coefficients where it is linear (the model may then combine batched passes itself), else null. */
  private final GuidanceRule.Coefficients coefficients;
  private final boolean[] dropMotion;
  /** Whether the last batched run was combined by the model (its outputs are not in batchedOut). */
  private boolean combinedByModel;
  private float[] batchedIn;
  private float[] batchedOut;
  private final long[] dims;
  private final long[] batchedDims;
  private long runs;

  PassRunner(VideoModel model, GuidanceRule rule, Tensor text, Tensor nullText, boolean batched, GuidanceWindow window, int steps) {
    this(model, rule, text, nullText, batched, null, window, steps);
  }

  /**
   * With a chooser (auto pass mode), the first step is first timed in both modes, its results
   * discarded, until the chooser has chosen; then every step runs in the chosen mode.
   */
  PassRunner(VideoModel model, GuidanceRule rule, Tensor text, Tensor nullText, boolean batched, PassChooser chooser, GuidanceWindow window,
      int steps) {
    this.model = model;
    this.rule = rule;
    this.passes = rule.passes();
    this.shape = model.info().latent();
    this.text = text;
    this.nullText = nullText;
    this.chooser = passes.size() > 1 ? chooser : null;
    this.batched = batchedBuffers(batched, chooser, passes.size());
    this.lastBatched = this.batched && this.chooser == null;
    this.window = window;
    this.full = passes.indexOf(Pass.FULL);
    if (!window.always() && full < 0) {
      throw new VideoJamException("guidance window " + window + ": rule '" + rule.name() + "' has no fully conditioned pass (" + passes
          + ") to use outside the window; use the whole window [0, 1] with this rule");
    }
    this.steps = steps;
    this.n = shape.size();
    int p = passes.size();
    this.batchedText = this.batched ? Generator.concat(passes.stream().map(q -> q.dropText() ? nullText : text).toList()) : null;
    this.outputs = new ArrayList<>(p);
    for (int k = 0; k < p; k++) {
      outputs.add(new float[n]);
    }
    this.guided = new float[n];
    this.scratch = new float[n];
    this.coefficients = rule.coefficients().orElse(null);
    this.dropMotion = new boolean[p];
    for (int k = 0; k < p; k++) {
      dropMotion[k] = passes.get(k).dropMotion();
    }
    this.dims = shape.dims();
    this.batchedDims = shape.withBatch(p).dims();
  }

  /** Whether this runner serves a generation with these settings (the same instances: rules, texts are cached). */
  boolean fits(GuidanceRule rule, Tensor text, Tensor nullText, boolean batched, PassChooser chooser, GuidanceWindow window, int steps) {
    return this.rule == rule && this.text == text && this.nullText == nullText && this.chooser == (passes.size() > 1 ? chooser : null)
        && this.batched == batchedBuffers(batched, chooser, passes.size()) && this.window.equals(window) && this.steps == steps;
  }

  /** Whether this runner holds buffers for batched runs. */
  boolean batchedBuffers() {
    return batched;
  }

  /** Whether a runner needs buffers for batched runs: more than one pass, run batched or measured (auto). */
  static boolean batchedBuffers(boolean batched, PassChooser chooser, int passes) {
    return (batched || chooser != null) && passes > 1;
  }

  /** The mode of the last step run (the chosen one, under auto, once measured). */
  PassMode mode() {
    return lastBatched ? PassMode.BATCHED : PassMode.SEQUENTIAL;
  }

  /** Starts a new generation: the run count from zero (buffers are overwritten before they are read). */
  void reset() {
    runs = 0;
  }

  /** The guided velocity at state {@code x}, time {@code t} of step {@code step} (the solver's field). */
  float[] velocity(float[] x, double t, int step) {
    if (!window.contains(t)) {
      float[] out = outputs.get(full);
      model.velocity(new FloatTensor(dims, x), t, text, out);
      runs++;
      check(out, step, t, passes.get(full));
      return out;
    }
    if (chooser != null && chooser.chosen() == null) {
      // auto, not measured yet: time this step both ways, alternating, and throw the results away,
      // so that every step of the generation then runs in the one mode chosen (as a fixed mode would)
      while (chooser.chosen() == null) {
        boolean probeBatched = chooser.nextBatched();
        long start = System.nanoTime();
        step(x, t, probeBatched);
        chooser.record(probeBatched, System.nanoTime() - start);
      }
    }
    boolean inBatch = chooser != null ? chooser.chosen() : batched;
    step(x, t, inBatch);
    lastBatched = inBatch;
    if (!Generator.finite(guided)) {
      if (combinedByModel) {
        runBatched(x, t); // the passes again, kept apart this time, to name the one that failed
      }
      if (inBatch) {
        for (int k = 0; k < passes.size(); k++) {
          System.arraycopy(batchedOut, k * n, outputs.get(k), 0, n);
        }
      }
      // a non-finite guided value comes from a non-finite pass output (or overflow): name the first such pass
      for (int k = 0; k < passes.size(); k++) {
        check(outputs.get(k), step, t, passes.get(k));
      }
      check(guided, step, t, null);
    }
    return guided;
  }

  /** One guided velocity into {@code guided}: the rule's passes batched or one by one, combined. */
  private void step(float[] x, double t, boolean inBatch) {
    combinedByModel = inBatch && coefficients != null && model.linearGuidance(x, t, dropMotion, batchedText, coefficients, guided);
    if (combinedByModel) {
      runs++;
    } else if (inBatch) {
      runBatched(x, t);
      rule.combineBatched(batchedOut, shape, guided); // the passes where the run left them
    } else {
      runSequential(x, t);
      rule.combine(outputs, shape, guided);
    }
  }

  /** Graph runs so far. */
  long runs() {
    return runs;
  }

  private void runBatched(float[] x, double t) {
    int p = passes.size();
    if (batchedIn == null) { // made on first use: a model that combines linear rules itself never needs them
      batchedIn = new float[n * p];
      batchedOut = new float[n * p];
    }
    for (int k = 0; k < p; k++) {
      System.arraycopy(x, 0, batchedIn, k * n, n);
      if (passes.get(k).dropMotion()) {
        Generator.zeroMotion(batchedIn, k * n, shape);
      }
    }
    // a new tensor instance every step: a backend may skip copying the very instance it saw last run
    model.velocity(new FloatTensor(batchedDims, batchedIn), t, batchedText, batchedOut);
    runs++;
  }

  private void runSequential(float[] x, double t) {
    FloatTensor state = new FloatTensor(dims, x); // one instance per step: passes that share it share the copy
    FloatTensor noMotion = null;
    for (int k = 0; k < passes.size(); k++) {
      Pass pass = passes.get(k);
      FloatTensor in = state;
      if (pass.dropMotion()) {
        if (noMotion == null) {
          // the motion channels of scratch stay zero: only the appearance channels are copied
          System.arraycopy(x, 0, scratch, 0, shape.appearanceChannels() * shape.planeSize());
          noMotion = new FloatTensor(dims, scratch);
        }
        in = noMotion;
      }
      model.velocity(in, t, pass.dropText() ? nullText : text, outputs.get(k));
      runs++;
    }
  }

  private void check(float[] v, int step, double t, Pass pass) {
    if (pass != null && Generator.finite(v)) {
      return;
    }
    for (float f : v) {
      if (!Float.isFinite(f)) {
        throw new VideoJamException("model '" + model.info().name() + "' " + (pass == null ? "guidance overflowed to " : "returned ")
            + (Float.isNaN(f) ? "NaN" : "Inf") + " at step " + (step + 1) + " of " + steps + " (t = "
            + String.format(Locale.ROOT, "%.4f", t) + (pass == null ? "" : ", pass " + pass)
            + "); stopped. Check the time convention and scale in model.json, or the exported weights");
      }
    }
  }
}
