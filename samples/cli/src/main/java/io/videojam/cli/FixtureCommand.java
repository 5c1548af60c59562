package io.videojam.cli;

import io.videojam.model.FixtureModel;
import io.videojam.onnx.DitConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code videojam fixture}: writes the built-in fixture model (or a variant) as a model folder. */
@Command(name = "fixture", mixinStandardHelpOptions = true,
    description = "Write a DiT model folder with seeded random weights (the built-in model is seed 0, 3+3 channels).")
final class FixtureCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "model folder to write")
  Path out;

  @Option(names = "--seed", defaultValue = "0", description = "weight seed (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--motion-channels", defaultValue = "3", description = "0 writes a plain base model (default: ${DEFAULT-VALUE})")
  int motionChannels;

  @Option(names = "--name", defaultValue = BuiltinModel.FIXTURE, description = "model name (default: ${DEFAULT-VALUE})")
  String name;

  @Override
  public Integer call() {
    DitConfig c = FixtureModel.config().withSeed(seed).withChannels(3, motionChannels);
    FixtureModel.write(out, name, c);
    System.out.println("wrote " + out + " (model.json, denoiser.onnx, vocab.txt)");
    return 0;
  }
}
