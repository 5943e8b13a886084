package io.otp4j;

import io.otp4j.internal.NodeRuntime;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * A node: the runtime that hosts processes, as an Erlang VM does.
 *
 * <p>Most programs use the JVM's default node, started on first use, through {@link Proc}:
 * {@snippet :
 * Pid echo = Proc.spawn(() -> {
 *     while (true) {
 *         if (Proc.receive() instanceof Ping(Pid from)) Proc.send(from, "pong");
 *     }
 * });
 * }
 * Code that is not itself a process (a {@code main} method, a test, a servlet thread) can spawn
 * processes and send to them, and can run code inside a fresh process with {@link #run}:
 * {@snippet :
 * String reply = Node.local().run(() -> {
 *     Proc.send(echo, new Ping(Proc.self()));
 *     return (String) Proc.receive();
 * });
 * }
 * Several nodes may run in one JVM (tests do this); each has its own processes, names, scheduler
 * and timers. {@link #stop()} kills every process of the node and releases its threads.
 */
public interface Node extends AutoCloseable {

    /** The JVM's default node ({@code nonode@nohost}), started on first use. */
    static Node local() {
        return NodeRuntime.defaultNode();
    }

    /** Starts another node in this JVM. */
    static Node start(Options options) {
        return NodeRuntime.start(options);
    }

    /** This node's name, e.g. {@code nonode@nohost} or {@code app@host}. */
    String name();

    /** This incarnation of the node (part of every pid and reference it makes). */
    int creation();

    /** Spawns a process running {@code body}; see {@link Proc#spawn(Proc.Body)}. */
    Pid spawn(Proc.Body body);

    /** Spawns a process with options; {@code link} and {@code monitor} need a calling process. */
    Pid spawn(SpawnOptions options, Proc.Body body);

    /**
     * Runs {@code fn} in a new process of this node and waits for its result; rethrows what it
     * throws. The calling thread blocks; it need not be a process.
     */
    <T> T run(Callable<T> fn) throws Exception;

    /** Sends {@code msg} to {@code to}; see {@link Proc#send(Pid, Object)}. */
    void send(Pid to, Object msg);

    /** Sends {@code msg} to the process registered as {@code name} on this node. */
    void send(String name, Object msg);

    /** The process registered as {@code name}, if any. */
    Optional<Pid> whereis(String name);

    /** Whether {@code pid} is a live process of this node. */
    boolean isAlive(Pid pid);

    /** The live processes of this node. */
    List<Pid> processes();

    /** A snapshot of a live process of this node. */
    Optional<ProcessInfo> info(Pid pid);

    /**
     * Adds a listener that receives every report made from now on (crashes, supervisor and
     * progress reports), besides the {@link Options#reportListener} and SLF4J. It runs on the
     * thread that makes the report, often the process that crashed: keep it short and do not block.
     * A listener that throws is logged and stays.
     *
     * @return a handle whose {@code close()} removes the listener
     */
    AutoCloseable addReportListener(Consumer<Report> listener);

    /** Kills every process and releases the node's threads. */
    void stop();

    boolean isStopped();

    @Override
    default void close() {
        stop();
    }

    /** Which carrier scheduler runs the node's virtual threads (ADR 0001). */
    enum SchedulerKind {
        /** otp4j's scheduler when {@code java.lang} is open to otp4j, otherwise the JDK's. */
        AUTO,
        /** otp4j's scheduler, or fail if it cannot be installed. */
        OTP4J,
        /** The JDK's default virtual-thread scheduler. */
        JDK
    }

    /**
     * How to start a node.
     *
     * @param name            the node's name
     * @param creation        its incarnation (0: chosen by the node)
     * @param schedulers      carrier threads for normal processes (0: one per CPU)
     * @param scheduler       which scheduler runs the virtual threads
     * @param checkMessages   reject visibly mutable messages on send (for tests; costs a
     *                        reflective walk of every message)
     * @param reductionBudget sends and receives a process makes before it yields to waiting
     *                        processes (ADR 0004)
     * @param reportListener  receives every report besides SLF4J (null: none)
     * @param ticker          the clock of restart windows (tests inject one)
     */
    record Options(String name, int creation, int schedulers, SchedulerKind scheduler, boolean checkMessages,
                   int reductionBudget, Consumer<Report> reportListener, Ticker ticker) {

        public Options {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(ticker, "ticker");
            if (reductionBudget <= 0) throw new IllegalArgumentException("reductionBudget must be positive");
        }

        public static Options defaults() {
            boolean check = Boolean.getBoolean("otp4j.checkMessages");
            return new Options("nonode@nohost", 0, 0, SchedulerKind.AUTO, check, 2000, null, Ticker.system());
        }

        public static Options named(String name) {
            return defaults().withName(name);
        }

        public Options withName(String n) {
            return new Options(n, creation, schedulers, scheduler, checkMessages, reductionBudget, reportListener, ticker);
        }

        public Options withCreation(int c) {
            return new Options(name, c, schedulers, scheduler, checkMessages, reductionBudget, reportListener, ticker);
        }

        public Options withSchedulers(int n) {
            return new Options(name, creation, n, scheduler, checkMessages, reductionBudget, reportListener, ticker);
        }

        public Options withScheduler(SchedulerKind k) {
            return new Options(name, creation, schedulers, k, checkMessages, reductionBudget, reportListener, ticker);
        }

        public Options withCheckMessages(boolean on) {
            return new Options(name, creation, schedulers, scheduler, on, reductionBudget, reportListener, ticker);
        }

        public Options withReductionBudget(int budget) {
            return new Options(name, creation, schedulers, scheduler, checkMessages, budget, reportListener, ticker);
        }

        public Options withTicker(Ticker t) {
            return new Options(name, creation, schedulers, scheduler, checkMessages, reductionBudget, reportListener, t);
        }

        public Options withReportListener(Consumer<Report> listener) {
            return new Options(name, creation, schedulers, scheduler, checkMessages, reductionBudget, listener, ticker);
        }
    }
}
