package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.videojam.model.FixtureModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakTest {
  @Test
  void growthIsMeasuredFromTheFirstSampleAfterTheFirstTenth(@TempDir Path dir) {
    Path model = dir.resolve("m");
    FixtureModel.write(model, "fixture", FixtureModel.config());
    List<Soak.Sample> seen = new ArrayList<>();
    Soak.Phase p = Soak.generations(RuntimeConfig.cpu(model), GenerationRequest.of("a red ball", 1).withSteps(1), 20, 3, seen::add);
    // samples at 3, 6, ..., 18 and the last (20); the first tenth is 2 generations, so warm-up is the sample at 3
    assertThat(p.samples()).extracting(Soak.Sample::count).containsExactly(3, 6, 9, 12, 15, 18, 20);
    assertThat(seen).isEqualTo(p.samples());
    assertThat(p.warmUp().count()).isEqualTo(3);
    assertThat(p.last().count()).isEqualTo(20);
    assertThat(p.warmUp().residentBytes()).isGreaterThan(p.warmUp().heapCommittedBytes() / 4); // VmRSS read, in bytes not kB
    double expected = (double) (p.last().residentBytes() - p.warmUp().residentBytes()) / p.warmUp().residentBytes();
    assertThat(p.growth()).isCloseTo(expected, within(1e-12));
    Soak.Sample a = new Soak.Sample("x", 1, 1000, 400);
    Soak.Sample b = new Soak.Sample("x", 2, 1100, 450);
    assertThat(new Soak.Phase("x", List.of(a, b), a, b).growth()).isCloseTo(0.10, within(1e-12));
    assertThat(new Soak.Phase("x", List.of(a, b), a, b).nativeGrowth()).isCloseTo(0.05, within(1e-12)); // (650 - 600) / 1000
  }
}
