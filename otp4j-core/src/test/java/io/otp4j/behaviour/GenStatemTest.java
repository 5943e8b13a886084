package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.GenStatem.Action;
import io.otp4j.behaviour.GenStatem.CallbackMode;
import io.otp4j.behaviour.GenStatem.Event;
import io.otp4j.behaviour.GenStatem.Init;
import io.otp4j.behaviour.GenStatem.Result;
import io.otp4j.behaviour.GenStatem.Snapshot;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** gen_statem's documented semantics, one rule per test. */
class GenStatemTest extends BehaviourTestSupport {

    // ------------------------------------------------------------------ machines

    /** What a {@link Machine} tells the test process: each callback it got, and its terminate. */
    record Seen(Object state, Event<?> event) {
    }

    record Terminated(ExitReason reason, Object state, Object data) {
    }

    /** The test's handler: the whole state callback. */
    @FunctionalInterface
    interface Handler {
        Result<Object, Object> handle(Event<Object> event, Object state, Object data) throws Exception;
    }

    /**
     * A state machine whose callback the test writes; every callback (enter calls too) and the
     * terminate are reported to the observer, in order, before the callback runs.
     */
    record Machine(Pid observer, CallbackMode mode, Supplier<Init<Object, Object>> initFn, Handler handler)
            implements GenStatem<Object, Object, Object> {
        public Init<Object, Object> init() {
            return initFn.get();
        }

        public CallbackMode callbackMode() {
            return mode;
        }

        public Result<Object, Object> handleEvent(Event<Object> event, Object state, Object data) throws Exception {
            Proc.send(observer, new Seen(state, event));
            return handler.handle(event, state, data);
        }

        public void terminate(ExitReason reason, Object state, Object data) {
            Proc.send(observer, new Terminated(reason, state, data));
        }
    }

    /** Call it to get the events handled so far; it answers the calls' count. */
    record Sync() {
    }

    /** Starts a handle_event_function machine in state "a" with data 0. */
    static ServerRef<Object> machine(Handler h) {
        return machine(CallbackMode.HANDLE_EVENT_FUNCTION, () -> new Init.Ok<>("a", 0), h);
    }

    static ServerRef<Object> machine(CallbackMode mode, Supplier<Init<Object, Object>> init, Handler h) {
        return GenStatem.start(new Machine(Proc.self(), mode, init, (ev, s, d) ->
                ev instanceof Event.Call<Object>(Sync sync, From from)
                        ? Result.keepStateAndData(Action.reply(from, "synced"))
                        : h.handle(ev, s, d)));
    }

    static Terminated terminated() {
        return await(m -> m instanceof Terminated t ? t : null);
    }

    static Seen seen() {
        return await(m -> m instanceof Seen s ? s : null);
    }

    /** Calls Sync and returns what the machine handled before it (the Sync itself excluded). */
    static List<Seen> handledUntilSync(ServerRef<Object> m) {
        String r = GenStatem.call(m, new Sync());
        assertThat(r).isEqualTo("synced");
        List<Seen> out = new ArrayList<>();
        for (;;) {
            Seen s = seen();
            if (s.event() instanceof Event.Call<?>(Sync x, From f)) return out;
            out.add(s);
        }
    }

    static List<Object> contents(List<Seen> seen) {
        return seen.stream().map(s -> switch (s.event()) {
            case Event.Call<?>(Object req, From f) -> req;
            case Event.Cast<?>(Object msg) -> msg;
            case Event.Info<?>(Object msg) -> msg;
            case Event.Internal<?>(Object c) -> c;
            case Event.EventTimeout<?>(Object c) -> c;
            case Event.StateTimeout<?>(Object c) -> c;
            case Event.GenericTimeout<?>(Object name, Object c) -> c;
            case Event.Enter<?>(Object old) -> "enter from " + old;
        }).toList();
    }

    static void awaitMailbox(Pid pid, int atLeast) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Proc.info(pid).orElseThrow().messageQueueLen() < atLeast) {
            if (System.nanoTime() > deadline) throw new AssertionError("mailbox of " + pid + " never reached " + atLeast);
            Proc.yield();
        }
    }

    // ------------------------------------------------------------------ the two callback modes

    /** The push button of the gen_statem documentation, handle_event_function style. */
    static final class Button implements GenStatem<Button.State, Integer, Button.Msg> {
        enum State { OFF, ON }

        sealed interface Msg {
        }

        record Push() implements Msg {
        }

        record Count() implements Msg {
        }

        public Init<State, Integer> init() {
            return new Init.Ok<>(State.OFF, 0);
        }

        public Result<State, Integer> handleEvent(Event<Msg> event, State state, Integer n) {
            return switch (event) {
                case Event.Call(Push(), From from) when state == State.OFF ->
                        Result.next(State.ON, n + 1, Action.reply(from, State.ON));
                case Event.Call(Push(), From from) -> Result.next(State.OFF, n, Action.reply(from, State.OFF));
                case Event.Call(Count(), From from) -> Result.keepStateAndData(Action.reply(from, n));
                case Event.Cast(Push()) -> Result.next(state == State.OFF ? State.ON : State.OFF, n + 1);
                default -> Result.keepStateAndData();
            };
        }
    }

    @Test
    void handleEventFunctionModeGetsEveryEventWithTheState() throws Exception {
        inProcess(() -> {
            ServerRef<Button.Msg> b = GenStatem.start(new Button());
            Button.State s1 = GenStatem.call(b, new Button.Push());
            Button.State s2 = GenStatem.call(b, new Button.Push());
            GenStatem.cast(b, new Button.Push());
            int count = GenStatem.call(b, new Button.Count());
            assertThat(List.of(s1, s2)).containsExactly(Button.State.ON, Button.State.OFF);
            assertThat(count).isEqualTo(2);
            assertThat(GenStatem.<Button.State, Integer>getState(b)).isEqualTo(new Snapshot<>(Button.State.ON, 2));
        });
    }

    /** A turnstile in state_functions mode: each state record has its own function. */
    static final class Turnstile implements GenStatem<Turnstile.State, Integer, Turnstile.Msg> {
        sealed interface Msg {
        }

        record Coin() implements Msg {
        }

        record Pass() implements Msg {
        }

        sealed interface State extends StateFunction<State, Integer, Msg> {
        }

        record Locked() implements State {
            public Result<State, Integer> handle(Event<Msg> event, Integer coins) {
                return switch (event) {
                    case Event.Call(Coin(), From from) -> Result.next(new Unlocked(), coins + 1, Action.reply(from, "unlocked"));
                    case Event.Call(Pass(), From from) -> Result.keepStateAndData(Action.reply(from, "blocked"));
                    default -> Result.keepStateAndData();
                };
            }
        }

        record Unlocked() implements State {
            public Result<State, Integer> handle(Event<Msg> event, Integer coins) {
                return switch (event) {
                    case Event.Call(Coin(), From from) -> Result.keep(coins + 1, Action.reply(from, "thanks"));
                    case Event.Call(Pass(), From from) -> Result.next(new Locked(), coins, Action.reply(from, "passed"));
                    default -> Result.keepStateAndData();
                };
            }
        }

        public Init<State, Integer> init() {
            return new Init.Ok<>(new Locked(), 0);
        }

        public CallbackMode callbackMode() {
            return CallbackMode.STATE_FUNCTIONS;
        }
    }

    @Test
    void stateFunctionsModeCallsTheFunctionOfTheCurrentState() throws Exception {
        inProcess(() -> {
            ServerRef<Turnstile.Msg> t = GenStatem.start(new Turnstile());
            List<String> replies = new ArrayList<>();
            for (Turnstile.Msg m : List.of(new Turnstile.Pass(), new Turnstile.Coin(), new Turnstile.Coin(),
                    new Turnstile.Pass(), new Turnstile.Pass())) {
                replies.add(GenStatem.call(t, m));
            }
            assertThat(replies).containsExactly("blocked", "unlocked", "thanks", "passed", "blocked");
            assertThat(GenStatem.<Turnstile.State, Integer>getState(t)).isEqualTo(new Snapshot<>(new Turnstile.Locked(), 2));
        });
    }

    @Test
    void stateFunctionsModeWithAStateThatIsNoStateFunctionCrashesWithAClearReason() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = GenStatem.start(new GenStatem<Object, Object, Object>() {
                public Init<Object, Object> init() {
                    return new Init.Ok<>("just a string", 0);
                }

                public CallbackMode callbackMode() {
                    return CallbackMode.stateFunctions();
                }
            });
            assertThatThrownBy(() -> GenStatem.call(m, "hello"))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((ExitReason.Crash) ((CallException) e).reason()).exception())
                            .hasMessageContaining("does not implement GenStatem.StateFunction")
                            .hasMessageContaining("just a string"));
        });
    }

    // ------------------------------------------------------------------ state enter calls

    static final CallbackMode ENTER = CallbackMode.handleEventFunction().withStateEnter();

    @Test
    void theInitialEnterCallHasTheInitialStateAsOldState() throws Exception {
        inProcess(() -> {
            machine(ENTER, () -> new Init.Ok<>("a", 0), (ev, s, d) -> Result.keepStateAndData());
            Seen first = seen();
            assertThat(first).isEqualTo(new Seen("a", new Event.Enter<>("a")));
        });
    }

    @Test
    void enterRunsOnEveryStateChangeAndOnRepeatStateButNotOnKeepOrSameState() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(ENTER, () -> new Init.Ok<>("a", 0), (ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object to) when to.equals("repeat") -> Result.repeatStateAndData();
                case Event.Cast<Object>(Object to) when to.equals("keep") -> Result.keep(d);
                case Event.Cast<Object>(Object to) -> Result.next(to, d); // "a", "b": maybe the same state
                default -> Result.keepStateAndData();
            });
            for (String c : List.of("b", "b", "keep", "repeat", "a")) GenStatem.cast(m, c);
            assertThat(contents(handledUntilSync(m))).containsExactly(
                    "enter from a",          // the initial enter call
                    "b", "enter from a",     // a -> b
                    "b",                     // b -> b: the same state, no enter call
                    "keep",
                    "repeat", "enter from b", // repeat_state: the enter call again, old state = b
                    "a", "enter from b");
        });
    }

    @Test
    void anEnterCallThatChangesTheStateCrashesTheMachine() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(ENTER, () -> new Init.Ok<>("a", 0), (ev, s, d) -> switch (ev) {
                case Event.Enter<Object> e when s.equals("b") -> Result.next("c", d);
                case Event.Cast<Object> c -> Result.next("b", d);
                default -> Result.keepStateAndData();
            });
            Ref mon = Proc.monitor(pid(m));
            GenStatem.cast(m, "go");
            ExitReason reason = awaitDown(mon);
            assertThat(((ExitReason.Crash) reason).exception())
                    .hasMessageContaining("a state enter call cannot change the state")
                    .hasMessageContaining("c");
        });
    }

    @Test
    void postponeFromAnEnterCallCrashesTheMachine() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(ENTER, () -> new Init.Ok<>("a", 0), (ev, s, d) -> switch (ev) {
                case Event.Enter<Object> e when s.equals("b") -> Result.keepStateAndData(Action.postpone());
                case Event.Cast<Object> c -> Result.next("b", d);
                default -> Result.keepStateAndData();
            });
            Ref mon = Proc.monitor(pid(m));
            GenStatem.cast(m, "go");
            ExitReason reason = awaitDown(mon);
            assertThat(((ExitReason.Crash) reason).exception())
                    .hasMessageContaining("bad state enter action").hasMessageContaining("Postpone");
        });
    }

    @Test
    void nextEventFromAnEnterCallCrashesTheMachine() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(ENTER, () -> new Init.Ok<>("a", 0), (ev, s, d) -> switch (ev) {
                case Event.Enter<Object> e when s.equals("b") -> Result.keepStateAndData(Action.internalEvent("x"));
                case Event.Cast<Object> c -> Result.next("b", d);
                default -> Result.keepStateAndData();
            });
            Ref mon = Proc.monitor(pid(m));
            GenStatem.cast(m, "go");
            ExitReason reason = awaitDown(mon);
            assertThat(((ExitReason.Crash) reason).exception())
                    .hasMessageContaining("bad state enter action").hasMessageContaining("NextEvent");
        });
    }

    @Test
    void anEnterCallMaySetTheDataAndAStateTimeout() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(ENTER, () -> new Init.Ok<>("a", 0), (ev, s, d) -> switch (ev) {
                case Event.Enter<Object> e when s.equals("b") ->
                        Result.keep("entered b", Action.stateTimeout(Duration.ofMillis(1), "back to a"));
                case Event.StateTimeout<Object> t -> Result.next("a", d);
                case Event.Cast<Object> c -> Result.next("b", d);
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "go");
            assertThat(seen().event()).isEqualTo(new Event.Enter<>("a")); // initial
            assertThat(seen().event()).isEqualTo(new Event.Cast<>("go"));
            assertThat(seen().event()).isEqualTo(new Event.Enter<>("a")); // entering b
            Seen timeout = seen();
            assertThat(timeout).isEqualTo(new Seen("b", new Event.StateTimeout<>("back to a")));
            assertThat(seen()).isEqualTo(new Seen("a", new Event.Enter<>("b")));
            assertThat(GenStatem.<Object, Object>getState(m)).isEqualTo(new Snapshot<>("a", "entered b"));
        });
    }

    // ------------------------------------------------------------------ event types and replies

    @Test
    void callsCastsInfoAndInternalEventsArriveWithTheirTypes() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("insert") -> Result.keepStateAndData(Action.internalEvent("inside"));
                case Event.Call<Object>(Object req, From from) -> Result.keepStateAndData(Action.reply(from, "answer to " + req));
                default -> Result.keepStateAndData();
            });
            String answer = GenStatem.call(m, "question");
            GenStatem.cast(m, "insert");
            Proc.send(pid(m), "a plain message");
            assertThat(answer).isEqualTo("answer to question");
            List<Seen> seen = handledUntilSync(m);
            assertThat(seen.get(0).event()).isInstanceOf(Event.Call.class);
            assertThat(seen.subList(1, seen.size()).stream().map(Seen::event).toList()).containsExactly(
                    new Event.Cast<>("insert"), new Event.Internal<>("inside"), new Event.Info<>("a plain message"));
        });
    }

    @Test
    void aCallIsAnsweredLaterWithReplyFromAnotherState() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                // keep the caller's From in the data; answer it when "done" arrives, in state b
                case Event.Call<Object>(Object req, From from) -> Result.next("b", from);
                case Event.Cast<Object>(Object c) when s.equals("b") -> {
                    GenStatem.reply((From) d, "done in " + s);
                    yield Result.next("a", 0);
                }
                default -> Result.keepStateAndData();
            });
            RequestId r = GenStatem.sendRequest(m, "work");
            seen(); // the call is in
            GenStatem.cast(m, "done");
            String reply = GenStatem.receiveResponse(r, WAIT);
            assertThat(reply).isEqualTo("done in b");
        });
    }

    @Test
    void stopAndReplyRepliesBeforeTerminating() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> ev instanceof Event.Call<Object>(Object req, From from)
                    ? Result.stopAndReply(ExitReason.shutdown("asked"), Action.reply(from, "bye"))
                    : Result.keepStateAndData());
            Ref mon = Proc.monitor(pid(m));
            String reply = GenStatem.call(m, "stop please");
            assertThat(reply).isEqualTo("bye");
            assertThat(terminated())
                    .isEqualTo(new Terminated(ExitReason.shutdown("asked"), "a", 0));
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.shutdown("asked"));
        });
        assertThat(crashReports()).isEmpty();
    }

    @Test
    void callingADeadMachineGivesNoproc() throws Exception {
        inProcess(() -> {
            ServerRef<Button.Msg> b = GenStatem.start(new Button());
            GenStatem.stop(b);
            assertThatThrownBy(() -> GenStatem.call(b, new Button.Count()))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
        });
    }

    // ------------------------------------------------------------------ postpone and next_event

    /** In state "a" every cast is postponed; the cast "go" moves to "b", where casts are handled. */
    static Result<Object, Object> postponeInA(Event<Object> ev, Object s, Object d) {
        if (!(ev instanceof Event.Cast<Object>(Object c))) return Result.keepStateAndData();
        if (s.equals("b")) return Result.keepStateAndData();
        return switch ((String) c) {
            case "go" -> Result.next("b", d);
            case "keep" -> Result.keep(d);
            case "repeat" -> Result.repeatStateAndData();
            case "same" -> Result.next("a", d);
            default -> Result.keepStateAndData(Action.postpone());
        };
    }

    @Test
    void postponedEventsAreRetriedInOrderAfterAStateChange() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(GenStatemTest::postponeInA);
            for (String c : List.of("x", "y", "go", "z")) GenStatem.cast(m, c);
            List<Seen> seen = handledUntilSync(m);
            assertThat(seen.stream().map(x -> x.state() + ":" + contents(List.of(x)).getFirst()).toList())
                    .containsExactly("a:x", "a:y", "a:go", "b:x", "b:y", "b:z");
        });
    }

    @Test
    void postponedEventsAreNotRetriedOnKeepRepeatOrTheSameState() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(GenStatemTest::postponeInA);
            for (String c : List.of("x", "keep", "repeat", "same")) GenStatem.cast(m, c);
            assertThat(contents(handledUntilSync(m))).containsExactly("x", "keep", "repeat", "same");
            GenStatem.cast(m, "go");
            assertThat(contents(handledUntilSync(m))).containsExactly("go", "x");
        });
    }

    @Test
    void insertedEventsComeBeforeTheMailboxInTheOrderGiven() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("first") -> {
                    // "second" is already waiting in the mailbox when the events are inserted
                    awaitMailbox(Proc.self(), 1);
                    yield Result.keepStateAndData(Action.internalEvent(1), Action.nextEvent(new Event.Cast<>("c2")),
                            Action.internalEvent(3));
                }
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "first");
            GenStatem.cast(m, "second");
            assertThat(contents(handledUntilSync(m))).containsExactly("first", 1, "c2", 3, "second");
        });
    }

    @Test
    void insertedEventsComeBeforeRetriedPostponedEvents() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when s.equals("a") && c.equals("go") ->
                        Result.next("b", d, Action.internalEvent("inserted"));
                case Event.Cast<Object>(Object c) when s.equals("a") -> Result.keepStateAndData(Action.postpone());
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "postponed");
            GenStatem.cast(m, "go");
            assertThat(contents(handledUntilSync(m))).containsExactly("postponed", "go", "inserted", "postponed");
        });
    }

    @Test
    void anEnterEventCannotBeInserted() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> ev instanceof Event.Cast<Object>
                    ? Result.keepStateAndData(Action.nextEvent(new Event.Enter<>("a")))
                    : Result.keepStateAndData());
            Ref mon = Proc.monitor(pid(m));
            GenStatem.cast(m, "x");
            assertThat(((ExitReason.Crash) awaitDown(mon)).exception()).hasMessageContaining("an Enter event cannot be inserted");
        });
    }

    // ------------------------------------------------------------------ time-outs

    @Test
    void theEventTimeoutFiresWhenNoEventArrives() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> ev instanceof Event.Cast<Object>
                    ? Result.keepStateAndData(Action.eventTimeout(Duration.ofMillis(5), "idle"))
                    : Result.keepStateAndData());
            GenStatem.cast(m, "arm");
            seen();
            assertThat(seen()).isEqualTo(new Seen("a", new Event.EventTimeout<>("idle")));
        });
    }

    /**
     * Arms the event time-out (300 ms) on "arm", and a 600 ms probe on "probe": a time-out that was
     * not cancelled would fire before the probe.
     */
    static Result<Object, Object> eventTimeoutAndProbe(Event<Object> ev, Object s, Object d) {
        return switch (ev) {
            case Event.Cast<Object>(Object c) when c.equals("arm") ->
                    Result.keepStateAndData(Action.eventTimeout(Duration.ofMillis(300), "idle"));
            case Event.Cast<Object>(Object c) when c.equals("probe") ->
                    Result.keepStateAndData(Action.genericTimeout("probe", Duration.ofMillis(600), "probe"));
            default -> Result.keepStateAndData();
        };
    }

    @Test
    void theEventTimeoutIsCancelledByAnyEvent() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine(GenStatemTest::eventTimeoutAndProbe);
            GenStatem.cast(m, "arm");
            assertThat(seen().event()).isEqualTo(new Event.Cast<>("arm"));
            Proc.send(pid(m), "an info event"); // arrives after the time-out was started
            GenStatem.cast(m, "probe");
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("an info event", "probe", "probe");
        });
    }

    @Test
    void theEventTimeoutIsCancelledByAnEventAlreadyInTheMailbox() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("arm") -> {
                    awaitMailbox(Proc.self(), 1); // "probe" is already there
                    yield Result.keepStateAndData(Action.eventTimeout(Duration.ofMillis(20), "idle"));
                }
                default -> eventTimeoutAndProbe(ev, s, d);
            });
            GenStatem.cast(m, "arm");
            GenStatem.cast(m, "probe");
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("arm", "probe", "probe");
        });
    }

    @Test
    void genericTimeoutsFireByNameAndRestartingOneReplacesIt() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("start") -> {
                    awaitMailbox(Proc.self(), 1); // "restart" comes right after
                    yield Result.keepStateAndData(
                        Action.genericTimeout("x", Duration.ofMillis(20), "x1"),
                        Action.genericTimeout("y", Duration.ofMillis(40), "y1"),
                        Action.genericTimeout("x", Duration.ofMillis(60), "x2")); // the last for "x" wins
                }
                case Event.Cast<Object>(Object c) when c.equals("restart") -> Result.keepStateAndData(
                        Action.genericTimeout("y", Duration.ofMillis(80), "y2"));
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "start");
            GenStatem.cast(m, "restart"); // replaces "y" before it fires
            List<Seen> s = List.of(seen(), seen(), seen(), seen());
            assertThat(contents(s)).containsExactly("start", "restart", "x2", "y2");
            assertThat(s.get(2).event()).isEqualTo(new Event.GenericTimeout<>("x", "x2"));
        });
    }

    @Test
    void theStateTimeoutIsCancelledByAStateChangeButNotByOtherEvents() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("arm") -> {
                    awaitMailbox(Proc.self(), 1); // the next cast is handled before the time-out fires
                    yield Result.keepStateAndData(Action.stateTimeout(Duration.ofMillis(50), "state " + s));
                }
                case Event.Cast<Object>(Object c) when c.equals("change") ->
                        Result.next("b", d, Action.genericTimeout("probe", Duration.ofMillis(200), "probe"));
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "arm");
            GenStatem.cast(m, "other"); // keeps the state: the time-out runs on
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("arm", "other", "state a");
            GenStatem.cast(m, "arm");
            GenStatem.cast(m, "change");
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("arm", "change", "probe");
        });
    }

    @Test
    void updateChangesTheContentOfARunningTimeoutAndFiresAtOnceWhenNoneRuns() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("arm") -> {
                    awaitMailbox(Proc.self(), 1); // "update" comes before the time-out fires
                    yield Result.keepStateAndData(Action.stateTimeout(Duration.ofMillis(30), "old"));
                }
                case Event.Cast<Object>(Object c) when c.equals("update") ->
                        Result.keepStateAndData(Action.updateStateTimeout("new"));
                case Event.Cast<Object>(Object c) when c.equals("update g") ->
                        Result.keepStateAndData(Action.updateGenericTimeout("g", "no timer ran"));
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "arm");
            GenStatem.cast(m, "update");
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("arm", "update", "new");
            GenStatem.cast(m, "update g");
            assertThat(contents(List.of(seen(), seen()))).containsExactly("update g", "no timer ran");
        });
    }

    @Test
    void cancelAndAnInfiniteTimeStopATimeout() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("arm") -> {
                    awaitMailbox(Proc.self(), 1); // "cancel" comes before the time-outs fire
                    yield Result.keepStateAndData(
                        Action.stateTimeout(Duration.ofMillis(30), "state"),
                        Action.genericTimeout("g", Duration.ofMillis(30), "g"),
                        Action.genericTimeout("h", Duration.ofMillis(30), "h"));
                }
                case Event.Cast<Object>(Object c) when c.equals("cancel") -> Result.keepStateAndData(
                        Action.cancelStateTimeout(), Action.cancelGenericTimeout("g"),
                        Action.genericTimeout("h", Proc.INFINITY, "h"),
                        Action.genericTimeout("probe", Duration.ofMillis(100), "probe"));
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "arm");
            GenStatem.cast(m, "cancel");
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("arm", "cancel", "probe");
        });
    }

    @Test
    void timeoutsCanBeStartedByInit() throws Exception {
        inProcess(() -> {
            machine(CallbackMode.HANDLE_EVENT_FUNCTION,
                    () -> new Init.Ok<>("a", 0, Action.stateTimeout(Duration.ofMillis(5), "from init"),
                            Action.internalEvent("inserted by init")),
                    (ev, s, d) -> Result.keepStateAndData());
            assertThat(contents(List.of(seen(), seen()))).containsExactly("inserted by init", "from init");
        });
    }

    @Test
    void aZeroTimeoutFiresAfterTheInsertedEventsAndBeforeTheMailbox() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("go") -> {
                    awaitMailbox(Proc.self(), 1); // "waiting" is in the mailbox
                    yield Result.keepStateAndData(Action.stateTimeout(Duration.ZERO, "zero"),
                            Action.internalEvent("i1"), Action.internalEvent("i2"));
                }
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "go");
            GenStatem.cast(m, "waiting");
            assertThat(contents(handledUntilSync(m))).containsExactly("go", "i1", "i2", "zero", "waiting");
        });
    }

    @Test
    void aZeroEventTimeoutIsCancelledByAnInsertedEvent() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("go") -> Result.keepStateAndData(
                        Action.eventTimeout(Duration.ZERO, "never"), Action.internalEvent("inserted"));
                case Event.Cast<Object>(Object c) when c.equals("zero") -> Result.keepStateAndData(
                        Action.eventTimeout(Duration.ZERO, "at once"));
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "go");
            GenStatem.cast(m, "zero");
            assertThat(contents(handledUntilSync(m))).containsExactly("go", "inserted", "zero", "at once");
        });
    }

    @Test
    void aTimeoutCancelledAfterItsTimerFiredNeverReachesTheCallback() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("arm") -> Result.keepStateAndData(
                        Action.genericTimeout("g", Duration.ofMillis(1), "stale"), Action.internalEvent("wait"));
                case Event.Internal<Object>(Object c) -> {
                    // nobody else sends anything now: the one message is the fired timer's
                    awaitMailbox(Proc.self(), 1);
                    Proc.send(me, "cancelling");
                    yield Result.keepStateAndData(Action.cancelGenericTimeout("g"));
                }
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "arm");
            await(x -> "cancelling".equals(x) ? x : null);
            assertThat(contents(handledUntilSync(m))).containsExactly("arm", "wait");
        });
    }

    @Test
    void aRestartedTimeoutDropsTheMessageOfItsFiredTimer() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> switch (ev) {
                case Event.Cast<Object>(Object c) when c.equals("arm") -> Result.keepStateAndData(
                        Action.stateTimeout(Duration.ofMillis(1), "first"), Action.internalEvent("wait"));
                case Event.Internal<Object>(Object c) -> {
                    awaitMailbox(Proc.self(), 1);
                    yield Result.keepStateAndData(Action.stateTimeout(Duration.ofMillis(20), "second"));
                }
                default -> Result.keepStateAndData();
            });
            GenStatem.cast(m, "arm");
            assertThat(contents(List.of(seen(), seen(), seen()))).containsExactly("arm", "wait", "second");
        });
    }

    // ------------------------------------------------------------------ hibernate, stop, crash

    @Test
    void theHibernateActionDropsTheThreadAndKeepsStateAndData() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> ev instanceof Event.Cast<Object>
                    ? Result.next("sleeping", 42, Action.hibernate())
                    : Result.keepStateAndData());
            GenStatem.cast(m, "sleep");
            for (int i = 0; i < 100_000; i++) {
                if (Proc.info(pid(m)).orElseThrow().status() == ProcessInfo.Status.HIBERNATING) break;
                Proc.yield();
            }
            assertThat(Proc.info(pid(m)).orElseThrow().status()).isEqualTo(ProcessInfo.Status.HIBERNATING);
            assertThat(GenStatem.<Object, Object>getState(m)).isEqualTo(new Snapshot<>("sleeping", 42));
        });
    }

    @Test
    void aStopResultRunsTerminateWithTheNewData() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> ev instanceof Event.Cast<Object>
                    ? Result.stop(ExitReason.NORMAL, "last data")
                    : Result.keepStateAndData());
            Ref mon = Proc.monitor(pid(m));
            GenStatem.cast(m, "stop");
            assertThat(terminated()).isEqualTo(new Terminated(ExitReason.NORMAL, "a", "last data"));
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.NORMAL);
        });
        assertThat(crashReports()).isEmpty();
    }

    @Test
    void stopRunsTerminateWithTheReason() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = machine((ev, s, d) -> Result.keepStateAndData());
            GenStatem.stop(m, ExitReason.SHUTDOWN, WAIT);
            assertThat(terminated()).isEqualTo(new Terminated(ExitReason.SHUTDOWN, "a", 0));
            assertThat(Proc.isAlive(pid(m))).isFalse();
        });
    }

    @Test
    void aCallbackThatThrowsTerminatesWithACrashReportNamingTheStateAndTheLastEvent() throws Exception {
        inProcess(() -> {
            ServerRef<Object> m = GenStatem.start(new Machine(Proc.self(), CallbackMode.HANDLE_EVENT_FUNCTION,
                    () -> new Init.Ok<>("armed", "the data"), (ev, s, d) -> {
                throw new IllegalStateException("boom in " + s);
            }), StartOptions.named("crashy-statem"));
            assertThatThrownBy(() -> GenStatem.call(m, "explode"))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((ExitReason.Crash) ((CallException) e).reason()).exception())
                            .hasMessage("boom in armed"));
            Terminated t = await(x -> x instanceof Terminated tt ? tt : null);
            assertThat(t.state()).isEqualTo("armed");
        });
        List<Report.Crash> crashes = crashReports();
        assertThat(crashes).hasSize(1);
        Report.Crash r = crashes.getFirst();
        assertThat(r.registeredName()).contains("crashy-statem");
        assertThat(r.behaviour()).contains("GenStatem " + Machine.class.getName());
        assertThat(r.lastMessage().orElseThrow().toString()).contains("Call[request=explode");
        assertThat(r.state()).contains(new Snapshot<>("armed", "the data"));
        assertThat(r.format()).contains("last message: ").contains("state: Snapshot[state=armed, data=the data]");
    }

    record TrapsExits(CountDownLatch terminated) implements GenStatem<String, Integer, Object> {
        public Init<String, Integer> init() {
            Proc.trapExit(true);
            return new Init.Ok<>("trapping", 0);
        }

        public Result<String, Integer> handleEvent(Event<Object> event, String state, Integer data) {
            return Result.keepStateAndData();
        }

        public void terminate(ExitReason reason, String state, Integer data) {
            terminated.countDown();
        }
    }

    @Test
    void terminateRunsOnTheParentsShutdownWhenTrappingExits() throws Exception {
        CountDownLatch terminated = new CountDownLatch(1);
        inProcess(() -> {
            Proc.trapExit(true);
            Pid me = Proc.self();
            Pid parent = Proc.spawn(() -> {
                ServerRef<Object> s = GenStatem.startLink(new TrapsExits(terminated));
                Proc.send(me, s.pid());
                Proc.receive(m -> null);
            });
            Pid statem = await(m -> m instanceof Pid p ? p : null);
            Ref mon = Proc.monitor(statem);
            Proc.exit(parent, ExitReason.SHUTDOWN);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.SHUTDOWN);
        });
        assertThat(terminated.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(crashReports()).isEmpty();
    }

    // ------------------------------------------------------------------ start and client API

    @Test
    void initResultsOkIgnoreStopErrorAndCrash() throws Exception {
        inProcess(() -> {
            assertThatThrownBy(() -> GenStatem.start(initWith(Init.ignore())))
                    .isInstanceOf(StartException.class).satisfies(e -> assertThat(((StartException) e).ignored()).isTrue());
            assertThatThrownBy(() -> GenStatem.start(initWith(new Init.Stop<>(new ExitReason.Other("no_db")))))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).reason()).contains(new ExitReason.Other("no_db")));
            assertThatThrownBy(() -> GenStatem.start(initWith(new Init.Error<>("bad_config"))))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).reason()).contains(new ExitReason.Other("bad_config")));
            assertThatThrownBy(() -> GenStatem.start(new GenStatem<Object, Object, Object>() {
                public Init<Object, Object> init() {
                    throw new IllegalStateException("init blew up");
                }
            })).isInstanceOf(StartException.class).hasMessageContaining("init blew up");
            ServerRef<Object> ok = GenStatem.start(initWith(new Init.Ok<>("ready", 0)));
            assertThat(GenStatem.<Object, Object>getState(ok)).isEqualTo(new Snapshot<>("ready", 0));
        });
    }

    private static GenStatem<Object, Object, Object> initWith(Init<Object, Object> result) {
        return () -> result;
    }

    @Test
    void aNamedMachineIsReachableByNameAndTheNameIsUnique() throws Exception {
        inProcess(() -> {
            ServerRef<Button.Msg> b = GenStatem.start(new Button(), StartOptions.named("button"));
            ServerRef<Button.Msg> byName = ServerRef.named("button");
            Button.State s = GenStatem.call(byName, new Button.Push());
            assertThat(s).isEqualTo(Button.State.ON);
            assertThatThrownBy(() -> GenStatem.start(new Button(), StartOptions.named("button")))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).why()).isEqualTo(new StartException.Why.AlreadyStarted(pid(b))));
            GenStatem.stop(byName);
            assertThat(Proc.whereis("button")).isEmpty();
        });
    }

    @Test
    void sendRequestAndCheckResponse() throws Exception {
        inProcess(() -> {
            ServerRef<Button.Msg> b = GenStatem.start(new Button());
            RequestId push = GenStatem.sendRequest(b, new Button.Push());
            RequestId count = GenStatem.sendRequest(b, new Button.Count());
            Integer n = GenStatem.receiveResponse(count, WAIT);
            Optional<Button.State> s = GenStatem.waitResponse(push, WAIT);
            assertThat(n).isEqualTo(1);
            assertThat(s).contains(Button.State.ON);
            RequestId again = GenStatem.sendRequest(b, new Button.Count());
            assertThat(GenStatem.checkResponse(Proc.receive(), again)).contains(1);
        });
    }

    @Test
    void hibernateAfterIdleKeepsTheMachineWorking() throws Exception {
        inProcess(() -> {
            ServerRef<Button.Msg> b = GenStatem.start(new Button(), StartOptions.DEFAULT.withHibernateAfter(Duration.ofMillis(5)));
            GenStatem.cast(b, new Button.Push());
            for (int i = 0; i < 100_000; i++) {
                if (Proc.info(pid(b)).orElseThrow().status() == ProcessInfo.Status.HIBERNATING) break;
                Proc.yield();
            }
            assertThat(Proc.info(pid(b)).orElseThrow().status()).isEqualTo(ProcessInfo.Status.HIBERNATING);
            int count = GenStatem.call(b, new Button.Count());
            assertThat(count).isEqualTo(1);
        });
    }
}
