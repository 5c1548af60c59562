package io.videojam.cli;

import io.videojam.api.VideoJamException;
import io.videojam.eval.PermutationDiagnostic;
import io.videojam.jamworld.ClipBank;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code videojam diagnose permutation}: the spec's Fig. 3 experiment on one or more models ({@link PermutationDiagnostic}). */
@Command(name = "diagnose", mixinStandardHelpOptions = true, subcommands = {DiagnoseCommand.Permutation.class},
    description = "Diagnostics of a model's use of time.")
final class DiagnoseCommand implements Runnable {
  @Override
  public void run() {
    throw new VideoJamException("name a diagnostic: videojam diagnose permutation --model DIR --out DIR");
  }

  /** The loss on ordered and frame-permuted held-out clips at each of BINS times (spec section 1). */
  @Command(name = "permutation", mixinStandardHelpOptions = true,
      description = {"Spec section 1 / Fig. 3: for held-out clips of the synthetic motion world, the flow-matching",
          "loss at each of --bins times on the ordered clip and on the same clip with its frames (and its",
          "noise, frame for frame) randomly permuted; writes permutation.csv (mean difference and its",
          "standard error per time bin, one column pair per model) and permutation.png (one curve per model).",
          "A model that treats frames independently gives exactly zero."})
  static final class Permutation implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "model folder (repeatable)")
    List<Path> models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "folder for permutation.csv and .png")
    Path out;

    @Option(names = "--clips", defaultValue = "32", description = "held-out clips (default: ${DEFAULT-VALUE})")
    int clips;

    @Option(names = "--bins", defaultValue = "100", description = "time bins t = (i + 0.5) / bins (default: ${DEFAULT-VALUE})")
    int bins;

    @Option(names = "--seed", defaultValue = "0", description = "seed of noise and permutations (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--no-progress", negatable = true, description = "hide the progress bar")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
      if (clips < 1 || bins < 1) {
        throw new VideoJamException("--clips and --bins must be positive");
      }
      for (Path m : models) {
        if (!Files.isRegularFile(m.resolve("model.json"))) {
          throw new VideoJamException(m + " is not a model folder (no model.json); pass --model DIR");
        }
      }
      ClipBank bank = io.videojam.training.recipe.Recipe.heldOut(clips, Runtime.getRuntime().availableProcessors());
      PermutationDiagnostic.Result result;
      try (Progress bar = new Progress("permutation", models.size() * bins, !noProgress)) {
        result = PermutationDiagnostic.run(new PermutationDiagnostic.Config(models, bank, bins, seed, out), bar);
      }
      String csv = result.csv();
      System.out.print(csv.length() < 4000 ? csv : "wrote " + out.resolve("permutation.csv") + "\n");
      return 0;
    }
  }
}
