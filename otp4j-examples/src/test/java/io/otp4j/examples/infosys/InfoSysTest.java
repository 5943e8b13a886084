package io.otp4j.examples.infosys;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.TaskSupervisor;
import io.otp4j.examples.cache.Cache;
import io.otp4j.examples.infosys.InfoSys.Fate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class InfoSysTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(Node.Options.named("infosys_test@localhost").withCheckMessages(true));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    /** Says which process runs it, then never answers. */
    record Stuck(String name, Pid test) implements Backend {
        @Override
        public List<Result> compute(String query, int limit) {
            Proc.send(test, new Started(name, Proc.self()));
            Proc.sleep(Proc.INFINITY);
            return List.of();
        }
    }

    record Started(String backend, Pid task) {
    }

    /** Answers at once with {@code score}, counting the times it is asked. */
    record Counting(String name, int score, AtomicInteger calls) implements Backend {
        Counting(String name, int score) {
            this(name, score, new AtomicInteger());
        }

        @Override
        public List<Result> compute(String query, int limit) {
            calls.incrementAndGet();
            return List.of(new Result(name, name + ": " + query, score));
        }
    }

    record Swept(long removed) {
    }

    @Test
    void aCrashingBackendDoesNotHurtTheCaller() throws Exception {
        node.run(() -> {
            Counting good = new Counting("good", 50);
            InfoSys infosys = InfoSys.startLink(InfoSys.Options.of(good, new Backend.Crashing("bad", Duration.ZERO)));

            InfoSys.Answer a = infosys.compute("q");
            assertThat(a.results()).containsExactly(new Result("good", "good: q", 50));
            assertThat(a.fates()).containsExactly(Map.entry("good", Fate.ANSWERED), Map.entry("bad", Fate.CRASHED));
            // not linked to the task, we are alive (this line runs), and nothing of it is left in our mailbox
            assertThat(Proc.receive(Duration.ZERO)).isEmpty();
            // a crash is not an answer: it is not cached, the backend is asked again next time
            assertThat(infosys.compute("q").fates()).containsExactly(Map.entry("good", Fate.CACHED), Map.entry("bad", Fate.CRASHED));
            assertThat(good.calls()).hasValue(1);
            infosys.stop();
            return null;
        });
    }

    @Test
    void aLateBackendCostsTheTimeLimitNotMoreAndItsTaskIsKilled() throws Exception {
        node.run(() -> {
            Duration limit = Duration.ofMillis(200);
            InfoSys infosys = InfoSys.startLink(InfoSys.Options.of(new Counting("quick", 10), new Stuck("stuck", Proc.self()))
                    .timeout(limit));

            long start = System.nanoTime();
            InfoSys.Answer a = infosys.compute("q");
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(took).isGreaterThanOrEqualTo(limit).isLessThan(limit.plusSeconds(2));
            assertThat(a.fates()).containsExactly(Map.entry("quick", Fate.ANSWERED), Map.entry("stuck", Fate.LATE));
            assertThat(a.results()).extracting(Result::backend).containsExactly("quick");
            // the stuck backend's task was shut down before compute returned
            Pid task = Proc.receive(m -> m instanceof Started s ? s.task() : null, WAIT).orElseThrow();
            assertThat(Proc.isAlive(task)).isFalse();
            Ref mon = Proc.monitor(task);
            assertThat(Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d.reason() : null, Duration.ZERO))
                    .contains(ExitReason.NOPROC);
            assertThat(TaskSupervisor.children(ServerRef.named(InfoSys.TASKS))).isEmpty();
            assertThat(Proc.receive(Duration.ZERO)).isEmpty();
            infosys.stop();
            return null;
        });
    }

    @Test
    void backendsRunConcurrentlyAndTheBestResultsComeFirst() throws Exception {
        node.run(() -> {
            InfoSys infosys = InfoSys.startLink(InfoSys.Options.of(
                    new Backend.Simulated("a", Duration.ofMillis(150), 10),
                    new Backend.Simulated("b", Duration.ofMillis(150), 90),
                    new Backend.Simulated("c", Duration.ofMillis(150), 50)).limit(2));
            long start = System.nanoTime();
            InfoSys.Answer a = infosys.compute("q");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(a.results()).extracting(Result::score).containsExactly(90, 50);
            assertThat(took).as("three 150 ms backends side by side").isLessThan(Duration.ofMillis(450));
            infosys.stop();
            return null;
        });
    }

    @Test
    void anAnswerInTheCacheIsNotAskedForAgain() throws Exception {
        node.run(() -> {
            Counting backend = new Counting("counting", 1);
            InfoSys infosys = InfoSys.startLink(InfoSys.Options.of(backend));
            InfoSys.Answer first = infosys.compute("q");
            InfoSys.Answer second = infosys.compute("q");
            assertThat(second.results()).isEqualTo(first.results()).hasSize(1);
            assertThat(first.fates()).containsEntry("counting", Fate.ANSWERED);
            assertThat(second.fates()).containsEntry("counting", Fate.CACHED);
            assertThat(backend.calls()).hasValue(1);
            infosys.compute("another query");
            assertThat(backend.calls()).hasValue(2);
            infosys.stop();
            return null;
        });
    }

    @Test
    void theSweeperRemovesExpiredAnswersOnItsTimer() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L); // the cache's clock: moves when we move it
        node.run(() -> {
            Pid me = Proc.self();
            Counting backend = new Counting("counting", 1);
            Cache.Options cache = Cache.Options.named("infosys_cache")
                    .clock(now::get)
                    .sweepEvery(Duration.ofMillis(10))
                    .onSweep(n -> Proc.send(me, new Swept(n)));
            InfoSys infosys = InfoSys.startLink(InfoSys.Options.of(backend).ttl(Duration.ofMinutes(10)).cache(cache));
            Cache.Handle table = Cache.named("infosys_cache");

            infosys.compute("q");
            assertThat(table.size()).isEqualTo(1);
            // sweeps come and go, removing nothing while the answer is fresh
            assertThat(awaitSweep()).isZero();
            assertThat(table.size()).isEqualTo(1);

            now.addAndGet(Duration.ofMinutes(11).toNanos());
            long removed = 0;
            while (removed == 0) removed = awaitSweep(); // a sweep that began before the move may remove nothing
            assertThat(removed).isEqualTo(1);
            assertThat(table.size()).isZero();

            assertThat(infosys.compute("q").fates()).containsEntry("counting", Fate.ANSWERED);
            assertThat(backend.calls()).hasValue(2);
            infosys.stop();
            return null;
        });
    }

    private static long awaitSweep() {
        return Proc.receive(m -> m instanceof Swept s ? s.removed() : null, WAIT).orElseThrow(() -> new AssertionError("no sweep"));
    }

    @Test
    void mainShowsColdCachedAndLate() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        node.run(() -> {
            InfoSys.run(new PrintStream(buf, true));
            return null;
        });
        assertThat(buf.toString())
                .contains("backends: {wolfram=ANSWERED, wikipedia=ANSWERED, flaky=CRASHED}")
                .contains("backends: {wolfram=CACHED, wikipedia=CACHED, flaky=CRASHED}")
                .contains("95  wolfram on \"what is otp\"")
                .contains("backends: {wolfram=ANSWERED, wikipedia=ANSWERED, slowpoke=LATE}")
                .contains("tasks left running: 0");
    }
}
