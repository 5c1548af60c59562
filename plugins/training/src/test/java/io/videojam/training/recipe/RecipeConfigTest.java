package io.videojam.training.recipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.VideoJamException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeConfigTest {
  @TempDir
  Path tmp;

  private RecipeConfig.Builder builder() {
    return RecipeConfig.builder(tmp.resolve("work"), tmp.resolve("models"));
  }

  @Test
  void theBuilderStartsFromTheShippedRecipe() {
    RecipeConfig c = builder().build();
    assertThat(c.stage()).isEqualTo(RecipeConfig.Stage.ALL);
    assertThat(c.baseSteps()).isEqualTo(Recipe.BASE_STEPS);
    assertThat(c.finetuneSteps()).isEqualTo(Recipe.FINETUNE_STEPS);
    assertThat(c.batch()).isEqualTo(Recipe.BATCH);
    assertThat(c.clips()).isEqualTo(Recipe.CLIPS);
    assertThat(c.baseLr()).isEqualTo(Recipe.BASE_LR);
    assertThat(c.predictSample()).isTrue();
    assertThat(c.threads()).isEqualTo(2);
    assertThat(c.compareDir()).isEqualTo(tmp.resolve("work").resolve("compare-w1-5.0-w2-3.0"));
    assertThat(Recipe.stage("base", c).steps()).isEqualTo(Recipe.BASE_STEPS);
    assertThat(Recipe.stage("videojam", c).motionDropout()).isEqualTo(0.2);
    assertThat(Recipe.stage("control", c).motionDropout()).isZero();
  }

  @Test
  void aSmokeRunIsTinyWhateverTheSizesAsked() {
    RecipeConfig c = builder().smoke(true).clips(100).batch(200).build();
    assertThat(List.of(c.baseSteps(), c.finetuneSteps(), c.batch(), c.clips())).containsExactly(300, 40, 8, 64);
    assertThat(c.baseLr()).isEqualTo(1e-2);
    c.validate();
  }

  @Test
  void messagesNameTheParameters() throws Exception {
    assertThatThrownBy(() -> builder().baseSteps(0).build().validate()).isInstanceOf(VideoJamException.class)
        .hasMessage("baseSteps must be >= 1, got 0");
    assertThatThrownBy(() -> builder().finetuneSteps(-1).build().validate()).hasMessage("finetuneSteps must be >= 1, got -1");
    assertThatThrownBy(() -> builder().clips(4).batch(8).build().validate()).hasMessage("clips must be >= batch (8), got 4");
    assertThatThrownBy(() -> builder().threads(0).build().validate()).hasMessage("threads must be in [1, 256], got 0");
    assertThatThrownBy(() -> builder().minutes(-1).build().validate()).hasMessage("minutes must be in [0, 525600], got -1.0");
    assertThatThrownBy(() -> builder().prediction("noise").build().predictSample())
        .hasMessage("prediction must be velocity or sample, got noise");
    assertThatThrownBy(() -> RecipeConfig.Stage.of("deploy")).hasMessageStartingWith("stage must be bank, base,");
    Files.writeString(tmp.resolve("file"), "x");
    assertThatThrownBy(() -> RecipeConfig.builder(tmp.resolve("file"), tmp).build().validate()).hasMessageStartingWith("work ");
  }

  @Test
  void aConfigSurvivesItsChildProcessArguments() {
    RecipeConfig c = builder().stage(RecipeConfig.Stage.FINETUNE).only("control").baseSteps(7).finetuneSteps(5).batch(2).clips(9)
        .baseLr(0.25).prediction("velocity").temporalPatch(2).threads(3).minutes(1.5).comparePrompts(4).compareSeeds(1)
        .compareW1(2.5).compareW2(0.5).build();
    assertThat(RecipeConfig.fromArgs(c.toArgs())).isEqualTo(c);
    RecipeConfig smoke = builder().smoke(true).build();
    assertThat(RecipeConfig.fromArgs(smoke.toArgs())).isEqualTo(smoke);
  }
}
