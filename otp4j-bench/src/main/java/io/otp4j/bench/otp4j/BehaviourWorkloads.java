package io.otp4j.bench.otp4j;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.CallException;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.bench.BenchSupport;
import io.otp4j.internal.NodeRuntime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.otp4j.bench.BenchSupport.check;

/** The behaviour workloads of WORKLOADS.md, otp4j's side. Each method is one measured pass. */
final class BehaviourWorkloads {
    private BehaviourWorkloads() {
    }

    /** A server that counts what it handles. */
    record Counting() implements GenServer<long[], Object> {
        static final Object CRASH = "crash";

        @Override
        public Init<long[]> init() {
            return new Init.Ok<>(new long[1]); // private to the server: mutated in place
        }

        @Override
        public CallResult<long[]> handleCall(Object req, From from, long[] n) {
            n[0]++;
            return new Reply<>(n[0], n);
        }

        @Override
        public CastResult<long[]> handleCast(Object msg, long[] n) {
            if (msg == CRASH) throw new IllegalStateException("told to crash");
            n[0]++;
            return new NoReply<>(n);
        }
    }

    /** 100 client processes make n calls in all (default 5 s timeout in force). */
    static double[] genserverCall(NodeRuntime node, int clients, int n) throws Exception {
        return node.run(() -> {
            ServerRef<Object> server = GenServer.start(new Counting());
            Pid me = Proc.self();
            int each = n / clients;
            List<Pid> cs = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                cs.add(Proc.spawn(() -> {
                    Proc.receive(); // start
                    for (int k = 0; k < each; k++) GenServer.call(server, "req"); // the default 5 s timeout
                    Proc.send(me, "done");
                }));
            }
            long t0 = System.nanoTime();
            for (Pid c : cs) Proc.send(c, "go");
            for (int i = 0; i < clients; i++) Proc.receive();
            long t1 = System.nanoTime();
            long count = GenServer.call(server, "count");
            check(count == (long) each * clients + 1, "server counted " + count);
            GenServer.stop(server);
            return new double[] {(double) each * clients / ((t1 - t0) / 1e9)};
        });
    }

    /** One client casts n times, then one call syncs. */
    static double[] genserverCast(NodeRuntime node, int n) throws Exception {
        return node.run(() -> {
            ServerRef<Object> server = GenServer.start(new Counting());
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) GenServer.cast(server, "c");
            long count = GenServer.call(server, "sync", Proc.INFINITY);
            long t1 = System.nanoTime();
            check(count == n + 1, "server counted " + count);
            GenServer.stop(server);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /** A one-for-one supervisor's child told to crash n times; crash to restarted-and-answering. */
    static double[] supervisorRestart(NodeRuntime node, int n) throws Exception {
        return node.run(() -> {
            String name = "bench_child";
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne().withIntensity(n * 2, Duration.ofSeconds(1)),
                    List.of(ChildSpec.worker(name, () -> GenServer.startLink(new Counting(), StartOptions.named(name)))));
            ServerRef<Object> child = ServerRef.named(name);
            long[] each = new long[n];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Pid old = Proc.whereis(name).orElseThrow();
                long s = System.nanoTime();
                GenServer.cast(child, Counting.CRASH);
                for (;;) { // until the restarted child answers
                    try {
                        GenServer.call(child, "ping");
                        if (!Proc.whereis(name).orElseThrow().equals(old)) break;
                    } catch (CallException | java.util.NoSuchElementException notYet) {
                        Proc.yield();
                    }
                }
                each[i] = System.nanoTime() - s;
            }
            long t1 = System.nanoTime();
            Supervisor.stop(sup);
            Arrays.sort(each);
            return new double[] {n / ((t1 - t0) / 1e9), BenchSupport.percentile(each, 0.5) / 1000.0};
        });
    }

    /** Latency of calls to an idle server while procs processes exchange messages flat out. */
    static double[] callLatencyUnderLoad(NodeRuntime node, int procs, int calls) throws Exception {
        return node.run(() -> {
            java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Pid> load = new ArrayList<>();
            for (int i = 0; i < procs / 2; i++) {
                Pid pong = Proc.spawn(() -> {
                    while (true) {
                        Object m = Proc.receive();
                        if (!(m instanceof Pid from)) return;
                        Proc.send(from, "pong");
                    }
                });
                load.add(pong);
                load.add(Proc.spawn(() -> {
                    Pid self = Proc.self();
                    while (running.get()) {
                        Proc.send(pong, self);
                        Proc.receive();
                    }
                    Proc.send(pong, "stop");
                }));
            }
            ServerRef<Object> server = GenServer.start(new Counting());
            Proc.sleep(Duration.ofMillis(100)); // let the load get going
            long[] lat = new long[calls];
            for (int i = 0; i < calls; i++) {
                long s = System.nanoTime();
                GenServer.call(server, "q");
                lat[i] = System.nanoTime() - s;
            }
            running.set(false);
            GenServer.stop(server);
            Arrays.sort(lat);
            return new double[] {BenchSupport.percentile(lat, 0.50) / 1000.0, BenchSupport.percentile(lat, 0.99) / 1000.0,
                    BenchSupport.percentile(lat, 0.999) / 1000.0};
        });
    }

    /** Memory of n idle GenServers (optionally hibernating when idle), per server. */
    static double[] idleServers(NodeRuntime node, int n, boolean hibernate) throws Exception {
        int baseline = node.processCount();
        return node.run(() -> {
            StartOptions opts = hibernate ? StartOptions.DEFAULT.withHibernateAfter(Duration.ZERO) : StartOptions.DEFAULT;
            List<ServerRef<Object>> servers = new ArrayList<>(n);
            long before = BenchSupport.heapUsedAfterGc();
            for (int i = 0; i < n; i++) servers.add(GenServer.start(new Counting(), opts));
            for (ServerRef<Object> s : servers) {
                while (!node.isWaiting(s.pid())) Proc.yield();
            }
            long after = BenchSupport.heapUsedAfterGc();
            check(node.processCount() >= baseline + n, "expected " + n + " servers");
            for (ServerRef<Object> s : servers) Proc.exit(s.pid(), ExitReason.KILL);
            check(node.awaitProcessCount(baseline + 1, Duration.ofMinutes(5)), "servers did not stop");
            return new double[] {(double) (after - before) / n};
        });
    }
}
