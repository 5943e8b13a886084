package io.otp4j.internal.gen;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessExit;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.Sys;
import io.otp4j.behaviour.Sys.TraceEvent;
import io.otp4j.internal.BehaviourInfo;
import io.otp4j.internal.ProcessImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * What every behaviour's loop shares for {@code sys} (Erlang's {@code sys:handle_system_msg} and
 * {@code sys:handle_debug}): the answers to system messages, the suspended loop, and the debug
 * options (trace and statistics). The loops ({@link GenServerLoop}'s server, {@link StatemLoop},
 * {@link GenEventLoop}'s manager, and special processes) extend it and say how to read, replace,
 * format their state and terminate.
 *
 * <p>The hot path: a loop checks {@link #debug} once per message (and once per reply) and does
 * nothing else when it is null, which it is unless trace or statistics is on. Suspension costs the
 * loop nothing: a suspended process is inside {@link #system}, receiving system messages only
 * with a selective receive, so the other messages keep their place and order in the mailbox.
 */
public abstract class SysLoop implements BehaviourInfo {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.sys");

    final ProcessImpl self;
    /** Null unless trace or statistics is on. Owner only. */
    Debug debug;
    private boolean suspended;

    SysLoop(ProcessImpl self) {
        this.self = self;
    }

    // ------------------------------------------------------------------ what each loop provides

    /** The process that started it linked, or null (or itself, for a process started unlinked). */
    abstract Pid parent();

    /** What sys:get_state shows. */
    abstract Object sysState();

    /** Replaces the state with what {@code fn} makes of {@link #sysState}; returns the new sys state. Throws to refuse. */
    abstract Object replaceState(UnaryOperator<Object> fn) throws Exception;

    /** The state as the behaviour's formatStatus shows it. */
    abstract Object formatStatus();

    /** Terminates the behaviour with {@code reason} (its terminate callback, report, exit). Never returns. */
    abstract RuntimeException terminate(ExitReason reason, Object lastMessage);

    // ------------------------------------------------------------------ system messages

    /**
     * Answers one system message; if it suspends the process, goes on answering system messages
     * (and nothing else) until resumed. Returns when the process is running again.
     */
    final void system(Gen.System msg) {
        handle(msg);
        while (suspended) {
            Object m = Proc.receive(this::whileSuspended);
            if (m instanceof Gen.System s) {
                handle(s);
            } else {
                throw terminate(((Exit) m).reason(), m);
            }
        }
    }

    /** A suspended process takes system messages, and its parent's exit (when it traps exits). */
    private Object whileSuspended(Object m) {
        if (m instanceof Gen.System) return m;
        if (m instanceof Exit(Pid from, ExitReason r)) {
            Pid parent = parent();
            if (from.equals(parent) && !from.equals(self.pid)) return m;
        }
        return null;
    }

    private void handle(Gen.System msg) {
        From from = msg.from();
        switch (msg.request()) {
            case Gen.SystemRequest.Terminate(ExitReason reason) -> throw terminate(reason, msg);
            case Gen.SystemRequest.GetState g -> GenServer.reply(from, sysState());
            case Gen.SystemRequest.ReplaceState(UnaryOperator<Object> fn) -> {
                Object r;
                try {
                    r = replaceState(fn);
                } catch (ProcessImpl.HibernateSignal h) {
                    throw h;
                } catch (Throwable t) {
                    if (t instanceof ProcessExit e && !self.isAlive()) throw e;
                    r = new Gen.SystemFailure(t);
                }
                GenServer.reply(from, r);
            }
            case Gen.SystemRequest.GetStatus g -> GenServer.reply(from, status());
            case Gen.SystemRequest.Suspend s -> {
                suspended = true;
                GenServer.reply(from, "ok");
            }
            case Gen.SystemRequest.Resume r -> {
                suspended = false;
                GenServer.reply(from, "ok");
            }
            case Gen.SystemRequest.SetStatistics(boolean on) -> {
                if (on) {
                    debug().stats = new Stats(Instant.now(), self.reductions());
                } else if (debug != null) {
                    debug.stats = null;
                    if (debug.trace == null) debug = null;
                }
                GenServer.reply(from, "ok");
            }
            case Gen.SystemRequest.GetStatistics g -> {
                Stats st = debug != null ? debug.stats : null;
                GenServer.reply(from, st == null ? Optional.empty() : Optional.of(new Sys.Statistics(st.start,
                        Instant.now(), (self.reductions() - st.reductions0) & 0xffffffffL, st.in, st.out)));
            }
            case Gen.SystemRequest.Trace(Consumer<TraceEvent> sink) -> {
                if (sink != null) {
                    debug().trace = sink;
                } else if (debug != null) {
                    debug.trace = null;
                    if (debug.stats == null) debug = null;
                }
                GenServer.reply(from, "ok");
            }
        }
    }

    private Debug debug() {
        if (debug == null) debug = new Debug(self.pid);
        return debug;
    }

    private Sys.Status status() {
        Set<Sys.Flag> flags = EnumSet.noneOf(Sys.Flag.class);
        if (debug != null && debug.trace != null) flags.add(Sys.Flag.TRACE);
        if (debug != null && debug.stats != null) flags.add(Sys.Flag.STATISTICS);
        Pid parent = parent();
        Object shown;
        try {
            shown = formatStatus();
        } catch (RuntimeException e) {
            shown = "(formatStatus failed: " + e + ")";
        }
        return new Sys.Status(self.pid, Optional.ofNullable(behaviourName()), moduleName(),
                suspended ? Sys.Mode.SUSPENDED : Sys.Mode.RUNNING,
                parent == null || parent.equals(self.pid) ? Optional.empty() : Optional.of(parent),
                Set.copyOf(flags), shown);
    }

    // ------------------------------------------------------------------ debug options

    /** Statistics since they were switched on. */
    static final class Stats {
        final Instant start;
        final int reductions0;
        long in;
        long out;

        Stats(Instant start, int reductions0) {
            this.start = start;
            this.reductions0 = reductions0;
        }
    }

    /**
     * The debug options that are on (Erlang's {@code Debug} list): a trace sink, statistics, or
     * both. The loops call it only when their {@code debug} field is not null.
     */
    static final class Debug {
        final Pid pid;
        Consumer<TraceEvent> trace;
        Stats stats;

        Debug(Pid pid) {
            this.pid = pid;
        }

        /** A message about to be handled, as a behaviour's loop took it from its mailbox. */
        void in(Object msg) {
            switch (msg) {
                case Gen.System s -> {
                    // system messages are not traced or counted (as in OTP)
                }
                case Gen.Call(Object request, From from) -> in(TraceEvent.Kind.CALL, request, from.caller());
                case Gen.Cast(Object m) -> in(TraceEvent.Kind.CAST, m, null);
                default -> in(TraceEvent.Kind.INFO, msg, null);
            }
        }

        void in(TraceEvent.Kind kind, Object msg, Pid from) {
            if (stats != null) stats.in++;
            if (trace != null) emit(new TraceEvent.In(pid, kind, msg, from));
        }

        void out(Object reply, From to, Object state) {
            if (stats != null) stats.out++;
            if (trace != null) emit(new TraceEvent.Out(pid, reply, to.caller(), state));
        }

        void noReply(Object state) {
            if (trace != null) emit(new TraceEvent.NoReply(pid, state));
        }

        void stateChange(Object from, Object to) {
            if (trace != null) emit(new TraceEvent.StateChange(pid, from, to));
        }

        /** A sink that throws is removed: tracing must not take the traced process down. */
        private void emit(TraceEvent e) {
            try {
                trace.accept(e);
            } catch (RuntimeException ex) {
                trace = null;
                LOG.warn("the trace sink of {} threw; tracing of {} is off", pid, pid, ex);
            }
        }
    }

    // ------------------------------------------------------------------ special processes

    /**
     * {@code Sys.handleSystemMessage}: the calling process's sys record (made on its first system
     * message, kept as its behaviour object so that its debug options and suspension persist), then
     * the message, with the given state.
     */
    @SuppressWarnings("unchecked")
    public static <S> S special(Gen.System msg, S state, Sys.Special<S> cb) {
        ProcessImpl p = ProcessImpl.current();
        if (p == null) throw new IllegalStateException("handleSystemMessage must be called by the process that received the message");
        Special<S> sp;
        if (p.behaviour() instanceof Special<?> existing) {
            sp = (Special<S>) existing;
        } else {
            sp = new Special<>(p);
            p.behaviour(sp);
        }
        sp.cb = cb;
        sp.state = state;
        sp.system(msg);
        S out = sp.state;
        sp.state = null; // the loop owns its state between system messages
        return out;
    }

    /** A special process, between {@code handleSystemMessage}'s entry and return. */
    static final class Special<S> extends SysLoop {
        Sys.Special<S> cb;
        S state;

        Special(ProcessImpl self) {
            super(self);
        }

        @Override
        Pid parent() {
            return cb.parent().orElse(null);
        }

        @Override
        Object sysState() {
            return cb.getState(state);
        }

        @Override
        Object replaceState(UnaryOperator<Object> fn) {
            state = cb.replaceState(state, fn);
            return cb.getState(state);
        }

        @Override
        Object formatStatus() {
            return cb.formatStatus(state);
        }

        @Override
        RuntimeException terminate(ExitReason reason, Object lastMessage) {
            cb.terminate(reason, state);
            throw new ProcessExit(reason);
        }

        /** A special process is a plain process to process_info. */
        @Override
        public String behaviourName() {
            return null;
        }

        @Override
        public String moduleName() {
            return BehaviourInfo.classNameOf(cb);
        }
    }
}
