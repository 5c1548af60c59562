package io.videojam.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The auto pass mode's measurement, on step times given by hand. */
class PassChooserTest {
  @Test
  void alternatesFromThePreferenceThenKeepsTheFasterByItsFastestStep() {
    PassChooser c = new PassChooser(false);
    assertThat(c.chosen()).isNull();
    assertThat(c.nextBatched()).isFalse(); // the preference first
    c.record(false, 900); // a first run's warm-up
    assertThat(c.nextBatched()).isTrue();
    c.record(true, 500);
    assertThat(c.nextBatched()).isFalse(); // tied counts: the preference again
    c.record(false, 400);
    assertThat(c.chosen()).isNull();
    assertThat(c.describe()).isEqualTo("measuring (1 batched and 2 sequential steps timed)");
    assertThat(c.nextBatched()).isTrue();
    c.record(true, 450);
    // sequential's fastest 400 beats batched's fastest 450, though batched's mean is lower
    assertThat(c.chosen()).isFalse();
    assertThat(c.nextBatched()).isFalse();
    c.record(true, 1); // ignored once chosen
    assertThat(c.chosen()).isFalse();
    assertThat(c.describe()).isEqualTo("batched 0.00 ms, sequential 0.00 ms per step: sequential");
  }

  @Test
  void batchedWinsWhenItsFastestStepIsFasterAndTiesGoToThePreference() {
    PassChooser c = new PassChooser(true);
    assertThat(c.nextBatched()).isTrue();
    c.record(true, 3_000_000);
    c.record(false, 5_000_000);
    c.record(true, 2_000_000);
    c.record(false, 4_000_000);
    assertThat(c.chosen()).isTrue();
    assertThat(c.describe()).isEqualTo("batched 2.00 ms, sequential 4.00 ms per step: batched");
    PassChooser tie = new PassChooser(true);
    PassChooser tieOther = new PassChooser(false);
    for (PassChooser t : new PassChooser[] {tie, tieOther}) {
      for (int i = 0; i < PassChooser.SAMPLES; i++) {
        t.record(true, 7);
        t.record(false, 7);
      }
    }
    assertThat(tie.chosen()).isTrue();
    assertThat(tieOther.chosen()).isFalse();
  }
}
