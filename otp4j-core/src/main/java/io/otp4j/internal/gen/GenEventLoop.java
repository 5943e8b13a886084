package io.otp4j.internal.gen;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessExit;
import io.otp4j.Report;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenEvent;
import io.otp4j.behaviour.GenEvent.AdderExited;
import io.otp4j.behaviour.GenEvent.AlreadyInstalled;
import io.otp4j.behaviour.GenEvent.CallResult;
import io.otp4j.behaviour.GenEvent.Crashed;
import io.otp4j.behaviour.GenEvent.Handler;
import io.otp4j.behaviour.GenEvent.HandlerException;
import io.otp4j.behaviour.GenEvent.HandlerExit;
import io.otp4j.behaviour.GenEvent.HandlerId;
import io.otp4j.behaviour.GenEvent.HandlerState;
import io.otp4j.behaviour.GenEvent.HandlerResult;
import io.otp4j.behaviour.GenEvent.Init;
import io.otp4j.behaviour.GenEvent.InitError;
import io.otp4j.behaviour.GenEvent.NotInstalled;
import io.otp4j.behaviour.GenEvent.Ok;
import io.otp4j.behaviour.GenEvent.RemoveHandler;
import io.otp4j.behaviour.GenEvent.Reply;
import io.otp4j.behaviour.GenEvent.SwapHandler;
import io.otp4j.behaviour.GenEvent.Swapped;
import io.otp4j.behaviour.GenEvent.SwappedOut;
import io.otp4j.behaviour.GenEvent.Why;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.Name;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Sys;
import io.otp4j.internal.ProcessImpl;
import io.otp4j.internal.SharedHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The event manager ({@code gen_event}'s loop), on the generic core: it is started with
 * {@link GenServerLoop#startProcess}, receives {@link Gen.Cast}s (events), {@link Gen.Call}s
 * carrying the {@link Request}s below, and {@link Gen.System} messages (stop), and stops on its
 * parent's {@link Exit}. Handlers run in the manager's process, newest first; a handler that throws
 * is removed and reported, and the manager goes on.
 */
public final class GenEventLoop {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.behaviour");

    /** Prune done call waiters every this many messages (as the server loop does). */
    private static final int PRUNE_EVERY = 256;

    private GenEventLoop() {
    }

    // ------------------------------------------------------------------ requests (in Gen.Call)

    /** What a {@link Gen.Call} to a manager carries; shown in call failures in Erlang's terms. */
    sealed interface Request {
    }

    record SyncNotify(Object event) implements Request {
        @Override
        public String toString() {
            return "{sync_notify," + event + "}";
        }
    }

    record HandlerCall(HandlerId id, Object request) implements Request {
        @Override
        public String toString() {
            return "{call," + id + "," + request + "}";
        }
    }

    /** Add {@code code} with {@code args}; supervised by {@code supervisor} unless it is null. */
    record AddHandler(HandlerId id, Code code, Object args, Pid supervisor) implements Request {
        @Override
        public String toString() {
            return "{" + (supervisor != null ? "add_sup_handler," : "add_handler,") + id + "," + args + "}";
        }
    }

    record DeleteHandler(HandlerId id, Object args) implements Request {
        @Override
        public String toString() {
            return "{delete_handler," + id + "," + args + "}";
        }
    }

    /** Swap {@code old} for {@code code}; with a {@code supervisor}, it supervises the new handler. */
    record Swap(HandlerId old, Object args1, HandlerId id, Code code, Object args2, Pid supervisor)
            implements Request {
        @Override
        public String toString() {
            return "{" + (supervisor != null ? "swap_sup_handler," : "swap_handler,") + old + "," + args1 + ","
                    + id + "," + args2 + "}";
        }
    }

    record WhichHandlers() implements Request {
        @Override
        public String toString() {
            return "which_handlers";
        }
    }

    /**
     * A handler object on its way to the manager. It is the handler's code, like the module name an
     * Erlang process sends; its fields are configuration, so the message check lets it through.
     */
    record Code(Handler<?, ?> handler) implements SharedHandle {
    }

    /** The manager's answer when a handler operation failed. */
    public record Failed(HandlerId id, Why why) {
    }

    // ------------------------------------------------------------------ client side

    public static <E> ServerRef<E> start(StartOptions opts, boolean link) {
        String what = "start of event manager" + (opts.name() != null ? " " + opts.name() : "");
        Pid pid = GenServerLoop.startProcess(opts, link, what, starting -> {
            Proc.trapExit(true);
            return new Manager(opts, starting.parent());
        }, (starting, manager) -> manager.loop());
        return ServerRef.of(pid);
    }

    public static void addHandler(ServerRef<?> mgr, Handler<?, ?> handler, Object args, boolean supervised) {
        Objects.requireNonNull(handler, "handler");
        HandlerId id = Objects.requireNonNull(handler.id(), "the handler's id");
        Pid adder = supervised ? adder("addSupHandler") : null;
        rpc(mgr, new AddHandler(id, new Code(handler), args, adder), Proc.INFINITY,
                "cannot add handler " + id + " to event manager " + mgr);
    }

    public static <R> R deleteHandler(ServerRef<?> mgr, HandlerId id, Object args) {
        Objects.requireNonNull(id, "handler");
        return rpc(mgr, new DeleteHandler(id, args), Proc.INFINITY,
                "delete of handler " + id + " from event manager " + mgr);
    }

    public static void swapHandler(ServerRef<?> mgr, HandlerId old, Object args1, Handler<?, ?> handler,
                                   Object args2, boolean supervised) {
        Objects.requireNonNull(old, "old");
        Objects.requireNonNull(handler, "handler");
        HandlerId id = Objects.requireNonNull(handler.id(), "the handler's id");
        Pid adder = supervised ? adder("swapSupHandler") : null;
        rpc(mgr, new Swap(old, args1, id, new Code(handler), args2, adder), Proc.INFINITY,
                "swap of handler " + old + " for " + id + " in event manager " + mgr);
    }

    public static void syncNotify(ServerRef<?> mgr, Object event) {
        Gen.call(mgr, new SyncNotify(event), Proc.INFINITY);
    }

    public static <R> R call(ServerRef<?> mgr, HandlerId id, Object request, Duration timeout) {
        Objects.requireNonNull(id, "handler");
        return rpc(mgr, new HandlerCall(id, request), timeout,
                "call to handler " + id + " in event manager " + mgr + " with " + request);
    }

    public static List<GenEvent.HandlerId> whichHandlers(ServerRef<?> mgr) {
        return Gen.call(mgr, new WhichHandlers(), Proc.INFINITY);
    }

    private static Pid adder(String what) {
        if (!Proc.inProcess()) {
            throw new IllegalStateException(what + " links the manager to the caller, which must be a process; "
                    + "call it from a process, or use the unsupervised variant");
        }
        return Proc.self();
    }

    private static <R> R rpc(ServerRef<?> mgr, Request req, Duration timeout, String what) {
        Object r = Gen.call(mgr, req, timeout);
        if (r instanceof Failed(HandlerId id, Why why)) {
            throw new HandlerException(what + " failed: " + describe(why, id), mgr, id, why);
        }
        @SuppressWarnings("unchecked")
        R out = (R) r;
        return out;
    }

    private static String describe(Why why, HandlerId id) {
        return switch (why) {
            case AlreadyInstalled a -> "a handler " + id + " is installed already";
            case NotInstalled n -> "no handler " + id + " is installed";
            case InitError(Object reason) -> "the init of " + id + " returned the error " + reason;
            case Crashed c -> "handler " + id + (c.exception() != null ? " threw " + c.exception()
                    : " exited with reason " + c.reason()) + "; it was removed";
        };
    }

    /** The default handleInfo: log the first unexpected message of each type per handler class, drop it. */
    public static void unexpected(Handler<?, ?> handler, Object msg) {
        ProcessImpl p = ProcessImpl.current();
        if (p != null && p.behaviour() instanceof Manager m
                && !m.unexpectedSeen.add(List.of(handler.getClass(), msg.getClass()))) {
            return;
        }
        LOG.warn("event manager {}: handler {} received an unexpected message, dropped: {} "
                        + "(further {} messages to it are not logged)",
                p != null ? p.pid : "?", handler.getClass().getName(), msg, msg.getClass().getSimpleName());
    }

    // ------------------------------------------------------------------ the manager

    /** An installed handler. Only the manager's process touches it. */
    static final class Installed {
        final Handler<Object, Object> cb;
        final HandlerId id;
        final Pid supervisor;
        Object state;

        @SuppressWarnings("unchecked")
        Installed(Handler<?, ?> cb, HandlerId id, Pid supervisor) {
            this.cb = (Handler<Object, Object>) cb;
            this.id = id;
            this.supervisor = supervisor;
        }
    }

    /** Which callback an event or message goes to. */
    private enum Kind { EVENT, INFO }

    /** A callback's outcome that is not a result: it threw. */
    private record Threw(Throwable exception) {
    }

    static final class Manager extends SysLoop {
        final StartOptions opts;
        final Pid parent;
        /** The installed handlers, the most recently added first. */
        final List<Installed> handlers = new ArrayList<>();
        /** Every adder the manager has linked to: unlinked when it terminates. */
        final Set<Pid> adders = new LinkedHashSet<>();
        final Set<List<Class<?>>> unexpectedSeen = new HashSet<>(2);
        Object lastMessage;
        boolean hibernate;
        int handled;

        Manager(StartOptions opts, Pid parent) {
            super(ProcessImpl.current());
            this.opts = opts;
            this.parent = parent;
            self.behaviour(this);
        }

        /** One message at a time. Never returns normally: the process exits. */
        void loop() {
            for (;;) {
                if (hibernate) {
                    hibernate = false;
                    Proc.hibernate(() -> {
                        self.behaviour(this);
                        loop();
                    });
                    return;
                }
                Object msg;
                if (opts.hibernateAfter() != null) {
                    Optional<Object> m = Proc.receive(opts.hibernateAfter());
                    if (m.isEmpty()) {
                        hibernate = true;
                        continue;
                    }
                    msg = m.get();
                } else {
                    msg = Proc.receive();
                }
                if (++handled % PRUNE_EVERY == 0) self.node().pruneCallWaiters(self);
                if (debug != null) traceIn(msg);
                switch (msg) {
                    case Gen.Cast(Object event) -> {
                        lastMessage = event;
                        notifyAll(event, Kind.EVENT);
                    }
                    case Gen.Call(Request req, From from) -> request(req, from);
                    case Gen.System s -> system(s);
                    case Exit(Pid from, ExitReason reason) when from.equals(parent) && !from.equals(self.pid) -> {
                        lastMessage = msg;
                        terminateServer(reason);
                    }
                    case Exit(Pid from, ExitReason reason) -> {
                        lastMessage = msg;
                        adderExited(from, reason);
                        notifyAll(msg, Kind.INFO);
                    }
                    default -> {
                        lastMessage = msg;
                        notifyAll(msg, Kind.INFO);
                    }
                }
            }
        }

        // -------------------------------------------------------------- requests

        private void request(Request req, From from) {
            lastMessage = req;
            switch (req) {
                case SyncNotify(Object event) -> {
                    lastMessage = event;
                    notifyAll(event, Kind.EVENT);
                    reply(from, null);
                }
                case HandlerCall(HandlerId id, Object request) -> {
                    lastMessage = request;
                    reply(from, handlerCall(id, request));
                }
                case AddHandler(HandlerId id, Code code, Object args, Pid sup) ->
                        reply(from, add(id, code.handler(), args, sup));
                case DeleteHandler(HandlerId id, Object args) -> {
                    int i = indexOf(id);
                    if (i < 0) {
                        reply(from, new Failed(id, new NotInstalled()));
                        return;
                    }
                    Installed h = handlers.remove(i);
                    Object res = terminate(h, args, h.state, ExitReason.NORMAL);
                    reply(from, res instanceof Threw(Throwable t) ? new Failed(id, new Crashed(reasonOf(t))) : res);
                }
                case Swap(HandlerId old, Object args1, HandlerId id, Code code, Object args2, Pid newSup) -> {
                    int i = indexOf(old);
                    Object previous;
                    Pid sup = newSup;
                    if (i >= 0) {
                        Installed h = handlers.remove(i);
                        if (sup == null) sup = h.supervisor;
                        Object res = terminate(h, args1, h.state, new ExitReason.Other(new SwappedOut(id, sup)));
                        previous = res instanceof Threw(Throwable t) ? new Crashed(reasonOf(t)) : res;
                    } else {
                        previous = new NotInstalled();
                    }
                    reply(from, add(id, code.handler(), new Swapped(args2, previous), sup));
                }
                case WhichHandlers w -> reply(from, handlers.stream().map(h -> h.id).toList());
            }
        }

        /** Installs a handler after its init; returns null, or {@link Failed}. */
        private Object add(HandlerId id, Handler<?, ?> handler, Object args, Pid supervisor) {
            if (indexOf(id) >= 0) return new Failed(id, new AlreadyInstalled());
            Installed h = new Installed(handler, id, supervisor);
            Object r = init(h, args);
            if (r instanceof Why why) return new Failed(id, why);
            handlers.addFirst(h);
            if (supervisor != null && adders.add(supervisor)) Proc.link(supervisor);
            return null;
        }

        /** Runs init: sets the state and returns null, or returns why it failed. */
        private Why init(Installed h, Object args) {
            Init<Object> r;
            try {
                r = h.cb.init(args);
                if (r == null) throw new IllegalStateException("init of " + h.id + " returned null");
            } catch (Throwable t) {
                rethrowIfFatal(t);
                return new Crashed(reasonOf(t));
            }
            return switch (r) {
                case Init.Ok<Object>(Object s, boolean hib) -> {
                    h.state = s;
                    hibernate |= hib;
                    yield null;
                }
                case Init.Error<Object>(Object reason) -> new InitError(reason);
            };
        }

        private Object handlerCall(HandlerId id, Object request) {
            int i = indexOf(id);
            if (i < 0) return new Failed(id, new NotInstalled());
            Installed h = handlers.get(i);
            CallResult<Object> r;
            try {
                r = h.cb.handleCall(request, h.state);
                if (r == null) throw new IllegalStateException("handleCall of " + h.id + " returned null");
            } catch (Throwable t) {
                rethrowIfFatal(t);
                handlers.remove(i);
                crashed(h, t, request);
                return new Failed(id, new Crashed(reasonOf(t)));
            }
            return switch (r) {
                case Reply<Object>(Object reply, Object s, boolean hib) -> {
                    h.state = s;
                    hibernate |= hib;
                    yield reply;
                }
                case SwapHandler<Object> swap -> {
                    Installed n = swap(i, h, swap.args1(), swap.state(), swap.handler(), swap.args2(), request);
                    if (n == null) handlers.remove(i);
                    else handlers.set(i, n);
                    yield swap.reply();
                }
                case RemoveHandler<Object>(Object reply) -> {
                    handlers.remove(i);
                    terminate(h, GenEvent.REMOVED, h.state, ExitReason.NORMAL);
                    yield reply;
                }
            };
        }

        // -------------------------------------------------------------- events and infos

        /** Gives {@code msg} to every handler, in order; removes those that crash or ask to go. */
        private void notifyAll(Object msg, Kind kind) {
            for (int i = 0; i < handlers.size(); ) {
                Installed h = handlers.get(i);
                Installed next = update(i, h, msg, kind);
                if (next == null) {
                    handlers.remove(i);
                } else {
                    handlers.set(i, next);
                    i++;
                }
            }
        }

        /** Runs one handler's callback; returns the handler to keep at its place, or null. */
        private Installed update(int index, Installed h, Object msg, Kind kind) {
            HandlerResult<Object> r;
            try {
                r = kind == Kind.EVENT ? h.cb.handleEvent(msg, h.state) : h.cb.handleInfo(msg, h.state);
                if (r == null) {
                    throw new IllegalStateException((kind == Kind.EVENT ? "handleEvent" : "handleInfo")
                            + " of " + h.id + " returned null");
                }
            } catch (Throwable t) {
                rethrowIfFatal(t);
                crashed(h, t, msg);
                return null;
            }
            return switch (r) {
                case Ok<Object>(Object s, boolean hib) -> {
                    h.state = s;
                    hibernate |= hib;
                    yield h;
                }
                case SwapHandler<Object> swap -> swap(index, h, swap.args1(), swap.state(), swap.handler(), swap.args2(), msg);
                case RemoveHandler<Object> remove -> {
                    terminate(h, GenEvent.REMOVED, h.state, ExitReason.NORMAL);
                    yield null;
                }
            };
        }

        /**
         * A callback asked to be replaced: terminates {@code old}, starts the new handler at its
         * place with its supervisor. Returns the new handler, or null if it did not start.
         */
        private Installed swap(int index, Installed old, Object args1, Object state, Handler<?, ?> handler,
                               Object args2, Object lastIn) {
            HandlerId id;
            try {
                id = Objects.requireNonNull(handler.id(), "the handler's id");
            } catch (Throwable t) {
                rethrowIfFatal(t);
                crashed(old, t, lastIn);
                return null;
            }
            Object res = terminate(old, args1, state, new ExitReason.Other(new SwappedOut(id, old.supervisor)));
            Object previous = res instanceof Threw(Throwable t) ? new Crashed(reasonOf(t)) : res;
            Installed n = new Installed(handler, id, old.supervisor);
            int taken = indexOf(id);
            Why failed = taken >= 0 && taken != index ? new AlreadyInstalled() : init(n, new Swapped(args2, previous));
            if (failed == null) return n;
            ExitReason reason = failed instanceof Crashed(ExitReason r) ? r : new ExitReason.Other(failed);
            report(n, reason, null, lastIn);
            tellSupervisor(n, reason);
            return null;
        }

        // -------------------------------------------------------------- removal

        /** A callback threw: terminate with {@link Crashed}, report, tell the supervisor. */
        private void crashed(Installed h, Throwable t, Object lastIn) {
            ExitReason reason = reasonOf(t);
            Object state = h.state;
            terminate(h, new Crashed(reason), state, reason);
            report(h, reason, state, lastIn);
        }

        /**
         * Runs terminate (whatever it throws, the handler is gone) and tells the supervisor
         * {@code reason}. Returns terminate's result, or {@link Threw}.
         */
        private Object terminate(Installed h, Object args, Object state, ExitReason reason) {
            Object res;
            try {
                res = h.cb.terminate(args, state);
            } catch (Throwable t) {
                rethrowIfFatal(t);
                res = new Threw(t);
            }
            tellSupervisor(h, reason);
            return res;
        }

        private void tellSupervisor(Installed h, ExitReason reason) {
            if (h.supervisor != null) Proc.send(h.supervisor, new HandlerExit(h.id, self.pid, reason));
        }

        /** The error report of a handler removed for a failure: manager, handler, last event, reason, state. */
        private void report(Installed h, ExitReason reason, Object state, Object lastIn) {
            Object shown = state;
            try {
                if (state != null) shown = h.cb.formatStatus(state);
            } catch (RuntimeException e) {
                shown = "(formatStatus failed: " + e + ")";
            }
            self.node().reports().emit(new Report.Crash(Instant.now(), self.pid, Optional.ofNullable(registeredName()),
                    reason, Optional.of("GenEvent handler " + h.id + " of event manager"),
                    Optional.ofNullable(lastIn), Optional.ofNullable(shown)));
        }

        /** An adder (or another linked process) exited: remove the handlers it supervised. */
        private void adderExited(Pid from, ExitReason reason) {
            adders.remove(from);
            for (int i = 0; i < handlers.size(); ) {
                Installed h = handlers.get(i);
                if (from.equals(h.supervisor)) {
                    handlers.remove(i);
                    terminate(h, new AdderExited(from, reason), h.state, ExitReason.SHUTDOWN);
                } else {
                    i++;
                }
            }
        }

        // -------------------------------------------------------------- the manager's end

        // -------------------------------------------------------------- sys

        private void reply(From from, Object reply) {
            GenServer.reply(from, reply);
            if (debug != null) debug.out(reply, from, sysState());
        }

        /** Traces a message about to be handled (debug on): events, requests, other messages. */
        private void traceIn(Object msg) {
            switch (msg) {
                case Gen.Cast(Object event) -> debug.in(Sys.TraceEvent.Kind.EVENT, event, null);
                case Gen.Call(SyncNotify(Object event), From from) -> debug.in(Sys.TraceEvent.Kind.EVENT, event, from.caller());
                default -> debug.in(msg);
            }
        }

        @Override
        public String behaviourName() {
            return "GenEvent";
        }

        @Override
        public String moduleName() {
            return GenEvent.class.getName();
        }

        @Override
        Pid parent() {
            return parent;
        }

        /** The handlers and their states, newest first (as they run). */
        @Override
        Object sysState() {
            return handlers.stream().map(h -> new HandlerState(h.id, h.state)).toList();
        }

        /**
         * As gen_event does, {@code fn} is applied to each handler's {@link HandlerState} and must
         * keep its id; all or nothing: if it fails for one handler, no state changes.
         */
        @Override
        Object replaceState(java.util.function.UnaryOperator<Object> fn) {
            List<Object> next = new ArrayList<>(handlers.size());
            for (Installed h : handlers) {
                Object r = fn.apply(new HandlerState(h.id, h.state));
                if (!(r instanceof HandlerState(HandlerId id, Object s)) || !id.equals(h.id)) {
                    throw new IllegalArgumentException("the replace function must return a HandlerState with the id "
                            + h.id + ", and returned " + r);
                }
                next.add(s);
            }
            for (int i = 0; i < handlers.size(); i++) handlers.get(i).state = next.get(i);
            return sysState();
        }

        /** Each handler's state as its formatStatus shows it. */
        @Override
        Object formatStatus() {
            List<HandlerState> out = new ArrayList<>(handlers.size());
            for (Installed h : handlers) {
                Object shown;
                try {
                    shown = h.cb.formatStatus(h.state);
                } catch (RuntimeException e) {
                    shown = "(formatStatus failed: " + e + ")";
                }
                out.add(new HandlerState(h.id, shown));
            }
            return List.copyOf(out);
        }

        @Override
        RuntimeException terminate(ExitReason reason, Object msg) {
            lastMessage = msg;
            terminateServer(reason);
            throw new AssertionError("unreachable");
        }

        /** Terminates every handler with {@code stop}, unlinks the adders, reports and exits. Never returns. */
        private void terminateServer(ExitReason reason) {
            List<HandlerId> had = handlers.stream().map(h -> h.id).toList();
            while (!handlers.isEmpty()) {
                Installed h = handlers.removeFirst();
                terminate(h, GenEvent.STOP, h.state, ExitReason.SHUTDOWN);
            }
            for (Pid adder : adders) {
                if (!adder.equals(parent)) Proc.unlink(adder);
            }
            if (!reason.isSilent()) {
                self.node().reports().emit(new Report.Crash(Instant.now(), self.pid, Optional.ofNullable(registeredName()),
                        reason, Optional.of("GenEvent manager"), Optional.ofNullable(lastMessage),
                        Optional.of("handlers " + had)));
            }
            throw new ProcessImpl.ReportedExit(reason);
        }

        // -------------------------------------------------------------- helpers

        private int indexOf(HandlerId id) {
            for (int i = 0; i < handlers.size(); i++) {
                if (handlers.get(i).id.equals(id)) return i;
            }
            return -1;
        }

        /**
         * What a callback may not swallow: the manager's own death (it was killed, its thread
         * unwinds) and hibernation. A {@code Proc.exit} in a handler, the manager alive, is the
         * handler's failure.
         */
        private void rethrowIfFatal(Throwable t) {
            if (t instanceof ProcessImpl.HibernateSignal h) throw h;
            if (t instanceof ProcessExit e && !self.isAlive()) throw e;
        }

        private String registeredName() {
            return opts.name() instanceof Name.Local(String n) ? n : null;
        }
    }

    private static ExitReason reasonOf(Throwable t) {
        return t instanceof ProcessExit e ? e.reason() : new ExitReason.Crash(t);
    }
}
