package io.otp4j.bench;

import java.io.BufferedInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Redis side of "ETS versus Redis for a simple key-value store": SET and GET against a real
 * redis-server on 127.0.0.1, measured by redis-benchmark, once without pipelining ({@code -P 1}) and
 * once with 16 requests in flight per connection ({@code -P 16}).
 * <pre>
 *   java -cp ... io.otp4j.bench.RedisBench [requests=100000] [clients=50] [passes=3] [timeout=1200]
 * </pre>
 * The class starts its own server, {@code redis-server --port <free port> --bind 127.0.0.1 --save ""
 * --appendonly no} (nothing is written to disk), in a new temporary directory that is also its working
 * directory and holds its log, and waits until it answers PING. Then, for each pipelining depth, it
 * runs
 * <pre>
 *   redis-benchmark -h 127.0.0.1 -p &lt;port&gt; -t set,get -n &lt;requests&gt; -c &lt;clients&gt; -P &lt;1|16&gt; -r 100000 --csv
 * </pre>
 * once as a warm-up and then {@code passes} times, and prints the median requests per second of each
 * test:
 * <pre>
 *   RESULT bench=kv_set impl=redis-p1 value=&lt;requests per second&gt; unit=ops/s
 *   RESULT bench=kv_get impl=redis-p1 ...
 *   RESULT bench=kv_set impl=redis-p16 ...
 *   RESULT bench=kv_get impl=redis-p16 ...
 * </pre>
 * redis-benchmark runs the SET test before the GET test, on random keys out of 100,000, so after the
 * warm-up the GETs find values; that the keys are there is checked (DBSIZE) after the warm-up. Each
 * pass's figures go to stderr.
 *
 * <p>Without redis-server or redis-benchmark on the PATH (Debian: package {@code redis-server}), it
 * prints {@code UNSUPPORTED bench=redis impl=redis reason=<text>} and exits 3. A failure, or no
 * result after {@code timeout} seconds, prints {@code FAIL bench=redis reason=<text>} and exits 1.
 *
 * <p>The server is always stopped, by SHUTDOWN NOSAVE and, if it is still alive after that, by
 * destroying its process; on success, on failure, and from a JVM shutdown hook when the JVM is ended
 * by a signal or by the watchdog. Its temporary directory is deleted with it.
 */
public final class RedisBench {

    private static final String HOST = "127.0.0.1";
    /** Pipelining depths measured, each reported as an implementation of its own (redis-p1, redis-p16). */
    private static final List<Integer> PIPELINES = List.of(1, 16);
    /** The tests redis-benchmark runs ({@code -t}), in the order it reports them. */
    private static final List<String> TESTS = List.of("SET", "GET");
    /** Size of the key space of redis-benchmark's random keys ({@code -r}). */
    private static final int KEYSPACE = 100_000;
    private static final List<String> PARAMS = List.of("requests", "clients", "passes", "timeout");
    /** How long the server may take to answer its first PING. */
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    /** How long each step of stopping the server (SHUTDOWN, destroy, destroy forcibly) may take. */
    private static final Duration STOP_STEP_TIMEOUT = Duration.ofSeconds(5);
    /** Attempts at starting the server, each on a fresh port, in case another process takes the port. */
    private static final int START_ATTEMPTS = 3;
    /** One CSV row of redis-benchmark: {@code "SET","123456.78",...}; the header row does not match. */
    private static final Pattern CSV_ROW = Pattern.compile("^\"([^\"]+)\",\"([0-9.]+)\"");

    private final Path dir;
    private final Thread shutdownHook = new Thread(this::stop, "redis-bench-cleanup");
    // Set under the lock of this object, so that stop() never misses a process that has been started.
    private Process server;
    private Process benchmark;
    private int port;
    /** Whether the server answering on the port is known to be ours: SHUTDOWN goes to no other. */
    private boolean serverConfirmed;
    private boolean stopped;

    private RedisBench(Path dir) {
        this.dir = dir;
    }

    public static void main(String[] args) {
        int status;
        RedisBench bench = null;
        try {
            Map<String, String> p = BenchSupport.params(args, 0);
            for (String key : p.keySet()) {
                if (!PARAMS.contains(key)) {
                    throw new IllegalArgumentException("unknown parameter " + key + "; known: "
                            + String.join(" ", PARAMS));
                }
            }
            int requests = positive(p, "requests", 100_000);
            int clients = positive(p, "clients", 50);
            int passes = positive(p, "passes", 3);
            int timeout = positive(p, "timeout", 1200);

            List<String> missing = Stream.of("redis-server", "redis-benchmark").filter(c -> !onPath(c)).toList();
            if (!missing.isEmpty()) {
                System.out.println("UNSUPPORTED bench=redis impl=redis reason=" + String.join(" and ", missing)
                        + " not found on the PATH (Debian package redis-server)");
                System.exit(3);
            }
            startWatchdog(timeout);

            bench = new RedisBench(Files.createTempDirectory("otp4j-bench-redis-"));
            Runtime.getRuntime().addShutdownHook(bench.shutdownHook);
            bench.startServer();
            bench.measure(requests, clients, passes);
            status = 0;
        } catch (Throwable t) {
            // Once stop() has begun (the watchdog or a signal), what fails here is a consequence.
            if (bench == null || !bench.isStopped()) {
                System.out.println("FAIL bench=redis reason=" + String.valueOf(t).replaceAll("\\s+", " ").strip());
                t.printStackTrace();
            }
            status = 1;
        }
        if (bench != null) bench.stop();
        System.out.flush();
        System.exit(status);
    }

    private static int positive(Map<String, String> p, String key, int dflt) {
        int v = BenchSupport.intParam(p, key, dflt);
        if (v < 1) throw new IllegalArgumentException(key + " must be >= 1, got " + v);
        return v;
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, command))) return true;
        }
        return false;
    }

    /** Ends a run that takes too long; System.exit runs the shutdown hook, which stops the server. */
    private static void startWatchdog(int seconds) {
        Thread.ofPlatform().daemon().name("redis-bench-watchdog").start(() -> {
            try {
                Thread.sleep(Duration.ofSeconds(seconds));
                System.out.println("FAIL bench=redis reason=watchdog: no result after " + seconds + " s");
                System.exit(1);
            } catch (InterruptedException ignored) {
                // not used: the JVM exits when the run is done
            }
        });
    }

    // -------------------------------------------------------------------------------------------
    // Measuring

    /** For each pipelining depth: a warm-up run, then {@code passes} runs; prints the medians. */
    private void measure(int requests, int clients, int passes) throws Exception {
        Map<String[], Double> medians = new LinkedHashMap<>();
        for (int pipeline : PIPELINES) {
            runBenchmark(requests, clients, pipeline); // warm-up; also fills the key space for the GETs
            if (pipeline == PIPELINES.getFirst()) checkKeysStored();
            double[][] rps = new double[TESTS.size()][passes];
            for (int i = 0; i < passes; i++) {
                Map<String, Double> run = runBenchmark(requests, clients, pipeline);
                StringBuilder line = new StringBuilder("# redis -P " + pipeline + " pass " + (i + 1) + ":");
                for (int t = 0; t < TESTS.size(); t++) {
                    rps[t][i] = run.get(TESTS.get(t));
                    line.append(' ').append(TESTS.get(t)).append('=').append(Math.round(rps[t][i])).append(" ops/s");
                }
                System.err.println(line);
            }
            for (int t = 0; t < TESTS.size(); t++) {
                medians.put(new String[] {"kv_" + TESTS.get(t).toLowerCase(), "redis-p" + pipeline},
                        BenchSupport.median(rps[t]));
            }
        }
        medians.forEach((benchAndImpl, value) -> BenchSupport.result(benchAndImpl[0], benchAndImpl[1], value, "ops/s"));
    }

    /** One redis-benchmark run; returns requests per second by test name (SET, GET). */
    private Map<String, Double> runBenchmark(int requests, int clients, int pipeline) throws Exception {
        List<String> cmd = List.of("redis-benchmark", "-h", HOST, "-p", String.valueOf(port),
                "-t", String.join(",", TESTS).toLowerCase(), "-n", String.valueOf(requests),
                "-c", String.valueOf(clients), "-P", String.valueOf(pipeline), "-r", String.valueOf(KEYSPACE),
                "--csv");
        // Output goes to a file, so that a benchmark that hangs cannot block a reader; the watchdog
        // ends the run then.
        Path out = dir.resolve("redis-benchmark.out");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = startTracked(pb, false);
        int code = p.waitFor();
        synchronized (this) {
            benchmark = null;
        }
        String output = Files.readString(out);
        if (code != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + code + ": " + output);
        Map<String, Double> rps = new LinkedHashMap<>();
        for (String line : output.lines().toList()) {
            Matcher m = CSV_ROW.matcher(line.strip());
            if (m.find()) rps.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        for (String test : TESTS) {
            Double v = rps.get(test);
            if (v == null || !(v > 0)) {
                throw new IllegalStateException("no " + test + " figure in the output of " + String.join(" ", cmd)
                        + ": " + output);
            }
        }
        return rps;
    }

    /** The SETs of a run must have stored keys, between 1 and the key space. */
    private void checkKeysStored() throws IOException {
        String reply = command("DBSIZE");
        long keys = reply.startsWith(":") ? Long.parseLong(reply.substring(1)) : -1;
        BenchSupport.check(keys >= 1 && keys <= KEYSPACE,
                "DBSIZE after the first run answered " + reply + ", expected 1 to " + KEYSPACE + " keys");
    }

    // -------------------------------------------------------------------------------------------
    // The server

    /**
     * Starts redis-server on a free port and waits until it answers PING. The port is free when it is
     * chosen, but another process could take it before the server binds it; the server then exits
     * (or the other process answers, which the server's process id tells), and the next attempt
     * takes another port.
     */
    private void startServer() throws Exception {
        Path log = dir.resolve("redis-server.log");
        for (int attempt = 1; ; attempt++) {
            port = freePort();
            ProcessBuilder pb = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", HOST,
                    "--save", "", "--appendonly", "no")
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            Process p = startTracked(pb, true);
            if (awaitOwnServer(p)) return;
            String why = Files.readString(log).strip();
            stopServer();
            if (attempt == START_ATTEMPTS) {
                throw new IllegalStateException("redis-server did not answer PING on port " + port + ": " + why);
            }
        }
    }

    /** Starts a process and records it for stop(), unless stop() has begun. */
    private synchronized Process startTracked(ProcessBuilder pb, boolean isServer) throws IOException {
        if (stopped) throw new IllegalStateException("stopping");
        Process p = pb.start();
        if (isServer) server = p;
        else benchmark = p;
        return p;
    }

    /** A port nobody listens on now; redis-server takes it a moment later. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    /**
     * Tries PING every few milliseconds until something answers +PONG, then returns whether that is
     * process p (by the process_id of INFO server). False as well when p has ended or the startup
     * timeout has passed first.
     */
    private boolean awaitOwnServer(Process p) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (p.isAlive() && System.nanoTime() < deadline) {
            try {
                if ("+PONG".equals(command("PING"))) {
                    boolean ours = command("INFO server").lines().anyMatch(("process_id:" + p.pid())::equals);
                    synchronized (this) {
                        serverConfirmed = ours;
                    }
                    return ours;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(5);
        }
        return false;
    }

    /**
     * Sends one inline command on a new connection and returns the reply: a status, error or integer
     * reply as its line ("+PONG", ":42"), a bulk string reply as its contents; an empty string when
     * the server closes the connection without a reply.
     */
    private String command(String command) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            StringBuilder first = new StringBuilder();
            for (int c; (c = in.read()) != -1 && c != '\n'; ) {
                if (c != '\r') first.append((char) c);
            }
            if (first.isEmpty() || first.charAt(0) != '$') return first.toString();
            int length = Integer.parseInt(first.substring(1));
            return length < 0 ? "" : new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    /**
     * Stops whatever is running and deletes the temporary directory; safe to call more than once and
     * from the shutdown hook.
     */
    private synchronized void stop() {
        if (stopped) return;
        stopped = true;
        if (benchmark != null) {
            benchmark.destroyForcibly();
            benchmark = null;
        }
        stopServer();
        deleteDir();
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway, and returns at once
            }
        }
    }

    /**
     * SHUTDOWN NOSAVE (when the server on the port is known to be ours); then, if the server is still
     * alive, destroy it, forcibly if need be.
     */
    private synchronized void stopServer() {
        Process p = server;
        boolean confirmed = serverConfirmed;
        server = null;
        serverConfirmed = false;
        if (p == null) return;
        try {
            if (p.isAlive()) {
                if (confirmed) {
                    try {
                        command("SHUTDOWN NOSAVE"); // on success the server closes the connection, no reply
                    } catch (IOException notAnswering) {
                        // destroyed below
                    }
                }
                if (!p.waitFor(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroy();
                    if (!p.waitFor(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        p.destroyForcibly().waitFor(STOP_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (p.isAlive()) System.err.println("# redis-server (pid " + p.pid() + ") could not be stopped");
    }

    private void deleteDir() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            System.err.println("# could not delete " + dir + ": " + e);
        }
    }
}
