package io.otp4j.bench.pekko;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.LoggerFactory;

/**
 * Apache Pekko (typed actors, Java DSL) side of the otp4j benchmark suite; the workloads are the
 * project's WORKLOADS.md.
 *
 * <pre>
 * java -Xms2g -Xmx8g -XX:+UseParallelGC -cp ... io.otp4j.bench.pekko.PekkoBench &lt;run&gt; [key=value ...]
 * </pre>
 *
 * <p>One warm-up pass (not reported), then {@code passes} measured passes (default 3); each metric
 * is reported as the median over the measured passes, one line each:
 * {@code RESULT bench=<name> impl=pekko value=<number> unit=<unit>}. A failed self-check, an
 * exception or the watchdog ({@code timeout_s}, default 600) prints
 * {@code FAIL bench=<run> reason=<text>} and exits 1. Per-pass figures go to stderr.
 *
 * <p>Configuration: Pekko's own defaults (the reference.conf files of pekko-actor and
 * pekko-actor-typed), untouched for dispatching: every actor runs on the default dispatcher, a
 * "Dispatcher" on the "default-executor", which falls back to Pekko's fork-join-executor
 * (parallelism = ceil(cores * 1.0) bounded to [8, 64], i.e. 8 threads on a 2-core machine; FIFO
 * task peeking; throughput = 5 messages per actor per turn), with the typed default mailbox
 * (SingleConsumerOnlyUnboundedMailbox). The only settings changed are about logging: log level
 * WARNING, no dead-letter logging (the load of call_latency_under_load is stopped mid-flight, and
 * its last messages become dead letters), and slf4j-simple's level for org.apache.pekko set to
 * WARN (a system property, see {@link #quietLogging()}).
 *
 * <p>dist_pingpong and dist_throughput run between this ActorSystem and one in a second JVM,
 * remoting with Artery over TCP on 127.0.0.1 (see {@link DistBench}).
 *
 * <p>stage_pipeline runs on Pekko Streams, materialized by the system-wide Materializer of the same
 * ActorSystem (Pekko Streams' defaults except the input buffers the workload sets, see
 * {@link StagePipelineBench}).
 */
public final class PekkoBench {

  /** Settings layered over Pekko's defaults; logging only, see the class comment. */
  static final String LOGGING_CONFIG = """
      pekko.loglevel = WARNING
      pekko.log-dead-letters = off
      pekko.log-dead-letters-during-shutdown = off
      """;

  private PekkoBench() {}

  /** One reported figure. */
  record Metric(String bench, String unit) {}

  /** One run: its metrics, and one pass that returns a value for each metric, in order. */
  interface Workload {
    List<Metric> metrics();

    double[] pass(Harness harness) throws Exception;

    /** Settings the run needs over the logging ones (the dist runs: remoting). */
    default String config() {
      return "";
    }

    /** Stops what the run started outside the ActorSystem (the dist runs: the peer JVM). */
    default void close() throws Exception {}
  }

  public static void main(String[] args) {
    String run = args.length > 0 ? args[0] : "(none)";
    ActorSystem<Guardian.Command> system = null;
    Workload workload = null;
    int status;
    try {
      if (args.length == 0) {
        throw new BenchFailure("usage: PekkoBench <run-name> [key=value ...]");
      }
      Params params = Params.parse(Arrays.copyOfRange(args, 1, args.length));
      startWatchdog(run, params.integer("timeout_s", 600));
      int passes = params.integer("passes", 3);
      if (passes < 1) {
        throw new BenchFailure("passes must be >= 1");
      }
      workload = workload(run, params);
      params.rejectUnused();

      quietLogging();
      Config config = ConfigFactory.parseString(LOGGING_CONFIG + workload.config())
          .withFallback(ConfigFactory.load());
      system = ActorSystem.create(Guardian.create(), "pekko-bench", config);
      Harness harness = new Harness(system);

      List<Metric> metrics = workload.metrics();
      System.err.println("# " + run + ": warm-up pass");
      report(run, "warm-up", metrics, workload.pass(harness));
      double[][] values = new double[passes][];
      for (int p = 0; p < passes; p++) {
        values[p] = workload.pass(harness);
        report(run, "pass " + (p + 1), metrics, values[p]);
      }
      for (int m = 0; m < metrics.size(); m++) {
        double[] perPass = new double[passes];
        for (int p = 0; p < passes; p++) {
          perPass[p] = values[p][m];
        }
        Metric metric = metrics.get(m);
        System.out.println("RESULT bench=" + metric.bench() + " impl=pekko value="
            + format(median(perPass)) + " unit=" + metric.unit());
      }
      System.out.flush();
      status = 0;
    } catch (Throwable t) {
      fail(run, t);
      status = 1;
    }
    if (system != null) {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        System.err.println("# ActorSystem did not terminate cleanly: " + e);
      }
    }
    if (workload != null) {
      try {
        workload.close();
      } catch (Exception e) {
        System.err.println("# the run's helper processes did not stop cleanly: " + e);
      }
    }
    System.exit(status);
  }

  private static Workload workload(String run, Params params) {
    return switch (run) {
      case "spawn_1m" -> new SpawnBench(params.integer("n", 1_000_000));
      case "ring" -> new RingBench(params.integer("procs", 10_000), params.integer("hops", 1_000_000));
      case "pingpong" -> PingPongBench.pingpong(params.integer("n", 1_000_000));
      case "pairs" -> PingPongBench.pairs(params.integer("pairs", 1_000), params.integer("n", 1_000));
      case "fanin" -> new FanInBench(params.integer("senders", 4), params.integer("n", 250_000));
      case "skynet" -> new SkynetBench(params.integer("leaves", 1_000_000));
      case "genserver_call" ->
          GenServerBench.call(params.integer("clients", 100), params.integer("n", 1_000_000));
      case "genserver_cast" -> GenServerBench.cast(params.integer("n", 1_000_000));
      case "statem_call" ->
          new StatemCallBench(params.integer("clients", 100), params.integer("n", 1_000_000));
      case "stage_pipeline" -> new StagePipelineBench(params.integer("n", 10_000_000));
      case "supervisor_restart" -> new SupervisorRestartBench(params.integer("n", 10_000));
      case "call_latency_under_load" ->
          new CallLatencyBench(params.integer("procs", 10_000), params.integer("calls", 100_000),
              params.integer("ask", 0) != 0, params.integer("max_s", 60));
      case "dist_pingpong" -> DistBench.pingpong(params.integer("n", 100_000));
      case "dist_throughput" -> DistBench.throughput(params.integer("n", 1_000_000),
          params.integer("window", 3_000), params.integer("ack_every", 1_000));
      default -> throw new BenchFailure("unknown run '" + run + "'");
    };
  }

  /**
   * slf4j-simple (the runtime binding) logs INFO to stderr; Pekko's own loggers are set to WARN
   * unless a -D option says otherwise. SLF4J is initialised here, on the main thread, so that the
   * actor system's threads do not race its initialisation (which makes SLF4J print a warning).
   */
  private static void quietLogging() {
    String key = "org.slf4j.simpleLogger.log.org.apache.pekko";
    if (System.getProperty(key) == null) {
      System.setProperty(key, "warn");
    }
    LoggerFactory.getILoggerFactory();
  }

  /** Kills the JVM if the run has not finished in time; a hung run must not stall the suite. */
  private static void startWatchdog(String run, int seconds) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(Duration.ofSeconds(seconds));
      } catch (InterruptedException e) {
        return;
      }
      System.out.println("FAIL bench=" + run + " reason=watchdog: no result after " + seconds + " s");
      System.out.flush();
      Runtime.getRuntime().halt(1);
    }, "pekko-bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  private static void fail(String run, Throwable t) {
    String reason = t instanceof BenchFailure
        ? t.getMessage()
        : t.getClass().getName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    System.out.println("FAIL bench=" + run + " reason=" + reason.replaceAll("\\s+", " ").strip());
    System.out.flush();
    t.printStackTrace();
  }

  private static void report(String run, String label, List<Metric> metrics, double[] values) {
    StringBuilder line = new StringBuilder("# ").append(run).append(' ').append(label).append(':');
    for (int m = 0; m < metrics.size(); m++) {
      line.append(' ').append(metrics.get(m).bench()).append('=').append(format(values[m]))
          .append(' ').append(metrics.get(m).unit());
    }
    System.err.println(line);
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** Plain decimal, no grouping, no exponent; two decimals below 1000, none above. */
  static String format(double value) {
    return String.format(Locale.ROOT, Math.abs(value) >= 1000 ? "%.0f" : "%.2f", value);
  }

  /** {@code key=value} parameters; integers only; an unknown key is an error, not a silent default. */
  static final class Params {
    private final Map<String, String> values;
    private final Map<String, Boolean> used = new LinkedHashMap<>();

    private Params(Map<String, String> values) {
      this.values = values;
    }

    static Params parse(String[] args) {
      Map<String, String> values = new LinkedHashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (eq <= 0) {
          throw new BenchFailure("bad parameter '" + arg + "', expected key=value");
        }
        values.put(arg.substring(0, eq), arg.substring(eq + 1));
      }
      return new Params(values);
    }

    int integer(String key, int defaultValue) {
      used.put(key, true);
      String raw = values.get(key);
      if (raw == null) {
        return defaultValue;
      }
      try {
        return Integer.parseInt(raw.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new BenchFailure("parameter " + key + "=" + raw + " is not an integer");
      }
    }

    void rejectUnused() {
      for (String key : values.keySet()) {
        if (!used.containsKey(key)) {
          throw new BenchFailure("unknown parameter '" + key + "' for this run");
        }
      }
    }
  }
}
