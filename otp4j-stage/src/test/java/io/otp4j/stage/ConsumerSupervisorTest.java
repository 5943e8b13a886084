package io.otp4j.stage;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.ChildSpec;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import io.otp4j.behaviour.Supervisor;
import io.otp4j.behaviour.Task;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsumerSupervisorTest extends StageTestSupport {
    static final Duration QUIET = Duration.ofMillis(150);

    /** A child said it runs for {@code event}, on its {@code attempt}-th start. */
    record Started(Object event, Pid pid, int attempt) {
    }

    /** Lets a gated child finish normally. */
    record Release() {
    }

    /** Emits the items of a list as demand comes, reporting each demand as {@code Demanded(n)}. */
    record Items(List<?> items, Pid observer) implements Producer<Integer, Object> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0);
        }

        @Override
        public Result<Integer, Object> handleDemand(long demand, Integer next) {
            Proc.send(observer, new Demanded(demand));
            int end = (int) Math.min(items.size(), next + demand);
            return new NoReply<>(List.copyOf(items.subList(next, end)), end);
        }
    }

    final Map<Object, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();

    /**
     * A child per event that reports its start to {@code test} and waits for {@link Release};
     * it crashes at once when {@code crash} says so for the event and the attempt.
     */
    ChildSpec gated(Pid test, BiPredicate<Object, Integer> crash) {
        return ConsumerSupervisor.child("gated", event -> {
            int attempt = attempts.computeIfAbsent(event, k -> new AtomicInteger()).incrementAndGet();
            return Task.startLink(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    Proc.send(test, new Started(event, Proc.self(), attempt));
                    if (crash.test(event, attempt)) throw new IllegalStateException("crash for " + event);
                    Proc.receive(m -> m instanceof Release ? m : null);
                } finally {
                    running.decrementAndGet();
                }
            });
        });
    }

    ChildSpec gated(Pid test) {
        return gated(test, (e, a) -> false);
    }

    static Started started() {
        return await(m -> m instanceof Started s ? s : null);
    }

    static long demanded() {
        return await(m -> m instanceof Demanded d ? d.n() : null);
    }

    /** No message of these types comes for a while. */
    static void quiet(Class<?>... types) {
        refute(m -> Arrays.stream(types).anyMatch(t -> t.isInstance(m)), QUIET);
    }

    static void release(Pid child) {
        Proc.send(child, new Release());
    }

    List<Report.Supervisor> supervisorReports(String context) {
        return reports.stream().filter(r -> r instanceof Report.Supervisor s && s.context().equals(context))
                .map(r -> (Report.Supervisor) r).toList();
    }

    // ------------------------------------------------------------------ events and demand

    @Test
    void startsAChildPerEvent() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            List<Integer> events = IntStream.rangeClosed(1, 20).boxed().toList();
            var producer = GenStage.start(new Items(events, test));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test))
                    .subscribeTo(SubscribeOptions.to(producer)));
            Set<Object> seen = new HashSet<>();
            Set<Pid> pids = new HashSet<>();
            for (int i = 0; i < events.size(); i++) {
                Started s = started();
                seen.add(s.event());
                pids.add(s.pid());
            }
            assertThat(seen).containsExactlyInAnyOrderElementsOf(events);
            assertThat(pids).hasSize(events.size());
            assertThat(ConsumerSupervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(1, 20, 0, 20));
            assertThat(ConsumerSupervisor.whichChildren(sup)).hasSize(20)
                    .allSatisfy(c -> {
                        assertThat(c.id()).isEqualTo("gated");
                        assertThat(c.status()).isEqualTo(Supervisor.ChildStatus.RUNNING);
                        assertThat(pids).contains(c.pid());
                    });
        });
    }

    @Test
    void runningChildrenNeverExceedMaxDemandAndMoreIsAskedOnlyAsChildrenFinish() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var producer = GenStage.start(new Counter(1, test, StageOptions.DEFAULT));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test))
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(4).minDemand(2)));
            assertThat(demanded()).isEqualTo(4);
            ArrayDeque<Pid> alive = new ArrayDeque<>();
            for (int i = 0; i < 4; i++) alive.add(started().pid());
            quiet(Started.class, Demanded.class);
            assertThat(ConsumerSupervisor.countChildren(sup).active()).isEqualTo(4);

            // one slot free is not enough (max - min = 2)...
            Pid first = alive.poll();
            Ref mon = Proc.monitor(first);
            release(first);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.NORMAL);
            quiet(Started.class, Demanded.class);
            // ...two are
            release(alive.poll());
            assertThat(demanded()).isEqualTo(2);
            for (int i = 0; i < 2; i++) alive.add(started().pid());

            // a longer run, releasing the oldest child each time
            long produced = 6;
            int released = 2;
            while (released < 300) {
                if (alive.isEmpty()) alive.add(started().pid());
                release(alive.poll());
                released++;
                for (Object m; (m = Proc.receive(x -> x instanceof Started || x instanceof Demanded ? x : null,
                        Duration.ZERO).orElse(null)) != null; ) {
                    if (m instanceof Started s) alive.add(s.pid());
                    if (m instanceof Demanded(long n)) {
                        assertThat(n).isBetween(2L, 4L);
                        produced += n;
                    }
                }
                assertThat(produced - released).isLessThanOrEqualTo(4);
                assertThat(alive.size()).isLessThanOrEqualTo(4);
            }
            assertThat(maxRunning.get()).isLessThanOrEqualTo(4);
            assertThat(ConsumerSupervisor.countChildren(sup).active()).isLessThanOrEqualTo(4);
            ConsumerSupervisor.stop(sup);
        });
    }

    @Test
    void aChildWhoseStartFailsOrIsIgnoredFreesItsSlot() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            ChildSpec gated = gated(test);
            ChildSpec child = ConsumerSupervisor.<String>child("picky", event -> switch (event) {
                case "fail" -> throw new IllegalStateException("cannot start");
                case "ignore" -> null;
                default -> gated.start().apply(List.of(event));
            });
            var producer = GenStage.start(new Items(List.of("fail", "ignore", "ok1", "ok2", "ok3", "ok4"), test));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(child)
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(3).minDemand(1)));
            // "fail" and "ignore" free their slots at once: 2 of 3, enough to ask again (max - min = 2)
            assertThat(List.of(demanded(), demanded())).containsExactly(3L, 2L);
            assertThat(List.of(started().event(), started().event(), started().event()))
                    .containsExactlyInAnyOrder("ok1", "ok2", "ok3");
            quiet(Started.class, Demanded.class);
            assertThat(ConsumerSupervisor.countChildren(sup).active()).isEqualTo(3);
            assertThat(supervisorReports("start_error")).hasSize(1);
        });
    }

    @Test
    void childrenOfSeveralProducersAreBoundedPerProducer() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var a = GenStage.start(new Items(List.of("a1", "a2", "a3", "a4"), test));
            var b = GenStage.start(new Items(List.of("b1", "b2", "b3", "b4", "b5"), test));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test))
                    .subscribeTo(SubscribeOptions.to(a).maxDemand(1), SubscribeOptions.to(b).maxDemand(3)));
            Set<Object> seen = new HashSet<>();
            for (int i = 0; i < 4; i++) seen.add(started().event());
            assertThat(seen).containsExactlyInAnyOrder("a1", "b1", "b2", "b3");
            quiet(Started.class);
            assertThat(ConsumerSupervisor.countChildren(sup).active()).isEqualTo(4);
        });
    }

    // ------------------------------------------------------------------ restarts

    @Test
    void aTransientChildIsRestartedWithTheSameEventAndKeepsItsSlot() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            ChildSpec child = gated(test, (e, attempt) -> e.equals("a") && attempt == 1)
                    .withRestart(ChildSpec.Restart.TRANSIENT);
            var producer = GenStage.start(new Items(List.of("a", "b"), test));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(child)
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(1).minDemand(0)));
            assertThat(demanded()).isEqualTo(1);
            Started crashed = started();
            Started again = started();
            assertThat(crashed).extracting(Started::event, Started::attempt).containsExactly("a", 1);
            assertThat(again).extracting(Started::event, Started::attempt).containsExactly("a", 2);
            assertThat(again.pid()).isNotEqualTo(crashed.pid());
            // the restarted child holds the only slot: "b" waits for it
            quiet(Started.class, Demanded.class);
            assertThat(ConsumerSupervisor.whichChildren(sup)).extracting(Supervisor.ChildInfo::pid)
                    .containsExactly(again.pid());
            release(again.pid());
            assertThat(demanded()).isEqualTo(1);
            assertThat(started().event()).isEqualTo("b");
            assertThat(supervisorReports("child_terminated")).hasSize(1);
        });
    }

    @Test
    void aTemporaryChildIsNotRestartedAndItsCrashFreesItsSlot() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var producer = GenStage.start(new Items(List.of(1, 2, 3), test));
            ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test, (e, a) -> true))
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(1).minDemand(0)));
            for (int i = 1; i <= 3; i++) {
                assertThat(demanded()).isEqualTo(1);
                assertThat(started()).extracting(Started::event, Started::attempt).containsExactly(i, 1);
            }
            assertThat(demanded()).isEqualTo(1); // the third crash freed the slot too
            quiet(Started.class);
            assertThat(supervisorReports("child_terminated")).hasSize(3);
        });
    }

    @Test
    void aRestartWhoseStartFailsIsTriedAgain() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            AtomicInteger starts = new AtomicInteger();
            ChildSpec gated = gated(test, (e, attempt) -> attempt == 1);
            ChildSpec child = ConsumerSupervisor.child("flaky", event -> {
                if (starts.incrementAndGet() == 2) throw new IllegalStateException("not now");
                return gated.start().apply(List.of(event));
            }).withRestart(ChildSpec.Restart.TRANSIENT);
            var producer = GenStage.start(new Items(List.of("x"), test));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(child)
                    .subscribeTo(SubscribeOptions.to(producer)));
            assertThat(started().attempt()).isEqualTo(1);
            Started second = started();
            assertThat(second.attempt()).isEqualTo(2);
            assertThat(starts.get()).isEqualTo(3);
            assertThat(ConsumerSupervisor.whichChildren(sup)).extracting(Supervisor.ChildInfo::pid)
                    .containsExactly(second.pid());
            assertThat(supervisorReports("start_error")).hasSize(1);
        });
    }

    @Test
    void exceedingTheIntensityStopsTheSupervisorWithShutdown() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            ChildSpec child = gated(test, (e, a) -> true).withRestart(ChildSpec.Restart.TRANSIENT);
            var producer = GenStage.start(new Items(List.of("x"), test));
            // linked from the start: the supervisor may give up before a monitor could be set
            Proc.trapExit(true);
            var sup = ConsumerSupervisor.startLink(ConsumerSupervisor.Spec.of(child)
                    .withIntensity(2, Duration.ofSeconds(5))
                    .subscribeTo(SubscribeOptions.to(producer)));
            Pid supPid = pid(sup);
            for (int attempt = 1; attempt <= 3; attempt++) assertThat(started().attempt()).isEqualTo(attempt);
            assertThat((Object) await(m -> m instanceof io.otp4j.Exit x && x.from().equals(supPid) ? x.reason() : null))
                    .isEqualTo(ExitReason.SHUTDOWN);
            quiet(Started.class);
            assertThat(supervisorReports("shutdown")).singleElement()
                    .satisfies(r -> assertThat(r.reason()).hasToString("reached_max_restart_intensity"));
            assertThat(Proc.isAlive(pid(producer))).isTrue();
        });
    }

    @Test
    void permanentChildrenAreRefused() {
        ChildSpec permanent = ChildSpec.worker("w", () -> null);
        assertThatThrownBy(() -> ConsumerSupervisor.Spec.of(permanent))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PERMANENT");
        ChildSpec temporary = ConsumerSupervisor.child("w", e -> null);
        assertThat(temporary.restart()).isEqualTo(ChildSpec.Restart.TEMPORARY);
        assertThatThrownBy(() -> ConsumerSupervisor.Spec.of(temporary.withRestart(ChildSpec.Restart.PERMANENT)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ producers ending

    @Test
    void aPermanentSubscriptionStopsTheSupervisorAndItsChildrenWithTheProducer() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var producer = GenStage.start(new Counter(1, test, StageOptions.DEFAULT));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test))
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(2)));
            List<Ref> children = List.of(Proc.monitor(started().pid()), Proc.monitor(started().pid()));
            Ref mon = Proc.monitor(pid(sup));
            ExitReason gone = new ExitReason.Other("gone");
            GenStage.stop(producer, gone, WAIT);
            assertThat(awaitDown(mon)).isEqualTo(gone);
            for (Ref child : children) assertThat(awaitDown(child)).isEqualTo(ExitReason.SHUTDOWN);
        });
    }

    @Test
    void aTemporarySubscriptionLeavesTheSupervisorAndItsChildrenRunning() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var producer = GenStage.start(new Counter(1, test, StageOptions.DEFAULT));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test))
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(2).cancel(CancelMode.TEMPORARY)));
            Pid first = started().pid();
            Pid second = started().pid();
            GenStage.stop(producer, new ExitReason.Other("gone"), WAIT);
            assertThat(ConsumerSupervisor.countChildren(sup).active()).isEqualTo(2);
            Ref mon = Proc.monitor(first);
            release(first);
            awaitDown(mon);

            // a new producer: its own slots, the remaining child of the old one aside
            var next = GenStage.start(new Counter(100, test, StageOptions.DEFAULT));
            GenStage.syncSubscribe(sup, SubscribeOptions.to(next).maxDemand(2));
            assertThat(demanded()).isEqualTo(2);
            assertThat(List.of(started().event(), started().event())).containsExactlyInAnyOrder(100L, 101L);
            assertThat(ConsumerSupervisor.whichChildren(sup)).hasSize(3).extracting(Supervisor.ChildInfo::pid)
                    .contains(second);
        });
    }

    @Test
    void aTransientSubscriptionStopsTheSupervisorOnlyForAnAbnormalExit() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var normal = GenStage.start(new Counter(1, test, StageOptions.DEFAULT));
            var abnormal = GenStage.start(new Counter(100, test, StageOptions.DEFAULT));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test)).subscribeTo(
                    SubscribeOptions.to(normal).maxDemand(1).cancel(CancelMode.TRANSIENT),
                    SubscribeOptions.to(abnormal).maxDemand(1).cancel(CancelMode.TRANSIENT)));
            Set<Object> events = new HashSet<>(List.of(started().event(), started().event()));
            assertThat(events).containsExactlyInAnyOrder(1L, 100L);
            Ref mon = Proc.monitor(pid(sup));
            GenStage.stop(normal);
            assertThat(ConsumerSupervisor.countChildren(sup).active()).isEqualTo(2);
            ExitReason boom = new ExitReason.Other("boom");
            GenStage.stop(abnormal, boom, WAIT);
            assertThat(awaitDown(mon)).isEqualTo(boom);
        });
    }

    // ------------------------------------------------------------------ children by hand

    @Test
    void startChildWhichChildrenCountChildrenAndTerminateChild() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test)));
            Pid child = ConsumerSupervisor.startChild(sup, List.of("by hand"));
            assertThat(started()).isEqualTo(new Started("by hand", child, 1));
            assertThat(ConsumerSupervisor.whichChildren(sup)).containsExactly(
                    new Supervisor.ChildInfo("gated", child, Supervisor.ChildStatus.RUNNING, ChildSpec.Type.WORKER));
            assertThat(ConsumerSupervisor.countChildren(sup)).isEqualTo(new Supervisor.Counts(1, 1, 0, 1));

            Ref mon = Proc.monitor(child);
            ConsumerSupervisor.terminateChild(sup, child);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(ConsumerSupervisor.whichChildren(sup)).isEmpty();
            assertThatThrownBy(() -> ConsumerSupervisor.terminateChild(sup, child))
                    .isInstanceOf(IllegalArgumentException.class);
            // the template takes one argument, the event
            assertThatThrownBy(() -> ConsumerSupervisor.startChild(sup, List.of(1, 2)))
                    .isInstanceOf(StartException.class);

            var ignoring = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(ConsumerSupervisor.child("none", e -> null)));
            assertThat(ConsumerSupervisor.startChild(ignoring, List.of("x"))).isNull();
            assertThat(ConsumerSupervisor.countChildren(ignoring)).isEqualTo(new Supervisor.Counts(1, 0, 0, 0));
        });
    }

    @Test
    void terminatingAChildFreesItsSlotAndStartedChildrenTakeNone() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            var producer = GenStage.start(new Counter(1, test, StageOptions.DEFAULT));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test))
                    .subscribeTo(SubscribeOptions.to(producer).maxDemand(1).minDemand(0)));
            assertThat(demanded()).isEqualTo(1);
            Pid first = started().pid();
            Pid byHand = ConsumerSupervisor.startChild(sup, List.of("by hand"));
            assertThat(started().pid()).isEqualTo(byHand);
            ConsumerSupervisor.terminateChild(sup, byHand);
            quiet(Demanded.class);
            ConsumerSupervisor.terminateChild(sup, first);
            assertThat(demanded()).isEqualTo(1);
            assertThat(started().event()).isEqualTo(2L);
        });
    }

    // ------------------------------------------------------------------ shutdown

    @Test
    void stoppingTheSupervisorStopsItsChildrenAsTheirShutdownSays() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            List<ExitReason> got = new ArrayList<>();
            for (ChildSpec.Shutdown how : List.of(ChildSpec.WORKER_SHUTDOWN, ChildSpec.Shutdown.BRUTAL_KILL,
                    ChildSpec.Shutdown.INFINITY)) {
                var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(gated(test).withShutdown(how)));
                Ref a = Proc.monitor(ConsumerSupervisor.startChild(sup, List.of("a")));
                Ref b = Proc.monitor(ConsumerSupervisor.startChild(sup, List.of("b")));
                ConsumerSupervisor.stop(sup);
                got.add(awaitDown(a));
                got.add(awaitDown(b));
            }
            assertThat(got).containsExactly(ExitReason.SHUTDOWN, ExitReason.SHUTDOWN, new ExitReason.Killed(),
                    new ExitReason.Killed(), ExitReason.SHUTDOWN, ExitReason.SHUTDOWN);
            assertThat(supervisorReports("shutdown_error")).isEmpty();
        });
    }

    @Test
    void aChildThatIgnoresShutdownIsKilledAfterItsTimeout() throws Exception {
        inProcess(() -> {
            Pid test = Proc.self();
            ChildSpec stubborn = ConsumerSupervisor.child("stubborn", event -> Task.startLink(() -> {
                Proc.trapExit(true);
                Proc.send(test, new Started(event, Proc.self(), 1));
                Proc.receive(m -> m instanceof Release ? m : null);
            })).withShutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(100)));
            var sup = ConsumerSupervisor.start(ConsumerSupervisor.Spec.of(stubborn));
            Pid child = ConsumerSupervisor.startChild(sup, List.of("x"));
            started();
            Ref mon = Proc.monitor(child);
            ConsumerSupervisor.stop(sup);
            assertThat(awaitDown(mon)).isEqualTo(new ExitReason.Killed());
            assertThat(supervisorReports("shutdown_error")).singleElement()
                    .satisfies(r -> assertThat(r.childPid()).contains(child));
        });
    }
}
