package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.internal.gen.Gen;
import io.otp4j.internal.gen.GenServerLoop;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A generic server (Erlang's {@code gen_server}, Elixir's {@code GenServer}): a process that holds
 * state and answers calls and casts, one message at a time.
 *
 * {@snippet :
 * final class Counter implements GenServer<Integer, Counter.Msg> {
 *     sealed interface Msg {}
 *     record Inc() implements Msg {}
 *     record Get() implements Msg {}
 *
 *     // client API: thin functions over call and cast
 *     static ServerRef<Msg> start() { return GenServer.start(new Counter()); }
 *     static void inc(ServerRef<Msg> c) { GenServer.cast(c, new Inc()); }
 *     static int get(ServerRef<Msg> c) { return GenServer.call(c, new Get()); }
 *
 *     // server callbacks: only init is required
 *     public Init<Integer> init() { return new Init.Ok<>(0); }
 *
 *     public CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
 *         return switch (msg) {
 *             case Get() -> new Reply<>(n, n);
 *             case Inc() -> new Reply<>(n + 1, n + 1);
 *         };
 *     }
 *
 *     public CastResult<Integer> handleCast(Msg msg, Integer n) {
 *         return switch (msg) {
 *             case Inc() -> new NoReply<>(n + 1);
 *             case Get() -> new NoReply<>(n);
 *         };
 *     }
 * }
 * }
 *
 * <p>The protocol {@code M} is a sealed interface of records, so that the compiler checks the
 * {@code switch} handles every message. Calls and casts share it; anything else sent to the server
 * arrives in {@link #handleInfo}.
 *
 * <h2>Supervising</h2>
 * Start servers under a {@link Supervisor} with {@code ChildSpec.worker(id, () -> GenServer.startLink(new Counter()))};
 * a crash restarts the server from {@code init}, in a known good state. Give the supervisor a
 * function that creates a <em>new</em> server object each time, and keep all state in {@code S}.
 *
 * <h2>Naming</h2>
 * {@link StartOptions#named(String)} registers the server locally; {@link Name#via} registers it in
 * a {@link Registry}. Refer to a named server with {@link ServerRef#named(String)} or
 * {@link ServerRef#via}.
 *
 * <h2>When not to use it</h2>
 * A server handles one message at a time: it is a bottleneck by design. Hot read-mostly data
 * belongs in a shared table read by the callers themselves; independent work belongs in
 * {@link Task}s.
 *
 * @param <S> the server's state (immutable values are easiest to reason about)
 * @param <M> its protocol: what calls and casts carry
 */
public interface GenServer<S, M> {

    // ------------------------------------------------------------------ callbacks

    /**
     * Makes the initial state; runs in the new server process before {@code start} returns.
     * Return {@link Init.Ok}, or {@link Init.Ignore} (no process, not an error), {@link Init.Stop}
     * (the server exits with the reason; start fails) or {@link Init.Error} (start fails, the server
     * exits {@code normal}). Throwing fails the start with the exception as reason.
     */
    Init<S> init() throws Exception;

    /**
     * Handles a {@link #call}. Return {@link Reply}, {@link NoReply} (reply later with
     * {@link #reply(From, Object)}), or {@link Stop}. The default crashes the server with a reason
     * that names the request: a call nobody handles is a bug.
     */
    default CallResult<S> handleCall(M request, From from, S state) throws Exception {
        throw new IllegalStateException("no handleCall in " + getClass().getName() + " for " + request);
    }

    /** Handles a {@link #cast}. The default crashes the server with a reason that names the message. */
    default CastResult<S> handleCast(M msg, S state) throws Exception {
        throw new IllegalStateException("no handleCast in " + getClass().getName() + " for " + msg);
    }

    /**
     * Handles any other message (monitors' {@code Down}, trapped {@code Exit}s, timer messages,
     * {@link #TIMEOUT}). The default logs the first unexpected message of each type and drops it.
     */
    default CastResult<S> handleInfo(Object msg, S state) throws Exception {
        GenServerLoop.unexpected(this, msg);
        return new NoReply<>(state);
    }

    /** Runs after a callback returned {@link Action.Continue}, before any other message. */
    default CastResult<S> handleContinue(Object continueArg, S state) throws Exception {
        throw new IllegalStateException("no handleContinue in " + getClass().getName() + " for " + continueArg);
    }

    /**
     * Called when the server stops: on a {@link Stop} result, on {@link #stop}, when a callback
     * throws, and on its supervisor's shutdown if it traps exits (call
     * {@code Proc.trapExit(true)} in {@link #init}). Not called when it is killed.
     */
    default void terminate(ExitReason reason, S state) throws Exception {
    }

    /** Hot code upgrade: turns the state of an older version into this version's. */
    default S codeChange(Object oldVersion, S state, Object extra) throws Exception {
        return state;
    }

    /** What crash reports and introspection show of the state (hide secrets, shorten big states). */
    default Object formatStatus(S state) {
        return state;
    }

    /** The message {@link #handleInfo} receives when an {@link Action.Timeout} expires. */
    Object TIMEOUT = GenServerLoop.TIMEOUT;

    // ------------------------------------------------------------------ results

    /** What {@link #init} returns. */
    sealed interface Init<S> {
        /** Started, with its initial state and what to do next. */
        record Ok<S>(S state, Action action) implements Init<S> {
            public Ok(S state) {
                this(state, Action.NONE);
            }

            public Ok {
                Objects.requireNonNull(action, "action");
            }
        }

        /** Not started, and that is fine: start reports it, a supervisor skips the child. */
        record Ignore<S>() implements Init<S> {
        }

        /** Not started: the server exits with {@code reason} (linked callers get the exit). */
        record Stop<S>(ExitReason reason) implements Init<S> {
        }

        /** Not started: start fails with {@code reason}; the server exits {@code normal}. */
        record Error<S>(Object reason) implements Init<S> {
        }

        static <S> Init<S> ignore() {
            return new Ignore<>();
        }
    }

    /** What {@link #handleCall} returns. */
    sealed interface CallResult<S> permits Reply, NoReply, Stop {
    }

    /** What {@link #handleCast}, {@link #handleInfo} and {@link #handleContinue} return. */
    sealed interface CastResult<S> permits NoReply, Stop {
    }

    /** Reply {@code reply} to the caller and go on with {@code state}. */
    record Reply<S>(Object reply, S state, Action action) implements CallResult<S> {
        public Reply(Object reply, S state) {
            this(reply, state, Action.NONE);
        }

        public Reply {
            Objects.requireNonNull(action, "action");
        }
    }

    /** Go on with {@code state}; a call is answered later with {@link #reply(From, Object)}. */
    record NoReply<S>(S state, Action action) implements CallResult<S>, CastResult<S> {
        public NoReply(S state) {
            this(state, Action.NONE);
        }

        public NoReply {
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * Stop with {@code reason}: {@link #terminate} runs, then the server exits. From
     * {@link #handleCall}, a non-null {@code reply} is sent to the caller first.
     */
    record Stop<S>(ExitReason reason, S state, Object reply) implements CallResult<S>, CastResult<S> {
        public Stop(ExitReason reason, S state) {
            this(reason, state, null);
        }

        public Stop {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** What the server does after a callback, besides waiting for the next message. */
    sealed interface Action {
        Action NONE = new None();
        Action HIBERNATE = new Hibernate();

        /** Nothing special. */
        record None() implements Action {
        }

        /** If no message arrives within {@code after}, {@link #handleInfo} gets {@link #TIMEOUT}. */
        record Timeout(Duration after) implements Action {
        }

        /** Give up the thread until the next message (see {@code Proc.hibernate}). */
        record Hibernate() implements Action {
        }

        /** Run {@link #handleContinue} with {@code arg} before any other message. */
        record Continue(Object arg) implements Action {
        }
    }

    // ------------------------------------------------------------------ client API

    /** Starts a server, not linked. Returns once {@code init} has returned. */
    static <M> ServerRef<M> start(GenServer<?, M> server) {
        return start(server, StartOptions.DEFAULT);
    }

    /** Starts a server with options (name, start timeout, hibernate-after, priority), not linked. */
    static <M> ServerRef<M> start(GenServer<?, M> server, StartOptions options) {
        return GenServerLoop.start(server, options, false);
    }

    /**
     * Starts a server linked to the calling process (which must be a process). Returns once
     * {@code init} has returned.
     *
     * @throws StartException if init failed, stopped, ignored, or the name is taken
     */
    static <M> ServerRef<M> startLink(GenServer<?, M> server) {
        return startLink(server, StartOptions.DEFAULT);
    }

    static <M> ServerRef<M> startLink(GenServer<?, M> server, StartOptions options) {
        return GenServerLoop.start(server, options, true);
    }

    /**
     * Calls the server and waits for the reply, at most 5 seconds. A reply that comes after the
     * timeout is dropped, never delivered to the caller's mailbox.
     *
     * @throws CallTimeoutException naming the server, the request and the timeout
     * @throws CallException        when the server is not alive ({@code noproc}) or exits before replying
     */
    static <R, M> R call(ServerRef<M> server, M request) {
        return call(server, request, Gen.DEFAULT_CALL_TIMEOUT);
    }

    /** {@link #call(ServerRef, Object)} with a timeout ({@code io.otp4j.Proc.INFINITY} to wait forever). */
    static <R, M> R call(ServerRef<M> server, M request, Duration timeout) {
        return Gen.call(server, request, timeout);
    }

    /** Sends {@code msg} to the server's {@link #handleCast} and returns at once; a dead server drops it. */
    static <M> void cast(ServerRef<M> server, M msg) {
        Gen.cast(server, msg);
    }

    /** Answers a call later, from the server or from any process it handed {@code from} to. */
    static void reply(From from, Object reply) {
        From.deliverTo(java.util.Objects.requireNonNull(from, "from"), reply);
    }

    /** Stops the server with reason {@code normal} and waits until it has terminated. */
    static void stop(ServerRef<?> server) {
        stop(server, ExitReason.NORMAL, io.otp4j.Proc.INFINITY);
    }

    /**
     * Stops the server: it runs {@link #terminate} with {@code reason} and exits. Waits until it has.
     *
     * @throws CallException if it was not alive, or exited with another reason
     */
    static void stop(ServerRef<?> server, ExitReason reason, Duration timeout) {
        Gen.stop(server, reason, timeout);
    }

    /**
     * Sends a request without waiting: the reply arrives later as a message, to be taken with
     * {@link #receiveResponse}, {@link #waitResponse} or recognised with {@link #checkResponse}.
     */
    static <M> RequestId sendRequest(ServerRef<M> server, M request) {
        return Gen.sendRequest(server, request);
    }

    /**
     * Waits for the reply to {@code id}; on timeout the request stays open (wait again later).
     *
     * @return the reply, or empty on timeout
     * @throws CallException if the server exited first
     */
    static <R> Optional<R> waitResponse(RequestId id, Duration timeout) {
        return Gen.waitResponse(id, timeout, false);
    }

    /**
     * Waits for the reply to {@code id}; on timeout the request is abandoned and a late reply is
     * dropped.
     *
     * @throws CallTimeoutException on timeout
     * @throws CallException        if the server exited first
     */
    static <R> R receiveResponse(RequestId id, Duration timeout) {
        return Gen.<R>waitResponse(id, timeout, true).orElseThrow();
    }

    /**
     * Whether {@code msg}, taken from the mailbox, is the answer to {@code id}.
     *
     * @return empty if it is not; otherwise the reply
     * @throws CallException if it says the server exited before replying
     */
    static Optional<Object> checkResponse(Object msg, RequestId id) {
        return Gen.checkResponse(msg, id);
    }

    /** The pid of a running server, if it runs. */
    static Optional<Pid> whereis(ServerRef<?> server) {
        return server.resolve();
    }
}
