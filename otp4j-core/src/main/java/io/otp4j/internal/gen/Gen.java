package io.otp4j.internal.gen;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.CallException;
import io.otp4j.behaviour.CallTimeoutException;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.RequestId;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.Sys;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;
import io.otp4j.internal.SharedHandle;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * The generic core every behaviour shares (Erlang's {@code gen.erl}): calls, casts, replies, stop
 * and asynchronous requests. Starting with acknowledgement and the server loop are in
 * {@link GenServerLoop}; the other behaviours are built on both.
 *
 * <p>The messages below are what a server's mailbox holds for them. Their shape is internal; the
 * distribution layer translates them to Erlang's {@code '$gen_call'} and {@code '$gen_cast'}.
 */
public final class Gen {

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);

    private Gen() {
    }

    /** A call: {@code {'$gen_call', From, Request}}. */
    public record Call(Object request, From from) {
    }

    /** A cast: {@code {'$gen_cast', Msg}}. */
    public record Cast(Object msg) {
    }

    /** A system message (sys, stop): {@code {system, From, Request}}. */
    public record System(SystemRequest request, From from) {
    }

    /** What system messages ask (Erlang's {@code sys} requests); shown in call failures in sys's terms. */
    public sealed interface SystemRequest {
        /** Terminate with {@code reason} (proc_lib:stop). */
        record Terminate(ExitReason reason) implements SystemRequest {
            @Override
            public String toString() {
                return "{terminate," + reason + "}";
            }
        }

        /** The behaviour's state. */
        record GetState() implements SystemRequest {
            @Override
            public String toString() {
                return "get_state";
            }
        }

        /** Replace the state with {@code fn}'s result; the reply is the new state or a {@link SystemFailure}. */
        record ReplaceState(UnaryOperator<Object> fn) implements SystemRequest, SharedHandle {
            @Override
            public String toString() {
                return "replace_state";
            }
        }

        /** The process's status ({@code io.otp4j.behaviour.Sys.Status}). */
        record GetStatus() implements SystemRequest {
            @Override
            public String toString() {
                return "get_status";
            }
        }

        /** Handle system messages only until resumed. */
        record Suspend() implements SystemRequest {
            @Override
            public String toString() {
                return "suspend";
            }
        }

        record Resume() implements SystemRequest {
            @Override
            public String toString() {
                return "resume";
            }
        }

        /** Start (a fresh count) or stop collecting statistics. */
        record SetStatistics(boolean on) implements SystemRequest {
            @Override
            public String toString() {
                return "{statistics," + on + "}";
            }
        }

        /** The statistics, if collected: an {@code Optional<Sys.Statistics>}. */
        record GetStatistics() implements SystemRequest {
            @Override
            public String toString() {
                return "{statistics,get}";
            }
        }

        /** Send trace events to {@code sink}, in the traced process; null: stop tracing. */
        record Trace(java.util.function.Consumer<Sys.TraceEvent> sink) implements SystemRequest, SharedHandle {
            @Override
            public String toString() {
                return "{trace," + (sink != null) + "}";
            }
        }
    }

    /** The reply to a system request that failed in the process (a replace function threw). */
    public record SystemFailure(Throwable error) {
    }

    /** The answer to an asynchronous request, as it arrives in the caller's mailbox. */
    public record Response(Ref ref, Object reply) {
    }

    // ------------------------------------------------------------------ call

    static NodeRuntime nodeOf(ProcessImpl self) {
        return self != null ? self.node() : NodeRuntime.defaultNode();
    }

    static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) throw new IllegalArgumentException("a timeout cannot be negative: " + timeout);
        return timeout.getSeconds() >= 3_000_000_000L ? -1 : timeout.toNanos();
    }

    /** A call: monitor (watch), one-shot reply slot, timeout. */
    public static <R> R call(ServerRef<?> server, Object request, Duration timeout) {
        return call(server, request, timeout, true);
    }

    /** A system request ({@code sys}): a call whose message is a {@link System}. */
    public static <R> R systemCall(ServerRef<?> server, SystemRequest request, Duration timeout) {
        return call(server, request, timeout, false);
    }

    /** As {@link #call(ServerRef, Object, Duration)}, as a system message unless {@code userCall}. */
    static <R> R call(ServerRef<?> server, Object msg, Duration timeout, boolean userCall) {
        Objects.requireNonNull(server, "server");
        long nanos = nanos(timeout);
        ProcessImpl self = ProcessImpl.current();
        Pid pid = server.resolve().orElseThrow(() -> new CallException(server, msg, ExitReason.NOPROC));
        NodeRuntime node = NodeRuntime.forPid(self, pid);
        if (self != null && pid.equals(self.pid)) {
            throw new CallException(server, msg, new ExitReason.Other("calling_self"),
                    "a process cannot call itself: " + server + " with " + msg);
        }
        CallSlot slot = new CallSlot(self, node);
        if (node.watchCall(pid, slot)) {
            Object message = userCall ? new Call(msg, slot) : new System((SystemRequest) msg, slot);
            node.send(self, pid, message);
        }
        Object outcome = slot.await(nanos);
        if (outcome == CallSlot.TIMED_OUT) {
            throw new CallTimeoutException(server, msg, timeout);
        }
        if (outcome instanceof CallSlot.Died(ExitReason reason)) {
            throw new CallException(server, msg, reason);
        }
        @SuppressWarnings("unchecked")
        R r = (R) outcome;
        return r;
    }

    /**
     * A call whose delivery is up to the caller (the distribution layer calling a name on another
     * node): {@code deliver} is given the {@link Call} message to send and the waiter that must hear
     * of the callee's death; the reply, the death or the timeout end the call as for any call.
     *
     * @param server what the call is addressed to, for error messages
     */
    public static <R> R callWith(Object server, Object request, Duration timeout,
                                 java.util.function.BiConsumer<Call, io.otp4j.internal.CallWaiter> deliver) {
        long nanos = nanos(timeout);
        ProcessImpl self = ProcessImpl.current();
        CallSlot slot = new CallSlot(self, nodeOf(self));
        deliver.accept(new Call(request, slot), slot);
        Object outcome = slot.await(nanos);
        if (outcome == CallSlot.TIMED_OUT) throw new CallTimeoutException(server, request, timeout);
        if (outcome instanceof CallSlot.Died(ExitReason reason)) throw new CallException(server, request, reason);
        @SuppressWarnings("unchecked")
        R r = (R) outcome;
        return r;
    }

    public static void cast(ServerRef<?> server, Object msg) {
        Objects.requireNonNull(server, "server");
        ProcessImpl self = ProcessImpl.current();
        server.resolve().ifPresent(pid -> NodeRuntime.forPid(self, pid).send(self, pid, new Cast(msg)));
    }

    /**
     * Stops a server (proc_lib:stop): asks it to terminate with {@code reason} and waits for its
     * death, which must have that reason.
     */
    public static void stop(ServerRef<?> server, ExitReason reason, Duration timeout) {
        Objects.requireNonNull(reason, "reason");
        long nanos = nanos(timeout);
        ProcessImpl self = ProcessImpl.current();
        Pid pid = server.resolve().orElseThrow(() -> new CallException(server, "stop", ExitReason.NOPROC));
        NodeRuntime node = NodeRuntime.forPid(self, pid);
        CallSlot slot = new CallSlot(self, node);
        if (node.watchCall(pid, slot)) {
            node.send(self, pid, new System(new SystemRequest.Terminate(reason), slot));
        }
        Object outcome = slot.await(nanos);
        if (outcome == CallSlot.TIMED_OUT) {
            throw new CallTimeoutException(server, "stop", timeout);
        }
        if (outcome instanceof CallSlot.Died(ExitReason r) && !r.equals(reason)) {
            throw new CallException(server, "stop", r);
        }
    }

    // ------------------------------------------------------------------ asynchronous requests

    /** A request whose reply is delivered to the caller's mailbox as a {@link Response}. */
    static final class MailboxFrom extends From {
        final Ref ref;
        final ProcessImpl caller;
        final AtomicBoolean open = new AtomicBoolean(true);

        MailboxFrom(Ref ref, ProcessImpl caller) {
            this.ref = ref;
            this.caller = caller;
        }

        @Override
        public Pid caller() {
            return caller.pid;
        }

        @Override
        public Ref tag() {
            return ref;
        }

        @Override
        protected boolean deliver(Object reply) {
            if (!open.compareAndSet(true, false)) return false;
            caller.node().send(null, caller.pid, new Response(ref, reply));
            return true;
        }
    }

    static final class Request extends RequestId {
        final Ref ref;
        final Ref monitor;
        final ServerRef<?> server;
        final MailboxFrom from;

        Request(Ref ref, Ref monitor, ServerRef<?> server, MailboxFrom from) {
            this.ref = ref;
            this.monitor = monitor;
            this.server = server;
            this.from = from;
        }

        @Override
        public Ref ref() {
            return ref;
        }

        @Override
        public ServerRef<?> server() {
            return server;
        }
    }

    public static RequestId sendRequest(ServerRef<?> server, Object request) {
        ProcessImpl self = ProcessImpl.current();
        if (self == null) throw new IllegalStateException("sendRequest must be called from inside a process");
        NodeRuntime node = self.node();
        Optional<Pid> pid = server.resolve();
        Ref ref = node.makeRef(self); // marks the mailbox: the reply is looked for after this point
        if (pid.isEmpty()) {
            // as Erlang does for a dead server: the answer is a Down with noproc
            Ref mon = node.makeRef(null);
            self.node().send(null, self.pid, new Down(mon, null, ExitReason.NOPROC));
            return new Request(ref, mon, server, new MailboxFrom(ref, self));
        }
        Ref mon = Proc.monitor(pid.get());
        MailboxFrom from = new MailboxFrom(ref, self);
        node.send(self, pid.get(), new Call(request, from));
        return new Request(ref, mon, server, from);
    }

    public static <R> Optional<R> waitResponse(RequestId id, Duration timeout, boolean abandonOnTimeout) {
        Request req = (Request) id;
        Optional<Object> m = Proc.receiveReply(req.ref, msg -> matches(msg, req), timeout);
        if (m.isEmpty()) {
            if (abandonOnTimeout) {
                req.from.open.set(false);
                Proc.demonitor(req.monitor, true);
                Proc.receive(msg -> msg instanceof Response r && r.ref() == req.ref ? r : null, Duration.ZERO);
                throw new CallTimeoutException(req.server, "request " + req.ref, timeout);
            }
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        Optional<R> r = (Optional<R>) (Optional<?>) checkResponse(m.get(), id);
        return r;
    }

    private static Object matches(Object msg, Request req) {
        if (msg instanceof Response r && r.ref() == req.ref) return msg;
        if (msg instanceof Down d && d.ref().equals(req.monitor)) return msg;
        return null;
    }

    public static Optional<Object> checkResponse(Object msg, RequestId id) {
        Request req = (Request) id;
        if (msg instanceof Response r && r.ref() == req.ref) {
            Proc.demonitor(req.monitor, true);
            return Optional.ofNullable(r.reply());
        }
        if (msg instanceof Down d && d.ref().equals(req.monitor)) {
            req.from.open.set(false);
            throw new CallException(req.server, "request " + req.ref, d.reason());
        }
        return Optional.empty();
    }
}
