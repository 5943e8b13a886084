package io.otp4j.behaviour;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Report;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.gen.SysView;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A supervisor that starts children on demand (Elixir's {@code DynamicSupervisor}, the modern
 * {@code simple_one_for_one}): no children at start, one-for-one restarts, an optional limit on
 * the number of children, and extra arguments given to every child's start.
 *
 * {@snippet :
 * ServerRef<?> conns = DynamicSupervisor.startLink(DynamicSupervisor.Options.DEFAULT);
 * Pid c = DynamicSupervisor.startChild(conns,
 *         ChildSpec.worker("conn", () -> Connection.startLink(device)).withRestart(ChildSpec.Restart.TRANSIENT));
 * }
 *
 * <p>Children are identified by pid (their ids need not be unique) and stop right to left (newest
 * first). Priority works as for {@link Supervisor}.
 */
public final class DynamicSupervisor {
    private DynamicSupervisor() {
    }

    /**
     * @param intensity      at most this many restarts...
     * @param period         ...within this window (Elixir's default: 3 in 5 s)
     * @param maxChildren    the most children at once (0: no limit)
     * @param extraArguments prepended to the arguments of every child's start
     *                       ({@link ChildSpec#workerWithArgs})
     */
    public record Options(int intensity, Duration period, int maxChildren, List<Object> extraArguments) {
        public static final Options DEFAULT = new Options(3, Duration.ofSeconds(5), 0, List.of());

        public Options {
            Objects.requireNonNull(period, "period");
            extraArguments = List.copyOf(extraArguments);
            if (intensity < 0 || maxChildren < 0) throw new IllegalArgumentException("intensity and maxChildren cannot be negative");
        }

        public Options withMaxChildren(int max) {
            return new Options(intensity, period, max, extraArguments);
        }

        public Options withIntensity(int maxRestarts, Duration within) {
            return new Options(maxRestarts, within, maxChildren, extraArguments);
        }

        public Options withExtraArguments(List<Object> args) {
            return new Options(intensity, period, maxChildren, args);
        }
    }

    /** {@link #startChild} refused: the supervisor has {@code maxChildren} children. */
    public static final class MaxChildrenException extends IllegalStateException {
        MaxChildrenException(int max) {
            super("max_children: the supervisor already has its maximum of " + max + " children");
        }
    }

    public static ServerRef<?> startLink(Options options) {
        return startLink(options, StartOptions.DEFAULT);
    }

    public static ServerRef<?> startLink(Options options, StartOptions start) {
        return GenServer.startLink(new Server(options, start.name(), false), start);
    }

    public static ServerRef<?> start(Options options) {
        return start(options, StartOptions.DEFAULT);
    }

    public static ServerRef<?> start(Options options, StartOptions start) {
        return GenServer.start(new Server(options, start.name(), false), start);
    }

    /** Starts a task supervisor: a dynamic supervisor that process_info and sys name as one. */
    static ServerRef<?> startTasks(Options options, StartOptions start, boolean link) {
        Server s = new Server(options, start.name(), true);
        return link ? GenServer.startLink(s, start) : GenServer.start(s, start);
    }

    /**
     * A dynamic supervisor's state, as {@link Sys#getState} shows it.
     *
     * @param options        its options
     * @param children       its running children, in start order
     * @param restarting     children waiting for a restart that failed to be retried
     * @param recentRestarts the restarts within the current intensity period
     */
    public record Snapshot(Options options, List<Supervisor.ChildInfo> children, int restarting, int recentRestarts) {
    }

    /**
     * Starts a child under the supervisor.
     *
     * @return its pid, or null if its start was ignored
     * @throws StartException       if it failed to start
     * @throws MaxChildrenException if the supervisor is full
     */
    public static Pid startChild(ServerRef<?> sup, ChildSpec spec) {
        return (Pid) Supervisor.unwrap(GenServer.call(cast(sup), new StartChild(spec), io.otp4j.Proc.INFINITY));
    }

    /** Stops a child by pid (its shutdown applies) and forgets it. @throws IllegalArgumentException if not a child */
    public static void terminateChild(ServerRef<?> sup, Pid child) {
        Supervisor.unwrap(GenServer.call(cast(sup), new TerminateChild(child), io.otp4j.Proc.INFINITY));
    }

    /** The children, oldest first. */
    public static List<Supervisor.ChildInfo> whichChildren(ServerRef<?> sup) {
        return GenServer.call(cast(sup), new WhichChildren(), io.otp4j.Proc.INFINITY);
    }

    public static Supervisor.Counts countChildren(ServerRef<?> sup) {
        return GenServer.call(cast(sup), new CountChildren(), io.otp4j.Proc.INFINITY);
    }

    public static void stop(ServerRef<?> sup) {
        GenServer.stop(sup, ExitReason.NORMAL, io.otp4j.Proc.INFINITY);
    }

    @SuppressWarnings("unchecked")
    private static ServerRef<Request> cast(ServerRef<?> sup) {
        return (ServerRef<Request>) sup;
    }

    sealed interface Request {
    }

    record StartChild(ChildSpec spec) implements Request {
    }

    record TerminateChild(Pid pid) implements Request {
    }

    record WhichChildren() implements Request {
    }

    record CountChildren() implements Request {
    }

    private record Restart(ChildSpec spec) {
    }

    static final class State {
        /** Children by pid, in start order. */
        final LinkedHashMap<Pid, ChildSpec> children = new LinkedHashMap<>();
        final ArrayDeque<Long> restarts = new ArrayDeque<>();
        int restarting;

        @Override
        public String toString() {
            return "children=" + children.size() + " restarting=" + restarting;
        }
    }

    static final class Server implements GenServer<State, Request>, SysView<State> {
        private final Options options;
        private final Name name;
        private final boolean tasks;
        private NodeRuntime node;

        Server(Options options, Name name, boolean tasks) {
            this.options = options;
            this.name = name;
            this.tasks = tasks;
        }

        @Override
        public String behaviourName() {
            return tasks ? "TaskSupervisor" : "DynamicSupervisor";
        }

        @Override
        public String moduleName() {
            return (tasks ? TaskSupervisor.class : DynamicSupervisor.class).getName();
        }

        @Override
        public Object sysState(State s) {
            return new Snapshot(options, childInfos(s), s.restarting, s.restarts.size());
        }

        /** A supervisor's bookkeeping is not replaced from outside: the function may only return it unchanged. */
        @Override
        public State replaceSysState(State s, UnaryOperator<Object> fn) {
            return SysView.unchangedOnly(s, sysState(s), fn, "a supervisor's state");
        }

        private static List<Supervisor.ChildInfo> childInfos(State s) {
            List<Supervisor.ChildInfo> out = new ArrayList<>();
            for (Map.Entry<Pid, ChildSpec> e : s.children.entrySet()) {
                out.add(new Supervisor.ChildInfo(e.getValue().id(), e.getKey(), Supervisor.ChildStatus.RUNNING,
                        e.getValue().type()));
            }
            return List.copyOf(out);
        }

        @Override
        public Init<State> init() {
            Proc.trapExit(true);
            node = NodeRuntime.current();
            return new Init.Ok<>(new State());
        }

        @Override
        public CallResult<State> handleCall(Request req, From from, State s) {
            return switch (req) {
                case StartChild(ChildSpec spec) -> {
                    if (options.maxChildren() > 0 && s.children.size() + s.restarting >= options.maxChildren()) {
                        yield new Reply<>(new SupervisorServer.Failure(new MaxChildrenException(options.maxChildren())), s);
                    }
                    Object r = start(spec, s);
                    yield new Reply<>(r, s);
                }
                case TerminateChild(Pid pid) -> {
                    ChildSpec spec = s.children.remove(pid);
                    if (spec == null) {
                        yield new Reply<>(new SupervisorServer.Failure(new IllegalArgumentException(pid + " is not a child")), s);
                    }
                    shutdown(pid, spec);
                    yield new Reply<>(Boolean.TRUE, s);
                }
                case WhichChildren() -> new Reply<>(childInfos(s), s);
                case CountChildren() -> {
                    int sups = 0;
                    for (ChildSpec c : s.children.values()) if (c.type() == ChildSpec.Type.SUPERVISOR) sups++;
                    int n = s.children.size();
                    yield new Reply<>(new Supervisor.Counts(n, n, sups, n - sups), s);
                }
            };
        }

        /** Starts a child; returns its pid, {@link SupervisorServer.Failure#IGNORED_PID}, or a failure. */
        private Object start(ChildSpec spec, State s) {
            Object r;
            try {
                r = spec.start().apply(options.extraArguments());
            } catch (StartException e) {
                if (e.ignored()) return SupervisorServer.Failure.IGNORED_PID;
                return new SupervisorServer.Failure(e);
            } catch (RuntimeException e) {
                return new SupervisorServer.Failure(new StartException("start of child " + spec.id(),
                        new StartException.Why.Failed(new ExitReason.Crash(e))));
            }
            Pid pid = SupervisorServer.pidOf(r);
            if (pid == null) return SupervisorServer.Failure.IGNORED_PID;
            Proc.link(pid);
            s.children.put(pid, spec);
            node.reports().emit(new Report.Progress(Instant.now(), Proc.self(), supName(), spec.id(), pid));
            return pid;
        }

        @Override
        public CastResult<State> handleInfo(Object msg, State s) {
            if (msg instanceof Exit(Pid from, ExitReason reason)) {
                ChildSpec spec = s.children.remove(from);
                if (spec == null) return new NoReply<>(s);
                if (!reason.isSilent()) {
                    node.reports().emit(new Report.Supervisor(Instant.now(), Proc.self(), supName(), "child_terminated",
                            reason, spec.id(), Optional.of(from)));
                }
                boolean restart = switch (spec.restart()) {
                    case PERMANENT -> true;
                    case TRANSIENT -> !reason.isSilent();
                    case TEMPORARY -> false;
                };
                if (!restart) return new NoReply<>(s);
                return restart(spec, s);
            }
            if (msg instanceof Restart(ChildSpec spec)) {
                s.restarting--;
                return restart(spec, s);
            }
            io.otp4j.internal.gen.GenServerLoop.unexpected(this, msg);
            return new NoReply<>(s);
        }

        private CastResult<State> restart(ChildSpec spec, State s) {
            long now = node.ticker().nanoTime();
            s.restarts.addLast(now);
            while (!s.restarts.isEmpty() && now - s.restarts.peekFirst() >= options.period().toNanos()) {
                s.restarts.removeFirst();
            }
            if (s.restarts.size() > options.intensity()) {
                node.reports().emit(new Report.Supervisor(Instant.now(), Proc.self(), supName(), "shutdown",
                        new ExitReason.Other("reached_max_restart_intensity"), spec.id(), Optional.empty()));
                return new Stop<>(ExitReason.SHUTDOWN, s);
            }
            Object r = start(spec, s);
            if (r instanceof SupervisorServer.Failure) {
                s.restarting++;
                Proc.send(Proc.self(), new Restart(spec)); // try again, counting against the intensity
            }
            return new NoReply<>(s);
        }

        @Override
        public void terminate(ExitReason reason, State s) {
            List<Map.Entry<Pid, ChildSpec>> all = new ArrayList<>(s.children.entrySet());
            for (int i = all.size() - 1; i >= 0; i--) shutdown(all.get(i).getKey(), all.get(i).getValue());
            s.children.clear();
        }

        private void shutdown(Pid pid, ChildSpec spec) {
            Children.shutdown(pid, spec.shutdown());
        }

        private Optional<String> supName() {
            return name instanceof Name.Local(String n) ? Optional.of(n) : Optional.empty();
        }

        @Override
        public Object formatStatus(State s) {
            return s.toString();
        }
    }
}
