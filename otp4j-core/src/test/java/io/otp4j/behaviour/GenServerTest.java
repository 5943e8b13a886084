package io.otp4j.behaviour;

import io.otp4j.Down;
import io.otp4j.Exit;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.Ref;
import io.otp4j.Report;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** gen_server's documented semantics, one rule per test. */
class GenServerTest extends BehaviourTestSupport {

    /** The counter of the seed material, as a GenServer. */
    static final class Counter implements GenServer<Integer, Counter.Msg> {
        sealed interface Msg {
        }

        record Inc() implements Msg {
        }

        record Get() implements Msg {
        }

        record Crash() implements Msg {
        }

        record StopWith(ExitReason reason) implements Msg {
        }

        record Later() implements Msg {
        }

        record ReplyNow(From from, int value) implements Msg {
        }

        private final int start;

        Counter(int start) {
            this.start = start;
        }

        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(start);
        }

        @Override
        public CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
            return switch (msg) {
                case Get() -> new Reply<>(n, n);
                case Inc() -> new Reply<>(n + 1, n + 1);
                case Crash() -> throw new IllegalStateException("asked to crash at " + n);
                case StopWith(ExitReason r) -> new Stop<>(r, n, "stopping");
                case Later() -> {
                    // answer later, through the From
                    Proc.send(Proc.self(), new ReplyNow(from, n * 10));
                    yield new NoReply<>(n);
                }
                case ReplyNow r -> new Reply<>(n, n);
            };
        }

        @Override
        public CastResult<Integer> handleCast(Msg msg, Integer n) {
            return switch (msg) {
                case Inc() -> new NoReply<>(n + 1);
                case StopWith(ExitReason r) -> new Stop<>(r, n);
                default -> new NoReply<>(n);
            };
        }

        @Override
        public CastResult<Integer> handleInfo(Object msg, Integer n) throws Exception {
            if (msg instanceof ReplyNow(From from, int value)) {
                GenServer.reply(from, value);
                return new NoReply<>(n);
            }
            return GenServer.super.handleInfo(msg, n);
        }
    }

    @Test
    void callsAndCastsOnTheCounter() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(0));
            GenServer.cast(c, new Counter.Inc());
            GenServer.cast(c, new Counter.Inc());
            int v = GenServer.call(c, new Counter.Get());
            assertThat(v).isEqualTo(2);
            int w = GenServer.call(c, new Counter.Inc());
            assertThat(w).isEqualTo(3);
            GenServer.stop(c);
            assertThat(Proc.isAlive(pid(c))).isFalse();
        });
    }

    @Test
    void callsWorkFromAThreadThatIsNotAProcess() {
        ServerRef<Counter.Msg> c = runtimeStart(new Counter(41));
        int v = GenServer.call(c, new Counter.Inc());
        assertThat(v).isEqualTo(42);
        GenServer.stop(c);
    }

    private <M> ServerRef<M> runtimeStart(GenServer<?, M> s) {
        try {
            return node.run(() -> GenServer.start(s));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void noreplyAndALaterReplyThroughFrom() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(4));
            int v = GenServer.call(c, new Counter.Later());
            assertThat(v).isEqualTo(40);
        });
    }

    @Test
    void aNamedServerIsReachableByNameAndTheNameIsUnique() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(7), StartOptions.named("counter"));
            ServerRef<Counter.Msg> byName = ServerRef.named("counter");
            int v = GenServer.call(byName, new Counter.Get());
            assertThat(v).isEqualTo(7);
            assertThatThrownBy(() -> GenServer.start(new Counter(0), StartOptions.named("counter")))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).why()).isEqualTo(new StartException.Why.AlreadyStarted(pid(c))));
            GenServer.stop(c);
            assertThat(Proc.whereis("counter")).isEmpty();
        });
    }

    @Test
    void callTimeoutNamesServerRequestAndTimeoutAndTheLateReplyNeverArrives() throws Exception {
        inProcess(() -> {
            CountDownLatch release = new CountDownLatch(1);
            ServerRef<Object> slow = GenServer.start(new GenServer<Object, Object>() {
                public Init<Object> init() {
                    return new Init.Ok<>("slow");
                }

                public CallResult<Object> handleCall(Object req, From from, Object s) throws Exception {
                    release.await(); // a server busy with something else
                    return new Reply<>("late reply", s);
                }
            });
            assertThatThrownBy(() -> GenServer.call(slow, "ping", Duration.ofMillis(50)))
                    .isInstanceOf(CallTimeoutException.class)
                    .hasMessageContaining(slow.toString())
                    .hasMessageContaining("ping")
                    .hasMessageContaining("50 ms");
            release.countDown();
            // the server replies now; nothing may reach our mailbox
            Ref mon = Proc.monitor(pid(slow));
            GenServer.stop(slow);
            awaitDown(mon);
            assertThat(Proc.receive(Duration.ZERO)).isEmpty();
        });
    }

    @Test
    void callingADeadServerGivesNoproc() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(0));
            GenServer.stop(c);
            assertThatThrownBy(() -> GenServer.call(c, new Counter.Get()))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> assertThat(((CallException) e).reason()).isEqualTo(ExitReason.NOPROC))
                    .hasMessageContaining("noproc");
            assertThatThrownBy(() -> GenServer.call(ServerRef.named("nobody"), "x"))
                    .isInstanceOf(CallException.class).hasMessageContaining("noproc");
        });
    }

    @Test
    void aServerThatDiesDuringACallGivesTheCallerItsReason() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(3));
            assertThatThrownBy(() -> GenServer.call(c, new Counter.Crash()))
                    .isInstanceOf(CallException.class)
                    .satisfies(e -> {
                        ExitReason r = ((CallException) e).reason();
                        assertThat(r).isInstanceOf(ExitReason.Crash.class);
                        assertThat(((ExitReason.Crash) r).exception()).hasMessage("asked to crash at 3");
                    });
            ServerRef<Counter.Msg> d = GenServer.start(new Counter(3));
            String reply = GenServer.call(d, new Counter.StopWith(ExitReason.NORMAL));
            assertThat(reply).isEqualTo("stopping");
        });
    }

    @Test
    void aCrashReportNamesTheLastMessageAndTheState() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(5), StartOptions.named("crashy"));
            assertThatThrownBy(() -> GenServer.call(c, new Counter.Crash())).isInstanceOf(CallException.class);
        });
        List<Report.Crash> crashes = crashReports();
        assertThat(crashes).hasSize(1);
        Report.Crash r = crashes.getFirst();
        assertThat(r.registeredName()).contains("crashy");
        assertThat(r.behaviour()).contains("GenServer " + Counter.class.getName());
        assertThat(r.state()).contains(5);
        assertThat(r.lastMessage().orElseThrow().toString()).contains("Crash[]");
        assertThat(r.format()).contains("last message: ").contains("state: 5");
    }

    @Test
    void stopWithNormalOrShutdownIsSilent() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> a = GenServer.start(new Counter(0));
            GenServer.stop(a, ExitReason.SHUTDOWN, Duration.ofSeconds(5));
            ServerRef<Counter.Msg> b = GenServer.start(new Counter(0));
            Ref mon = Proc.monitor(pid(b));
            GenServer.cast(b, new Counter.StopWith(ExitReason.shutdown("bye")));
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.shutdown("bye"));
        });
        assertThat(crashReports()).isEmpty();
    }

    record Traps(CountDownLatch terminated) implements GenServer<String, Object> {
        public Init<String> init() {
            Proc.trapExit(true);
            return new Init.Ok<>("trapping");
        }

        public void terminate(ExitReason reason, String state) {
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
                ServerRef<Object> s = GenServer.startLink(new Traps(terminated));
                Proc.send(me, s.pid());
                Proc.receive(m -> null);
            });
            Pid server = await(m -> m instanceof Pid p ? p : null);
            Ref mon = Proc.monitor(server);
            Proc.exit(parent, ExitReason.SHUTDOWN);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.SHUTDOWN);
        });
        assertThat(terminated.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void initResultsOkIgnoreStopErrorAndCrash() throws Exception {
        inProcess(() -> {
            assertThatThrownBy(() -> GenServer.start(initWith(GenServer.Init.ignore())))
                    .isInstanceOf(StartException.class).satisfies(e -> assertThat(((StartException) e).ignored()).isTrue());
            assertThatThrownBy(() -> GenServer.start(initWith(new GenServer.Init.Stop<>(new ExitReason.Other("no_db")))))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).reason()).contains(new ExitReason.Other("no_db")));
            assertThatThrownBy(() -> GenServer.start(initWith(new GenServer.Init.Error<>("bad_config"))))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).reason()).contains(new ExitReason.Other("bad_config")));
            assertThatThrownBy(() -> GenServer.start(new GenServer<Object, Object>() {
                public Init<Object> init() {
                    throw new IllegalStateException("init blew up");
                }
            })).isInstanceOf(StartException.class).hasMessageContaining("init blew up");
        });
    }

    private static GenServer<Object, Object> initWith(GenServer.Init<Object> result) {
        return () -> result;
    }

    @Test
    void aFailedNamedStartReleasesTheNameBeforeReturning() throws Exception {
        inProcess(() -> {
            for (int i = 0; i < 50; i++) {
                assertThatThrownBy(() -> GenServer.start(new GenServer<Object, Object>() {
                    public Init<Object> init() {
                        return new Init.Stop<>(new ExitReason.Other("failing"));
                    }
                }, StartOptions.named("flaky"))).isInstanceOf(StartException.class);
                // an immediate retry never meets "already started"
                ServerRef<Object> ok = GenServer.start(() -> new GenServer.Init.Ok<>("fine"), StartOptions.named("flaky"));
                GenServer.stop(ok);
            }
        });
    }

    @Test
    void startLinkFromATrappingParentReportsAnInitCrashAndTheExit() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            assertThatThrownBy(() -> GenServer.startLink(new GenServer<Object, Object>() {
                public Init<Object> init() {
                    throw new IllegalArgumentException("bad arg");
                }
            })).isInstanceOf(StartException.class);
            Exit e = await(m -> m instanceof Exit x ? x : null);
            assertThat(e.reason()).isInstanceOf(ExitReason.Crash.class);
        });
    }

    @Test
    void startLinkFromOutsideAProcessIsRefusedWithAHint() {
        assertThatThrownBy(() -> GenServer.startLink(new Counter(0)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("use start");
    }

    record Continuing() implements GenServer<List<String>, Object> {
        public Init<List<String>> init() {
            return new Init.Ok<>(List.of("init"), new Action.Continue("warm-up"));
        }

        public CastResult<List<String>> handleContinue(Object arg, List<String> s) {
            return new NoReply<>(append(s, "continue:" + arg));
        }

        public CallResult<List<String>> handleCall(Object req, From from, List<String> s) {
            return new Reply<>(s, s);
        }

        static List<String> append(List<String> l, String x) {
            java.util.ArrayList<String> a = new java.util.ArrayList<>(l);
            a.add(x);
            return List.copyOf(a);
        }
    }

    @Test
    void continueRunsBeforeAnyOtherMessage() throws Exception {
        inProcess(() -> {
            ServerRef<Object> s = GenServer.start(new Continuing());
            List<String> seen = GenServer.call(s, "what happened?");
            assertThat(seen).containsExactly("init", "continue:warm-up");
        });
    }

    record TimesOut(Pid report) implements GenServer<Integer, Object> {
        public Init<Integer> init() {
            return new Init.Ok<>(0, new Action.Timeout(Duration.ofMillis(20)));
        }

        public CastResult<Integer> handleInfo(Object msg, Integer n) {
            if (msg == GenServer.TIMEOUT) Proc.send(report, "timed out after " + n + " messages");
            return new NoReply<>(n);
        }

        public CastResult<Integer> handleCast(Object msg, Integer n) {
            return new NoReply<>(n + 1, new Action.Timeout(Duration.ofMillis(20)));
        }
    }

    @Test
    void anIdleTimeoutDeliversTimeoutToHandleInfo() throws Exception {
        inProcess(() -> {
            ServerRef<Object> s = GenServer.start(new TimesOut(Proc.self()));
            assertThat(awaitText()).isEqualTo("timed out after 0 messages");
            GenServer.cast(s, "one");
            assertThat(awaitText()).isEqualTo("timed out after 1 messages");
        });
    }

    @Test
    void anUnexpectedInfoMessageIsDroppedAndTheServerGoesOn() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(1));
            Proc.send(pid(c), "what is this?");
            Proc.send(pid(c), "and this?");
            int v = GenServer.call(c, new Counter.Get());
            assertThat(v).isEqualTo(1);
        });
    }

    @Test
    void hibernateAfterIdleDropsTheThreadAndKeepsTheState() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(9), StartOptions.DEFAULT.withHibernateAfter(Duration.ofMillis(5)));
            GenServer.cast(c, new Counter.Inc());
            for (int i = 0; i < 100_000; i++) {
                if (Proc.info(pid(c)).orElseThrow().status() == ProcessInfo.Status.HIBERNATING) break;
                Proc.yield();
            }
            assertThat(Proc.info(pid(c)).orElseThrow().status()).isEqualTo(ProcessInfo.Status.HIBERNATING);
            int v = GenServer.call(c, new Counter.Get());
            assertThat(v).isEqualTo(10);
        });
    }

    @Test
    void sendRequestAndReceiveResponse() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(20));
            RequestId a = GenServer.sendRequest(c, new Counter.Inc());
            RequestId b = GenServer.sendRequest(c, new Counter.Get());
            Integer rb = GenServer.receiveResponse(b, WAIT);
            Optional<Integer> ra = GenServer.waitResponse(a, WAIT);
            assertThat(ra).contains(21);
            assertThat(rb).isEqualTo(21);
            // check_response on messages taken by a plain receive
            RequestId c2 = GenServer.sendRequest(c, new Counter.Get());
            Object msg = Proc.receive();
            assertThat(GenServer.checkResponse(msg, c2)).contains(21);
            assertThat(GenServer.checkResponse("unrelated", c2)).isEmpty();
            // a request to a server that dies: the answer is its exit reason
            RequestId dead = GenServer.sendRequest(c, new Counter.Crash());
            assertThatThrownBy(() -> GenServer.receiveResponse(dead, WAIT)).isInstanceOf(CallException.class);
        });
    }

    @Test
    void receiveResponseTimeoutAbandonsTheRequest() throws Exception {
        inProcess(() -> {
            CountDownLatch release = new CountDownLatch(1);
            ServerRef<Object> slow = GenServer.start(new GenServer<Object, Object>() {
                public Init<Object> init() {
                    return new Init.Ok<>("s");
                }

                public CallResult<Object> handleCall(Object req, From from, Object s) throws Exception {
                    release.await();
                    return new Reply<>("late", s);
                }
            });
            RequestId r = GenServer.sendRequest(slow, "q");
            assertThatThrownBy(() -> GenServer.receiveResponse(r, Duration.ofMillis(20))).isInstanceOf(CallTimeoutException.class);
            release.countDown();
            Ref mon = Proc.monitor(pid(slow));
            GenServer.stop(slow);
            awaitDown(mon);
            assertThat(Proc.receive(Duration.ZERO)).isEmpty(); // the late reply was dropped
        });
    }

    @Test
    void aProcessCannotCallItself() throws Exception {
        inProcess(() -> {
            ServerRef<Object> me = ServerRef.of(Proc.self());
            assertThatThrownBy(() -> GenServer.call(me, "x")).isInstanceOf(CallException.class)
                    .hasMessageContaining("cannot call itself");
        });
    }

    @Test
    void aCallIsAnsweredWithoutLookingAtAHundredThousandQueuedMessages() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(0));
            Pid me = Proc.self();
            for (int i = 0; i < 100_000; i++) Proc.send(me, i);
            for (int i = 0; i < 1000; i++) {
                int v = GenServer.call(c, new Counter.Inc());
                assertThat(v).isEqualTo(i + 1);
            }
            // replies never go through the caller's mailbox: it still holds exactly what was there
            assertThat(Proc.info(me).orElseThrow().messageQueueLen()).isEqualTo(100_000);
        });
    }

    @Test
    void stoppingAServerThatIsNotAliveIsAnError() throws Exception {
        inProcess(() -> {
            ServerRef<Counter.Msg> c = GenServer.start(new Counter(0));
            GenServer.stop(c);
            assertThatThrownBy(() -> GenServer.stop(c)).isInstanceOf(CallException.class).hasMessageContaining("noproc");
        });
    }

    @Test
    void formatStatusShapesTheReportedState() throws Exception {
        record Secret(String password) {
        }
        inProcess(() -> {
            ServerRef<Object> s = GenServer.start(new GenServer<Secret, Object>() {
                public Init<Secret> init() {
                    return new Init.Ok<>(new Secret("hunter2"));
                }

                public CallResult<Secret> handleCall(Object req, From from, Secret st) {
                    throw new IllegalStateException("oops");
                }

                public Object formatStatus(Secret st) {
                    return "Secret[password=***]";
                }
            });
            assertThatThrownBy(() -> GenServer.call(s, "x")).isInstanceOf(CallException.class);
        });
        assertThat(crashReports().getFirst().format()).contains("state: Secret[password=***]").doesNotContain("hunter2");
    }

    @Test
    void aDownFromAMonitorArrivesInHandleInfo() throws Exception {
        record Watcher(Pid target, Pid report) implements GenServer<Ref, Object> {
            public Init<Ref> init() {
                return new Init.Ok<>(Proc.monitor(target));
            }

            public CastResult<Ref> handleInfo(Object msg, Ref ref) {
                if (msg instanceof Down d && d.ref().equals(ref)) Proc.send(report, "saw " + d.reason());
                return new NoReply<>(ref);
            }
        }
        inProcess(() -> {
            Pid target = Proc.spawn(() -> Proc.receive(m -> "go".equals(m) ? m : null));
            GenServer.start(new Watcher(target, Proc.self()));
            Proc.send(target, "go");
            assertThat(awaitText()).isEqualTo("saw normal");
        });
    }
}
