package io.otp4j.behaviour;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The supervisor's documented semantics: each strategy with three children and each child
 * crashing; the intensity boundary at exactly N and N+1 restarts; shutdown timeouts; restart types
 * with normal, shutdown and abnormal exits; nested escalation; the admin functions.
 */
class SupervisorTest extends BehaviourTestSupport {

    /** A worker that registers itself under its id and exits however it is told. */
    record Worker(String id) implements GenServer<String, Worker.Msg> {
        sealed interface Msg {
        }

        record ExitWith(ExitReason reason) implements Msg {
        }

        record Ping() implements Msg {
        }

        public Init<String> init() {
            return new Init.Ok<>(id);
        }

        public CallResult<String> handleCall(Msg m, From from, String s) {
            return new Reply<>("pong from " + id, s);
        }

        public CastResult<String> handleCast(Msg m, String s) {
            if (m instanceof ExitWith(ExitReason r)) {
                if (r instanceof ExitReason.Crash(Throwable t)) throw new IllegalStateException(t.getMessage());
                return new Stop<>(r, s);
            }
            return new NoReply<>(s);
        }

        static ChildSpec spec(String id) {
            return ChildSpec.worker(id, () -> GenServer.startLink(new Worker(id), StartOptions.named(id)));
        }
    }

    static Pid whereis(String name) {
        return Proc.whereis(name).orElse(null);
    }

    static final ExitReason CRASH = new ExitReason.Crash(new RuntimeException("boom"));

    /** Makes the child exit with {@code reason} and returns its pid before. */
    static Pid exitChild(String id, ExitReason reason) {
        Pid before = whereis(id);
        GenServer.cast(ServerRef.<Worker.Msg>named(id), new Worker.ExitWith(reason));
        return before;
    }

    /** Waits until the supervisor reports the child running again with a new pid. */
    static Pid awaitRestarted(ServerRef<?> sup, String id, Pid old) {
        for (int i = 0; i < 200_000; i++) {
            for (Supervisor.ChildInfo c : Supervisor.whichChildren(sup)) {
                if (c.id().equals(id) && c.pid() != null && !c.pid().equals(old)) return c.pid();
            }
            Proc.yield();
        }
        throw new AssertionError(id + " was not restarted");
    }

    static List<Pid> pids(ServerRef<?> sup) {
        List<Pid> out = new ArrayList<>();
        for (Supervisor.ChildInfo c : Supervisor.whichChildren(sup)) out.add(c.pid());
        return out;
    }

    static List<ChildSpec> three() {
        return List.of(Worker.spec("a"), Worker.spec("b"), Worker.spec("c"));
    }

    @Test
    void childrenStartLeftToRight() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), three());
            List<Pid> p = pids(sup);
            assertThat(p).doesNotContainNull();
            assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.ChildInfo::id).containsExactly("a", "b", "c");
            // started in order: each later child has a later progress report
            List<Object> started = reports.stream().filter(r -> r instanceof Report.Progress)
                    .map(r -> ((Report.Progress) r).childId()).toList();
            assertThat(started).containsExactly("a", "b", "c");
            Supervisor.stop(sup);
        });
    }

    @Test
    void oneForOneRestartsOnlyTheCrashedChild() throws Exception {
        for (String victim : List.of("a", "b", "c")) {
            inProcess(() -> {
                ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), three());
                List<Pid> before = pids(sup);
                Pid old = exitChild(victim, CRASH);
                Pid fresh = awaitRestarted(sup, victim, old);
                List<Pid> after = pids(sup);
                for (int i = 0; i < 3; i++) {
                    String id = List.of("a", "b", "c").get(i);
                    if (id.equals(victim)) assertThat(after.get(i)).isEqualTo(fresh).isNotEqualTo(before.get(i));
                    else assertThat(after.get(i)).isEqualTo(before.get(i));
                }
                String pong = GenServer.call(ServerRef.named(victim), new Worker.Ping());
                assertThat(pong).isEqualTo("pong from " + victim);
                Supervisor.stop(sup);
            });
        }
    }

    @Test
    void oneForAllRestartsEveryChild() throws Exception {
        for (String victim : List.of("a", "b", "c")) {
            inProcess(() -> {
                ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForAll(), three());
                List<Pid> before = pids(sup);
                Pid old = exitChild(victim, CRASH);
                awaitRestarted(sup, victim, old);
                List<Pid> after = pids(sup);
                for (int i = 0; i < 3; i++) {
                    assertThat(after.get(i)).isNotNull().isNotEqualTo(before.get(i));
                    assertThat(Proc.isAlive(before.get(i))).isFalse();
                }
                Supervisor.stop(sup);
            });
        }
    }

    @Test
    void restForOneRestartsTheCrashedChildAndThoseAfterIt() throws Exception {
        List<String> ids = List.of("a", "b", "c");
        for (int v = 0; v < 3; v++) {
            int victim = v;
            inProcess(() -> {
                ServerRef<?> sup = Supervisor.start(Supervisor.Flags.restForOne(), three());
                List<Pid> before = pids(sup);
                Pid old = exitChild(ids.get(victim), CRASH);
                awaitRestarted(sup, ids.get(victim), old);
                // wait for the ones after the victim too
                for (int i = victim + 1; i < 3; i++) awaitRestarted(sup, ids.get(i), before.get(i));
                List<Pid> after = pids(sup);
                for (int i = 0; i < 3; i++) {
                    if (i < victim) assertThat(after.get(i)).isEqualTo(before.get(i));
                    else assertThat(after.get(i)).isNotEqualTo(before.get(i));
                }
                Supervisor.stop(sup);
            });
        }
    }

    @Test
    void childrenStopRightToLeft() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), three());
            List<Pid> p = pids(sup);
            List<Ref> mons = new ArrayList<>();
            for (Pid x : p) mons.add(Proc.monitor(x));
            Supervisor.stop(sup);
            // Downs arrive in the order the children died: c, b, a
            List<Pid> order = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Down d = await(m -> m instanceof Down x && mons.contains(x.ref()) ? x : null);
                order.add(d.pid());
            }
            assertThat(order).containsExactly(p.get(2), p.get(1), p.get(0));
        });
    }

    /** A ticker the test moves by hand: restart windows without waiting. */
    static final class ManualTicker implements Ticker {
        final AtomicLong now = new AtomicLong(1_000_000_000L);

        public long nanoTime() {
            return now.get();
        }

        void advance(Duration d) {
            now.addAndGet(d.toNanos());
        }
    }

    @Test
    void intensityAllowsExactlyNRestartsWithinThePeriodAndStopsAtNPlusOne() throws Exception {
        ManualTicker ticker = new ManualTicker();
        node.stop();
        node = Node.start(Node.Options.named("intensity@localhost").withTicker(ticker).withReportListener(reports::add));
        inProcess(() -> {
            Supervisor.Flags flags = Supervisor.Flags.oneForOne().withIntensity(3, Duration.ofSeconds(5));
            ServerRef<?> sup = Supervisor.start(flags, List.of(Worker.spec("a")));
            Ref supMon = Proc.monitor(pid(sup));
            Pid current = pids(sup).getFirst();
            for (int i = 0; i < 3; i++) { // three restarts within the window: allowed
                Pid old = exitChild("a", CRASH);
                current = awaitRestarted(sup, "a", old);
                ticker.advance(Duration.ofSeconds(1));
            }
            assertThat(Proc.isAlive(pid(sup))).isTrue();
            exitChild("a", CRASH); // the fourth within 5 s: the supervisor gives up
            assertThat(awaitDown(supMon)).isEqualTo(ExitReason.SHUTDOWN);
        });
        assertThat(supervisorReports()).anySatisfy(r -> {
            assertThat(r.context()).isEqualTo("shutdown");
            assertThat(r.reason()).isEqualTo(new ExitReason.Other("reached_max_restart_intensity"));
        });
    }

    @Test
    void restartsOutsideTheWindowDoNotCount() throws Exception {
        ManualTicker ticker = new ManualTicker();
        node.stop();
        node = Node.start(Node.Options.named("window@localhost").withTicker(ticker).withReportListener(reports::add));
        inProcess(() -> {
            Supervisor.Flags flags = Supervisor.Flags.oneForOne().withIntensity(3, Duration.ofSeconds(5));
            ServerRef<?> sup = Supervisor.start(flags, List.of(Worker.spec("a")));
            for (int i = 0; i < 10; i++) { // one restart every 2 s: never more than 3 in 5 s
                Pid old = exitChild("a", CRASH);
                awaitRestarted(sup, "a", old);
                ticker.advance(Duration.ofSeconds(2));
            }
            assertThat(Proc.isAlive(pid(sup))).isTrue();
            Supervisor.stop(sup);
        });
    }

    @Test
    void zeroIntensityMeansNoRestart() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne().withIntensity(0, Duration.ofSeconds(5)),
                    List.of(Worker.spec("a")));
            Ref supMon = Proc.monitor(pid(sup));
            exitChild("a", CRASH);
            assertThat(awaitDown(supMon)).isEqualTo(ExitReason.SHUTDOWN);
        });
    }

    /**
     * A worker that does not stop when asked: it traps exits, so its supervisor's shutdown signal
     * makes it terminate (as OTP's gen_server does with its parent's EXIT), and terminate never ends.
     */
    record Stubborn() implements GenServer<String, Object> {
        public Init<String> init() {
            Proc.trapExit(true);
            return new Init.Ok<>("stubborn");
        }

        public void terminate(ExitReason reason, String s) {
            Proc.receive(m -> null); // never returns
        }
    }

    @Test
    void aChildThatIgnoresShutdownIsKilledAfterItsTimeout() throws Exception {
        inProcess(() -> {
            ChildSpec stubborn = ChildSpec.worker("stubborn", () -> GenServer.startLink(new Stubborn()))
                    .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(100)));
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(stubborn));
            Pid child = pids(sup).getFirst();
            Ref mon = Proc.monitor(child);
            long t0 = System.nanoTime();
            Supervisor.terminateChild(sup, "stubborn");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.KILLED);
            assertThat(Supervisor.whichChildren(sup).getFirst().status()).isEqualTo(Supervisor.ChildStatus.NOT_RUNNING);
            Supervisor.stop(sup);
        });
        assertThat(supervisorReports()).anySatisfy(r -> assertThat(r.context()).isEqualTo("shutdown_error"));
    }

    @Test
    void brutalKillKillsAtOnce() throws Exception {
        inProcess(() -> {
            ChildSpec stubborn = ChildSpec.worker("stubborn", () -> GenServer.startLink(new Stubborn()))
                    .withShutdown(ChildSpec.Shutdown.BRUTAL_KILL);
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(stubborn));
            Ref mon = Proc.monitor(pids(sup).getFirst());
            Supervisor.terminateChild(sup, "stubborn");
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.KILLED);
            Supervisor.stop(sup);
        });
    }

    @Test
    void restartTypesAgainstNormalShutdownAndAbnormalExits() throws Exception {
        record Case(ChildSpec.Restart restart, ExitReason reason, boolean restarted) {
        }
        List<Case> cases = List.of(
                new Case(ChildSpec.Restart.PERMANENT, ExitReason.NORMAL, true),
                new Case(ChildSpec.Restart.PERMANENT, ExitReason.SHUTDOWN, true),
                new Case(ChildSpec.Restart.PERMANENT, CRASH, true),
                new Case(ChildSpec.Restart.TRANSIENT, ExitReason.NORMAL, false),
                new Case(ChildSpec.Restart.TRANSIENT, ExitReason.SHUTDOWN, false),
                new Case(ChildSpec.Restart.TRANSIENT, ExitReason.shutdown("done"), false),
                new Case(ChildSpec.Restart.TRANSIENT, CRASH, true),
                new Case(ChildSpec.Restart.TEMPORARY, ExitReason.NORMAL, false),
                new Case(ChildSpec.Restart.TEMPORARY, CRASH, false));
        for (Case c : cases) {
            inProcess(() -> {
                ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(),
                        List.of(Worker.spec("w").withRestart(c.restart()), Worker.spec("marker")));
                Pid old = whereis("w");
                Ref mon = Proc.monitor(old);
                exitChild("w", c.reason());
                awaitDown(mon);
                // a call to the supervisor is handled after it has processed the child's exit
                List<Supervisor.ChildInfo> kids = Supervisor.whichChildren(sup);
                Supervisor.ChildInfo w = kids.stream().filter(k -> k.id().equals("w")).findFirst().orElse(null);
                if (c.restarted()) {
                    assertThat(w).as(c.toString()).isNotNull();
                    assertThat(w.pid()).as(c.toString()).isNotNull().isNotEqualTo(old);
                } else if (c.restart() == ChildSpec.Restart.TEMPORARY) {
                    assertThat(w).as(c + ": a temporary child is forgotten").isNull();
                } else {
                    assertThat(w.pid()).as(c.toString()).isNull();
                }
                Supervisor.stop(sup);
            });
        }
    }

    @Test
    void nestedSupervisorsEscalate() throws Exception {
        inProcess(() -> {
            Supervisor.Flags inner = Supervisor.Flags.oneForOne().withIntensity(1, Duration.ofSeconds(5));
            ChildSpec innerSup = ChildSpec.supervisor("inner",
                    () -> Supervisor.startLink(inner, List.of(Worker.spec("leaf")), StartOptions.named("inner")));
            ServerRef<?> top = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(innerSup, Worker.spec("sibling")));
            Pid innerPid = whereis("inner");
            Pid sibling = whereis("sibling");
            Ref innerMon = Proc.monitor(innerPid);
            // two crashes of the leaf: more than the inner supervisor's intensity of 1
            Pid leaf = exitChild("leaf", CRASH);
            awaitRestarted(ServerRef.named("inner"), "leaf", leaf);
            exitChild("leaf", CRASH);
            assertThat(awaitDown(innerMon)).isEqualTo(ExitReason.SHUTDOWN);
            // the top supervisor restarts the inner one (a fresh leaf with it); the sibling is untouched
            Pid newInner = awaitRestarted(top, "inner", innerPid);
            assertThat(newInner).isNotEqualTo(innerPid);
            assertThat(whereis("sibling")).isEqualTo(sibling);
            String pong = GenServer.call(ServerRef.named("leaf"), new Worker.Ping());
            assertThat(pong).isEqualTo("pong from leaf");
            Supervisor.stop(top);
        });
    }

    @Test
    void adminFunctions() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(Worker.spec("a")));
            Pid b = Supervisor.startChild(sup, Worker.spec("b"));
            assertThat(b).isEqualTo(whereis("b"));
            assertThatThrownBy(() -> Supervisor.startChild(sup, Worker.spec("b")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already exists");
            assertThat(Supervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(2, 2, 0, 2));
            assertThat(Supervisor.getChildspec(sup, "b")).get().extracting(ChildSpec::id).isEqualTo("b");
            assertThat(Supervisor.getChildspec(sup, "zz")).isEmpty();
            assertThatThrownBy(() -> Supervisor.deleteChild(sup, "b"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("running");
            Supervisor.terminateChild(sup, "b");
            assertThat(whereis("b")).isNull();
            assertThat(Supervisor.countChildren(sup).active()).isEqualTo(1);
            Pid b2 = Supervisor.restartChild(sup, "b");
            assertThat(b2).isNotNull().isNotEqualTo(b);
            assertThatThrownBy(() -> Supervisor.restartChild(sup, "b")).isInstanceOf(IllegalStateException.class);
            Supervisor.terminateChild(sup, "b");
            Supervisor.deleteChild(sup, "b");
            assertThat(Supervisor.whichChildren(sup)).extracting(Supervisor.ChildInfo::id).containsExactly("a");
            assertThatThrownBy(() -> Supervisor.terminateChild(sup, "nope")).isInstanceOf(IllegalArgumentException.class);
            Supervisor.stop(sup);
        });
    }

    @Test
    void aBadChildSpecIsRefusedWithACorrectExample() {
        assertThatThrownBy(() -> new ChildSpec(null, a -> null, ChildSpec.Restart.PERMANENT, false, ChildSpec.WORKER_SHUTDOWN, ChildSpec.Type.WORKER))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("the id is missing")
                .hasMessageContaining("a correct spec looks like: ChildSpec.worker(");
        assertThatThrownBy(() -> Worker.spec("x").withSignificant(true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("permanent child cannot be significant");
        assertThatThrownBy(() -> ChildSpec.Shutdown.timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BRUTAL_KILL");
        assertThatThrownBy(() -> Supervisor.start(Supervisor.Flags.oneForOne(), List.of(Worker.spec("x"), Worker.spec("x"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("two children have this id");
    }

    @Test
    void aChildThatFailsToStartFailsTheSupervisorStartAndStopsTheOthers() throws Exception {
        inProcess(() -> {
            ChildSpec bad = ChildSpec.worker("bad", () -> GenServer.startLink(() -> new GenServer.Init.Stop<>(new ExitReason.Other("no_db"))));
            assertThatThrownBy(() -> Supervisor.start(Supervisor.Flags.oneForOne(), List.of(Worker.spec("a"), bad)))
                    .isInstanceOf(StartException.class)
                    .satisfies(e -> assertThat(((StartException) e).reason().orElseThrow())
                            .isInstanceOf(ExitReason.Shutdown.class)
                            .hasToString("{shutdown,FailedToStartChild[id=bad, reason=no_db]}"));
            assertThat(whereis("a")).isNull(); // the child started before was stopped
        });
    }

    @Test
    void autoShutdownWhenASignificantChildExits() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(
                    Supervisor.Flags.oneForOne().withAutoShutdown(Supervisor.AutoShutdown.ANY_SIGNIFICANT),
                    List.of(Worker.spec("job").withRestart(ChildSpec.Restart.TRANSIENT).withSignificant(true), Worker.spec("other")));
            Ref supMon = Proc.monitor(pid(sup));
            exitChild("job", ExitReason.NORMAL);
            assertThat(awaitDown(supMon)).isEqualTo(ExitReason.SHUTDOWN);
        });
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(
                    Supervisor.Flags.oneForOne().withAutoShutdown(Supervisor.AutoShutdown.ALL_SIGNIFICANT),
                    List.of(Worker.spec("j1").withRestart(ChildSpec.Restart.TEMPORARY).withSignificant(true),
                            Worker.spec("j2").withRestart(ChildSpec.Restart.TEMPORARY).withSignificant(true)));
            Ref supMon = Proc.monitor(pid(sup));
            Pid j1 = exitChild("j1", ExitReason.NORMAL);
            Ref m1 = Proc.monitor(j1);
            awaitDown(m1);
            assertThat(Supervisor.countChildren(sup).specs()).isEqualTo(1); // still running: j2 is alive
            exitChild("j2", ExitReason.NORMAL);
            assertThat(awaitDown(supMon)).isEqualTo(ExitReason.SHUTDOWN);
        });
    }

    @Test
    void childTerminatedReportsForAbnormalExitsOnly() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(Worker.spec("a")));
            Pid old = exitChild("a", ExitReason.SHUTDOWN);
            awaitRestarted(sup, "a", old);
            assertThat(supervisorReports()).isEmpty();
            old = exitChild("a", CRASH);
            awaitRestarted(sup, "a", old);
            assertThat(supervisorReports()).singleElement().satisfies(r -> {
                assertThat(r.context()).isEqualTo("child_terminated");
                assertThat(r.childId()).isEqualTo("a");
            });
            Supervisor.stop(sup);
        });
    }

    @Test
    void aSupervisorTrapsExitsAndRunsWhereItIsAsked() throws Exception {
        inProcess(() -> {
            ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of());
            assertThat(Proc.info(pid(sup)).orElseThrow().trapExit()).isTrue();
            assertThat(Proc.info(pid(sup)).orElseThrow().priority()).isEqualTo(io.otp4j.SpawnOptions.Priority.NORMAL);
            ServerRef<?> high = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(),
                    StartOptions.DEFAULT.withPriority(io.otp4j.SpawnOptions.Priority.HIGH));
            assertThat(Proc.info(pid(high)).orElseThrow().priority()).isEqualTo(io.otp4j.SpawnOptions.Priority.HIGH);
            Supervisor.stop(sup);
            Supervisor.stop(high);
        });
    }

    @Test
    void aSupervisorRestartsAChildWhileUserProcessesHogEveryCarrier() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            inProcess(() -> {
                ServerRef<?> sup = Supervisor.start(Supervisor.Flags.oneForOne(), List.of(Worker.spec("a")));
                int carriers = Runtime.getRuntime().availableProcessors();
                for (int i = 0; i < carriers * 2; i++) {
                    Proc.spawn(() -> {
                        while (spin.get()) Thread.onSpinWait(); // never yields, never calls otp4j
                    });
                }
                Proc.yield(); // let the spinners take the carriers
                Pid old = exitChild("a", CRASH);
                Pid fresh = awaitRestarted(sup, "a", old);
                assertThat(fresh).isNotEqualTo(old);
                spin.set(false);
                Supervisor.stop(sup);
            });
        } finally {
            spin.set(false);
        }
    }
}
