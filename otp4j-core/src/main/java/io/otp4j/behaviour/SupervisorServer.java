package io.otp4j.behaviour;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Report;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.gen.SysView;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The supervisor behaviour, as a {@link GenServer} on the generic core. State is private to the
 * supervisor process and mutated in place; nothing of it escapes but copies.
 */
final class SupervisorServer implements GenServer<SupervisorServer.State, SupervisorServer.Request>,
        SysView<SupervisorServer.State> {

    sealed interface Request {
    }

    record StartChild(ChildSpec spec) implements Request {
    }

    record TerminateChild(Object id) implements Request {
    }

    record RestartChild(Object id) implements Request {
    }

    record DeleteChild(Object id) implements Request {
    }

    record WhichChildren() implements Request {
    }

    record CountChildren() implements Request {
    }

    record GetChildspec(Object id) implements Request {
    }

    /** Sent to itself to retry a restart that failed. */
    private record RetryRestart(Object id) {
    }

    static final class Child {
        ChildSpec spec;
        Pid pid;
        boolean restarting;

        Child(ChildSpec spec) {
            this.spec = spec;
        }
    }

    static final class State {
        final List<Child> children = new ArrayList<>();
        final ArrayDeque<Long> restarts = new ArrayDeque<>();

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("children=[");
            for (Child c : children) sb.append(c.spec.id()).append('=').append(c.pid).append(' ');
            return sb.append("] recent restarts=").append(restarts.size()).toString();
        }
    }

    private final Supervisor.Flags flags;
    private final List<ChildSpec> initial;
    private final Name name;
    private NodeRuntime node;

    SupervisorServer(Supervisor.Flags flags, List<ChildSpec> children, Name name) {
        this.flags = flags;
        this.initial = List.copyOf(children);
        this.name = name;
        Set<Object> ids = new HashSet<>();
        for (ChildSpec c : initial) {
            if (!ids.add(c.id())) throw ChildSpec.invalid(c.id(), "two children have this id; ids must be unique");
        }
    }

    // ------------------------------------------------------------------ init and terminate

    @Override
    public Init<State> init() {
        Proc.trapExit(true);
        node = NodeRuntime.current();
        State s = new State();
        for (ChildSpec spec : initial) {
            Child c = new Child(spec);
            Object failure = start(c);
            if (failure != null) {
                terminateAll(s);
                Object why = failure instanceof StartException e
                        ? e.reason().map(Object.class::cast).orElse(e.why()) : failure;
                return new Init.Stop<>(ExitReason.shutdown(new Supervisor.FailedToStartChild(spec.id(), why)));
            }
            s.children.add(c);
        }
        return new Init.Ok<>(s);
    }

    @Override
    public void terminate(ExitReason reason, State s) {
        terminateAll(s);
    }

    /** Stops every running child, right to left. */
    private void terminateAll(State s) {
        for (int i = s.children.size() - 1; i >= 0; i--) {
            Child c = s.children.get(i);
            if (c.pid != null) shutdown(c);
        }
    }

    // ------------------------------------------------------------------ requests

    @Override
    public CallResult<State> handleCall(Request req, From from, State s) {
        return switch (req) {
            case StartChild(ChildSpec spec) -> {
                Child existing = find(s, spec.id());
                if (existing != null) {
                    yield new Reply<>(new Failure(new IllegalArgumentException("a child with id '" + spec.id()
                            + "' already exists" + (existing.pid != null ? " and runs as " + existing.pid : " (not running)"))), s);
                }
                Child c = new Child(spec);
                Object failure = start(c);
                if (failure instanceof StartException e) {
                    yield new Reply<>(new Failure(e), s);
                }
                s.children.add(c);
                yield new Reply<>(c.pid != null ? c.pid : Failure.IGNORED_PID, s);
            }
            case TerminateChild(Object id) -> {
                Child c = find(s, id);
                if (c == null) yield new Reply<>(new Failure(new IllegalArgumentException("no child '" + id + "'")), s);
                if (c.pid != null) shutdown(c);
                c.restarting = false;
                if (c.spec.restart() == ChildSpec.Restart.TEMPORARY) s.children.remove(c);
                yield new Reply<>(Boolean.TRUE, s);
            }
            case RestartChild(Object id) -> {
                Child c = find(s, id);
                if (c == null) yield new Reply<>(new Failure(new IllegalArgumentException("no child '" + id + "'")), s);
                if (c.pid != null || c.restarting) {
                    yield new Reply<>(new Failure(new IllegalStateException("child '" + id + "' is "
                            + (c.pid != null ? "running" : "restarting"))), s);
                }
                Object failure = start(c);
                if (failure instanceof StartException e) yield new Reply<>(new Failure(e), s);
                yield new Reply<>(c.pid != null ? c.pid : Failure.IGNORED_PID, s);
            }
            case DeleteChild(Object id) -> {
                Child c = find(s, id);
                if (c == null) yield new Reply<>(new Failure(new IllegalArgumentException("no child '" + id + "'")), s);
                if (c.pid != null || c.restarting) {
                    yield new Reply<>(new Failure(new IllegalStateException("child '" + id + "' is "
                            + (c.pid != null ? "running; terminate it first" : "restarting"))), s);
                }
                s.children.remove(c);
                yield new Reply<>(Boolean.TRUE, s);
            }
            case WhichChildren() -> new Reply<>(childInfos(s), s);
            case CountChildren() -> {
                int active = 0;
                int sups = 0;
                for (Child c : s.children) {
                    if (c.pid != null) active++;
                    if (c.spec.type() == ChildSpec.Type.SUPERVISOR) sups++;
                }
                yield new Reply<>(new Supervisor.Counts(s.children.size(), active, sups, s.children.size() - sups), s);
            }
            case GetChildspec(Object id) -> {
                Child c = find(s, id);
                yield new Reply<>(Optional.ofNullable(c == null ? null : c.spec), s);
            }
        };
    }

    private static List<Supervisor.ChildInfo> childInfos(State s) {
        List<Supervisor.ChildInfo> out = new ArrayList<>();
        for (Child c : s.children) {
            Supervisor.ChildStatus st = c.pid != null ? Supervisor.ChildStatus.RUNNING
                    : c.restarting ? Supervisor.ChildStatus.RESTARTING : Supervisor.ChildStatus.NOT_RUNNING;
            out.add(new Supervisor.ChildInfo(c.spec.id(), c.pid, st, c.spec.type()));
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ sys

    @Override
    public String behaviourName() {
        return "Supervisor";
    }

    @Override
    public String moduleName() {
        return Supervisor.class.getName();
    }

    @Override
    public Object sysState(State s) {
        return new Supervisor.Snapshot(flags, childInfos(s), s.restarts.size());
    }

    /** A supervisor's bookkeeping is not replaced from outside: the function may only return it unchanged. */
    @Override
    public State replaceSysState(State s, UnaryOperator<Object> fn) {
        return SysView.unchangedOnly(s, sysState(s), fn, "a supervisor's state");
    }

    /** A failure carried back to the caller of an admin function, which rethrows it. */
    record Failure(RuntimeException error) {
        static final Object IGNORED_PID = new Object();
    }

    // ------------------------------------------------------------------ exits

    @Override
    public CastResult<State> handleInfo(Object msg, State s) {
        if (msg instanceof Exit(Pid from, ExitReason reason)) {
            Child c = findPid(s, from);
            if (c == null) return new NoReply<>(s); // not (or no longer) our child
            return childExited(s, c, reason);
        }
        if (msg instanceof RetryRestart(Object id)) {
            Child c = find(s, id);
            if (c == null || !c.restarting) return new NoReply<>(s);
            return restart(s, c);
        }
        io.otp4j.internal.gen.GenServerLoop.unexpected(this, msg);
        return new NoReply<>(s);
    }

    private CastResult<State> childExited(State s, Child c, ExitReason reason) {
        Pid dead = c.pid;
        c.pid = null;
        if (!reason.isSilent()) {
            report("child_terminated", reason, c, dead);
        }
        boolean restart = switch (c.spec.restart()) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isSilent();
            case TEMPORARY -> false;
        };
        if (!restart) {
            if (c.spec.restart() == ChildSpec.Restart.TEMPORARY) s.children.remove(c);
            if (c.spec.significant() && autoShutdownNow(s)) {
                return new Stop<>(ExitReason.SHUTDOWN, s);
            }
            return new NoReply<>(s);
        }
        return restart(s, c);
    }

    private boolean autoShutdownNow(State s) {
        return switch (flags.autoShutdown()) {
            case NEVER -> false;
            case ANY_SIGNIFICANT -> true;
            case ALL_SIGNIFICANT -> s.children.stream().noneMatch(ch -> ch.spec.significant() && ch.pid != null);
        };
    }

    /** One restart event: counts against the intensity, then restarts by the strategy. */
    private CastResult<State> restart(State s, Child c) {
        if (!addRestart(s)) {
            report("shutdown", new ExitReason.Other("reached_max_restart_intensity"), c, null);
            s.children.remove(c.spec.restart() == ChildSpec.Restart.TEMPORARY ? c : null);
            return new Stop<>(ExitReason.SHUTDOWN, s);
        }
        int at = s.children.indexOf(c);
        List<Child> toRestart = switch (flags.strategy()) {
            case ONE_FOR_ONE -> List.of(c);
            case ONE_FOR_ALL -> new ArrayList<>(s.children);
            case REST_FOR_ONE -> new ArrayList<>(s.children.subList(at, s.children.size()));
        };
        // stop the others in the group, right to left
        for (int i = toRestart.size() - 1; i >= 0; i--) {
            Child o = toRestart.get(i);
            if (o != c && o.pid != null) shutdown(o);
        }
        // start the group left to right; temporary children that were stopped are forgotten
        for (Child o : toRestart) {
            if (o != c && o.spec.restart() == ChildSpec.Restart.TEMPORARY) {
                s.children.remove(o);
                continue;
            }
            Object failure = start(o);
            if (failure != null) {
                o.restarting = true;
                Proc.send(Proc.self(), new RetryRestart(o.spec.id()));
                return new NoReply<>(s);
            }
            o.restarting = false;
        }
        return new NoReply<>(s);
    }

    /** Records a restart; false when that makes more than {@code intensity} within {@code period}. */
    private boolean addRestart(State s) {
        long now = node.ticker().nanoTime();
        long window = flags.period().toNanos();
        s.restarts.addLast(now);
        while (!s.restarts.isEmpty() && now - s.restarts.peekFirst() >= window) {
            s.restarts.removeFirst();
        }
        return s.restarts.size() <= flags.intensity();
    }

    // ------------------------------------------------------------------ starting and stopping children

    /** Starts a child; returns null on success (or ignore), else what went wrong. */
    private Object start(Child c) {
        Object r;
        try {
            r = c.spec.start().apply(List.of());
        } catch (StartException e) {
            if (e.ignored()) {
                c.pid = null;
                return null;
            }
            report("start_error", e.reason().orElse(new ExitReason.Other(e.why())), c, null);
            return e;
        } catch (RuntimeException e) {
            report("start_error", new ExitReason.Crash(e), c, null);
            return new StartException("start of child " + c.spec.id(), new StartException.Why.Failed(new ExitReason.Crash(e)));
        }
        Pid pid = pidOf(r);
        c.pid = pid;
        if (pid != null) {
            Proc.link(pid); // in case the start function did not link
            node.reports().emit(new Report.Progress(Instant.now(), Proc.self(), supName(), c.spec.id(), pid));
        }
        return null;
    }

    static Pid pidOf(Object r) {
        return Children.pidOf(r);
    }

    /** Stops a running child as its spec says; reports a child that did not stop as asked. */
    private void shutdown(Child c) {
        Pid pid = c.pid;
        c.pid = null;
        ExitReason r = Children.shutdown(pid, c.spec.shutdown());
        if (!Children.asExpected(c.spec.shutdown(), r)) {
            report("shutdown_error", r, c, pid);
        }
    }

    private static Child find(State s, Object id) {
        for (Child c : s.children) if (c.spec.id().equals(id)) return c;
        return null;
    }

    private static Child findPid(State s, Pid pid) {
        for (Child c : s.children) if (pid.equals(c.pid)) return c;
        return null;
    }

    private Optional<String> supName() {
        return name instanceof Name.Local(String n) ? Optional.of(n) : Optional.empty();
    }

    private void report(String context, ExitReason reason, Child c, Pid pid) {
        node.reports().emit(new Report.Supervisor(Instant.now(), Proc.self(), supName(), context, reason,
                c.spec.id(), Optional.ofNullable(pid)));
    }

    @Override
    public Object formatStatus(State s) {
        return s.toString();
    }
}
