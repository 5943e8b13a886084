package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.internal.gen.Gen;
import io.otp4j.internal.gen.GenEventLoop;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Event handling (Erlang's {@code gen_event}): an <em>event manager</em> is a process to which any
 * number of <em>event handlers</em> are added and removed at run time; every event sent to the
 * manager is handled by each of its handlers, one after the other, in the manager's process.
 *
 * {@snippet :
 * record Alarm(String what) {}
 *
 * // a handler: its state is the number of alarms it has seen
 * record AlarmCounter(Pid pager) implements GenEvent.Handler<Integer, Alarm> {
 *     public Init<Integer> init(Object args) { return new Init.Ok<>(0); }
 *
 *     public HandlerResult<Integer> handleEvent(Alarm alarm, Integer n) {
 *         Proc.send(pager, "alarm " + (n + 1) + ": " + alarm.what());
 *         return new Ok<>(n + 1);
 *     }
 *
 *     public CallResult<Integer> handleCall(Object request, Integer n) {
 *         return new Reply<>(n, n);   // how many so far
 *     }
 * }
 *
 * ServerRef<Alarm> alarms = GenEvent.start(StartOptions.named("alarms"));
 * GenEvent.addHandler(alarms, new AlarmCounter(pager), null);
 * GenEvent.notify(alarms, new Alarm("disk full"));          // returns at once
 * GenEvent.syncNotify(alarms, new Alarm("fan stopped"));    // returns once every handler has it
 * int seen = GenEvent.call(alarms, GenEvent.HandlerId.of(AlarmCounter.class), "count?");
 * }
 *
 * <h2>Handlers</h2>
 * A handler is a {@link Handler} object and its state {@code S}; the object plays the part of
 * Erlang's callback module (keep its fields to configuration, and all that changes in {@code S}).
 * A handler is known by its {@link HandlerId}: its class, or its class and an id when a manager
 * holds several handlers of one class. An id is installed at most once in a manager.
 * Events reach the handlers in the order {@link #whichHandlers} lists them: the most recently added
 * first, as in OTP. Implementing {@link Handler} brings this interface's types ({@link Ok},
 * {@link Reply}, {@link Crashed}, ...) in scope, as implementing {@link GenServer} does.
 *
 * <h2>Crash isolation</h2>
 * A handler whose callback throws is removed (its {@link Handler#terminate terminate} gets
 * {@link Crashed}), a crash report names the manager, the handler, the last event and the reason,
 * and the manager and its other handlers go on. A {@link #call} to that handler throws a
 * {@link HandlerException}.
 *
 * <h2>Supervised handlers</h2>
 * {@link #addSupHandler} links the manager and the calling process (the <em>adder</em>). The adder
 * receives a {@link HandlerExit} message when its handler is removed, whatever the cause; when the
 * adder exits, its handlers are removed (terminate gets {@link AdderExited}). This is how a
 * process makes sure that a handler it relies on is there, and re-adds it if not.
 *
 * <h2>The manager process</h2>
 * The manager traps exits, as {@code gen_event} does: the exit of an adder, or of any other linked
 * process, does not kill it (the {@link io.otp4j.Exit} message is given to every handler's
 * {@link Handler#handleInfo handleInfo}); the exit of its parent (the process that started it
 * with {@link #startLink}, a supervisor) stops it, its handlers' terminate getting {@link Stop}.
 * Start it under a {@link Supervisor} with
 * {@code ChildSpec.worker(id, () -> GenEvent.startLink(StartOptions.named("alarms")))}; the
 * handlers are then added by the processes that need them, as supervised handlers.
 * Any other message the manager receives goes to every handler's {@code handleInfo}.
 *
 * <h2>When not to use it</h2>
 * All handlers run in one process, one after the other: a slow handler delays every event and every
 * other handler. For work that takes time, let the handler hand the event to a process of its own.
 *
 * <p>{@code GenEvent} is sealed: its only subtype is {@link Handler}.
 */
public sealed interface GenEvent permits GenEvent.Handler {

    // ------------------------------------------------------------------ handlers

    /**
     * An event handler: what Erlang's callback module of a {@code gen_event} handler does.
     * Only {@link #init} and {@link #handleEvent} are required.
     *
     * @param <S> the handler's state
     * @param <E> the events it handles
     */
    non-sealed interface Handler<S, E> extends GenEvent {

        /**
         * Identifies this handler in its manager. The default is its class; override it to install
         * several handlers of one class ({@code HandlerId.of(getClass(), someId)}).
         */
        default HandlerId id() {
            return HandlerId.of(getClass());
        }

        /**
         * Makes the handler's state when it is added. {@code args} is the argument of
         * {@link GenEvent#addHandler}, or a {@link Swapped} when the handler replaces another.
         * Return {@link Init.Ok}, or {@link Init.Error} to refuse: the handler is then not
         * installed and the adder gets a {@link HandlerException}, as it does if init throws.
         */
        Init<S> init(Object args) throws Exception;

        /** Handles an event from {@link GenEvent#notify} or {@link GenEvent#syncNotify}. */
        HandlerResult<S> handleEvent(E event, S state) throws Exception;

        /**
         * Handles a {@link GenEvent#call} addressed to this handler. The default throws, which
         * removes the handler: a call nobody handles is a bug.
         */
        default CallResult<S> handleCall(Object request, S state) throws Exception {
            throw new IllegalStateException("no handleCall in " + getClass().getName() + " for " + request);
        }

        /**
         * Handles any message the manager receives that is not an event, a call or a request to the
         * manager: timer messages, monitors' {@code Down}, and {@link io.otp4j.Exit}s from linked
         * processes (adders among them). Every handler gets each one. The default logs the first
         * unexpected message of each type and keeps the state.
         */
        default HandlerResult<S> handleInfo(Object msg, S state) throws Exception {
            GenEventLoop.unexpected(this, msg);
            return new Ok<>(state);
        }

        /**
         * Runs when the handler is removed, whatever the cause; its result is returned by
         * {@link GenEvent#deleteHandler}, or handed to the next handler's init in a {@link Swapped}.
         * {@code args} tells why:
         * <ul>
         *   <li>the {@code args} of {@link GenEvent#deleteHandler} or of a swap;</li>
         *   <li>{@link Removed}: a callback returned {@link RemoveHandler};</li>
         *   <li>{@link Crashed}: a callback threw (the handler is removed; a crash report is made);</li>
         *   <li>{@link AdderExited}: the process that added it with {@link GenEvent#addSupHandler} exited;</li>
         *   <li>{@link Stop}: the manager is terminating.</li>
         * </ul>
         * If terminate throws, the handler is removed all the same.
         */
        default Object terminate(Object args, S state) throws Exception {
            return null;
        }

        /** Hot code upgrade: turns the state of an older version into this version's. */
        default S codeChange(Object oldVersion, S state, Object extra) throws Exception {
            return state;
        }

        /** What crash reports show of the state (hide secrets, shorten big states). */
        default Object formatStatus(S state) {
            return state;
        }
    }

    /**
     * An installed handler and its state, as {@link Sys#getState} shows a manager's handlers (newest
     * first), and as {@link Sys#replaceState}'s function takes and returns each of them.
     */
    record HandlerState(HandlerId id, Object state) {
    }

    /**
     * Identifies a handler in its manager: Erlang's {@code Module} (id null) or
     * {@code {Module, Id}}.
     *
     * @param type the handler's class
     * @param id   distinguishes handlers of one class, or null
     */
    record HandlerId(Class<?> type, Object id) {
        public HandlerId {
            Objects.requireNonNull(type, "type");
        }

        public static HandlerId of(Class<?> type) {
            return new HandlerId(type, null);
        }

        public static HandlerId of(Class<?> type, Object id) {
            return new HandlerId(type, Objects.requireNonNull(id, "id"));
        }

        @Override
        public String toString() {
            return id == null ? type.getName() : "{" + type.getName() + "," + id + "}";
        }
    }

    // ------------------------------------------------------------------ results

    /** What {@link Handler#init} returns. */
    sealed interface Init<S> {
        /** Installed, with its initial state; with {@code hibernate}, the manager then hibernates. */
        record Ok<S>(S state, boolean hibernate) implements Init<S> {
            public Ok(S state) {
                this(state, false);
            }
        }

        /** Not installed: the adder gets a {@link HandlerException} with {@link InitError}. */
        record Error<S>(Object reason) implements Init<S> {
        }
    }

    /** What {@link Handler#handleEvent} and {@link Handler#handleInfo} return. */
    sealed interface HandlerResult<S> permits Ok, SwapHandler, RemoveHandler {
    }

    /** What {@link Handler#handleCall} returns. */
    sealed interface CallResult<S> permits Reply, SwapHandler, RemoveHandler {
    }

    /**
     * Go on with {@code state}. With {@code hibernate} the manager hibernates after this message
     * (one handler asking is enough).
     */
    record Ok<S>(S state, boolean hibernate) implements HandlerResult<S> {
        public Ok(S state) {
            this(state, false);
        }
    }

    /** Reply {@code reply} to the caller and go on with {@code state}; see {@link Ok} for {@code hibernate}. */
    record Reply<S>(Object reply, S state, boolean hibernate) implements CallResult<S> {
        public Reply(Object reply, S state) {
            this(reply, state, false);
        }
    }

    /**
     * Replace this handler by {@code handler}: this handler's terminate runs with {@code args1} and
     * {@code state}, then {@code handler}'s init with {@link Swapped}{@code (args2, terminate's
     * result)}. The new handler takes the old one's place, and its supervision. If its init fails,
     * both are gone (a crash report is made, the adder told). From {@link Handler#handleCall}, the
     * caller gets {@code reply}.
     */
    record SwapHandler<S>(Object args1, S state, Handler<?, ?> handler, Object args2, Object reply)
            implements HandlerResult<S>, CallResult<S> {
        public SwapHandler(Object args1, S state, Handler<?, ?> handler, Object args2) {
            this(args1, state, handler, args2, null);
        }

        public SwapHandler {
            Objects.requireNonNull(handler, "handler");
        }
    }

    /**
     * Remove this handler: its terminate runs with {@link Removed}. From
     * {@link Handler#handleCall}, the caller gets {@code reply}.
     */
    record RemoveHandler<S>(Object reply) implements HandlerResult<S>, CallResult<S> {
        public RemoveHandler() {
            this(null);
        }
    }

    // ------------------------------------------------------------------ what handlers are told

    /**
     * The argument of a handler's init when it replaces another (Erlang's {@code {Args2, Term}}).
     *
     * @param args     the {@code args2} of the swap
     * @param previous what the replaced handler's terminate returned; {@link Crashed} if it threw;
     *                 {@link NotInstalled} if there was no such handler (the swap installs the new
     *                 one all the same)
     */
    record Swapped(Object args, Object previous) {
    }

    /** terminate's args when the manager terminates (Erlang's {@code stop}). */
    record Stop() {
    }

    /** The one {@link Stop}. */
    Stop STOP = new Stop();

    /** terminate's args after a callback returned {@link RemoveHandler} (Erlang's {@code remove_handler}). */
    record Removed() {
    }

    /** The one {@link Removed}. */
    Removed REMOVED = new Removed();

    /**
     * terminate's args when the process that added the handler with {@link #addSupHandler} exited
     * (Erlang's {@code {stop, Reason}}).
     */
    record AdderExited(Pid adder, ExitReason reason) {
    }

    /**
     * A handler's callback failed (Erlang's {@code {'EXIT', Reason}}): terminate's args when a
     * handler is removed for it, and the reason a {@link HandlerException} gives.
     *
     * @param reason {@link ExitReason.Crash} with what the callback threw, or the reason it gave
     *               {@code Proc.exit}
     */
    record Crashed(ExitReason reason) implements Why {
        public Crashed {
            Objects.requireNonNull(reason, "reason");
        }

        /** What the callback threw, or null if it exited with {@code Proc.exit(reason)}. */
        public Throwable exception() {
            return reason instanceof ExitReason.Crash(Throwable t) ? t : null;
        }
    }

    /**
     * The message an adder receives when a handler it added with {@link #addSupHandler} is removed
     * (Erlang's {@code {gen_event_EXIT, Handler, Reason}}). {@code reason} is {@code normal}
     * (deleted, or it returned {@link RemoveHandler}), {@code shutdown} (the manager terminated),
     * {@code Other(}{@link SwappedOut}{@code )} (replaced by a swap), or the handler's failure
     * ({@link ExitReason.Crash} with what it threw). When a callback swaps a supervised handler for
     * one that cannot be installed, the adder gets a second message naming the new handler, with
     * {@code Other(}{@link InitError}{@code )}, {@code Other(}{@link AlreadyInstalled}{@code )} or
     * the crash of its init.
     *
     * @param handler the handler removed
     * @param manager the event manager
     * @param reason  why
     */
    record HandlerExit(HandlerId handler, Pid manager, ExitReason reason) {
    }

    /**
     * The reason of a {@link HandlerExit} when the handler was replaced by a swap (Erlang's
     * {@code {swapped, NewHandler, Pid}}).
     *
     * @param replacement the handler that replaced it
     * @param supervisor  the process that supervises the replacement, or null
     */
    record SwappedOut(HandlerId replacement, Pid supervisor) {
    }

    // ------------------------------------------------------------------ failures

    /** Why a handler operation failed; see {@link HandlerException#why()}. */
    sealed interface Why permits AlreadyInstalled, NotInstalled, InitError, Crashed {
    }

    /** A handler with that id is installed already. */
    record AlreadyInstalled() implements Why {
    }

    /**
     * No handler with that id is installed (Erlang's {@code bad_module} and
     * {@code module_not_found}); also the {@link Swapped#previous()} of a swap that found no old
     * handler.
     */
    record NotInstalled() implements Why {
    }

    /** The handler's init returned {@link Init.Error} with {@code reason}. */
    record InitError(Object reason) implements Why {
    }

    /**
     * A handler operation failed: the handler is not installed, is installed already, refused to
     * start, or threw (then its exception is this one's cause). The manager itself goes on.
     */
    final class HandlerException extends RuntimeException {
        private final transient ServerRef<?> manager;
        private final transient HandlerId handler;
        private final transient Why why;

        public HandlerException(String message, ServerRef<?> manager, HandlerId handler, Why why) {
            super(message, why instanceof Crashed c ? c.exception() : null);
            this.manager = manager;
            this.handler = handler;
            this.why = why;
        }

        /** The event manager. */
        public ServerRef<?> manager() {
            return manager;
        }

        /** The handler concerned. */
        public HandlerId handler() {
            return handler;
        }

        /** Why it failed. */
        public Why why() {
            return why;
        }
    }

    // ------------------------------------------------------------------ the manager

    /** Starts an event manager with no handlers, not linked. */
    static <E> ServerRef<E> start() {
        return start(StartOptions.DEFAULT);
    }

    /** Starts an event manager with options (name, hibernate-after, priority), not linked. */
    static <E> ServerRef<E> start(StartOptions options) {
        return GenEventLoop.start(options, false);
    }

    /**
     * Starts an event manager linked to the calling process (which must be a process), its parent:
     * the parent's exit stops it.
     *
     * @throws StartException if the name is taken
     */
    static <E> ServerRef<E> startLink() {
        return startLink(StartOptions.DEFAULT);
    }

    static <E> ServerRef<E> startLink(StartOptions options) {
        return GenEventLoop.start(options, true);
    }

    /**
     * Adds a handler: runs its {@link Handler#init init} with {@code args} in the manager and
     * installs it. Waits as long as it takes.
     *
     * @throws HandlerException with {@link AlreadyInstalled} if its id is installed, with
     *                          {@link InitError} or {@link Crashed} if its init refused or threw;
     *                          the handler is then not installed
     * @throws CallException    if the manager is not alive
     */
    static <E> void addHandler(ServerRef<E> manager, Handler<?, ? super E> handler, Object args) {
        GenEventLoop.addHandler(manager, handler, args, false);
    }

    /**
     * Adds a handler supervised by the calling process (which must be a process): the manager and
     * the caller are linked; the caller receives a {@link HandlerExit} when the handler is removed,
     * and its exit removes the handler (terminate gets {@link AdderExited}).
     *
     * @throws HandlerException as {@link #addHandler}
     */
    static <E> void addSupHandler(ServerRef<E> manager, Handler<?, ? super E> handler, Object args) {
        GenEventLoop.addHandler(manager, handler, args, true);
    }

    /**
     * Removes a handler: its {@link Handler#terminate terminate} runs with {@code args}.
     *
     * @return what terminate returned
     * @throws HandlerException with {@link NotInstalled} if there is no such handler, with
     *                          {@link Crashed} if terminate threw (the handler is removed all the same)
     */
    static <R> R deleteHandler(ServerRef<?> manager, HandlerId handler, Object args) {
        return GenEventLoop.deleteHandler(manager, handler, args);
    }

    /**
     * Replaces handler {@code old} by {@code handler}: {@code old}'s terminate runs with
     * {@code args1}, then {@code handler}'s init with {@link Swapped}{@code (args2, terminate's result)}.
     * The new handler is installed even if {@code old} is not ({@link Swapped#previous()} is then
     * {@link NotInstalled}); it is supervised by whoever supervised {@code old}.
     *
     * @throws HandlerException if the new handler's init failed, or its id is installed already;
     *                          {@code old} is removed all the same
     */
    static <E> void swapHandler(ServerRef<E> manager, HandlerId old, Object args1,
                                Handler<?, ? super E> handler, Object args2) {
        GenEventLoop.swapHandler(manager, old, args1, handler, args2, false);
    }

    /** {@link #swapHandler}, the new handler supervised by the calling process (see {@link #addSupHandler}). */
    static <E> void swapSupHandler(ServerRef<E> manager, HandlerId old, Object args1,
                                   Handler<?, ? super E> handler, Object args2) {
        GenEventLoop.swapHandler(manager, old, args1, handler, args2, true);
    }

    /** Sends {@code event} to every handler and returns at once; a manager that is not alive drops it. */
    static <E> void notify(ServerRef<E> manager, E event) {
        Gen.cast(manager, event);
    }

    /**
     * Sends {@code event} to every handler and returns once they all have handled it.
     *
     * @throws CallException if the manager is not alive ({@code noproc}) or exits first
     */
    static <E> void syncNotify(ServerRef<E> manager, E event) {
        GenEventLoop.syncNotify(manager, event);
    }

    /** {@link #call(ServerRef, HandlerId, Object, Duration)} with a 5 second timeout. */
    static <R> R call(ServerRef<?> manager, HandlerId handler, Object request) {
        return call(manager, handler, request, Gen.DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Calls one handler's {@link Handler#handleCall handleCall} and waits for its reply.
     *
     * @throws HandlerException     with {@link NotInstalled} if there is no such handler, with
     *                              {@link Crashed} if it threw (it is then removed)
     * @throws CallTimeoutException if no reply came in time
     * @throws CallException        if the manager is not alive ({@code noproc}) or exits first
     */
    static <R> R call(ServerRef<?> manager, HandlerId handler, Object request, Duration timeout) {
        return GenEventLoop.call(manager, handler, request, timeout);
    }

    /** The handlers installed, in the order events reach them: the most recently added first. */
    static List<HandlerId> whichHandlers(ServerRef<?> manager) {
        return GenEventLoop.whichHandlers(manager);
    }

    /** Stops the manager with reason {@code normal} and waits until it has terminated. */
    static void stop(ServerRef<?> manager) {
        stop(manager, ExitReason.NORMAL, io.otp4j.Proc.INFINITY);
    }

    /**
     * Stops the manager: every handler's terminate runs with {@link Stop} (supervising adders get
     * {@link HandlerExit} with {@code shutdown} and are unlinked first, so they do not receive the
     * manager's exit), then it exits with {@code reason}. Waits until it has.
     *
     * @throws CallException if it was not alive, or exited with another reason
     */
    static void stop(ServerRef<?> manager, ExitReason reason, Duration timeout) {
        Gen.stop(manager, reason, timeout);
    }
}
