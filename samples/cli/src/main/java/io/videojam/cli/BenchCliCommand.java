package io.videojam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videojam.api.VideoJamException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code videojam bench cli}: whole commands as a user runs them (a new JVM each, start-up
 * included), timed in one run: {@code generate}'s writing against its sampling, and with
 * {@code --clip} {@code videojam flow} against the plain OpenCV script that does the same work.
 */
@Command(name = "cli", mixinStandardHelpOptions = true,
    description = {"Time whole commands, each in its own JVM as a user runs them, in one run:",
        "generate on the built-in model (writing the outputs against sampling, from each run's run.json), and with --clip,",
        "videojam flow against bench/opencv_flow.py (Python and OpenCV doing the same work), alternating, JVM start included."})
final class BenchCliCommand implements Callable<Integer> {
  @Option(names = "--runs", defaultValue = "5", description = "timed runs of each command (default: ${DEFAULT-VALUE})")
  int runs;

  @Option(names = "--clip", paramLabel = "VIDEO", description = "a real clip for the flow comparison, e.g. OpenCV's vtest.avi (docs/performance.md)")
  Path clip;

  @Option(names = "--size", defaultValue = "384x288", description = "flow: frame size (default: ${DEFAULT-VALUE})")
  String size;

  @Option(names = "--frames", defaultValue = "400", description = "flow: frames (default: ${DEFAULT-VALUE})")
  int frames;

  @Option(names = "--preset", defaultValue = "medium", description = "flow: DIS preset, ultrafast, fast or medium (default: ${DEFAULT-VALUE})")
  String preset;

  @Option(names = "--python", defaultValue = "python3", description = "the Python with OpenCV (default: ${DEFAULT-VALUE})")
  String python;

  @Override
  public Integer call() throws Exception {
    Checks.range("--runs", runs, 1, 1000);
    Checks.range("--frames", frames, 2, 100_000);
    if (!List.of("ultrafast", "fast", "medium").contains(preset)) {
      throw new VideoJamException("--preset must be ultrafast, fast or medium, got '" + preset + "'");
    }
    String home = System.getProperty("videojam.home");
    if (home == null || !Files.isExecutable(Path.of(home, "videojam"))) {
      throw new VideoJamException("bench cli runs the videojam launcher; start it through ./videojam (videojam.home is not set)");
    }
    Path launcher = Path.of(home, "videojam");
    Path script = Path.of(home, "bench", "opencv_flow.py");
    if (clip != null) {
      if (!Files.isRegularFile(clip)) {
        throw new VideoJamException("--clip " + clip + " does not exist; pass a video, e.g. vtest.avi from Debian's opencv-doc (docs/performance.md)");
      }
      if (run(List.of(python, "-c", "import cv2, numpy"), null) != 0) {
        throw new VideoJamException("--python " + python + " cannot import cv2 and numpy; install Debian's python3-opencv, or pass --python");
      }
    }
    Path work = Files.createTempDirectory("videojam-bench-cli");
    try {
      generate(launcher, work);
      if (clip != null) {
        flow(launcher, script, work);
      }
    } finally {
      try (var files = Files.walk(work)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return 0;
  }

  /** generate N times; each run's run.json says how long it sampled and wrote. */
  private void generate(Path launcher, Path work) throws IOException, InterruptedException {
    ObjectMapper json = new ObjectMapper();
    double[] ratio = new double[runs];
    double[] sampling = new double[runs];
    double[] writing = new double[runs];
    double[] wall = new double[runs];
    for (int i = -1; i < runs; i++) { // run -1 builds and warms the file cache
      Path out = work.resolve("generate");
      long start = System.nanoTime();
      int rc = run(List.of(launcher.toString(), "generate", "--prompt", "a red square moving right", "--out", out.toString(), "--no-progress"),
          null);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (rc != 0) {
        throw new VideoJamException("videojam generate failed (exit code " + rc + ")");
      }
      if (i < 0) {
        continue;
      }
      JsonNode t = json.readTree(out.resolve("run.json").toFile()).get("timings");
      sampling[i] = t.get("sampling-s").asDouble();
      writing[i] = t.get("writing-s").asDouble();
      ratio[i] = writing[i] / sampling[i];
      wall[i] = seconds;
    }
    System.out.printf(Locale.ROOT, "generate (built-in model, 30 steps), %d runs, medians: sampling %.3f s, writing every output %.3f s, "
        + "whole command %.2f s%n", runs, median(sampling), median(writing), median(wall));
    System.out.printf(Locale.ROOT, "  writing / sampling: %.2f (goal < 1: %s)%n", median(ratio), median(ratio) < 1 ? "met" : "NOT met");
  }

  /** videojam flow and the OpenCV script, alternating, whole processes. */
  private void flow(Path launcher, Path script, Path work) throws IOException, InterruptedException {
    List<String> ours = List.of(launcher.toString(), "flow", clip.toString(), "--size", size, "--frames", Integer.toString(frames),
        "--estimator", "dis:" + preset, "--scale", "1", "--out", work.resolve("videojam.mp4").toString(), "--no-progress");
    List<String> theirs = List.of(python, script.toString(), clip.toString(), work.resolve("opencv.mp4").toString(), "--size", size,
        "--frames", Integer.toString(frames), "--preset", preset);
    double[] a = new double[runs];
    double[] b = new double[runs];
    for (int i = -1; i < runs; i++) { // round -1 warms the file cache
      boolean oursFirst = i % 2 == 0;
      double x = 0;
      double y = 0;
      for (int k = 0; k < 2; k++) {
        boolean mine = (k == 0) == oursFirst;
        long start = System.nanoTime();
        int rc = run(mine ? ours : theirs, null);
        double s = (System.nanoTime() - start) / 1e9;
        if (rc != 0) {
          throw new VideoJamException((mine ? "videojam flow" : python + " " + script) + " failed (exit code " + rc + ")");
        }
        if (mine) {
          x = s;
        } else {
          y = s;
        }
      }
      if (i >= 0) {
        a[i] = x;
        b[i] = y;
      }
    }
    System.out.printf(Locale.ROOT, "flow %s: %d frames at %s, DIS %s, Eq. 5, written as a video; %d runs each, alternating, JVM and Python start included%n",
        clip.getFileName(), frames, size, preset, runs);
    System.out.printf(Locale.ROOT, "  plain OpenCV script (Python): median %.2f s (%s)%n", median(b), list(b));
    System.out.printf(Locale.ROOT, "  videojam flow:                median %.2f s (%s)%n", median(a), list(a));
    System.out.printf(Locale.ROOT, "  ratio videojam / OpenCV script: %.2f (goal <= 1.1: %s)%n", median(a) / median(b),
        median(a) / median(b) <= 1.1 ? "met" : "NOT met");
    List<String> timed = new ArrayList<>(ours);
    timed.add("--timings");
    System.out.println("  where videojam flow's time goes (one more run, --timings):");
    run(timed, "    ");
  }

  /** Runs a command; with {@code indent}, its output is printed indented, else dropped. */
  private static int run(List<String> command, String indent) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Process p = pb.start();
    try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (indent != null) {
          System.out.println(indent + line);
        }
      }
    }
    if (!p.waitFor(30, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  private static String list(double[] v) {
    return String.join(", ", Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.2f", x)).toList());
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
