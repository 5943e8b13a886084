package io.otp4j.bench.otp4j;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.DistOptions;
import io.otp4j.dist.Distribution;
import io.otp4j.internal.NodeRuntime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static io.otp4j.bench.BenchSupport.check;
import static io.otp4j.bench.BenchSupport.intParam;

/**
 * dist_pingpong and dist_throughput (WORKLOADS.md): two nodes on this machine, separate OS
 * processes, over the Erlang distribution protocol on 127.0.0.1.
 *
 * <ul>
 *   <li>dist_pingpong: a process of node A sends {@code {ping, self()}} to a process of node B,
 *       which answers {@code pong}; {@code n} round trips (100,000) in sequence.
 *   <li>dist_throughput: a process of A sends {@code n} messages {@code {msg, I}} (1,000,000,
 *       I = 1..n) to a process of B, which counts them, checks their order, and answers
 *       {@code {received, Count, OutOfOrder}} once it has all; the clock runs from the first send
 *       to that answer.
 * </ul>
 *
 * The node of this JVM ({@code bench@localhost}) is A; it starts distribution with a random cookie
 * and an EPMD of its own (embedded, on a free port of 127.0.0.1), then starts B as a child process:
 * <ul>
 *   <li>{@code peer=otp4j} (impl {@code otp4j}): another JVM, with this JVM's flags and class path,
 *       running {@link DistPeer} as {@code benchpeer@localhost};
 *   <li>{@code peer=beam} (impl {@code otp4j-beam}): an Erlang node {@code benchpeer@localhost}
 *       ({@code erl -sname ... -start_epmd false}, {@code ERL_EPMD_PORT}, inet_dist_use_interface
 *       127.0.0.1) running {@code otp4j_bench:dist_serve/1} from {@code erl_dir};
 *   <li>{@code peer=beam reverse=true} (impl {@code beam-otp4j}): the same Erlang node measures: each
 *       pass, this node asks its {@code bench_driver} to run the pass against the servers of this node.
 * </ul>
 * The servers on B (registered {@code bench_pong} and {@code bench_sink}) speak the same protocol on
 * both runtimes, so a pass is the same code on whichever side measures: {@code {start, From}} gives
 * a fresh ponger ({@code {ponger, Pid}}; {@code {ping, From}} → {@code pong}; {@code {stop, From}} →
 * {@code {pinged, Count}}), {@code {start, From, N}} a fresh sink ({@code {sink, Pid}}). The peer is
 * stopped (distribution closed, then destroy and waitFor) when the run ends, also when it fails.
 */
final class DistWorkloads {
    static final String PONG = "bench_pong";
    static final String SINK = "bench_sink";
    static final String DRIVER = "bench_driver";
    static final String PEER_NODE = "benchpeer@localhost";

    static final Atom START = Atom.of("start");
    static final Atom PONGER = Atom.of("ponger");
    static final Atom PING = Atom.of("ping");
    static final Atom PONG_ATOM = Atom.of("pong");
    static final Atom STOP = Atom.of("stop");
    static final Atom PINGED = Atom.of("pinged");
    static final Atom SINK_ATOM = Atom.of("sink");
    static final Atom MSG = Atom.of("msg");
    static final Atom RECEIVED = Atom.of("received");
    static final Atom RUN = Atom.of("run");
    static final Atom OK = Atom.of("ok");
    static final Atom FAILED = Atom.of("failed");

    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final Duration PEER_START = Duration.ofSeconds(60);

    private DistWorkloads() {
    }

    /** The run: distribution, the peer, a warm-up pass and {@code passes} measured ones, then the peer stopped. */
    static void run(NodeRuntime node, String run, Map<String, String> p, int passes) throws Exception {
        boolean pingpong = run.equals("dist_pingpong");
        int n = intParam(p, "n", pingpong ? 100_000 : 1_000_000);
        String peerKind = p.getOrDefault("peer", "otp4j");
        boolean reverse = Boolean.parseBoolean(p.getOrDefault("reverse", "false"));
        if (!peerKind.equals("otp4j") && !peerKind.equals("beam")) {
            throw new IllegalArgumentException("peer is otp4j or beam, not " + peerKind);
        }
        if (reverse && !peerKind.equals("beam")) throw new IllegalArgumentException("reverse=true needs peer=beam");
        int epmdPort = freePort();
        String cookie = "otp4jbench" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
        Distribution dist = Distribution.start(node, DistOptions.cookie(cookie).withEpmdPort(epmdPort)
                .withBindAddress(InetAddress.getLoopbackAddress()));
        ChildProcess peer = null;
        try {
            if (reverse) serve(node);
            peer = peerKind.equals("otp4j")
                    ? ChildProcess.start(jvmPeerCommand(cookie, epmdPort), Map.of())
                    : ChildProcess.start(erlPeerCommand(p, cookie, node.name()), Map.of("ERL_EPMD_PORT", Integer.toString(epmdPort)));
            peer.await("ready", PEER_START);
            if (peerKind.equals("otp4j")) {
                check(dist.connect(PEER_NODE), "could not connect to " + PEER_NODE);
            } else {
                // The Erlang node connected to this one before it printed ready (it watches this
                // node and halts when the connection goes); wait until this node has taken that
                // connection in rather than open a second one.
                long deadline = System.nanoTime() + ANSWER.toNanos();
                while (!dist.nodes().contains(PEER_NODE)) {
                    check(System.nanoTime() < deadline, PEER_NODE + " did not connect");
                    Thread.sleep(1);
                }
            }
            Callable<double[]> pass;
            if (reverse) {
                Atom kind = Atom.of(pingpong ? "pingpong" : "throughput");
                pass = () -> driven(node, dist, kind, n);
            } else if (pingpong) {
                pass = () -> pingpong(node, dist, n);
            } else {
                pass = () -> throughput(node, dist, n);
            }
            if (pingpong) Otp4jBench.report(passes, pass, "dist_pingpong", "roundtrips/s");
            else Otp4jBench.report(passes, pass, "dist_throughput", "msgs/s");
        } catch (Exception e) {
            throw new IllegalStateException(e + (peer == null ? "" : "; the peer " + peer.describe()), e);
        } finally {
            dist.stop(); // the peer sees the connection go, and an Erlang peer halts
            if (peer != null) peer.close();
        }
    }

    // ------------------------------------------------------------------ the measuring side (A)

    static double[] pingpong(NodeRuntime node, Distribution dist, int n) throws Exception {
        return node.run(() -> {
            Pid me = Proc.self();
            dist.send(PONG, PEER_NODE, Tuple.of(START, me));
            Pid ponger = (Pid) expect(PONGER, 2).get(1);
            Ref mon = Proc.monitor(ponger); // a lost connection ends the loop with a Down
            Tuple ping = Tuple.of(PING, me);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Proc.send(ponger, ping);
                Object m = Proc.receive();
                if (m != PONG_ATOM && !PONG_ATOM.equals(m)) {
                    throw new IllegalStateException("round trip " + i + ": expected pong, got " + m);
                }
            }
            long t1 = System.nanoTime();
            Proc.send(ponger, Tuple.of(STOP, me));
            Object count = expect(PINGED, 2).get(1);
            Proc.demonitor(mon, true);
            check(Integer.valueOf(n).equals(count), "the ponger answered " + count + " pings, expected " + n);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    static double[] throughput(NodeRuntime node, Distribution dist, int n) throws Exception {
        return node.run(() -> {
            Pid me = Proc.self();
            dist.send(SINK, PEER_NODE, Tuple.of(START, me, n));
            Pid sink = (Pid) expect(SINK_ATOM, 2).get(1);
            Ref mon = Proc.monitor(sink);
            long t0 = System.nanoTime();
            for (int i = 1; i <= n; i++) Proc.send(sink, Tuple.of(MSG, i));
            Object m = Proc.receive(); // the sink's answer, or a Down if it or the connection went
            long t1 = System.nanoTime();
            if (!(m instanceof Tuple t && t.size() == 3 && RECEIVED.equals(t.get(0)))) {
                throw new IllegalStateException("expected {received, Count, OutOfOrder}, got " + m);
            }
            Proc.demonitor(mon, true);
            check(Integer.valueOf(n).equals(t.get(1)) && Integer.valueOf(0).equals(t.get(2)),
                    "the sink got " + t.get(1) + " messages (" + t.get(2) + " out of order), expected " + n);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /** A pass measured by the Erlang peer against this node's servers (beam-otp4j). */
    static double[] driven(NodeRuntime node, Distribution dist, Atom kind, int n) throws Exception {
        return node.run(() -> {
            dist.send(DRIVER, PEER_NODE, Tuple.of(RUN, kind, Atom.of(node.name()), n, Proc.self()));
            Object m = Proc.receive(Duration.ofMinutes(15))
                    .orElseThrow(() -> new IllegalStateException("the Erlang node did not report its pass"));
            if (m instanceof Tuple t && t.size() == 2 && OK.equals(t.get(0)) && t.get(1) instanceof Number rate) {
                return new double[] {rate.doubleValue()};
            }
            if (m instanceof Tuple t && t.size() == 2 && FAILED.equals(t.get(0))) {
                throw new IllegalStateException("the Erlang node's pass failed: " + text(t.get(1)));
            }
            throw new IllegalStateException("unexpected answer from the Erlang node: " + m);
        });
    }

    /** The next message, which must be a tuple of {@code size} tagged {@code tag}, within {@link #ANSWER}. */
    private static Tuple expect(Atom tag, int size) {
        Object m = Proc.receive(ANSWER).orElseThrow(() -> new IllegalStateException("no {" + tag + ", ...} from the peer"));
        if (m instanceof Tuple t && t.size() == size && tag.equals(t.get(0))) return t;
        throw new IllegalStateException("expected {" + tag + ", ...}, got " + m);
    }

    private static String text(Object o) {
        return o instanceof io.otp4j.dist.term.Binary b ? b.utf8() : String.valueOf(o);
    }

    // ------------------------------------------------------------------ the serving side (B)

    /** Registers {@code bench_pong} and {@code bench_sink} on {@code node}. */
    static void serve(NodeRuntime node) throws Exception {
        Pid pong = node.spawn(DistWorkloads::pongServer);
        Pid sink = node.spawn(DistWorkloads::sinkServer);
        node.run(() -> {
            Proc.register(PONG, pong);
            Proc.register(SINK, sink);
            return null;
        });
    }

    private static void pongServer() {
        for (;;) {
            if (Proc.receive() instanceof Tuple t && t.size() == 2 && START.equals(t.get(0)) && t.get(1) instanceof Pid from) {
                Proc.send(from, Tuple.of(PONGER, Proc.spawn(DistWorkloads::ponger)));
            }
        }
    }

    private static void ponger() {
        int count = 0;
        for (;;) {
            if (Proc.receive() instanceof Tuple t && t.size() == 2 && t.get(1) instanceof Pid from) {
                Object tag = t.get(0);
                if (tag == PING || PING.equals(tag)) {
                    Proc.send(from, PONG_ATOM);
                    count++;
                } else if (STOP.equals(tag)) {
                    Proc.send(from, Tuple.of(PINGED, count));
                    return;
                }
            }
        }
    }

    private static void sinkServer() {
        for (;;) {
            if (Proc.receive() instanceof Tuple t && t.size() == 3 && START.equals(t.get(0)) && t.get(1) instanceof Pid from
                    && t.get(2) instanceof Integer n) {
                Proc.send(from, Tuple.of(SINK_ATOM, Proc.spawn(() -> sink(from, n))));
            }
        }
    }

    private static void sink(Pid from, int n) {
        int count = 0;
        int outOfOrder = 0;
        while (count < n) {
            Object m = Proc.receive();
            if (m instanceof Tuple t && t.size() == 2 && (t.get(0) == MSG || MSG.equals(t.get(0)))) {
                count++;
                if (!(t.get(1) instanceof Integer i) || i != count) outOfOrder++;
            }
        }
        Proc.send(from, Tuple.of(RECEIVED, count, outOfOrder));
    }

    // ------------------------------------------------------------------ the peer process

    private static List<String> jvmPeerCommand(String cookie, int epmdPort) {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // this JVM's flags (heap, collector, --add-opens), not its profiling or debugging agents
            if (a.startsWith("-XX:StartFlightRecording") || a.startsWith("-XX:FlightRecorderOptions")
                    || a.startsWith("-agentlib") || a.startsWith("-agentpath") || a.startsWith("-javaagent")) {
                continue;
            }
            cmd.add(a);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DistPeer.class.getName(),
                PEER_NODE, cookie, Integer.toString(epmdPort)));
        return cmd;
    }

    private static List<String> erlPeerCommand(Map<String, String> p, String cookie, String watch) {
        String dir = p.get("erl_dir");
        if (dir == null) throw new IllegalArgumentException("peer=beam needs erl_dir=<directory of the compiled otp4j_bench>");
        return List.of("erl", "-sname", PEER_NODE, "-setcookie", cookie, "-noshell", "-start_epmd", "false",
                "-pa", dir, "-kernel", "inet_dist_use_interface", "{127,0,0,1}",
                "-eval", "otp4j_bench:dist_serve('" + watch + "')");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A child process whose output (stdout and stderr) is read line by line; closed: destroy, then waitFor. */
    static final class ChildProcess implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Deque<String> seen = new ArrayDeque<>();

        private ChildProcess(Process process) {
            this.process = process;
            Thread.ofPlatform().daemon().name("peer-output").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) lines.add(l);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
        }

        static ChildProcess start(List<String> cmd, Map<String, String> env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            return new ChildProcess(pb.start());
        }

        /** Waits for a line equal to {@code text}; fails with what the process printed if none comes. */
        void await(String text, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (;;) {
                long left = deadline - System.nanoTime();
                String l = left > 0 ? lines.poll(Math.min(left, 100_000_000L), TimeUnit.NANOSECONDS) : null;
                if (l == null) {
                    if (left <= 0 || !process.isAlive() && lines.isEmpty()) {
                        throw new IllegalStateException("the peer did not print \"" + text + "\""
                                + (process.isAlive() ? " within " + timeout : " (it exited " + process.exitValue() + ")")
                                + "; it printed: " + seen);
                    }
                    continue;
                }
                seen.add(l);
                if (seen.size() > 30) seen.removeFirst();
                if (l.strip().equals(text)) return;
            }
        }

        /** Whether it still runs, and its last lines of output: for a failure's reason. */
        String describe() {
            for (String l; (l = lines.poll()) != null; ) {
                seen.add(l);
                if (seen.size() > 30) seen.removeFirst();
            }
            return (process.isAlive() ? "is running" : "exited with status " + process.exitValue())
                    + "; its last output: " + String.join(" | ", seen);
        }

        /** Closes its standard input (a {@link DistPeer} exits then), then destroy and waitFor. */
        @Override
        public void close() throws InterruptedException {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
            process.waitFor(5, TimeUnit.SECONDS); // a clean exit, normally
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
