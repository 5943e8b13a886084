package io.otp4j.internal.gen;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessExit;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.SpawnOptions;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.GenServer.Action;
import io.otp4j.behaviour.GenServer.CallResult;
import io.otp4j.behaviour.GenServer.CastResult;
import io.otp4j.behaviour.GenServer.Init;
import io.otp4j.behaviour.GenServer.NoReply;
import io.otp4j.behaviour.GenServer.Reply;
import io.otp4j.behaviour.GenServer.Stop;
import io.otp4j.behaviour.Name;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Starting a behaviour process with acknowledgement ({@code proc_lib:start_link} +
 * {@code init_ack}), and the generic server loop ({@code gen_server:loop}). Supervisors, agents and
 * task supervisors are generic servers; other behaviours use {@link #startProcess} with loops of
 * their own.
 */
public final class GenServerLoop {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.behaviour");

    /** The message {@code handleInfo} gets when an {@code Action.Timeout} expires. */
    public static final Object TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "timeout";
        }
    };

    /** Prune done call waiters every this many messages. */
    private static final int PRUNE_EVERY = 256;

    private GenServerLoop() {
    }

    // ------------------------------------------------------------------ start with acknowledgement

    /** What the new process tells its starter. */
    sealed interface Ack {
        record Started() implements Ack {
        }

        record Ignored() implements Ack {
        }

        record Failed(ExitReason reason) implements Ack {
        }

        record AlreadyStarted(Pid pid) implements Ack {
        }
    }

    /** Runs in the new process: registers the name, runs init, acknowledges. Returns what init gave. */
    public interface InitBody<T> {
        /**
         * Runs the behaviour's init in the new process.
         *
         * @return the value to go on with, or null after {@link Starting#ignore()}/{@link Starting#fail}
         */
        T init(Starting starting) throws Exception;
    }

    /** The new process's side of the start handshake. */
    public static final class Starting {
        private final CallSlot slot;
        private final Pid parent;
        private boolean acked;

        Starting(CallSlot slot, Pid parent) {
            this.slot = slot;
            this.parent = parent;
        }

        /** The starter (for startLink) or the process itself. */
        public Pid parent() {
            return parent;
        }

        public void started() {
            ack(new Ack.Started());
        }

        public void ignore() {
            ack(new Ack.Ignored());
        }

        public void fail(ExitReason reason) {
            ack(new Ack.Failed(reason));
        }

        void ack(Ack a) {
            if (!acked) {
                acked = true;
                GenServer.reply(slot, a);
            }
        }
    }

    /**
     * Starts a behaviour process and returns once its init has acknowledged: registers the name
     * first (failing with already-started if taken), runs {@code body}, and on failure waits for the
     * process to be gone (so its name is free) before reporting.
     */
    public static <T> Pid startProcess(StartOptions opts, boolean link, String what, InitBody<T> body,
                                       java.util.function.BiConsumer<Starting, T> then) {
        ProcessImpl self = ProcessImpl.current();
        if (link && self == null) {
            throw new IllegalStateException("startLink links the new process to the caller, which must be a process; "
                    + "call it from a process (or a supervisor), or use start");
        }
        NodeRuntime node = Gen.nodeOf(self);
        CallSlot slot = new CallSlot(self, node);
        Pid parentPid = link ? self.pid : null;
        Ref watch = node.makeRef(null);
        SpawnOptions sp = SpawnOptions.DEFAULT.withPriority(opts.priority());
        if (link) sp = sp.withLink();
        Pid pid = node.spawn(self, () -> {
            Starting starting = new Starting(slot, parentPid != null ? parentPid : Proc.self());
            if (opts.name() != null) {
                Optional<Pid> holder = registerName(opts.name());
                if (holder.isPresent()) {
                    starting.ack(new Ack.AlreadyStarted(holder.get()));
                    return; // exits normal
                }
            }
            // if init throws, the process crashes: the starter hears the reason from its death
            T value = body.init(starting);
            if (value == null) return;
            starting.ack(new Ack.Started());
            then.accept(starting, value);
        }, sp, watch, (ref, who, reason) -> slot.processDown(reason));
        Object outcome = slot.await(Gen.nanos(opts.timeout()));
        if (outcome instanceof Ack.Started) {
            node.unwatch(pid, watch);
            return pid;
        }
        if (outcome == CallSlot.TIMED_OUT) {
            node.exit(self, pid, ExitReason.KILL);
            awaitGone(node, pid);
            throw new StartException(what, new StartException.Why.TimedOut());
        }
        // a failure: the process is exiting; its name is free once it is gone
        awaitGone(node, pid);
        throw new StartException(what, switch (outcome) {
            case Ack.Ignored i -> new StartException.Why.Ignored();
            case Ack.AlreadyStarted(Pid holder) -> new StartException.Why.AlreadyStarted(holder);
            case Ack.Failed(ExitReason r) -> new StartException.Why.Failed(r);
            case CallSlot.Died(ExitReason r) -> new StartException.Why.Failed(r);
            default -> new StartException.Why.Failed(new ExitReason.Other(outcome));
        });
    }

    /** Waits until {@code pid} has died (its name released), without being killed by its exit. */
    private static void awaitGone(NodeRuntime node, Pid pid) {
        CallSlot gone = new CallSlot(ProcessImpl.current(), node);
        if (node.watchCall(pid, gone)) {
            gone.await(-1);
        }
    }

    /** Registers the calling process under {@code name}; returns the holder if the name is taken. */
    static Optional<Pid> registerName(Name name) {
        Pid me = Proc.self();
        switch (name) {
            case Name.Local(String n) -> {
                try {
                    Proc.register(n, me);
                    return Optional.empty();
                } catch (IllegalArgumentException taken) {
                    Optional<Pid> holder = Proc.whereis(n);
                    if (holder.isEmpty()) throw taken;
                    return holder;
                }
            }
            case Name.Via(io.otp4j.behaviour.Registry r, Object key) -> {
                return r.registerName(key, me);
            }
        }
    }

    // ------------------------------------------------------------------ GenServer

    public static <S, M> ServerRef<M> start(GenServer<S, M> server, StartOptions opts, boolean link) {
        String what = "start of " + server.getClass().getName() + (opts.name() != null ? " as " + opts.name() : "");
        Pid pid = startProcess(opts, link, what, starting -> {
            Init<S> init = server.init();
            return switch (init) {
                case Init.Ok<S> ok -> ok;
                case Init.Ignore<S> ig -> {
                    starting.ignore();
                    yield null;
                }
                case Init.Error<S>(Object reason) -> {
                    starting.fail(ExitReason.of(reason));
                    yield null;
                }
                case Init.Stop<S>(ExitReason reason) -> {
                    starting.fail(reason);
                    throw new ProcessExit(reason);
                }
            };
        }, (starting, ok) -> new Server<>(server, opts, starting.parent()).loop(ok.state(), ok.action()));
        return ServerRef.of(pid);
    }

    /**
     * The default handleInfo of every behaviour: log the first unexpected message of each type,
     * drop it. {@code server} is the callback object, named in the log.
     */
    public static void unexpected(Object server, Object msg) {
        ProcessImpl p = ProcessImpl.current();
        Object ctx = p != null ? p.behaviour() : null;
        if (ctx instanceof Server<?, ?> s) {
            if (!s.unexpectedSeen.add(msg.getClass())) return;
        }
        LOG.warn("{} ({}) received an unexpected message, dropped: {} (further {} messages to it are not logged)",
                p != null ? p.pid : "?", server.getClass().getName(), msg, msg.getClass().getSimpleName());
    }

    /** A running generic server: its callbacks, options, and what crash reports and sys need. */
    static final class Server<S, M> extends SysLoop {
        final GenServer<S, M> cb;
        /** The callbacks' sys view, for the behaviours built on GenServer; null for a plain GenServer. */
        final SysView<S> view;
        final StartOptions opts;
        final Pid parent;
        final Set<Class<?>> unexpectedSeen = new HashSet<>(2);
        Object lastMessage;
        S state;
        int handled;

        @SuppressWarnings("unchecked")
        Server(GenServer<S, M> cb, StartOptions opts, Pid parent) {
            super(ProcessImpl.current());
            this.cb = cb;
            this.view = cb instanceof SysView<?> v ? (SysView<S>) v : null;
            this.opts = opts;
            this.parent = parent;
            self.behaviour(this);
        }

        /** The loop: one message at a time. Never returns normally: the process exits. */
        @SuppressWarnings("unchecked")
        void loop(S initial, Action initialAction) {
            state = initial;
            Action action = initialAction;
            for (;;) {
                Object msg;
                Action waiting = Action.NONE; // what a system message leaves in force
                switch (action) {
                    case Action.Continue(Object arg) -> {
                        lastMessage = arg;
                        action = afterCast(guard(() -> cb.handleContinue(arg, state)));
                        continue;
                    }
                    case Action.Hibernate h -> {
                        S s = state;
                        Proc.hibernate(() -> {
                            Server.this.self.behaviour(Server.this);
                            loop(s, Action.NONE);
                        });
                        return;
                    }
                    case Action.Timeout(Duration after) -> {
                        waiting = action;
                        msg = Proc.receive(after).orElse(TIMEOUT);
                    }
                    case Action.None n -> {
                        if (opts.hibernateAfter() != null) {
                            Optional<Object> m = Proc.receive(opts.hibernateAfter());
                            if (m.isEmpty()) {
                                action = Action.HIBERNATE;
                                continue;
                            }
                            msg = m.get();
                        } else {
                            msg = Proc.receive();
                        }
                    }
                }
                lastMessage = msg;
                if (++handled % PRUNE_EVERY == 0) self.node().pruneCallWaiters(self);
                if (debug != null) debug.in(msg);
                action = switch (msg) {
                    case Gen.Call(Object request, From from) -> afterCall(from, guard(() -> cb.handleCall((M) request, from, state)));
                    case Gen.Cast(Object m) -> afterCast(guard(() -> cb.handleCast((M) m, state)));
                    case Gen.System s -> {
                        system(s);
                        yield waiting; // as gen_server does, a time-out starts again after a system message
                    }
                    case Exit(Pid from, ExitReason reason) when from.equals(parent) && !from.equals(self.pid) ->
                            terminateAndExit(reason, state, true);
                    default -> afterCast(guard(() -> cb.handleInfo(msg, state)));
                };
            }
        }

        private Action afterCall(From from, CallResult<S> r) {
            return switch (r) {
                case Reply<S>(Object reply, S s, Action a) -> {
                    GenServer.reply(from, reply);
                    state = s;
                    if (debug != null) debug.out(reply, from, shown(s));
                    yield a;
                }
                case NoReply<S>(S s, Action a) -> {
                    state = s;
                    if (debug != null) debug.noReply(shown(s));
                    yield a;
                }
                case Stop<S>(ExitReason reason, S s, Object reply) -> {
                    if (reply != null) {
                        GenServer.reply(from, reply);
                        if (debug != null) debug.out(reply, from, shown(s));
                    }
                    yield terminateAndExit(reason, s, false);
                }
            };
        }

        private Action afterCast(CastResult<S> r) {
            return switch (r) {
                case NoReply<S>(S s, Action a) -> {
                    state = s;
                    if (debug != null) debug.noReply(shown(s));
                    yield a;
                }
                case Stop<S>(ExitReason reason, S s, Object reply) -> terminateAndExit(reason, s, false);
            };
        }

        /** The state as sys shows it (a supervisor's snapshot, a stage's own state). */
        private Object shown(S s) {
            return view != null ? view.sysState(s) : s;
        }

        // -------------------------------------------------------------- sys

        @Override
        public String behaviourName() {
            return view != null ? view.behaviourName() : "GenServer";
        }

        @Override
        public String moduleName() {
            return view != null ? view.moduleName() : io.otp4j.internal.BehaviourInfo.classNameOf(cb);
        }

        @Override
        Pid parent() {
            return parent;
        }

        @Override
        Object sysState() {
            return shown(state);
        }

        @Override
        Object replaceState(java.util.function.UnaryOperator<Object> fn) {
            @SuppressWarnings("unchecked")
            S next = view != null ? view.replaceSysState(state, fn) : (S) fn.apply(state);
            state = next;
            return shown(next);
        }

        @Override
        Object formatStatus() {
            return cb.formatStatus(state);
        }

        @Override
        RuntimeException terminate(ExitReason reason, Object msg) {
            lastMessage = msg;
            terminateAndExit(reason, state, true);
            throw new AssertionError("unreachable");
        }

        interface Callback<T> {
            T run() throws Exception;
        }

        /** Runs a callback; if it throws, the server terminates with the exception as reason. */
        private <T> T guard(Callback<T> c) {
            try {
                return c.run();
            } catch (ProcessExit | ProcessImpl.HibernateSignal e) {
                throw e;
            } catch (Throwable t) {
                terminateAndExit(new ExitReason.Crash(t), state, false);
                throw new AssertionError("unreachable");
            }
        }

        /** Calls terminate, reports an abnormal end, and exits. Never returns. */
        Action terminateAndExit(ExitReason reason, S s, boolean external) {
            ExitReason finalReason = reason;
            try {
                cb.terminate(reason, s);
            } catch (ProcessExit e) {
                throw e;
            } catch (Throwable t) {
                finalReason = new ExitReason.Crash(t);
            }
            if (!finalReason.isSilent()) {
                self.node().reports().emit(new Report.Crash(Instant.now(), self.pid,
                        Optional.ofNullable(registeredName()), finalReason,
                        Optional.of("GenServer " + cb.getClass().getName()),
                        Optional.ofNullable(lastMessage), Optional.ofNullable(safeFormat(s))));
            }
            throw new ProcessImpl.ReportedExit(finalReason);
        }

        private Object safeFormat(S s) {
            try {
                return cb.formatStatus(s);
            } catch (RuntimeException e) {
                return "(formatStatus failed: " + e + ")";
            }
        }

        private String registeredName() {
            return opts.name() instanceof Name.Local(String n) ? n : null;
        }
    }
}
