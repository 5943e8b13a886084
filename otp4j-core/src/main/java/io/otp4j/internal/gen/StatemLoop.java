package io.otp4j.internal.gen;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessExit;
import io.otp4j.Report;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.GenStatem;
import io.otp4j.behaviour.GenStatem.Action;
import io.otp4j.behaviour.GenStatem.CallbackMode;
import io.otp4j.behaviour.GenStatem.Event;
import io.otp4j.behaviour.GenStatem.Init;
import io.otp4j.behaviour.GenStatem.Result;
import io.otp4j.behaviour.Name;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.behaviour.Sys;
import io.otp4j.internal.ProcessImpl;
import io.otp4j.internal.timer.TimerService;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state machine loop ({@code gen_statem}'s engine), on the generic core: {@link GenServerLoop#startProcess}
 * starts it with acknowledgement, {@link Gen} carries its calls, casts and system messages.
 *
 * <p>One event at a time: the callback's result sets the next state and data, its actions are
 * executed in order (replies at once; postpone, inserted events, hibernation and time-outs are
 * collected), state enter calls follow a state change, and the transition then cancels what the
 * change cancels, retries postponed events, starts the time-outs and queues the inserted events.
 * Events are taken from the queue of inserted and retried events first, then from the zero
 * time-outs, then from the mailbox.
 *
 * <p>Nothing is allocated for what is not used: the queues and the timer table are made on first
 * use, and an event that sets no time-out and inserts nothing allocates only its {@link Event}.
 * Running time-outs are {@link Armed} entries; a timer's expiry puts a {@link Token} in the
 * mailbox, and a token that is not the one of the entry now armed (its time-out was cancelled or
 * restarted after the timer had fired) is dropped.
 */
public final class StatemLoop<S, D, E> extends SysLoop {

    // Shared instances of the actions and results that carry nothing.
    public static final Action POSTPONE = new Action.Postpone();
    public static final Action HIBERNATE = new Action.Hibernate();
    public static final Action CANCEL_EVENT_TIMEOUT = new Action.CancelEventTimeout();
    public static final Action CANCEL_STATE_TIMEOUT = new Action.CancelStateTimeout();
    public static final Result<?, ?> KEEP_STATE_AND_DATA = new Result.KeepStateAndData<>(List.of());

    /** Prune done call waiters every this many messages (as the server loop does). */
    private static final int PRUNE_MASK = 255;

    private static final int EVENT = 0;
    private static final int STATE = 1;
    private static final int GENERIC = 2;

    private final GenStatem<S, D, E> cb;
    private final boolean stateFunctions;
    private final boolean stateEnter;
    private final StartOptions opts;
    private final Pid parent;

    private S state;
    private D data;
    /** What crash reports name as the last event. */
    private Object lastEvent;
    private int received;
    /** Hibernate when next waiting for a message (set by the last transition). */
    private boolean hibernate;
    /** The init actions, until {@link #run} has executed them. */
    private List<Action> initActions;

    /** Inserted and retried events, handled before the zero time-outs and the mailbox. */
    private ArrayDeque<Event<E>> queue;
    /** Postponed events, oldest first. */
    private ArrayList<Event<E>> postponed;

    // What the callbacks of the current event decided (event call and enter calls together).
    private boolean changed;
    private boolean postpone;
    private boolean hibernateNext;
    private ArrayList<Event<E>> inserted;
    private ArrayList<Action.Timeout> timeouts;

    // Running time-outs.
    private Armed eventTimer;
    private Armed stateTimer;
    private HashMap<Object, Armed> generic;
    /** Time-outs of time zero, in the order started: they fire when the queue is empty. */
    private ArrayDeque<Armed> zeroQ;

    private StatemLoop(GenStatem<S, D, E> cb, CallbackMode mode, StartOptions opts, Pid parent, Init.Ok<S, D> ok) {
        super(ProcessImpl.current());
        this.cb = cb;
        this.stateFunctions = mode.kind() == CallbackMode.Kind.STATE_FUNCTIONS;
        this.stateEnter = mode.stateEnter();
        this.opts = opts;
        this.parent = parent;
        this.state = ok.state();
        this.data = ok.data();
        this.initActions = ok.actions();
        self.behaviour(this);
    }

    // ------------------------------------------------------------------ start and client helpers

    public static <S, D, E> ServerRef<E> start(GenStatem<S, D, E> statem, StartOptions opts, boolean link) {
        Objects.requireNonNull(statem, "statem");
        Objects.requireNonNull(opts, "options");
        String what = "start of " + statem.getClass().getName() + (opts.name() != null ? " as " + opts.name() : "");
        Pid pid = GenServerLoop.startProcess(opts, link, what, starting -> {
            Init<S, D> init = statem.init();
            if (init == null) {
                throw new IllegalStateException(statem.getClass().getName() + ".init() returned null");
            }
            return switch (init) {
                case Init.Ok<S, D> ok -> {
                    CallbackMode mode = statem.callbackMode();
                    if (mode == null) {
                        throw new IllegalStateException(statem.getClass().getName() + ".callbackMode() returned null");
                    }
                    yield new StatemLoop<>(statem, mode, opts, starting.parent(), ok);
                }
                case Init.Ignore<S, D> ig -> {
                    starting.ignore();
                    yield null;
                }
                case Init.Error<S, D>(Object reason) -> {
                    starting.fail(ExitReason.of(reason));
                    yield null;
                }
                case Init.Stop<S, D>(ExitReason reason) -> {
                    starting.fail(reason);
                    throw new ProcessExit(reason);
                }
            };
        }, (starting, loop) -> loop.run());
        return ServerRef.of(pid);
    }

    /** {@code sys:get_state}: the behaviour's state, as its loop answers a system GetState. */
    public static Object getState(ServerRef<?> server, Duration timeout) {
        return Gen.call(server, new Gen.SystemRequest.GetState(), timeout, false);
    }

    // ------------------------------------------------------------------ the loop

    /** Runs the init actions (and the initial enter call), then the loop. Never returns normally. */
    private void run() {
        List<Action> actions = initActions;
        initActions = null;
        begin(actions);
        loop();
    }

    /** The loop: one event at a time. Never returns normally: the process exits (or hibernates). */
    @SuppressWarnings("unchecked")
    private void loop() {
        for (;;) {
            Event<E> ev;
            if (queue != null && !queue.isEmpty()) {
                ev = queue.pollFirst();
            } else if (zeroQ != null && !zeroQ.isEmpty()) {
                ev = fireZero();
            } else {
                Object msg = receive();
                if ((++received & PRUNE_MASK) == 0) self.node().pruneCallWaiters(self);
                // calls first: they are the hot path
                if (msg instanceof Gen.Call c) {
                    handle(new Event.Call<>((E) c.request(), c.from()));
                    continue;
                }
                switch (msg) {
                    case Gen.Cast(Object m) -> ev = new Event.Cast<>((E) m);
                    case Token t -> {
                        ev = expired(t);
                        if (ev == null) continue; // its time-out was cancelled after the timer fired
                    }
                    case Gen.System s -> {
                        system(s);
                        continue;
                    }
                    case Exit(Pid from, ExitReason reason) when from.equals(parent) && !from.equals(self.pid) -> {
                        lastEvent = msg;
                        throw terminateAndExit(reason);
                    }
                    default -> ev = new Event.Info<>(msg);
                }
            }
            handle(ev);
        }
    }

    /** The next message; hibernates instead (never returning) when asked to, or when idle long enough. */
    private Object receive() {
        if (hibernate) {
            hibernate = false;
            hibernateNow();
        }
        Duration idle = opts.hibernateAfter();
        if (idle == null) return self.receiveAny();
        Optional<Object> m = Proc.receive(idle);
        if (m.isEmpty()) hibernateNow();
        return m.get();
    }

    private void hibernateNow() {
        Proc.hibernate(() -> {
            self.behaviour(this);
            loop();
        });
        throw new AssertionError("unreachable: hibernate returned");
    }

    // ------------------------------------------------------------------ sys

    @Override
    public String behaviourName() {
        return "GenStatem";
    }

    @Override
    public String moduleName() {
        return io.otp4j.internal.BehaviourInfo.classNameOf(cb);
    }

    @Override
    Pid parent() {
        return parent;
    }

    @Override
    Object sysState() {
        return new GenStatem.Snapshot<>(state, data);
    }

    /** {@code fn} takes and returns a Snapshot; as in gen_statem, no enter call, nothing retried. */
    @Override
    @SuppressWarnings("unchecked")
    Object replaceState(java.util.function.UnaryOperator<Object> fn) {
        Object r = fn.apply(sysState());
        if (!(r instanceof GenStatem.Snapshot<?, ?>(Object s, Object d))) {
            throw new IllegalArgumentException("the state of a GenStatem is a GenStatem.Snapshot(state, data), "
                    + "and the replace function returned " + r);
        }
        if (s == null) throw new IllegalArgumentException("the replace function returned a null state");
        state = (S) s;
        data = (D) d;
        return sysState();
    }

    @Override
    Object formatStatus() {
        return cb.formatStatus(state, data);
    }

    @Override
    RuntimeException terminate(ExitReason reason, Object msg) {
        lastEvent = msg;
        throw terminateAndExit(reason);
    }

    /** Traces an event about to be handled (debug on). */
    private void traceIn(Event<E> ev) {
        switch (ev) {
            case Event.Call<E>(E request, From from) -> debug.in(Sys.TraceEvent.Kind.CALL, request, from.caller());
            case Event.Cast<E>(E m) -> debug.in(Sys.TraceEvent.Kind.CAST, m, null);
            case Event.Info<E>(Object m) -> debug.in(Sys.TraceEvent.Kind.INFO, m, null);
            case Event.Internal<E>(Object m) -> debug.in(Sys.TraceEvent.Kind.INTERNAL, m, null);
            case Event.EventTimeout<E>(Object c) -> debug.in(Sys.TraceEvent.Kind.TIMEOUT, c, null);
            case Event.StateTimeout<E>(Object c) -> debug.in(Sys.TraceEvent.Kind.TIMEOUT, c, null);
            case Event.GenericTimeout<E>(Object name, Object c) -> debug.in(Sys.TraceEvent.Kind.TIMEOUT, c, null);
            case Event.Enter<E> e -> {
                // enter calls are the machine's own, not events that came in
            }
        }
    }

    // ------------------------------------------------------------------ one event

    /** The init actions are those of a callback with no event to postpone; then the initial enter call. */
    private void begin(List<Action> actions) {
        S initial = state;
        actions(actions, true);
        postpone = false; // there is no event to postpone
        if (stateEnter) enterCalls(initial);
        transition(null, initial);
    }

    /** Handles one event: the callback, the enter calls a state change asks for, then the transition. */
    private void handle(Event<E> ev) {
        lastEvent = ev;
        if (debug != null) traceIn(ev);
        S from = state;
        if (apply(call(ev), true) && stateEnter) enterCalls(from);
        transition(ev, from);
        if (debug != null && !state.equals(from)) debug.stateChange(from, state);
    }

    private void enterCalls(S oldState) {
        Event<E> enter = new Event.Enter<>(oldState);
        while (apply(call(enter), false)) {
            // repeat_state from an enter call: enter again
        }
    }

    /** Calls the state callback; if it throws, the machine terminates with the exception as reason. */
    @SuppressWarnings("unchecked")
    private Result<S, D> call(Event<E> ev) {
        Result<S, D> r;
        try {
            if (!stateFunctions) {
                r = cb.handleEvent(ev, state, data);
            } else if (state instanceof GenStatem.StateFunction<?, ?, ?> f) {
                r = ((GenStatem.StateFunction<S, D, E>) f).handle(ev, data);
            } else {
                throw new IllegalStateException("callback mode STATE_FUNCTIONS: the state " + state + " ("
                        + state.getClass().getName() + ") does not implement GenStatem.StateFunction, so there is "
                        + "no function to handle " + ev);
            }
        } catch (ProcessExit | ProcessImpl.HibernateSignal e) {
            throw e;
        } catch (Throwable t) {
            throw crash(t);
        }
        if (r == null) {
            throw crash(new IllegalStateException("the state callback of " + cb.getClass().getName()
                    + " returned null for " + ev + " in state " + state));
        }
        return r;
    }

    /**
     * Applies a callback's result: the next state and data, then the actions.
     *
     * @param stateCall true for an event, false for a state enter call
     * @return whether a state enter call is due
     */
    private boolean apply(Result<S, D> r, boolean stateCall) {
        if (r instanceof Result.NextState<S, D> ns) return applyNext(ns, stateCall); // the common cases first
        if (r instanceof Result.KeepStateAndData<S, D> k) {
            actions(k.actions(), stateCall);
            return false;
        }
        switch (r) {
            case Result.NextState<S, D> ns -> {
                return applyNext(ns, stateCall);
            }
            case Result.KeepState<S, D>(D d, List<Action> actions) -> {
                data = d;
                actions(actions, stateCall);
                return false;
            }
            case Result.KeepStateAndData<S, D>(List<Action> actions) -> {
                actions(actions, stateCall);
                return false;
            }
            case Result.RepeatState<S, D>(D d, List<Action> actions) -> {
                data = d;
                actions(actions, stateCall);
                return true;
            }
            case Result.RepeatStateAndData<S, D>(List<Action> actions) -> {
                actions(actions, stateCall);
                return true;
            }
            case Result.Stop<S, D>(ExitReason reason, Optional<D> newData) -> {
                if (newData.isPresent()) data = newData.get();
                throw terminateAndExit(reason);
            }
            case Result.StopAndReply<S, D>(ExitReason reason, List<Action.Reply> replies, Optional<D> newData) -> {
                if (newData.isPresent()) data = newData.get();
                for (int i = 0, n = replies.size(); i < n; i++) {
                    Action.Reply reply = replies.get(i);
                    reply(reply.from(), reply.reply());
                }
                throw terminateAndExit(reason);
            }
        }
    }

    private boolean applyNext(Result.NextState<S, D> r, boolean stateCall) {
        S next = r.state();
        S current = state;
        boolean same = next == current || next.equals(current);
        if (!same && !stateCall) {
            throw crash(new IllegalStateException("bad state enter return: a state enter call cannot change "
                    + "the state, but the enter call of " + current + " returned the next state " + next
                    + " (keep the state, and insert an event or set a time-out to change it)"));
        }
        state = next;
        data = r.data();
        if (!same) changed = true;
        actions(r.actions(), stateCall);
        return !same;
    }

    /** Executes replies at once; collects the rest for the transition. */
    @SuppressWarnings("unchecked")
    private void actions(List<Action> actions, boolean stateCall) {
        for (int i = 0, n = actions.size(); i < n; i++) {
            Action a = actions.get(i);
            if (a instanceof Action.Reply(From from, Object reply)) { // the common case first
                reply(from, reply);
                continue;
            }
            switch (a) {
                case Action.Reply(From from, Object reply) -> reply(from, reply);
                case Action.Postpone p -> {
                    if (!stateCall) throw badEnterAction(a);
                    postpone = true;
                }
                case Action.NextEvent(Event<?> ev) -> {
                    if (!stateCall) throw badEnterAction(a);
                    if (ev instanceof Event.Enter<?>) {
                        throw crash(new IllegalStateException("bad action: " + a + " in state " + state
                                + ": an Enter event cannot be inserted; state enter calls are made by the state machine"));
                    }
                    if (inserted == null) inserted = new ArrayList<>(2);
                    inserted.add((Event<E>) ev);
                }
                case Action.Hibernate h -> hibernateNext = true;
                case Action.Timeout t -> {
                    if (timeouts == null) timeouts = new ArrayList<>(2);
                    timeouts.add(t);
                }
            }
        }
    }

    private void reply(From from, Object reply) {
        GenServer.reply(from, reply);
        if (debug != null) debug.out(reply, from, sysState());
    }

    private RuntimeException badEnterAction(Action a) {
        return crash(new IllegalStateException("bad state enter action: " + a + " is not allowed in a state enter "
                + "call (state " + state + "); postpone and insert events from event callbacks only"));
    }

    /**
     * The end of an event's handling: postpones it, and on a state change retries the postponed
     * events and cancels the state time-out; any event cancels the event time-out; then starts the
     * time-outs and queues the inserted events first.
     */
    private void transition(Event<E> ev, S from) {
        if (postpone) {
            if (postponed == null) postponed = new ArrayList<>(4);
            postponed.add(ev);
            postpone = false;
        }
        if (eventTimer != null) {
            cancel(eventTimer);
            eventTimer = null;
        }
        if (changed) {
            changed = false;
            if (stateTimer != null) {
                cancel(stateTimer);
                stateTimer = null;
            }
            if (postponed != null && !postponed.isEmpty()) {
                ArrayDeque<Event<E>> q = queue();
                for (int i = postponed.size() - 1; i >= 0; i--) q.addFirst(postponed.get(i));
                postponed.clear();
            }
        }
        if (timeouts != null && !timeouts.isEmpty()) {
            startTimeouts();
            timeouts.clear();
        }
        if (inserted != null && !inserted.isEmpty()) {
            ArrayDeque<Event<E>> q = queue();
            for (int i = inserted.size() - 1; i >= 0; i--) q.addFirst(inserted.get(i));
            inserted.clear();
        }
        hibernate = hibernateNext;
        hibernateNext = false;
    }

    private ArrayDeque<Event<E>> queue() {
        if (queue == null) queue = new ArrayDeque<>(4);
        return queue;
    }

    // ------------------------------------------------------------------ time-outs

    /** A running time-out: a timer, or a zero time-out waiting in {@link #zeroQ}. */
    static final class Armed implements Runnable {
        final ProcessImpl owner;
        final int kind;
        final Object name;
        Object content;
        /** What the timer puts in the mailbox; null for a zero time-out. */
        final Token token;
        TimerService.Timer timer;

        Armed(ProcessImpl owner, int kind, Object name, Object content, boolean zero) {
            this.owner = owner;
            this.kind = kind;
            this.name = name;
            this.content = content;
            this.token = zero ? null : new Token();
        }

        /** The timer thread: the timer expired. */
        @Override
        public void run() {
            owner.node().send(null, owner.pid, token);
        }
    }

    /** A timer's message: identity only (it has no fields, so it passes the message check too). */
    static final class Token {
        @Override
        public String toString() {
            return "statem-timeout";
        }
    }

    /** Starts the collected time-outs; for each time-out, the last action given wins. */
    private void startTimeouts() {
        ArrayList<Action.Timeout> ts = timeouts;
        int n = ts.size();
        next:
        for (int i = 0; i < n; i++) {
            Action.Timeout t = ts.get(i);
            for (int j = i + 1; j < n; j++) {
                if (sameTimeout(t, ts.get(j))) continue next;
            }
            switch (t) {
                case Action.EventTimeout(Duration time, Object content) -> eventTimer = restart(eventTimer, EVENT, null, time, content);
                case Action.StateTimeout(Duration time, Object content) -> stateTimer = restart(stateTimer, STATE, null, time, content);
                case Action.GenericTimeout(Object name, Duration time, Object content) ->
                        putGeneric(name, restart(generic(name), GENERIC, name, time, content));
                case Action.UpdateEventTimeout(Object content) -> eventTimer = update(eventTimer, EVENT, null, content);
                case Action.UpdateStateTimeout(Object content) -> stateTimer = update(stateTimer, STATE, null, content);
                case Action.UpdateGenericTimeout(Object name, Object content) ->
                        putGeneric(name, update(generic(name), GENERIC, name, content));
                case Action.CancelEventTimeout c -> {
                    cancel(eventTimer);
                    eventTimer = null;
                }
                case Action.CancelStateTimeout c -> {
                    cancel(stateTimer);
                    stateTimer = null;
                }
                case Action.CancelGenericTimeout(Object name) -> {
                    cancel(generic(name));
                    putGeneric(name, null);
                }
            }
        }
    }

    private static int kindOf(Action.Timeout t) {
        return switch (t) {
            case Action.EventTimeout x -> EVENT;
            case Action.UpdateEventTimeout x -> EVENT;
            case Action.CancelEventTimeout x -> EVENT;
            case Action.StateTimeout x -> STATE;
            case Action.UpdateStateTimeout x -> STATE;
            case Action.CancelStateTimeout x -> STATE;
            case Action.GenericTimeout x -> GENERIC;
            case Action.UpdateGenericTimeout x -> GENERIC;
            case Action.CancelGenericTimeout x -> GENERIC;
        };
    }

    private static Object nameOf(Action.Timeout t) {
        return switch (t) {
            case Action.GenericTimeout x -> x.name();
            case Action.UpdateGenericTimeout x -> x.name();
            case Action.CancelGenericTimeout x -> x.name();
            default -> null;
        };
    }

    private static boolean sameTimeout(Action.Timeout a, Action.Timeout b) {
        int k = kindOf(a);
        return k == kindOf(b) && (k != GENERIC || nameOf(a).equals(nameOf(b)));
    }

    /** Cancels {@code old}, and starts a time-out of {@code time} (infinity: none). */
    private Armed restart(Armed old, int kind, Object name, Duration time, Object content) {
        cancel(old);
        long nanos = Gen.nanos(time);
        if (nanos < 0) return null; // infinity: it would never fire
        Armed a = new Armed(self, kind, name, content, nanos == 0);
        if (nanos == 0) {
            zeroQ().addLast(a);
        } else {
            a.timer = self.node().timers().schedule(System.nanoTime() + nanos, a);
        }
        return a;
    }

    /** New content for a running time-out; if none runs, a zero time-out with that content. */
    private Armed update(Armed running, int kind, Object name, Object content) {
        if (running != null) {
            running.content = content;
            return running;
        }
        Armed a = new Armed(self, kind, name, content, true);
        zeroQ().addLast(a);
        return a;
    }

    private void cancel(Armed a) {
        if (a == null) return;
        if (a.timer != null) {
            a.timer.cancel(); // if it had fired, its token is stale and will be dropped
        } else if (zeroQ != null) {
            zeroQ.remove(a);
        }
    }

    private ArrayDeque<Armed> zeroQ() {
        if (zeroQ == null) zeroQ = new ArrayDeque<>(2);
        return zeroQ;
    }

    private Armed generic(Object name) {
        return generic == null ? null : generic.get(name);
    }

    private void putGeneric(Object name, Armed a) {
        if (a != null) {
            if (generic == null) generic = new HashMap<>(4);
            generic.put(name, a);
        } else if (generic != null) {
            generic.remove(name);
        }
    }

    /** The event of the first zero time-out (which is no longer running once it fires). */
    private Event<E> fireZero() {
        Armed a = zeroQ.pollFirst();
        return disarmed(a);
    }

    /** The event of an expired timer, or null if its token is not that of a running time-out. */
    private Event<E> expired(Token t) {
        if (eventTimer != null && eventTimer.token == t) return disarmed(eventTimer);
        if (stateTimer != null && stateTimer.token == t) return disarmed(stateTimer);
        if (generic != null) {
            for (Iterator<Armed> it = generic.values().iterator(); it.hasNext(); ) {
                Armed a = it.next();
                if (a.token == t) return disarmed(a);
            }
        }
        return null;
    }

    private Event<E> disarmed(Armed a) {
        return switch (a.kind) {
            case EVENT -> {
                eventTimer = null;
                yield new Event.EventTimeout<>(a.content);
            }
            case STATE -> {
                stateTimer = null;
                yield new Event.StateTimeout<>(a.content);
            }
            default -> {
                generic.remove(a.name);
                yield new Event.GenericTimeout<>(a.name, a.content);
            }
        };
    }

    private void cancelAllTimers() {
        cancel(eventTimer);
        cancel(stateTimer);
        if (generic != null) {
            for (Armed a : generic.values()) cancel(a);
        }
    }

    // ------------------------------------------------------------------ termination

    /** Terminates with the exception as reason. Never returns (the return type lets callers {@code throw}). */
    private RuntimeException crash(Throwable t) {
        throw terminateAndExit(new ExitReason.Crash(t));
    }

    /** Calls terminate, reports an abnormal end, and exits. Never returns. */
    private RuntimeException terminateAndExit(ExitReason reason) {
        ExitReason finalReason = reason;
        try {
            cb.terminate(reason, state, data);
        } catch (ProcessExit e) {
            throw e;
        } catch (Throwable t) {
            finalReason = new ExitReason.Crash(t);
        } finally {
            cancelAllTimers();
        }
        if (!finalReason.isSilent()) {
            self.node().reports().emit(new Report.Crash(Instant.now(), self.pid,
                    Optional.ofNullable(registeredName()), finalReason,
                    Optional.of("GenStatem " + cb.getClass().getName()),
                    Optional.ofNullable(lastEvent), Optional.ofNullable(safeFormat())));
        }
        throw new ProcessImpl.ReportedExit(finalReason);
    }

    private Object safeFormat() {
        try {
            return cb.formatStatus(state, data);
        } catch (RuntimeException e) {
            return "(formatStatus failed: " + e + ")";
        }
    }

    private String registeredName() {
        return opts.name() instanceof Name.Local(String n) ? n : null;
    }
}
