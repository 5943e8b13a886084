package io.otp4j.behaviour;

import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.GenEvent.HandlerException;
import io.otp4j.behaviour.GenEvent.HandlerExit;
import io.otp4j.behaviour.GenEvent.HandlerId;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** gen_event's documented semantics, one rule per test. */
class GenEventTest extends BehaviourTestSupport {

    /** What a handler tells the test process: which handler, what happened. */
    record Seen(Object handler, String what, Object value) {
    }

    /**
     * A handler that counts events and reports everything to {@code report}. Events: any string;
     * "crash" throws, as does "crash TAG" in the one tagged TAG, "remove" removes it, "hibernate" hibernates the manager.
     */
    record Counter(Pid report, Object tag) implements GenEvent.Handler<Integer, String> {
        Counter(Pid report) {
            this(report, null);
        }

        void tell(Seen seen) {
            if (report != null) Proc.send(report, seen);
        }

        @Override
        public HandlerId id() {
            return tag == null ? HandlerId.of(Counter.class) : HandlerId.of(Counter.class, tag);
        }

        @Override
        public Init<Integer> init(Object args) {
            tell(new Seen(tag, "init", args));
            return args instanceof Integer n ? new Init.Ok<>(n) : new Init.Ok<>(0);
        }

        @Override
        public HandlerResult<Integer> handleEvent(String event, Integer n) {
            tell(new Seen(tag, "event", event));
            if (event.equals("crash " + tag)) throw new IllegalStateException("asked to crash after " + n + " events");
            return switch (event) {
                case "crash" -> throw new IllegalStateException("asked to crash after " + n + " events");
                case "remove" -> new RemoveHandler<>();
                case "hibernate" -> new Ok<>(n + 1, true);
                default -> new Ok<>(n + 1);
            };
        }

        @Override
        public CallResult<Integer> handleCall(Object request, Integer n) {
            return switch (String.valueOf(request)) {
                case "count" -> new Reply<>(n, n);
                case "crash" -> throw new IllegalArgumentException("bad request at " + n);
                case "leave" -> new RemoveHandler<>("bye");
                default -> new Reply<>("unknown " + request, n);
            };
        }

        @Override
        public HandlerResult<Integer> handleInfo(Object msg, Integer n) {
            tell(new Seen(tag, "info", msg));
            return new Ok<>(n);
        }

        @Override
        public Object terminate(Object args, Integer n) {
            tell(new Seen(tag, "terminate", args));
            return "counted " + n;
        }
    }

    static HandlerId counter(Object tag) {
        return HandlerId.of(Counter.class, tag);
    }

    static Seen seen(Object tag, String what) {
        return await(m -> m instanceof Seen s && java.util.Objects.equals(s.handler(), tag) && s.what().equals(what) ? s : null);
    }

    static HandlerExit handlerExit() {
        return await(m -> m instanceof HandlerExit e ? e : null);
    }

    @Test
    void notifyAndSyncNotifyReachEveryHandler() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "a"), null);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "b"), null);
            GenEvent.notify(mgr, "one");
            assertThat(seen("a", "event").value()).isEqualTo("one");
            assertThat(seen("b", "event").value()).isEqualTo("one");
            GenEvent.syncNotify(mgr, "two");
            // syncNotify returned: both handlers have handled it, their reports are already here
            assertThat(Proc.receive(m -> m instanceof Seen s && "two".equals(s.value()) ? s : null, Duration.ZERO)).isPresent();
            assertThat(Proc.receive(m -> m instanceof Seen s && "two".equals(s.value()) ? s : null, Duration.ZERO)).isPresent();
            int a = GenEvent.call(mgr, counter("a"), "count");
            int b = GenEvent.call(mgr, counter("b"), "count");
            assertThat(a).isEqualTo(2);
            assertThat(b).isEqualTo(2);
        });
    }

    @Test
    void whichHandlersListsTheNewestFirstAndEventsGoInThatOrder() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "first"), null);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "second"), null);
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("second"), counter("first"));
            Proc.receive(m -> m instanceof Seen s && s.what().equals("init") ? s : null);
            Proc.receive(m -> m instanceof Seen s && s.what().equals("init") ? s : null);
            GenEvent.syncNotify(mgr, "e");
            Seen one = await(m -> m instanceof Seen s ? s : null);
            Seen two = await(m -> m instanceof Seen s ? s : null);
            assertThat(List.of(one.handler(), two.handler())).containsExactly("second", "first");
        });
    }

    @Test
    void theDefaultIdIsTheHandlersClass() {
        record Quiet() implements GenEvent.Handler<String, Object> {
            public Init<String> init(Object args) {
                return new Init.Ok<>("");
            }

            public HandlerResult<String> handleEvent(Object e, String s) {
                return new Ok<>(s);
            }
        }
        assertThat(new Quiet().id()).isEqualTo(HandlerId.of(Quiet.class));
        assertThat(HandlerId.of(Quiet.class).toString()).isEqualTo(Quiet.class.getName());
        assertThat(HandlerId.of(Quiet.class, 7).toString()).isEqualTo("{" + Quiet.class.getName() + ",7}");
    }

    @Test
    void initArgsReachInitAndTheInitialStateIsKept() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "c"), 40);
            assertThat(seen("c", "init").value()).isEqualTo(40);
            GenEvent.notify(mgr, "x");
            int n = GenEvent.call(mgr, counter("c"), "count");
            assertThat(n).isEqualTo(41);
        });
    }

    @Test
    void addingAnInstalledIdFailsAndLeavesTheFirstInPlace() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "c"), 5);
            assertThatThrownBy(() -> GenEvent.addHandler(mgr, new Counter(Proc.self(), "c"), 100))
                    .isInstanceOf(HandlerException.class)
                    .hasMessageContaining("installed already")
                    .satisfies(e -> {
                        assertThat(((HandlerException) e).why()).isEqualTo(new GenEvent.AlreadyInstalled());
                        assertThat(((HandlerException) e).handler()).isEqualTo(counter("c"));
                    });
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("c"));
            int n = GenEvent.call(mgr, counter("c"), "count");
            assertThat(n).isEqualTo(5);
        });
    }

    record Refusing(Object how) implements GenEvent.Handler<Object, Object> {
        public Init<Object> init(Object args) {
            if (how instanceof RuntimeException e) throw e;
            return new Init.Error<>(how);
        }

        public HandlerResult<Object> handleEvent(Object e, Object s) {
            return new Ok<>(s);
        }
    }

    @Test
    void anInitThatFailsOrThrowsFailsAddHandlerAndInstallsNothing() throws Exception {
        inProcess(() -> {
            ServerRef<Object> mgr = GenEvent.start();
            assertThatThrownBy(() -> GenEvent.addHandler(mgr, new Refusing("no_config"), null))
                    .isInstanceOf(HandlerException.class)
                    .hasMessageContaining("no_config")
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isEqualTo(new GenEvent.InitError("no_config")));
            IllegalStateException boom = new IllegalStateException("init blew up");
            assertThatThrownBy(() -> GenEvent.addHandler(mgr, new Refusing(boom), null))
                    .isInstanceOf(HandlerException.class)
                    .hasMessageContaining("init blew up")
                    .hasCause(boom)
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isEqualTo(new GenEvent.Crashed(new ExitReason.Crash(boom))));
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
            assertThat(Proc.isAlive(pid(mgr))).isTrue();
        });
    }

    @Test
    void callReachesOneHandlerAndReturnsItsReply() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "a"), 1);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "b"), 2);
            int a = GenEvent.call(mgr, counter("a"), "count");
            String other = GenEvent.call(mgr, counter("b"), "what", Duration.ofSeconds(5));
            assertThat(a).isEqualTo(1);
            assertThat(other).isEqualTo("unknown what");
        });
    }

    @Test
    void aCallToAHandlerThatIsNotInstalledFails() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            assertThatThrownBy(() -> GenEvent.call(mgr, counter("nobody"), "count"))
                    .isInstanceOf(HandlerException.class)
                    .hasMessageContaining("no handler " + counter("nobody") + " is installed")
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isEqualTo(new GenEvent.NotInstalled()));
        });
    }

    @Test
    void aHandlerThatThrowsInACallIsRemovedAndTheCallerGetsItsException() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "bad"), 3);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "good"), 0);
            assertThatThrownBy(() -> GenEvent.call(mgr, counter("bad"), "crash"))
                    .isInstanceOf(HandlerException.class)
                    .hasMessageContaining("bad request at 3")
                    .hasCauseInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isInstanceOf(GenEvent.Crashed.class));
            Object args = seen("bad", "terminate").value();
            assertThat(args).isInstanceOf(GenEvent.Crashed.class);
            assertThat(((GenEvent.Crashed) args).exception()).hasMessage("bad request at 3");
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("good"));
        });
        assertThat(crashReports()).hasSize(1);
        assertThat(crashReports().getFirst().lastMessage()).contains("crash");
    }

    @Test
    void aHandlerThatThrowsOnAnEventIsRemovedReportedAndTheOthersGoOn() throws Exception {
        Pid[] manager = new Pid[1];
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start(StartOptions.named("alarms"));
            manager[0] = pid(mgr);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "fragile"), 7);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "sturdy"), 0);
            GenEvent.notify(mgr, "crash fragile");
            Object args = seen("fragile", "terminate").value();
            assertThat(args).isInstanceOf(GenEvent.Crashed.class);
            assertThat(((GenEvent.Crashed) args).exception()).hasMessage("asked to crash after 7 events");
            GenEvent.notify(mgr, "after");
            assertThat(seen("sturdy", "event").value()).isEqualTo("crash fragile");
            assertThat(seen("sturdy", "event").value()).isEqualTo("after");
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("sturdy"));
            assertThat(Proc.isAlive(pid(mgr))).isTrue();
        });
        List<Report.Crash> crashes = crashReports();
        assertThat(crashes).hasSize(1);
        Report.Crash r = crashes.getFirst();
        assertThat(r.pid()).isEqualTo(manager[0]);
        assertThat(r.registeredName()).contains("alarms");
        assertThat(r.behaviour().orElseThrow()).contains("GenEvent handler").contains(counter("fragile").toString());
        assertThat(r.lastMessage()).contains("crash fragile");
        assertThat(r.state()).contains(7);
        assertThat(r.reason()).isInstanceOf(ExitReason.Crash.class);
        assertThat(r.format()).contains("asked to crash after 7 events").contains("last message: crash fragile");
    }

    /** Exits with Proc.exit on "exit", returns null on "null", and its terminate throws. */
    record Unruly(Pid report) implements GenEvent.Handler<String, String> {
        public Init<String> init(Object args) {
            return new Init.Ok<>("unruly");
        }

        public HandlerResult<String> handleEvent(String event, String s) {
            if (event.equals("exit")) Proc.exit(new ExitReason.Other("handler_quits"));
            return event.equals("null") ? null : new Ok<>(s);
        }

        public Object terminate(Object args, String s) {
            Proc.send(report, new Seen("unruly", "terminate", args));
            throw new IllegalStateException("terminate failed");
        }
    }

    @Test
    void aHandlerThatExitsOrReturnsNullIsRemovedAsOneThatThrows() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Unruly(Proc.self()), null);
            GenEvent.syncNotify(mgr, "exit");
            assertThat(seen("unruly", "terminate").value())
                    .isEqualTo(new GenEvent.Crashed(new ExitReason.Other("handler_quits")));
            GenEvent.addHandler(mgr, new Unruly(Proc.self()), null);
            GenEvent.syncNotify(mgr, "null");
            GenEvent.Crashed c = (GenEvent.Crashed) seen("unruly", "terminate").value();
            assertThat(c.exception()).hasMessageContaining("returned null");
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
            assertThat(Proc.isAlive(pid(mgr))).isTrue();
        });
        assertThat(crashReports()).hasSize(2);
    }

    @Test
    void aTerminateThatThrowsFailsDeleteHandlerButTheHandlerIsGone() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Unruly(Proc.self()), null);
            assertThatThrownBy(() -> GenEvent.deleteHandler(mgr, HandlerId.of(Unruly.class), "bye"))
                    .isInstanceOf(HandlerException.class)
                    .hasMessageContaining("terminate failed")
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isInstanceOf(GenEvent.Crashed.class));
            assertThat(seen("unruly", "terminate").value()).isEqualTo("bye");
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
        });
    }

    @Test
    void deleteHandlerRunsTerminateWithItsArgsAndReturnsItsResult() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "c"), 0);
            GenEvent.notify(mgr, "x");
            GenEvent.notify(mgr, "y");
            String result = GenEvent.deleteHandler(mgr, counter("c"), "going");
            assertThat(result).isEqualTo("counted 2");
            assertThat(seen("c", "terminate").value()).isEqualTo("going");
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
            assertThatThrownBy(() -> GenEvent.deleteHandler(mgr, counter("c"), "again"))
                    .isInstanceOf(HandlerException.class)
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isEqualTo(new GenEvent.NotInstalled()));
        });
    }

    @Test
    void removeHandlerFromACallbackRemovesItWithRemovedArgs() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "ev"), 0);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "call"), 0);
            GenEvent.notify(mgr, "remove"); // "call" returns Ok, "ev" removes itself... both get it
            assertThat(seen("ev", "terminate").value()).isEqualTo(GenEvent.REMOVED);
            assertThat(seen("call", "terminate").value()).isEqualTo(GenEvent.REMOVED);
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "call"), 0);
            String reply = GenEvent.call(mgr, counter("call"), "leave");
            assertThat(reply).isEqualTo("bye");
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
        });
        assertThat(crashReports()).isEmpty();
    }

    @Test
    void swapHandlerHandsTheOldTerminatesResultToTheNewInit() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "old"), 0);
            GenEvent.syncNotify(mgr, "x");
            GenEvent.swapHandler(mgr, counter("old"), "args1", new Counter(Proc.self(), "new"), "args2");
            assertThat(seen("old", "terminate").value()).isEqualTo("args1");
            assertThat(seen("new", "init").value()).isEqualTo(new GenEvent.Swapped("args2", "counted 1"));
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("new"));
        });
    }

    @Test
    void swappingAHandlerThatIsNotInstalledInstallsTheNewOne() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.swapHandler(mgr, counter("ghost"), "args1", new Counter(Proc.self(), "new"), "args2");
            assertThat(seen("new", "init").value()).isEqualTo(new GenEvent.Swapped("args2", new GenEvent.NotInstalled()));
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("new"));
        });
    }

    @Test
    void aSwapWhoseNewInitFailsRemovesTheOldAndFails() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "old"), 0);
            assertThatThrownBy(() -> GenEvent.swapHandler(mgr, counter("old"), "a1", new Refusing("nope"), "a2"))
                    .isInstanceOf(HandlerException.class)
                    .satisfies(e -> assertThat(((HandlerException) e).why()).isEqualTo(new GenEvent.InitError("nope")));
            assertThat(seen("old", "terminate").value()).isEqualTo("a1");
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
        });
    }

    /** Swaps itself for a Counter tagged "successor" on the first event. */
    record Swapper(Pid report) implements GenEvent.Handler<String, Object> {
        public Init<String> init(Object args) {
            return new Init.Ok<>("swapper state");
        }

        public HandlerResult<String> handleEvent(Object event, String s) {
            return new SwapHandler<>("a1", s, new Counter(report, "successor"), "a2");
        }

        public Object terminate(Object args, String s) {
            return "handed over: " + args + ", " + s;
        }
    }

    @Test
    void swapHandlerFromACallbackKeepsThePlaceAndTheSupervisor() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(me, "last"), 0);
            GenEvent.addSupHandler(mgr, new Swapper(me), null);
            GenEvent.addHandler(mgr, new Counter(me, "first"), 0);
            GenEvent.syncNotify(mgr, "go");
            assertThat(seen("successor", "init").value()).isEqualTo(new GenEvent.Swapped("a2", "handed over: a1, swapper state"));
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("first"), counter("successor"), counter("last"));
            assertThat(handlerExit()).isEqualTo(new HandlerExit(HandlerId.of(Swapper.class), pid(mgr),
                    new ExitReason.Other(new GenEvent.SwappedOut(counter("successor"), me))));
            // the successor is supervised by the swapper's adder
            GenEvent.deleteHandler(mgr, counter("successor"), null);
            assertThat(handlerExit()).isEqualTo(new HandlerExit(counter("successor"), pid(mgr), ExitReason.NORMAL));
        });
    }

    @Test
    void aSupervisingAdderIsToldWhyItsHandlerWent() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            Pid me = Proc.self();
            GenEvent.addSupHandler(mgr, new Counter(me, "deleted"), 0);
            GenEvent.deleteHandler(mgr, counter("deleted"), null);
            assertThat(handlerExit()).isEqualTo(new HandlerExit(counter("deleted"), pid(mgr), ExitReason.NORMAL));

            GenEvent.addSupHandler(mgr, new Counter(me, "crashed"), 0);
            GenEvent.notify(mgr, "crash");
            HandlerExit crash = handlerExit();
            assertThat(crash.handler()).isEqualTo(counter("crashed"));
            assertThat(crash.reason()).isInstanceOf(ExitReason.Crash.class);
            assertThat(((ExitReason.Crash) crash.reason()).exception()).hasMessageContaining("asked to crash");

            GenEvent.addSupHandler(mgr, new Counter(me, "swapped-out"), 0);
            GenEvent.swapSupHandler(mgr, counter("swapped-out"), null, new Counter(me, "successor"), null);
            assertThat(handlerExit()).isEqualTo(new HandlerExit(counter("swapped-out"), pid(mgr),
                    new ExitReason.Other(new GenEvent.SwappedOut(counter("successor"), me))));

            GenEvent.stop(mgr);
            assertThat(handlerExit()).isEqualTo(new HandlerExit(counter("successor"), pid(mgr), ExitReason.SHUTDOWN));
        });
    }

    @Test
    void whenTheAdderExitsItsHandlersAreRemovedAndTheOthersSeeTheExit() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(me, "plain"), 0);
            Pid adder = Proc.spawn(() -> {
                GenEvent.addSupHandler(mgr, new Counter(me, "supervised"), 0);
                Proc.send(me, "added");
                Proc.receive(m -> "die".equals(m) ? m : null);
                Proc.exit(new ExitReason.Other("adder_gone"));
            });
            assertThat(awaitText()).isEqualTo("added");
            Proc.send(adder, "die");
            Object args = seen("supervised", "terminate").value();
            assertThat(args).isEqualTo(new GenEvent.AdderExited(adder, new ExitReason.Other("adder_gone")));
            assertThat(seen("plain", "info").value()).isEqualTo(new Exit(adder, new ExitReason.Other("adder_gone")));
            assertThat(GenEvent.whichHandlers(mgr)).containsExactly(counter("plain"));
            assertThat(Proc.isAlive(pid(mgr))).isTrue();
        });
    }

    @Test
    void otherMessagesGoToEveryHandlersHandleInfo() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "a"), 0);
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "b"), 0);
            Proc.send(pid(mgr), "a plain message");
            assertThat(seen("a", "info").value()).isEqualTo("a plain message");
            assertThat(seen("b", "info").value()).isEqualTo("a plain message");
        });
    }

    @Test
    void stopTerminatesEveryHandlerWithStopAndUnlinksTheAdders() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "a"), 0);
            GenEvent.addSupHandler(mgr, new Counter(Proc.self(), "b"), 0);
            assertThat(Proc.info(Proc.self()).orElseThrow().links()).contains(pid(mgr));
            GenEvent.stop(mgr, new ExitReason.Other("enough"), WAIT);
            assertThat(seen("a", "terminate").value()).isEqualTo(GenEvent.STOP);
            assertThat(seen("b", "terminate").value()).isEqualTo(GenEvent.STOP);
            // the manager exited with an abnormal reason, yet this (linked, not trapping) adder lives
            assertThat(Proc.info(Proc.self()).orElseThrow().links()).doesNotContain(pid(mgr));
        });
        assertThat(crashReports()).hasSize(1);
        assertThat(crashReports().getFirst().behaviour()).contains("GenEvent manager");
    }

    @Test
    void theParentsExitStopsTheManagerButAnAddersDoesNot() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid parent = Proc.spawn(() -> {
                ServerRef<String> mgr = GenEvent.startLink();
                GenEvent.addHandler(mgr, new Counter(me, "h"), 0);
                Proc.send(me, pid(mgr));
                Proc.receive(m -> null);
            });
            Pid mgr = await(m -> m instanceof Pid p ? p : null);
            assertThat(Proc.info(mgr).orElseThrow().trapExit()).isTrue();
            Ref mon = Proc.monitor(mgr);
            Proc.exit(parent, ExitReason.SHUTDOWN);
            assertThat(seen("h", "terminate").value()).isEqualTo(GenEvent.STOP);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.SHUTDOWN);
        });
        assertThat(crashReports()).isEmpty();
    }

    @Test
    void notifyToADeadManagerIsDroppedSyncNotifyAndCallFailWithNoproc() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.stop(mgr);
            GenEvent.notify(mgr, "lost");
            GenEvent.notify(ServerRef.named("no_such_manager"), "lost");
            assertThatThrownBy(() -> GenEvent.syncNotify(mgr, "lost"))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC));
            assertThatThrownBy(() -> GenEvent.call(mgr, counter("a"), "count"))
                    .isInstanceOf(CallException.class).hasMessageContaining("noproc");
            assertThatThrownBy(() -> GenEvent.addHandler(mgr, new Counter(Proc.self()), null))
                    .isInstanceOf(CallException.class).hasMessageContaining("noproc");
        });
    }

    @Test
    void aNamedManagerIsReachableByNameAndTheNameIsUnique() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start(StartOptions.named("events"));
            ServerRef<String> byName = ServerRef.named("events");
            GenEvent.addHandler(byName, new Counter(Proc.self(), "n"), 0);
            GenEvent.syncNotify(byName, "hello");
            assertThat(seen("n", "event").value()).isEqualTo("hello");
            assertThatThrownBy(() -> GenEvent.start(StartOptions.named("events")))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).why()).isEqualTo(new StartException.Why.AlreadyStarted(pid(mgr))));
        });
    }

    @Test
    void aHandlerAskingToHibernateHibernatesTheManagerAndKeepsTheStates() throws Exception {
        inProcess(() -> {
            ServerRef<String> mgr = GenEvent.start();
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "h"), 0);
            GenEvent.notify(mgr, "hibernate");
            seen("h", "event");
            for (int i = 0; i < 100_000; i++) {
                if (Proc.info(pid(mgr)).orElseThrow().status() == ProcessInfo.Status.HIBERNATING) break;
                Proc.yield();
            }
            assertThat(Proc.info(pid(mgr)).orElseThrow().status()).isEqualTo(ProcessInfo.Status.HIBERNATING);
            int n = GenEvent.call(mgr, counter("h"), "count");
            assertThat(n).isEqualTo(1);
        });
    }

    @Test
    void addSupHandlerFromOutsideAProcessIsRefusedWithAHint() throws Exception {
        ServerRef<String> mgr = node.run(GenEvent::<String>start);
        assertThatThrownBy(() -> GenEvent.addSupHandler(mgr, new Counter(null), null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be a process");
        // the unsupervised functions work from any thread
        GenEvent.addHandler(mgr, new Counter(null), null);
        assertThat(GenEvent.whichHandlers(mgr)).containsExactly(HandlerId.of(Counter.class));
    }

    @Test
    void aManagerUnderASupervisorIsRestartedEmpty() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(),
                    List.of(ChildSpec.worker("events", () -> GenEvent.startLink(StartOptions.named("sup_events")))));
            ServerRef<String> mgr = ServerRef.named("sup_events");
            GenEvent.addHandler(mgr, new Counter(Proc.self(), "h"), 0);
            Pid first = pid(mgr);
            Ref mon = Proc.monitor(first);
            Proc.exit(first, ExitReason.KILL);
            awaitDown(mon);
            Pid second = null;
            for (int i = 0; i < 100_000 && (second == null || second.equals(first)); i++) {
                second = Proc.whereis("sup_events").orElse(null);
                Proc.yield();
            }
            assertThat(second).isNotNull().isNotEqualTo(first);
            assertThat(GenEvent.whichHandlers(mgr)).isEmpty();
            Supervisor.stop(sup);
        });
    }
}
