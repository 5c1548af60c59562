package io.videojam.training;

import static org.assertj.core.api.Assertions.assertThat;

import io.videojam.onnx.DitConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
  static final DitConfig CFG = new DitConfig(3, 3, 4, 8, 8, 4, 1, 32, 2, 4, 2, 12, 4, 3L, DitConfig.MotionInit.ZERO);

  /** Clips that depend on the prompt: a bright square whose colour channel is the token id. */
  static final TrainingData DATA = (step, x1, text) -> {
    SplittableRandom r = new SplittableRandom(step);
    int per = CFG.frames() * CFG.height() * CFG.width();
    int b = text.length / CFG.maxTextTokens();
    java.util.Arrays.fill(x1, -1f);
    for (int i = 0; i < b; i++) {
      int colour = r.nextInt(3);
      text[i * CFG.maxTextTokens()] = 2 + colour;
      for (int k = 1; k < CFG.maxTextTokens(); k++) {
        text[i * CFG.maxTextTokens() + k] = 0;
      }
      for (int f = 0; f < CFG.frames(); f++) {
        for (int y = 2; y < 6; y++) {
          for (int x = 2 + f / 2; x < 6 + f / 2 && x < 8; x++) {
            x1[((i * CFG.channels() + colour) * CFG.frames() + f) * 64 + y * 8 + x] = 1f;
            x1[((i * CFG.channels() + 3) * CFG.frames() + f) * 64 + y * 8 + x] = 0.5f; // "motion"
          }
        }
      }
    }
    assertThat(per).isEqualTo(256);
  };

  static TrainConfig recipe(int steps) {
    return new TrainConfig(steps, 8, 3e-3, 5, 0.1, 1.0, 0.9, 0.3, 0.2, 11L, 0, false);
  }

  @Test
  void lossFallsOnLearnableData() {
    List<Double> losses = new ArrayList<>();
    try (Trainer tr = new Trainer(CFG, recipe(200), DitTorch.trainingInit(CFG))) {
      tr.train(DATA, Long.MAX_VALUE, s -> losses.add(s.loss()));
      System.out.println("losses " + losses.subList(0, 5) + " ... " + losses.subList(195, 200));
    }
    double first = losses.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = losses.subList(190, 200).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(first).as("zero-initialised output: loss = E|x1 - x0|^2 ~ 2").isBetween(1.5, 2.6);
    assertThat(last).isLessThan(0.75 * first);
  }

  @Test
  void resumingFromACheckpointContinuesExactly(@TempDir Path dir) {
    Map<String, float[]> straight;
    try (Trainer tr = new Trainer(CFG, recipe(12), DitTorch.trainingInit(CFG))) {
      tr.train(DATA, Long.MAX_VALUE, null);
      straight = tr.exportWeights();
    }
    Path file = dir.resolve("ck.bin");
    try (Trainer tr = new Trainer(CFG, recipe(12), DitTorch.trainingInit(CFG))) {
      tr.train(DATA, 5, null);
      tr.saveCheckpoint(file, Map.of("stage", "test"));
    }
    Checkpoint ck = Checkpoint.read(file);
    assertThat(ck.step()).isEqualTo(5);
    assertThat(ck.meta()).containsEntry("stage", "test");
    try (Trainer tr = Trainer.resume(CFG, recipe(12), ck)) {
      tr.train(DATA, Long.MAX_VALUE, null);
      assertThat(tr.step()).isEqualTo(12);
      Map<String, float[]> resumed = tr.exportWeights();
      for (String k : straight.keySet()) {
        float[] a = straight.get(k), b = resumed.get(k);
        for (int i = 0; i < a.length; i++) {
          assertThat(Math.abs(a[i] - b[i])).as(k).isLessThan(1e-5f);
        }
      }
    }
  }

  @Test
  void paddingRowOfTheTextTableStaysZero() {
    try (Trainer tr = new Trainer(CFG, recipe(10), DitTorch.trainingInit(CFG))) {
      tr.train(DATA, Long.MAX_VALUE, null);
      float[] table = tr.model().weights().get("text_embed.weight");
      for (int j = 0; j < CFG.hiddenSize(); j++) {
        assertThat(table[j]).isZero();
      }
      assertThat(table[2 * CFG.hiddenSize()]).isNotZero();
    }
  }
}
