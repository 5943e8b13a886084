package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A supervisor (Erlang's {@code supervisor}, Elixir's {@code Supervisor}): starts its children,
 * watches them, and restarts them by a strategy when they exit, within a restart intensity.
 *
 * {@snippet :
 * List<ChildSpec> children = List.of(
 *         ChildSpec.worker("cache", () -> GenServer.startLink(new Cache())),
 *         ChildSpec.worker("counter", () -> GenServer.startLink(new Counter())));
 * ServerRef<?> sup = Supervisor.startLink(Supervisor.Flags.oneForOne(), children);
 * }
 *
 * <p>Children start left to right and stop right to left. With {@link Strategy#ONE_FOR_ONE} only
 * the exited child restarts; {@link Strategy#ONE_FOR_ALL} stops and restarts all of them;
 * {@link Strategy#REST_FOR_ONE} the exited child and those started after it. More than
 * {@code intensity} restarts within {@code period} (Elixir's default: 3 in 5 seconds) means the
 * problem is not going away: the supervisor stops all its children and exits with reason
 * {@code shutdown}, and its own supervisor decides what comes next.
 *
 * <p>A supervisor is a {@link GenServer} itself (it runs on the same generic core). It runs on the
 * same scheduler as its children, so a restart is a few local hand-offs (median under 10 µs); busy
 * user processes cannot starve it because the scheduler adds carriers when every carrier is stuck
 * (ADR 0004). {@code StartOptions.withPriority(HIGH)} runs it on the node's system scheduler
 * instead: fully isolated from user processes, at the cost of restarts that cross carrier threads
 * (median ~150 µs measured).
 */
public final class Supervisor {
    private Supervisor() {
    }

    /** Which children restart when one exits. */
    public enum Strategy { ONE_FOR_ONE, ONE_FOR_ALL, REST_FOR_ONE }

    /** When the exit of significant children stops the supervisor. */
    public enum AutoShutdown { NEVER, ANY_SIGNIFICANT, ALL_SIGNIFICANT }

    /**
     * How a supervisor behaves.
     *
     * @param strategy     which children restart
     * @param intensity    at most this many restarts...
     * @param period       ...within this sliding window, or the supervisor gives up
     * @param autoShutdown whether significant children's exits stop the supervisor
     */
    public record Flags(Strategy strategy, int intensity, Duration period, AutoShutdown autoShutdown) {
        public Flags {
            Objects.requireNonNull(strategy, "strategy");
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(autoShutdown, "autoShutdown");
            if (intensity < 0) throw new IllegalArgumentException("intensity cannot be negative: " + intensity);
            if (period.isNegative() || period.isZero()) throw new IllegalArgumentException("period must be positive: " + period);
        }

        /** One for one, 3 restarts in 5 seconds (Elixir's defaults). */
        public static Flags oneForOne() {
            return new Flags(Strategy.ONE_FOR_ONE, 3, Duration.ofSeconds(5), AutoShutdown.NEVER);
        }

        public static Flags oneForAll() {
            return oneForOne().withStrategy(Strategy.ONE_FOR_ALL);
        }

        public static Flags restForOne() {
            return oneForOne().withStrategy(Strategy.REST_FOR_ONE);
        }

        public Flags withStrategy(Strategy s) {
            return new Flags(s, intensity, period, autoShutdown);
        }

        public Flags withIntensity(int maxRestarts, Duration within) {
            return new Flags(strategy, maxRestarts, within, autoShutdown);
        }

        public Flags withAutoShutdown(AutoShutdown a) {
            return new Flags(strategy, intensity, period, a);
        }
    }

    /** What a child is doing, as {@link #whichChildren} reports it. */
    public enum ChildStatus { RUNNING, RESTARTING, NOT_RUNNING }

    /**
     * One child as {@link #whichChildren} reports it.
     *
     * @param pid the running child, or null when it is restarting or not running
     */
    public record ChildInfo(Object id, Pid pid, ChildStatus status, ChildSpec.Type type) {
    }

    /**
     * A supervisor's state, as {@link Sys#getState} shows it.
     *
     * @param flags          its strategy and restart intensity
     * @param children       its children, in start order
     * @param recentRestarts the restarts within the current intensity period
     */
    public record Snapshot(Flags flags, List<ChildInfo> children, int recentRestarts) {
    }

    /**
     * Child counts ({@code count_children}).
     *
     * @param specs       child specs held
     * @param active      running children
     * @param supervisors children that are supervisors, running or not
     * @param workers     children that are workers, running or not
     */
    public record Counts(int specs, int active, int supervisors, int workers) {
    }

    /**
     * The exit detail of a supervisor whose child failed to start at init:
     * {@code {shutdown, {failed_to_start_child, Id, Reason}}}.
     */
    public record FailedToStartChild(Object id, Object reason) {
    }

    // ------------------------------------------------------------------ starting

    /** Starts a supervisor linked to the calling process; returns once every child has started. */
    public static ServerRef<?> startLink(Flags flags, List<ChildSpec> children) {
        return startLink(flags, children, StartOptions.DEFAULT);
    }

    public static ServerRef<?> startLink(Flags flags, List<ChildSpec> children, StartOptions options) {
        return GenServer.startLink(new SupervisorServer(flags, children, options.name()), options);
    }

    /** Starts a supervisor that is not linked to the caller. */
    public static ServerRef<?> start(Flags flags, List<ChildSpec> children) {
        return start(flags, children, StartOptions.DEFAULT);
    }

    public static ServerRef<?> start(Flags flags, List<ChildSpec> children, StartOptions options) {
        return GenServer.start(new SupervisorServer(flags, children, options.name()), options);
    }

    // ------------------------------------------------------------------ managing children

    /**
     * Adds a child and starts it.
     *
     * @return the child's pid, or null if its start was ignored
     * @throws StartException            if it failed to start
     * @throws IllegalArgumentException  if a child with that id exists (running or not)
     */
    public static Pid startChild(ServerRef<?> sup, ChildSpec spec) {
        return (Pid) unwrap(GenServer.call(cast(sup), new SupervisorServer.StartChild(spec), io.otp4j.Proc.INFINITY));
    }

    /** Admin replies carry failures back to the caller, where they are thrown. */
    static Object unwrap(Object reply) {
        if (reply instanceof SupervisorServer.Failure(RuntimeException e)) {
            // rethrown in the caller, with the caller's stack
            e.setStackTrace(Thread.currentThread().getStackTrace());
            throw e;
        }
        return reply == SupervisorServer.Failure.IGNORED_PID ? null : reply;
    }

    /** Stops a child (its spec is kept, so it can be restarted). @throws IllegalArgumentException if there is no such child */
    public static void terminateChild(ServerRef<?> sup, Object id) {
        unwrap(GenServer.call(cast(sup), new SupervisorServer.TerminateChild(id), io.otp4j.Proc.INFINITY));
    }

    /**
     * Starts a stopped child again from its spec.
     *
     * @throws IllegalStateException    if it is running
     * @throws IllegalArgumentException if there is no such child
     */
    public static Pid restartChild(ServerRef<?> sup, Object id) {
        return (Pid) unwrap(GenServer.call(cast(sup), new SupervisorServer.RestartChild(id), io.otp4j.Proc.INFINITY));
    }

    /** Forgets a stopped child's spec. @throws IllegalStateException if it is running */
    public static void deleteChild(ServerRef<?> sup, Object id) {
        unwrap(GenServer.call(cast(sup), new SupervisorServer.DeleteChild(id), io.otp4j.Proc.INFINITY));
    }

    /** The children, in start order. */
    public static List<ChildInfo> whichChildren(ServerRef<?> sup) {
        return GenServer.call(cast(sup), new SupervisorServer.WhichChildren(), io.otp4j.Proc.INFINITY);
    }

    public static Counts countChildren(ServerRef<?> sup) {
        return GenServer.call(cast(sup), new SupervisorServer.CountChildren(), io.otp4j.Proc.INFINITY);
    }

    public static Optional<ChildSpec> getChildspec(ServerRef<?> sup, Object id) {
        return GenServer.call(cast(sup), new SupervisorServer.GetChildspec(id), io.otp4j.Proc.INFINITY);
    }

    /** Stops the supervisor: its children stop right to left, then it exits {@code normal}. */
    public static void stop(ServerRef<?> sup) {
        GenServer.stop(sup, ExitReason.NORMAL, io.otp4j.Proc.INFINITY);
    }

    @SuppressWarnings("unchecked")
    private static ServerRef<SupervisorServer.Request> cast(ServerRef<?> sup) {
        return (ServerRef<SupervisorServer.Request>) sup;
    }
}
