package io.videojam.cli;

import io.videojam.api.VideoJamException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code videojam} command line. Exit codes: 0 success, 2 bad input or configuration, 1 internal error. */
@Command(name = "videojam", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Motion priors for video generation models (VideoJAM): generate, inspect and measure.",
    subcommands = {GenerateCommand.class, FlowCommand.class, InspectCommand.class, ExtendCommand.class, TrainCommand.class, MetricsCommand.class, EvalCommand.class, DiagnoseCommand.class, BenchCommand.class, PluginsCommand.class, FixtureCommand.class, ServeCommand.class})
public final class Main implements Runnable {
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    // JavaCPP warns on every start that openblas 0.3.31-1.5.13 (the newest with Linux natives) is not
    // 1.5.14; send its messages through SLF4J and show only its errors
    System.setProperty("org.bytedeco.javacpp.logger", "slf4j");
    System.setProperty("org.slf4j.simpleLogger.log.org.bytedeco", "error");
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    // library messages (SLF4J) print as "videojam: warning: ..." lines, like the CLI's own
    System.setProperty("org.slf4j.simpleLogger.showThreadName", "false");
    System.setProperty("org.slf4j.simpleLogger.showLogName", "false");
    System.setProperty("org.slf4j.simpleLogger.levelInBrackets", "false");
    System.setProperty("org.slf4j.simpleLogger.warnLevelString", "videojam: warning:");
    System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "warn");
    // videojam serve: the HTTP server's start and stop notes stay quiet; its warnings and errors show
    System.setProperty("org.slf4j.simpleLogger.log.io.javalin", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code (for tests). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOverwrittenOptionsAllowed(true);
    cli.setParameterExceptionHandler((e, params) -> {
      PrintWriter err = e.getCommandLine().getErr();
      err.println("videojam: error: " + e.getMessage() + "; see 'videojam " + e.getCommandLine().getCommandSpec().qualifiedName(" ")
          .replaceFirst("^videojam ?", "") + " --help'");
      err.flush();
      return 2;
    });
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      PrintWriter err = line.getErr();
      if (e instanceof VideoJamException) {
        err.println("videojam: error: " + withFlag(e.getMessage()));
        err.flush();
        return 2;
      }
      if (Boolean.getBoolean("videojam.debug")) {
        e.printStackTrace(err);
      }
      err.println("videojam: internal error: " + e + " (rerun with JAVA_OPTS=-Dvideojam.debug=true for the stack trace, and report it)");
      err.flush();
      return 1;
    });
    try {
      return cli.execute(args);
    } catch (OutOfMemoryError e) {
      // outputs are staged, so nothing half-written is left: the try-with-resources blocks ran on the way out
      System.err.println("videojam: error: out of memory (this JVM may use " + io.videojam.api.Memory.human(Runtime.getRuntime().maxMemory())
          + "): ask for smaller sizes, fewer frames or fewer steps at once, or give Java more memory (JAVA_OPTS=-Xmx16g)");
      return 2;
    } catch (StackOverflowError e) {
      System.err.println("videojam: error: the input nests too deeply to process (stack overflow); simplify it, "
          + "or give Java a larger stack (JAVA_OPTS=-Xss16m)");
      return 2;
    }
  }

  /** Library messages name parameters ("steps must be ..."); the CLI shows its flag for them. */
  static final java.util.Map<String, String> FLAGS = java.util.Map.ofEntries(java.util.Map.entry("steps", "--steps"),
      java.util.Map.entry("prompt", "--prompt"), java.util.Map.entry("memoryBudgetBytes", "--memory-budget"),
      java.util.Map.entry("intraOpThreads", "--threads"), java.util.Map.entry("interOpThreads", "--inter-threads"),
      java.util.Map.entry("deviceId", "--device"), java.util.Map.entry("maxBatch", "--max-batch"), java.util.Map.entry("shift", "--shift"),
      java.util.Map.entry("size", "--size"), java.util.Map.entry("frames", "--frames"), java.util.Map.entry("stride", "--stride"),
      java.util.Map.entry("estimator", "--estimator"), java.util.Map.entry("guidance", "--guidance"), java.util.Map.entry("backend", "--backend"),
      java.util.Map.entry("solver", "--solver"), java.util.Map.entry("schedule", "--schedule"),
      java.util.Map.entry("latents", "--latents-out"), java.util.Map.entry("port", "--port"), java.util.Map.entry("host", "--host"),
      java.util.Map.entry("queue", "--queue"), java.util.Map.entry("workers", "--workers"), java.util.Map.entry("retention", "--retention"),
      java.util.Map.entry("grace", "--grace"), java.util.Map.entry("requests", "--requests"), java.util.Map.entry("clients", "--clients"),
      java.util.Map.entry("seeds", "--seeds"), java.util.Map.entry("retries", "--retries"),
      java.util.Map.entry("out", "--out"), java.util.Map.entry("scale", "--scale"));

  /**
   * The message with the CLI's flag where it starts with a library parameter's name ("steps must be
   * ..." -> "--steps must be ...") or names it as an unknown choice ("unknown solver 'x'").
   */
  static String withFlag(String message) {
    int space = message.indexOf(' ');
    String flag = space > 0 ? FLAGS.get(message.substring(0, space)) : null;
    if (flag != null) {
      return flag + message.substring(space);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("^unknown (\\w+) '").matcher(message);
    if (m.find() && FLAGS.containsKey(m.group(1))) {
      return "unknown " + FLAGS.get(m.group(1)) + message.substring(m.end(1));
    }
    return message;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"videojam " + (v == null ? "dev" : v)};
    }
  }
}
