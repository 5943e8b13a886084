package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.internal.gen.Gen;
import io.otp4j.internal.gen.StatemLoop;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A generic state machine (Erlang's {@code gen_statem}): a process in one of a set of states,
 * handling one event at a time. An event and the current state decide the next state, the new
 * data, and actions: replies, postponing the event, inserting events, time-outs, hibernation.
 *
 * {@snippet :
 * final class Light implements GenStatem<Light.State, Integer, Light.Msg> {
 *     enum State { OFF, ON }
 *     sealed interface Msg {}
 *     record Push() implements Msg {}
 *     record Count() implements Msg {}
 *
 *     // client API: thin functions over call and cast
 *     static ServerRef<Msg> start() { return GenStatem.start(new Light()); }
 *     static State push(ServerRef<Msg> light) { return GenStatem.call(light, new Push()); }
 *     static int count(ServerRef<Msg> light) { return GenStatem.call(light, new Count()); }
 *
 *     // callbacks: init and one function for every event in every state
 *     public Init<State, Integer> init() { return new Init.Ok<>(State.OFF, 0); }
 *
 *     public Result<State, Integer> handleEvent(Event<Msg> event, State state, Integer pushes) {
 *         return switch (event) {
 *             // OFF -> ON, and ON goes off by itself after 30 seconds (a state time-out)
 *             case Event.Call(Push(), From from) when state == State.OFF -> Result.next(State.ON, pushes + 1,
 *                     Action.reply(from, State.ON), Action.stateTimeout(Duration.ofSeconds(30), "off"));
 *             case Event.Call(Push(), From from) -> Result.next(State.OFF, pushes + 1, Action.reply(from, State.OFF));
 *             case Event.StateTimeout(var off) -> Result.next(State.OFF, pushes);
 *             case Event.Call(Count(), From from) -> Result.keepStateAndData(Action.reply(from, pushes));
 *             default -> Result.keepStateAndData(); // anything else is dropped
 *         };
 *     }
 * }
 * }
 *
 * <p>{@code S} is the state (an enum, or a sealed interface of records when states carry values),
 * {@code D} the data kept beside it, and {@code E} the protocol of calls and casts, a sealed
 * interface of records like a {@link GenServer}'s. Everything else sent to the process arrives as
 * {@link Event.Info}. Compared with a GenServer, a state machine gathers the code of each state,
 * and adds postponing, inserted events, three kinds of time-out and state enter calls.
 *
 * <h2>Callback modes</h2>
 * {@link #callbackMode()} says how events reach the code. {@link CallbackMode#HANDLE_EVENT_FUNCTION}
 * (the default) calls {@link #handleEvent} for every event in every state. With
 * {@link CallbackMode#STATE_FUNCTIONS} each state has its own function: the states implement
 * {@link StateFunction}, and the event goes to {@code state.handle(event, data)}.
 * {@snippet :
 * sealed interface State extends GenStatem.StateFunction<State, Data, Msg> {}
 * record Locked() implements State {
 *     public Result<State, Data> handle(Event<Msg> event, Data data) { ... }
 * }
 * record Open() implements State {
 *     public Result<State, Data> handle(Event<Msg> event, Data data) { ... }
 * }
 * }
 * Either mode can have <em>state enter calls</em> ({@link CallbackMode#withStateEnter()}): whenever
 * the state changes (and on {@link Result.RepeatState}), and for the initial state, the callback is
 * first called with {@link Event.Enter}{@code (oldState)}, before any other event. An enter call
 * may change the data and set time-outs, but not the state, and it may not postpone or insert
 * events: doing so crashes the machine.
 *
 * <h2>Events, results and actions</h2>
 * An event is one of the {@link Event} records: {@link Event.Call} (answer it with the
 * {@link Action.Reply} action, or later with {@link #reply(From, Object)}), {@link Event.Cast},
 * {@link Event.Info}, {@link Event.Internal} (inserted by the machine itself), the three time-outs
 * and {@link Event.Enter}. The callback returns a {@link Result}: {@code next} state,
 * {@code keep} the state, {@code repeat} it (running the enter call again), or {@code stop}; each
 * with actions, executed in order. The state changes when the next state is not {@code equals} to
 * the current one.
 *
 * <h2>Postponing and inserted events</h2>
 * {@link Action.Postpone} keeps the current event for later: it is retried, with the other
 * postponed events in the order they came, as soon as the state changes (not on keep or repeat).
 * {@link Action.NextEvent} inserts events to handle next, before anything in the mailbox, in the
 * order given.
 *
 * <h2>Time-outs</h2>
 * <ul>
 *   <li>The <em>event time-out</em> ({@link Action.EventTimeout}) fires if no event at all is
 *       handled for that long; any event cancels it, also one already waiting in the mailbox.</li>
 *   <li>A <em>state time-out</em> ({@link Action.StateTimeout}) is cancelled by a state change.</li>
 *   <li><em>Generic time-outs</em> ({@link Action.GenericTimeout}) have names, and are only
 *       cancelled explicitly; starting one with a running name restarts it.</li>
 * </ul>
 * Each kind can be updated (new content, same expiry) or cancelled; a time of {@link io.otp4j.Proc#INFINITY}
 * cancels too. A time of zero fires once the events already inserted have been handled, before
 * any message in the mailbox. A cancelled time-out never fires, even if its timer had already
 * expired.
 *
 * <h2>Supervising and naming</h2>
 * As for a {@link GenServer}: start it under a {@link Supervisor} with
 * {@code ChildSpec.worker(id, () -> GenStatem.startLink(new Light()))}, name it with
 * {@link StartOptions#named(String)} or {@link Name#via}. It terminates on a {@link Result.Stop},
 * on {@link #stop}, when a callback throws (with a crash report naming the state and the last
 * event), and on its supervisor's shutdown if it traps exits.
 *
 * @param <S> the state
 * @param <D> the data
 * @param <E> the protocol: what calls and casts carry
 */
public interface GenStatem<S, D, E> {

    // ------------------------------------------------------------------ callbacks

    /**
     * Makes the initial state and data; runs in the new process before {@code start} returns.
     * Return {@link Init.Ok} (with actions, such as time-outs or inserted events, if any),
     * {@link Init.Ignore}, {@link Init.Stop} or {@link Init.Error}, as for a {@link GenServer}.
     * Throwing fails the start with the exception as reason.
     */
    Init<S, D> init() throws Exception;

    /**
     * How events reach the code; asked once, after {@link #init} returned {@link Init.Ok} (if it
     * throws, the start fails).
     */
    default CallbackMode callbackMode() {
        return CallbackMode.HANDLE_EVENT_FUNCTION;
    }

    /**
     * Handles {@code event} in {@code state}, in {@link CallbackMode#HANDLE_EVENT_FUNCTION} mode.
     * The default crashes the machine with a reason that names the event: implement it, or use
     * {@link CallbackMode#STATE_FUNCTIONS}.
     */
    default Result<S, D> handleEvent(Event<E> event, S state, D data) throws Exception {
        throw new IllegalStateException("no handleEvent in " + getClass().getName() + " for " + event + " in state "
                + state + " (implement handleEvent, or use CallbackMode.STATE_FUNCTIONS with states that implement "
                + "GenStatem.StateFunction)");
    }

    /**
     * Called when the machine stops: on a {@link Result.Stop}, on {@link #stop}, when a callback
     * throws, and on its supervisor's shutdown if it traps exits. Not called when it is killed.
     */
    default void terminate(ExitReason reason, S state, D data) throws Exception {
    }

    /** Hot code upgrade: turns the state and data of an older version into this version's. */
    default Snapshot<S, D> codeChange(Object oldVersion, S state, D data, Object extra) throws Exception {
        return new Snapshot<>(state, data);
    }

    /** What crash reports show of the state and data (hide secrets, shorten big data). */
    default Object formatStatus(S state, D data) {
        return new Snapshot<>(state, data);
    }

    /**
     * A state's own event handler, in {@link CallbackMode#STATE_FUNCTIONS} mode: the states
     * implement it (each record of a sealed interface, or each constant of an enum, has its own
     * {@code handle}). In that mode a state that does not implement it crashes the machine.
     *
     * @param <S> the state type (the sealed interface the states implement)
     * @param <D> the data
     * @param <E> the protocol
     */
    @FunctionalInterface
    interface StateFunction<S, D, E> {
        /** Handles {@code event} in this state. */
        Result<S, D> handle(Event<E> event, D data) throws Exception;
    }

    /** The state and data together: what {@link #getState} returns, and the default {@link #formatStatus}. */
    record Snapshot<S, D>(S state, D data) {
    }

    /**
     * How events reach the code: one {@link #handleEvent} for all states, or a
     * {@link StateFunction} per state; with or without state enter calls.
     *
     * @param kind       which function handles events
     * @param stateEnter whether state enter calls are made
     */
    record CallbackMode(Kind kind, boolean stateEnter) {
        /** {@code handle_event_function}: {@link #handleEvent} gets every event. */
        public static final CallbackMode HANDLE_EVENT_FUNCTION = new CallbackMode(Kind.HANDLE_EVENT_FUNCTION, false);
        /** {@code state_functions}: each state's {@link StateFunction#handle} gets the events in that state. */
        public static final CallbackMode STATE_FUNCTIONS = new CallbackMode(Kind.STATE_FUNCTIONS, false);

        /** Which function handles events. */
        public enum Kind {
            HANDLE_EVENT_FUNCTION, STATE_FUNCTIONS
        }

        public CallbackMode {
            Objects.requireNonNull(kind, "kind");
        }

        public static CallbackMode handleEventFunction() {
            return HANDLE_EVENT_FUNCTION;
        }

        public static CallbackMode stateFunctions() {
            return STATE_FUNCTIONS;
        }

        /** This mode with state enter calls ({@code [Mode, state_enter]}). */
        public CallbackMode withStateEnter() {
            return new CallbackMode(kind, true);
        }
    }

    // ------------------------------------------------------------------ events

    /**
     * What the callback handles. The type says where the event came from; {@code switch} on it
     * with record patterns:
     * {@snippet :
     * switch (event) {
     *     case Event.Call(Press(int digit), From from) -> ...
     *     case Event.Cast(Reset()) -> ...
     *     case Event.StateTimeout(var content) -> ...
     *     default -> ...
     * }
     * }
     *
     * @param <E> the protocol of calls and casts
     */
    sealed interface Event<E> {
        /** A {@link GenStatem#call}: answer it with {@link Action.Reply} or {@link GenStatem#reply}. */
        record Call<E>(E request, From from) implements Event<E> {
            public Call {
                Objects.requireNonNull(from, "from");
            }
        }

        /** A {@link GenStatem#cast}. */
        record Cast<E>(E msg) implements Event<E> {
        }

        /** Any other message sent to the process (monitors' Down, trapped Exits, plain messages). */
        record Info<E>(Object msg) implements Event<E> {
        }

        /** An event the machine inserted itself with {@link Action.NextEvent}. */
        record Internal<E>(Object content) implements Event<E> {
        }

        /** The event time-out fired: no event was handled for its time. */
        record EventTimeout<E>(Object content) implements Event<E> {
        }

        /** The generic time-out {@code name} fired. */
        record GenericTimeout<E>(Object name, Object content) implements Event<E> {
        }

        /** The state time-out fired: the state did not change for its time. */
        record StateTimeout<E>(Object content) implements Event<E> {
        }

        /**
         * A state enter call (with {@link CallbackMode#withStateEnter()}): the state has just been
         * entered from {@code oldState}, which for the initial state and for a repeated state is the
         * state itself. Not an event of the queue: it cannot be postponed or inserted.
         */
        record Enter<E>(Object oldState) implements Event<E> {
        }
    }

    // ------------------------------------------------------------------ results

    /** What {@link #init} returns. */
    sealed interface Init<S, D> {
        /** Started in {@code state} with {@code data}; {@code actions} run as if returned by a callback. */
        record Ok<S, D>(S state, D data, List<Action> actions) implements Init<S, D> {
            public Ok {
                Objects.requireNonNull(state, "state");
                actions = List.copyOf(actions);
            }

            public Ok(S state, D data) {
                this(state, data, List.of());
            }

            public Ok(S state, D data, Action... actions) {
                this(state, data, List.of(actions));
            }
        }

        /** Not started, and that is fine: start reports it, a supervisor skips the child. */
        record Ignore<S, D>() implements Init<S, D> {
        }

        /** Not started: the process exits with {@code reason} (linked callers get the exit). */
        record Stop<S, D>(ExitReason reason) implements Init<S, D> {
            public Stop {
                Objects.requireNonNull(reason, "reason");
            }
        }

        /** Not started: start fails with {@code reason}; the process exits {@code normal}. */
        record Error<S, D>(Object reason) implements Init<S, D> {
        }

        static <S, D> Init<S, D> ignore() {
            return new Ignore<>();
        }
    }

    /**
     * What an event callback returns. Build results with the factories ({@link #next},
     * {@link #keep}, {@link #keepStateAndData}, {@link #repeat}, {@link #repeatStateAndData},
     * {@link #stop}, {@link #stopAndReply}).
     *
     * @param <S> the state
     * @param <D> the data
     */
    sealed interface Result<S, D> {

        /** Go to {@code state} (maybe the same) with {@code data}. A different state retries postponed events. */
        record NextState<S, D>(S state, D data, List<Action> actions) implements Result<S, D> {
            public NextState {
                Objects.requireNonNull(state, "state");
                actions = List.copyOf(actions);
            }
        }

        /** Stay in the state, with new data. */
        record KeepState<S, D>(D data, List<Action> actions) implements Result<S, D> {
            public KeepState {
                actions = List.copyOf(actions);
            }
        }

        /** Stay in the state, data unchanged: only actions. */
        record KeepStateAndData<S, D>(List<Action> actions) implements Result<S, D> {
            public KeepStateAndData {
                actions = List.copyOf(actions);
            }
        }

        /** Stay in the state with new data, and run its enter call again (postponed events stay postponed). */
        record RepeatState<S, D>(D data, List<Action> actions) implements Result<S, D> {
            public RepeatState {
                actions = List.copyOf(actions);
            }
        }

        /** Stay in the state, data unchanged, and run its enter call again. */
        record RepeatStateAndData<S, D>(List<Action> actions) implements Result<S, D> {
            public RepeatStateAndData {
                actions = List.copyOf(actions);
            }
        }

        /** Stop with {@code reason}: {@link GenStatem#terminate} runs, then the process exits. */
        record Stop<S, D>(ExitReason reason, Optional<D> newData) implements Result<S, D> {
            public Stop {
                Objects.requireNonNull(reason, "reason");
                Objects.requireNonNull(newData, "newData");
            }
        }

        /** Send {@code replies}, then stop as {@link Stop} does. */
        record StopAndReply<S, D>(ExitReason reason, List<Action.Reply> replies, Optional<D> newData)
                implements Result<S, D> {
            public StopAndReply {
                Objects.requireNonNull(reason, "reason");
                replies = List.copyOf(replies);
                Objects.requireNonNull(newData, "newData");
            }
        }

        /** {@code {next_state, State, Data}}. */
        static <S, D> Result<S, D> next(S state, D data) {
            return new NextState<>(state, data, List.of());
        }

        /** {@code {next_state, State, Data, Actions}}. */
        static <S, D> Result<S, D> next(S state, D data, Action... actions) {
            return new NextState<>(state, data, List.of(actions));
        }

        /** {@code {keep_state, Data}}. */
        static <S, D> Result<S, D> keep(D data) {
            return new KeepState<>(data, List.of());
        }

        /** {@code {keep_state, Data, Actions}}. */
        static <S, D> Result<S, D> keep(D data, Action... actions) {
            return new KeepState<>(data, List.of(actions));
        }

        /** {@code keep_state_and_data}. */
        @SuppressWarnings("unchecked")
        static <S, D> Result<S, D> keepStateAndData() {
            return (Result<S, D>) StatemLoop.KEEP_STATE_AND_DATA;
        }

        /** {@code {keep_state_and_data, Actions}}. */
        static <S, D> Result<S, D> keepStateAndData(Action... actions) {
            return new KeepStateAndData<>(List.of(actions));
        }

        /** {@code {repeat_state, Data}}. */
        static <S, D> Result<S, D> repeat(D data) {
            return new RepeatState<>(data, List.of());
        }

        /** {@code {repeat_state, Data, Actions}}. */
        static <S, D> Result<S, D> repeat(D data, Action... actions) {
            return new RepeatState<>(data, List.of(actions));
        }

        /** {@code {repeat_state_and_data, Actions}}. */
        static <S, D> Result<S, D> repeatStateAndData(Action... actions) {
            return new RepeatStateAndData<>(List.of(actions));
        }

        /** {@code {stop, Reason}}: stop, the data unchanged. */
        static <S, D> Result<S, D> stop(ExitReason reason) {
            return new Stop<>(reason, Optional.empty());
        }

        /** {@code {stop, Reason, Data}}. */
        static <S, D> Result<S, D> stop(ExitReason reason, D data) {
            return new Stop<>(reason, Optional.of(data));
        }

        /** {@code {stop_and_reply, Reason, Replies}}: reply, then stop, the data unchanged. */
        static <S, D> Result<S, D> stopAndReply(ExitReason reason, Action.Reply... replies) {
            return new StopAndReply<>(reason, List.of(replies), Optional.empty());
        }

        /** {@code {stop_and_reply, Reason, Replies, Data}}. */
        static <S, D> Result<S, D> stopAndReply(ExitReason reason, D data, List<Action.Reply> replies) {
            return new StopAndReply<>(reason, replies, Optional.of(data));
        }
    }

    /**
     * What the machine does besides changing state: executed in order, after the callback returned.
     * For the options (postpone, hibernate, each time-out) the last one given wins.
     */
    sealed interface Action {

        /** Answer a call. Sent at once, while the actions are executed. */
        record Reply(From from, Object reply) implements Action {
            public Reply {
                Objects.requireNonNull(from, "from");
            }
        }

        /** Keep the current event, to retry it after the next state change. Not from an enter call. */
        record Postpone() implements Action {
        }

        /**
         * Handle {@code event} next, before any message of the mailbox; several are handled in the
         * order given. Any event type but {@link Event.Enter}. Not from an enter call.
         */
        record NextEvent(Event<?> event) implements Action {
            public NextEvent {
                Objects.requireNonNull(event, "event");
            }
        }

        /** Give up the thread until the next message (see {@code Proc.hibernate}), if no event is waiting. */
        record Hibernate() implements Action {
        }

        /** Starting, updating or cancelling one of the three kinds of time-out. */
        sealed interface Timeout extends Action {
        }

        /**
         * Start the event time-out: {@link Event.EventTimeout}{@code (content)} after {@code time}
         * unless an event is handled first. {@link io.otp4j.Proc#INFINITY}: no time-out.
         */
        record EventTimeout(Duration time, Object content) implements Timeout {
            public EventTimeout {
                checkTime(time);
            }
        }

        /**
         * Start (or restart) the generic time-out {@code name}:
         * {@link Event.GenericTimeout}{@code (name, content)} after {@code time}.
         * {@link io.otp4j.Proc#INFINITY}: cancel it.
         */
        record GenericTimeout(Object name, Duration time, Object content) implements Timeout {
            public GenericTimeout {
                Objects.requireNonNull(name, "name");
                checkTime(time);
            }
        }

        /**
         * Start (or restart) the state time-out: {@link Event.StateTimeout}{@code (content)} after
         * {@code time}, unless the state changes first. {@link io.otp4j.Proc#INFINITY}: cancel it.
         */
        record StateTimeout(Duration time, Object content) implements Timeout {
            public StateTimeout {
                checkTime(time);
            }
        }

        /** New content for the event time-out; if none runs, it fires at once (as with time zero). */
        record UpdateEventTimeout(Object content) implements Timeout {
        }

        /** New content for the generic time-out {@code name}; if it does not run, it fires at once. */
        record UpdateGenericTimeout(Object name, Object content) implements Timeout {
            public UpdateGenericTimeout {
                Objects.requireNonNull(name, "name");
            }
        }

        /** New content for the state time-out; if none runs, it fires at once. */
        record UpdateStateTimeout(Object content) implements Timeout {
        }

        /** Cancel the event time-out. */
        record CancelEventTimeout() implements Timeout {
        }

        /** Cancel the generic time-out {@code name}. */
        record CancelGenericTimeout(Object name) implements Timeout {
            public CancelGenericTimeout {
                Objects.requireNonNull(name, "name");
            }
        }

        /** Cancel the state time-out. */
        record CancelStateTimeout() implements Timeout {
        }

        private static void checkTime(Duration time) {
            Objects.requireNonNull(time, "time");
            if (time.isNegative()) throw new IllegalArgumentException("a time-out cannot be negative: " + time);
        }

        static Reply reply(From from, Object reply) {
            return new Reply(from, reply);
        }

        static Action postpone() {
            return StatemLoop.POSTPONE;
        }

        static Action nextEvent(Event<?> event) {
            return new NextEvent(event);
        }

        /** Inserts {@link Event.Internal}{@code (content)}: {@code {next_event, internal, Content}}. */
        static Action internalEvent(Object content) {
            return new NextEvent(new Event.Internal<>(content));
        }

        static Action hibernate() {
            return StatemLoop.HIBERNATE;
        }

        static Action eventTimeout(Duration time, Object content) {
            return new EventTimeout(time, content);
        }

        static Action genericTimeout(Object name, Duration time, Object content) {
            return new GenericTimeout(name, time, content);
        }

        static Action stateTimeout(Duration time, Object content) {
            return new StateTimeout(time, content);
        }

        static Action updateEventTimeout(Object content) {
            return new UpdateEventTimeout(content);
        }

        static Action updateGenericTimeout(Object name, Object content) {
            return new UpdateGenericTimeout(name, content);
        }

        static Action updateStateTimeout(Object content) {
            return new UpdateStateTimeout(content);
        }

        static Action cancelEventTimeout() {
            return StatemLoop.CANCEL_EVENT_TIMEOUT;
        }

        static Action cancelGenericTimeout(Object name) {
            return new CancelGenericTimeout(name);
        }

        static Action cancelStateTimeout() {
            return StatemLoop.CANCEL_STATE_TIMEOUT;
        }
    }

    // ------------------------------------------------------------------ client API

    /** Starts a state machine, not linked. Returns once {@code init} has returned. */
    static <E> ServerRef<E> start(GenStatem<?, ?, E> statem) {
        return start(statem, StartOptions.DEFAULT);
    }

    /** Starts a state machine with options (name, start timeout, hibernate-after, priority), not linked. */
    static <E> ServerRef<E> start(GenStatem<?, ?, E> statem, StartOptions options) {
        return StatemLoop.start(statem, options, false);
    }

    /**
     * Starts a state machine linked to the calling process (which must be a process). Returns once
     * {@code init} has returned.
     *
     * @throws StartException if init failed, stopped, ignored, or the name is taken
     */
    static <E> ServerRef<E> startLink(GenStatem<?, ?, E> statem) {
        return startLink(statem, StartOptions.DEFAULT);
    }

    static <E> ServerRef<E> startLink(GenStatem<?, ?, E> statem, StartOptions options) {
        return StatemLoop.start(statem, options, true);
    }

    /**
     * Calls the machine ({@link Event.Call}) and waits for the reply, at most 5 seconds. A reply that
     * comes after the timeout is dropped.
     *
     * @throws CallTimeoutException naming the machine, the request and the timeout
     * @throws CallException        when the machine is not alive ({@code noproc}) or exits before replying
     */
    static <R, E> R call(ServerRef<E> statem, E request) {
        return call(statem, request, Gen.DEFAULT_CALL_TIMEOUT);
    }

    /** {@link #call(ServerRef, Object)} with a timeout ({@code io.otp4j.Proc.INFINITY} to wait forever). */
    static <R, E> R call(ServerRef<E> statem, E request, Duration timeout) {
        return Gen.call(statem, request, timeout);
    }

    /** Sends {@link Event.Cast}{@code (msg)} to the machine and returns at once; a dead machine drops it. */
    static <E> void cast(ServerRef<E> statem, E msg) {
        Gen.cast(statem, msg);
    }

    /** Answers a call later, from the machine or from any process it handed {@code from} to. */
    static void reply(From from, Object reply) {
        From.deliverTo(Objects.requireNonNull(from, "from"), reply);
    }

    /** Sends each reply (Erlang's {@code gen_statem:reply/1}). */
    static void reply(Action.Reply... replies) {
        for (Action.Reply r : replies) reply(r.from(), r.reply());
    }

    /** Stops the machine with reason {@code normal} and waits until it has terminated. */
    static void stop(ServerRef<?> statem) {
        stop(statem, ExitReason.NORMAL, io.otp4j.Proc.INFINITY);
    }

    /**
     * Stops the machine: it runs {@link #terminate} with {@code reason} and exits. Waits until it has.
     *
     * @throws CallException if it was not alive, or exited with another reason
     */
    static void stop(ServerRef<?> statem, ExitReason reason, Duration timeout) {
        Gen.stop(statem, reason, timeout);
    }

    /**
     * The state and data of a running machine ({@code sys:get_state}), read between two events.
     *
     * @throws CallException if it is not alive
     */
    static <S, D> Snapshot<S, D> getState(ServerRef<?> statem) {
        @SuppressWarnings("unchecked")
        Snapshot<S, D> s = (Snapshot<S, D>) StatemLoop.getState(statem, Gen.DEFAULT_CALL_TIMEOUT);
        return s;
    }

    /**
     * Sends a request without waiting: the reply arrives later as a message, to be taken with
     * {@link #receiveResponse}, {@link #waitResponse} or recognised with {@link #checkResponse}.
     */
    static <E> RequestId sendRequest(ServerRef<E> statem, E request) {
        return Gen.sendRequest(statem, request);
    }

    /**
     * Waits for the reply to {@code id}; on timeout the request stays open (wait again later).
     *
     * @return the reply, or empty on timeout
     * @throws CallException if the machine exited first
     */
    static <R> Optional<R> waitResponse(RequestId id, Duration timeout) {
        return Gen.waitResponse(id, timeout, false);
    }

    /**
     * Waits for the reply to {@code id}; on timeout the request is abandoned and a late reply is
     * dropped.
     *
     * @throws CallTimeoutException on timeout
     * @throws CallException        if the machine exited first
     */
    static <R> R receiveResponse(RequestId id, Duration timeout) {
        return Gen.<R>waitResponse(id, timeout, true).orElseThrow();
    }

    /**
     * Whether {@code msg}, taken from the mailbox, is the answer to {@code id}.
     *
     * @return empty if it is not; otherwise the reply
     * @throws CallException if it says the machine exited before replying
     */
    static Optional<Object> checkResponse(Object msg, RequestId id) {
        return Gen.checkResponse(msg, id);
    }

    /** The pid of a running machine, if it runs. */
    static Optional<Pid> whereis(ServerRef<?> statem) {
        return statem.resolve();
    }
}
