package io.otp4j.bench.otp4j;

import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.SpawnOptions;
import io.otp4j.bench.BenchSupport;
import io.otp4j.internal.NodeRuntime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.otp4j.bench.BenchSupport.check;
import static io.otp4j.bench.BenchSupport.intParam;

/**
 * The otp4j implementation of the workloads of WORKLOADS.md. One run per JVM:
 * <pre>
 *   java --add-opens java.base/java.lang=ALL-UNNAMED -Xms4g -Xmx8g -XX:+UseParallelGC \
 *        -cp ... io.otp4j.bench.otp4j.Otp4jBench &lt;run&gt; [passes=3] [key=value ...]
 * </pre>
 * normally started by {@code ./otp4j bench}, which runs the BEAM and Pekko beside it. Each run does
 * one warm-up pass, then {@code passes} measured passes, and prints the median as RESULT lines.
 * Every pass checks its own answer.
 */
public final class Otp4jBench {

    private static String impl = "otp4j";

    private Otp4jBench() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: Otp4jBench <run> [key=value ...]");
            System.exit(2);
        }
        String run = args[0];
        // crash and supervisor reports are part of some workloads (supervisor_restart crashes a
        // child 10,000 times); the listener-free node still builds them, SLF4J does not print them
        System.setProperty("org.slf4j.simpleLogger.log.io.otp4j.report", "off");
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                Thread.sleep(Duration.ofMinutes(20));
                System.out.println("FAIL bench=" + run + " reason=watchdog: the run took over 20 minutes");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException ignored) {
                // run finished
            }
        });
        int status = 0;
        try {
            Map<String, String> p = BenchSupport.params(args, 1);
            if (p.containsKey("impl")) impl = p.get("impl");
            Node.SchedulerKind kind = "jdk".equals(p.get("scheduler")) ? Node.SchedulerKind.JDK : Node.SchedulerKind.OTP4J;
            NodeRuntime node = (NodeRuntime) Node.start(Node.Options.named("bench@localhost").withScheduler(kind)
                    .withSchedulers(intParam(p, "schedulers", 0)));
            int passes = intParam(p, "passes", 3);
            switch (run) {
                case "spawn_1m" -> report(passes, () -> Workloads.spawn(node, intParam(p, "n", 1_000_000)),
                        "spawn_1m", "procs/s", "spawn_1m_mem", "bytes/proc", "spawn_1m_teardown", "ms");
                case "ring" -> report(passes, () -> Workloads.ring(node, intParam(p, "procs", 10_000),
                        intParam(p, "hops", 1_000_000)), "ring", "hops/s");
                case "pingpong" -> report(passes, () -> Workloads.pingpong(node, intParam(p, "n", 1_000_000)),
                        "pingpong", "roundtrips/s");
                case "pairs" -> report(passes, () -> Workloads.pairs(node, intParam(p, "pairs", 1000),
                        intParam(p, "n", 1000)), "pairs", "roundtrips/s");
                case "fanin" -> report(passes, () -> Workloads.fanin(node, intParam(p, "senders", 4),
                        intParam(p, "n", 250_000)), "fanin", "msgs/s");
                case "skynet" -> report(passes, () -> Workloads.skynet(node, intParam(p, "leaves", 1_000_000)),
                        "skynet", "ms");
                case "fairness" -> Fairness.run(node, passes, intParam(p, "millis", 2000), impl);
                case "genserver_call" -> report(passes, () -> BehaviourWorkloads.genserverCall(node,
                        intParam(p, "clients", 100), intParam(p, "n", 1_000_000)), "genserver_call", "calls/s");
                case "genserver_cast" -> report(passes, () -> BehaviourWorkloads.genserverCast(node,
                        intParam(p, "n", 1_000_000)), "genserver_cast", "casts/s");
                case "statem_call" -> report(passes, () -> StatemWorkloads.call(node,
                        intParam(p, "clients", 100), intParam(p, "n", 1_000_000)), "statem_call", "calls/s");
                case "stage_pipeline" -> report(passes, () -> StageWorkloads.pipeline(node,
                        intParam(p, "n", 10_000_000)), "stage_pipeline", "events/s");
                case "supervisor_restart" -> report(passes, () -> BehaviourWorkloads.supervisorRestart(node,
                        intParam(p, "n", 10_000)), "supervisor_restart", "restarts/s", "supervisor_restart_median", "us");
                case "call_latency_under_load" -> report(passes, () -> BehaviourWorkloads.callLatencyUnderLoad(node,
                        intParam(p, "procs", 10_000), intParam(p, "calls", 100_000)),
                        "call_latency_under_load_p50", "us", "call_latency_under_load_p99", "us",
                        "call_latency_under_load_p999", "us");
                case "genserver_idle_mem" -> report(passes, () -> BehaviourWorkloads.idleServers(node,
                        intParam(p, "n", 1_000_000), false), "genserver_idle_mem", "bytes/server");
                case "genserver_hibernated_mem" -> report(passes, () -> BehaviourWorkloads.idleServers(node,
                        intParam(p, "n", 1_000_000), true), "genserver_hibernated_mem", "bytes/server");
                case "ets_insert" -> report(passes, () -> TableWorkloads.insert(node, "java".equals(impl),
                        io.otp4j.tables.TableType.SET, intParam(p, "n", 1_000_000)), "ets_insert", "ops/s");
                case "ets_ordered_insert" -> report(passes, () -> TableWorkloads.insert(node, "java".equals(impl),
                        io.otp4j.tables.TableType.ORDERED_SET, intParam(p, "n", 1_000_000)), "ets_ordered_insert", "ops/s");
                case "ets_lookup" -> {
                    int[] keys = TableWorkloads.randomKeys(intParam(p, "n", 1_000_000));
                    report(passes, () -> TableWorkloads.lookup(node, "java".equals(impl), keys), "ets_lookup", "ops/s");
                }
                case "ets_lookup_2p" -> {
                    int[] keys = TableWorkloads.randomKeys(intParam(p, "n", 1_000_000));
                    report(passes, () -> TableWorkloads.lookup2p(node, "java".equals(impl), keys), "ets_lookup_2p", "ops/s");
                }
                case "ets_update_counter_2p" -> report(passes, () -> TableWorkloads.updateCounter2p(node,
                        "java".equals(impl), intParam(p, "n", 1_000_000), intParam(p, "keys", 1000)),
                        "ets_update_counter_2p", "ops/s");
                case "kv" -> report(passes, () -> TableWorkloads.kv(node, intParam(p, "clients", 50),
                        intParam(p, "requests", 1_000_000), intParam(p, "keyspace", 100_000)),
                        "kv_set", "ops/s", "kv_get", "ops/s");
                case "dets_insert" -> report(passes, () -> TableWorkloads.detsInsert(node, intParam(p, "n", 100_000)),
                        "dets_insert", "ops/s");
                case "dets_lookup" -> {
                    int[] keys = TableWorkloads.randomKeys(intParam(p, "n", 100_000));
                    report(passes, () -> TableWorkloads.detsLookup(node, keys), "dets_lookup", "ops/s");
                }
                case "dist_pingpong", "dist_throughput" -> DistWorkloads.run(node, run, p, passes);
                default -> {
                    System.out.println("UNSUPPORTED bench=" + run + " impl=" + impl);
                    status = 3;
                }
            }
            if (Boolean.getBoolean("otp4j.bench.stats")) System.err.println("scheduler " + node.schedulers().stats());
            node.stop();
        } catch (Throwable t) {
            System.out.println("FAIL bench=" + run + " reason=" + t);
            t.printStackTrace();
            status = 1;
        }
        watchdog.interrupt();
        System.out.flush();
        System.exit(status);
    }

    /** One warm-up pass, then {@code passes} measured ones; prints the median of each figure. */
    static void report(int passes, Callable<double[]> pass, String... namesAndUnits) throws Exception {
        pass.call(); // warm-up
        int k = namesAndUnits.length / 2;
        double[][] values = new double[k][passes];
        for (int i = 0; i < passes; i++) {
            double[] v = pass.call();
            for (int j = 0; j < k; j++) values[j][i] = v[j];
            System.err.printf("pass %d: %s%n", i + 1, java.util.Arrays.toString(v)); // per-pass figures, as the other sides print
        }
        for (int j = 0; j < k; j++) {
            BenchSupport.result(namesAndUnits[2 * j], impl, BenchSupport.median(values[j]), namesAndUnits[2 * j + 1]);
        }
    }

    /** The workloads, each one measured pass. */
    static final class Workloads {
        private static final Proc.Body WAIT_FOR_STOP = () -> Proc.receive();
        private static final String PING = "ping";
        private static final String PONG = "pong";
        private static final String DONE = "done";

        static double[] spawn(NodeRuntime node, int n) throws Exception {
            int baseline = node.processCount();
            return node.run(() -> {
                Pid[] pids = new Pid[n];
                long memBefore = BenchSupport.heapUsedAfterGc();
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    pids[i] = Proc.spawn(WAIT_FOR_STOP);
                }
                long t1 = System.nanoTime();
                for (Pid pid : pids) { // every one has reached receive
                    while (!node.isWaiting(pid)) Proc.yield();
                }
                long memAfter = BenchSupport.heapUsedAfterGc();
                check(node.processCount() == baseline + 1 + n, "expected " + n + " live processes");
                long t2 = System.nanoTime();
                for (Pid pid : pids) Proc.send(pid, DONE);
                check(node.awaitProcessCount(baseline + 1, Duration.ofMinutes(5)), "teardown did not finish");
                long t3 = System.nanoTime();
                return new double[] {n / ((t1 - t0) / 1e9), (double) (memAfter - memBefore) / n, (t3 - t2) / 1e6};
            });
        }

        static double[] ring(NodeRuntime node, int procs, int hops) throws Exception {
            return node.run(() -> {
                Pid coordinator = Proc.self();
                Pid[] ring = new Pid[procs];
                for (int i = 0; i < procs; i++) {
                    ring[i] = Proc.spawn(() -> {
                        Pid next = (Pid) Proc.receive();
                        while (true) {
                            int token = (Integer) Proc.receive();
                            if (token < 0) return;
                            if (token == 0) Proc.send(coordinator, DONE);
                            else Proc.send(next, token - 1);
                        }
                    });
                }
                for (int i = 0; i < procs; i++) Proc.send(ring[i], ring[(i + 1) % procs]);
                long t0 = System.nanoTime();
                Proc.send(ring[0], hops);
                Object done = Proc.receive();
                long t1 = System.nanoTime();
                check(DONE.equals(done), "ring did not finish");
                for (Pid p : ring) Proc.send(p, -1);
                return new double[] {hops / ((t1 - t0) / 1e9)};
            });
        }

        static double[] pingpong(NodeRuntime node, int n) throws Exception {
            return node.run(() -> {
                Pid me = Proc.self();
                Pid pong = Proc.spawn(() -> {
                    while (true) {
                        Object m = Proc.receive();
                        if (m != PING) return;
                        Proc.send(me, PONG);
                    }
                });
                long t0 = System.nanoTime();
                int got = 0;
                for (int i = 0; i < n; i++) {
                    Proc.send(pong, PING);
                    if (Proc.receive() == PONG) got++;
                }
                long t1 = System.nanoTime();
                Proc.send(pong, DONE);
                check(got == n, "expected " + n + " pongs, got " + got);
                return new double[] {n / ((t1 - t0) / 1e9)};
            });
        }

        static double[] pairs(NodeRuntime node, int pairs, int n) throws Exception {
            return node.run(() -> {
                Pid coordinator = Proc.self();
                List<Pid> pingers = new ArrayList<>(pairs);
                for (int i = 0; i < pairs; i++) {
                    Pid pong = Proc.spawn(() -> {
                        while (true) {
                            Object m = Proc.receive();
                            if (!(m instanceof Pid from)) return;
                            Proc.send(from, PONG);
                        }
                    });
                    pingers.add(Proc.spawn(() -> {
                        Proc.receive(); // start
                        Pid me = Proc.self();
                        int got = 0;
                        for (int k = 0; k < n; k++) {
                            Proc.send(pong, me);
                            if (Proc.receive() == PONG) got++;
                        }
                        Proc.send(pong, DONE);
                        Proc.send(coordinator, got);
                    }));
                }
                long t0 = System.nanoTime();
                for (Pid p : pingers) Proc.send(p, "go");
                long total = 0;
                for (int i = 0; i < pairs; i++) total += (Integer) Proc.receive();
                long t1 = System.nanoTime();
                check(total == (long) pairs * n, "expected " + (long) pairs * n + " round trips, got " + total);
                return new double[] {total / ((t1 - t0) / 1e9)};
            });
        }

        static double[] fanin(NodeRuntime node, int senders, int n) throws Exception {
            return node.run(() -> {
                Pid coordinator = Proc.self();
                long expected = (long) senders * n;
                Pid receiver = Proc.spawn(() -> {
                    long count = 0;
                    while (count < expected) {
                        if (Proc.receive() == PING) count++;
                    }
                    Proc.send(coordinator, count);
                });
                List<Pid> ss = new ArrayList<>();
                for (int i = 0; i < senders; i++) {
                    ss.add(Proc.spawn(() -> {
                        Proc.receive(); // start
                        for (int k = 0; k < n; k++) Proc.send(receiver, PING);
                    }));
                }
                long t0 = System.nanoTime();
                for (Pid s : ss) Proc.send(s, "go");
                long count = (Long) Proc.receive();
                long t1 = System.nanoTime();
                check(count == expected, "receiver counted " + count);
                return new double[] {expected / ((t1 - t0) / 1e9)};
            });
        }

        static double[] skynet(NodeRuntime node, int leaves) throws Exception {
            return node.run(() -> {
                Pid me = Proc.self();
                long t0 = System.nanoTime();
                Proc.spawn(() -> skynet(me, 0, leaves, 10));
                long sum = (Long) Proc.receive();
                long t1 = System.nanoTime();
                long expected = (long) leaves * (leaves - 1) / 2;
                check(sum == expected, "skynet sum " + sum + " != " + expected);
                return new double[] {(t1 - t0) / 1e6};
            });
        }

        private static void skynet(Pid parent, long num, long size, int div) {
            if (size == 1) {
                Proc.send(parent, num);
                return;
            }
            Pid me = Proc.self();
            long sub = size / div;
            for (int i = 0; i < div; i++) {
                long start = num + i * sub;
                Proc.spawn(() -> skynet(me, start, sub, div));
            }
            long sum = 0;
            for (int i = 0; i < div; i++) sum += (Long) Proc.receive();
            Proc.send(parent, sum);
        }
    }

    /**
     * Fairness (ADR 0004): the round-trip latency of a ping-pong pair while 4 processes spin on the
     * CPU of this 2-core machine. Variants: no spinners; pure spinners (no otp4j call at all); cooperative
     * spinners (calling {@link Proc#yield()} every few microseconds of work); pure spinners with the
     * pair at {@link SpawnOptions.Priority#HIGH}, which runs it on the system scheduler.
     */
    static final class Fairness {
        static void run(NodeRuntime node, int passes, int millis, String impl) throws Exception {
            variant(node, passes, millis, impl, "idle", 0, false, SpawnOptions.Priority.NORMAL);
            variant(node, passes, millis, impl, "spin", 4, false, SpawnOptions.Priority.NORMAL);
            variant(node, passes, millis, impl, "coop", 4, true, SpawnOptions.Priority.NORMAL);
            variant(node, passes, millis, impl, "high", 4, false, SpawnOptions.Priority.HIGH);
        }

        private static void variant(NodeRuntime node, int passes, int millis, String impl, String name, int spinners,
                                    boolean cooperative, SpawnOptions.Priority priority) throws Exception {
            pass(node, millis, spinners, cooperative, priority); // warm-up
            double[] p50 = new double[passes];
            double[] p99 = new double[passes];
            double[] max = new double[passes];
            double[] count = new double[passes];
            for (int i = 0; i < passes; i++) {
                long[] lat = pass(node, millis, spinners, cooperative, priority);
                Arrays.sort(lat);
                p50[i] = BenchSupport.percentile(lat, 0.50) / 1000.0;
                p99[i] = BenchSupport.percentile(lat, 0.99) / 1000.0;
                max[i] = lat[lat.length - 1] / 1000.0;
                count[i] = lat.length;

            }
            BenchSupport.result("fairness_" + name + "_p50", impl, BenchSupport.median(p50), "us");
            BenchSupport.result("fairness_" + name + "_p99", impl, BenchSupport.median(p99), "us");
            BenchSupport.result("fairness_" + name + "_max", impl, BenchSupport.median(max), "us");
            BenchSupport.result("fairness_" + name + "_roundtrips", impl, BenchSupport.median(count), "count");
        }

        /**
         * Returns round-trip latencies (ns) of a pair making round trips back to back while the
         * spinners run; with no pause between round trips, time spent waiting for a carrier falls
         * inside some round trip. The harness thread stops the spinners when the window closes.
         */
        private static long[] pass(NodeRuntime node, int millis, int spinners, boolean cooperative,
                                   SpawnOptions.Priority priority) throws Exception {
            AtomicBoolean spinning = new AtomicBoolean(true);
            java.util.concurrent.CompletableFuture<long[]> result = new java.util.concurrent.CompletableFuture<>();
            for (int i = 0; i < spinners; i++) {
                node.spawn(() -> {
                    long x = 0;
                    while (spinning.get()) {
                        for (int k = 0; k < 20_000; k++) x += k * 31L ^ x; // some microseconds of work
                        if (cooperative) Proc.yield();
                    }
                    if (x == 42) System.out.print("");
                });
            }
            SpawnOptions opts = SpawnOptions.DEFAULT.withPriority(priority);
            Pid pong = node.spawn(opts, () -> {
                while (true) {
                    Object m = Proc.receive();
                    if (!(m instanceof Pid from)) return;
                    Proc.send(from, "pong");
                }
            });
            long start = System.nanoTime();
            long end = start + millis * 1_000_000L;
            node.spawn(opts, () -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                Pid self = Proc.self();
                // each round trip is timed from the end of the previous one (the first from the
                // start), so time the pinger waits for a carrier before it sends is counted too
                long t0 = start;
                long t1;
                do {
                    Proc.send(pong, self);
                    Proc.receive();
                    t1 = System.nanoTime();
                    if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                    lat[n++] = t1 - t0;
                    t0 = t1;
                } while (t1 < end);
                Proc.send(pong, "stop");
                result.complete(Arrays.copyOf(lat, n));
            });
            Thread.sleep(millis); // the harness thread owns the clock: spinners stop after the window
            spinning.set(false);
            return result.get(5, java.util.concurrent.TimeUnit.MINUTES);
        }
    }
}
