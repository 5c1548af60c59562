package io.videojam.cli;

import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.VideoJamException;
import io.videojam.eval.Configuration;
import io.videojam.eval.Configurations;
import io.videojam.eval.Evaluation;
import io.videojam.eval.EvaluationConfig;
import io.videojam.eval.EvaluationResult;
import io.videojam.eval.PromptSuite;
import io.videojam.api.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code videojam eval}: the options of an {@link Evaluation} (a prompt suite through one or more
 * models, or the ablation set, with fixed seeds), the run, and its summary printed. The library
 * does the work: io.videojam.eval.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = {"Evaluate models on a prompt suite with fixed seeds: the same noise per prompt",
        "and seed number for every model. Writes OUT/metrics.json, metrics.csv (one row",
        "per clip), summary.md, report.html (self-contained: tables, bar charts, contact",
        "sheets side by side per prompt) and *-by-category.png. rows.jsonl and clips/",
        "hold the work done so far: rerunning the same command after an interruption",
        "continues where it stopped. --ablations: the Table 3 analogue on the built-in",
        "models at the weights their model.json recommends (VideoJAM w1, w2; w1 = 0;",
        "w2 = 0; motion off; InstructPix2Pix guidance; base; control). --grid sweeps",
        "guidance weights: every combination on every model, in one report."})
final class EvalCommand implements Callable<Integer> {
  @Mixin
  ModelOptions model = new ModelOptions();

  @Mixin
  SamplingOptions sampling = new SamplingOptions();

  @Option(names = "--compare", paramLabel = "DIR", description = "further model folders, evaluated with the same prompts and seeds (repeatable)")
  List<Path> compare = new ArrayList<>();

  @Option(names = "--grid", paramLabel = "KEY=V1,V2,...", description = {"a guidance weight to sweep (repeatable: every combination",
      "runs on every model, e.g. --grid w1=1,3,5 --grid w2=0,1,3)"})
  Map<String, String> grid = new LinkedHashMap<>();

  @Option(names = "--ablations", description = "the Table 3 analogue on the built-in models (ignores --model, --compare and --guidance)")
  boolean ablations;

  @Option(names = "--models", paramLabel = "DIR", description = "folder with jamworld-videojam, -base and -control for --ablations (default: the built-in models)")
  Path modelsDir;

  @Option(names = "--suite", defaultValue = PromptSuite.JAMWORLD_BENCH,
      description = "suite name (jamworld-bench, videojam-bench-examples) or a .jsonl/.txt file (default: ${DEFAULT-VALUE})")
  String suite;

  @Option(names = "--per-category", defaultValue = "0", description = "only the first N prompts of each category (0: all)")
  int perCategory;

  @Option(names = "--seeds", defaultValue = "3", description = "seed numbers per prompt: --seed, --seed + 1, ...; each prompt's noise seed is derived from the number and the prompt id (default: ${DEFAULT-VALUE})")
  int seeds;

  @Option(names = "--estimator", defaultValue = "dis:medium", description = "flow estimator of the generic metrics (default: ${DEFAULT-VALUE})")
  String estimator;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
  Path out;

  @Option(names = "--fresh", description = "discard the rows of an earlier run in OUT instead of continuing it")
  boolean fresh;

  @Option(names = "--no-progress", description = "no progress bar")
  boolean noProgress;

  @Option(names = "--write-suite", hidden = true, paramLabel = "FILE", description = "write jamworld-bench as generated from the world, and stop")
  Path writeSuite;

  @Override
  public Integer call() throws IOException {
    if (writeSuite != null) {
      String text = PromptSuite.jamworldBench().toJsonl();
      AtomicFiles.write(writeSuite, "prompt suite", tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
      System.out.println("wrote " + writeSuite);
      return 0;
    }
    Checks.range("--seeds", seeds, 1, 10_000);
    Checks.range("--per-category", perCategory, 0, 100_000);
    Checks.workFolder("--out", out);
    PromptSuite prompts = PromptSuite.load(suite).limit(perCategory);
    List<Configuration> configs = ablations ? Configurations.ablations(modelsDir != null ? modelsDir : BuiltinModel.home().resolve("models")) : modelConfigs();
    for (Configuration c : configs) {
      if (!Files.isRegularFile(c.model().resolve("model.json"))) {
        throw new VideoJamException(c.model() + " is not a model folder (no model.json); pass --model DIR / --compare DIR");
      }
    }
    FlowEstimatorProvider.find(estimator, "--estimator");
    EvaluationConfig config = EvaluationConfig.builder(prompts, configs, out).sampling(sampling.request("")).seeds(sampling.seed, seeds)
        .backend(model.backend(), model.options()).estimator(estimator).fresh(fresh).ablations(ablations).build();
    EvaluationResult result;
    try (Progress bar = new Progress("eval", !noProgress)) {
      result = Evaluation.run(config, new Evaluation.Listener() {
        @Override
        public void step(int done, int total) {
          bar.step(done, total);
        }

        @Override
        public void continuing(Path folder, int clipsDone) {
          System.err.println("continuing the evaluation in " + folder + ": " + clipsDone + " clips already done");
        }
      });
    } catch (Evaluation.OtherSettingsException e) {
      throw new VideoJamException(out + " holds rows of an evaluation with other settings (plan.json differs); pass --fresh to discard them,"
          + " or another --out");
    }
    System.out.print(result.summary());
    System.out.printf(Locale.ROOT, "wrote %s (metrics.json, metrics.csv, summary.md, report.html) in %.1f s%n", out, result.seconds());
    return 0;
  }

  /** The model and the --compare models at every point of the --grid. */
  private List<Configuration> modelConfigs() {
    List<Path> dirs = new ArrayList<>();
    dirs.add(model.model != null ? model.model : BuiltinModel.dir());
    dirs.addAll(compare);
    Map<String, Object> settings = new LinkedHashMap<>(sampling.request("").guidanceSettings().values());
    return Configurations.forModels(dirs, sampling.guidance, settings, grid(grid));
  }

  /** Every combination of the --grid values, in option order (one empty point without a grid). */
  static List<Map<String, Object>> gridPoints(Map<String, String> grid) {
    return Configurations.gridPoints(grid(grid));
  }

  /** The --grid options as numbers. */
  static Map<String, List<Double>> grid(Map<String, String> grid) {
    Map<String, List<Double>> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : grid.entrySet()) {
      List<Double> values = new ArrayList<>();
      for (String v : e.getValue().split(",")) {
        try {
          values.add(Double.parseDouble(v.trim()));
        } catch (NumberFormatException ex) {
          throw new VideoJamException("--grid " + e.getKey() + "=" + e.getValue() + ": '" + v + "' is not a number; write for example --grid w2=0,1,3");
        }
      }
      out.put(e.getKey(), values);
    }
    return out;
  }
}
