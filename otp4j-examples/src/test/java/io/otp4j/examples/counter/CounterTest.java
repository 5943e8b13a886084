package io.otp4j.examples.counter;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.Supervisor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class CounterTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(Node.Options.named("counter_test@localhost")
                .withCheckMessages(true)
                .withReportListener(Counters::forwardProgress));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    @Test
    void theRawCounterCountsAndTakesOnlyTheReplyTaggedWithItsReference() throws Exception {
        node.run(() -> {
            Pid counter = Counter.startLink("raw_1");
            for (int i = 0; i < 3; i++) Counter.inc(counter);
            Counter.dec(counter);
            // a stale answer, tagged with another reference, waits in our mailbox
            Ref stale = Proc.makeRef();
            Proc.send(Proc.self(), new Counter.Value(stale, 99));

            assertThat(Counter.val(counter)).isEqualTo(2);
            // val took its own reply and left the stale one where it was
            assertThat(Proc.receive(m -> m instanceof Counter.Value v ? v : null, Duration.ZERO))
                    .contains(new Counter.Value(stale, 99));
            // inc and dec do not wait: a thousand of them are queued, then val sees them all
            for (int i = 0; i < 1000; i++) Counter.inc(counter);
            assertThat(Counter.val(counter)).isEqualTo(1002);
            Proc.unlink(counter);
            Proc.exit(counter, ExitReason.KILL);
            return null;
        });
    }

    @Test
    void valExitsTheCallerWithTimeoutWhenNoAnswerComes() throws Exception {
        node.run(() -> {
            Proc.Spawned gone = Proc.spawnMonitor(() -> { });
            awaitDown(gone.monitor());
            Proc.Spawned caller = Proc.spawnMonitor(() -> Counter.val(gone.pid(), Duration.ofMillis(50)));
            assertThat(awaitDown(caller.monitor()).reason()).isEqualTo(ExitReason.of("timeout"));
            return null;
        });
    }

    @Test
    void theGenServerCounterCastsAndCalls() throws Exception {
        node.run(() -> {
            ServerRef<CounterServer.Msg> counter = CounterServer.startLink("server_1");
            CounterServer.inc(counter);
            CounterServer.inc(counter);
            CounterServer.dec(counter);
            CounterServer.inc(counter);
            assertThat(CounterServer.val(counter)).isEqualTo(2);
            GenServer.stop(counter);
            return null;
        });
    }

    @Test
    void aCrashedCounterComesBackUnderANewPidAtZeroAndTheOtherDoesNotNotice() throws Exception {
        node.run(() -> {
            ServerRef<?> sup = Counters.startLink();
            Proc.register(Counters.WATCHER, Proc.self());
            Pid raw = Proc.whereis(Counters.RAW).orElseThrow();
            ServerRef<CounterServer.Msg> server = ServerRef.named(Counters.SERVER);
            Pid serverPid = server.pid();
            for (int i = 0; i < 3; i++) Counter.inc(raw);
            CounterServer.inc(server);
            CounterServer.inc(server);
            assertThat(Counter.val(raw)).isEqualTo(3);
            assertThat(CounterServer.val(server)).isEqualTo(2);

            // a bad message crashes the raw counter
            Ref watch = Proc.monitor(raw);
            Proc.send(raw, "not a counter message");
            ExitReason reason = awaitDown(watch).reason();
            assertThat(reason).isInstanceOfSatisfying(ExitReason.Crash.class,
                    c -> assertThat(c.exception()).isInstanceOf(IllegalArgumentException.class));
            Pid raw2 = awaitRestart(Counters.RAW);
            assertThat(raw2).isNotEqualTo(raw);
            assertThat(Proc.whereis(Counters.RAW)).contains(raw2);
            assertThat(Counter.val(raw2)).isZero();
            // one_for_one: the GenServer counter kept its process and its count
            assertThat(server.pid()).isEqualTo(serverPid);
            assertThat(CounterServer.val(server)).isEqualTo(2);

            // killed from outside, the GenServer counter comes back too
            Counter.inc(raw2);
            watch = Proc.monitor(serverPid);
            Proc.exit(serverPid, ExitReason.KILL);
            assertThat(awaitDown(watch).reason()).isEqualTo(ExitReason.KILLED);
            Pid server2 = awaitRestart(Counters.SERVER);
            assertThat(server2).isNotEqualTo(serverPid);
            assertThat(server.pid()).isEqualTo(server2);
            assertThat(CounterServer.val(server)).isZero();
            assertThat(Counter.val(raw2)).isEqualTo(1);

            Proc.unregister(Counters.WATCHER);
            Supervisor.stop(sup);
            assertThat(Proc.isAlive(raw2)).isFalse();
            assertThat(Proc.isAlive(server2)).isFalse();
            return null;
        });
    }

    @Test
    void mainTellsTheStory() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        node.run(() -> {
            Counters.run(new PrintStream(buf, true));
            return null;
        });
        assertThat(buf.toString())
                .containsPattern("raw counter <0\\.\\d+\\.\\d+>: 2")
                .containsPattern("GenServer counter <0\\.\\d+\\.\\d+>: 5")
                .contains("does not understand hello?")
                .containsPattern("raw counter is back as <0\\.\\d+\\.\\d+>, value 0")
                .contains("died: killed")
                .containsPattern("GenServer counter is back as <0\\.\\d+\\.\\d+>, value 0")
                .contains("the raw counter did not notice: value 2")
                .contains("supervisor stopped; counters alive? false false");
    }

    static Down awaitDown(Ref ref) {
        return Proc.receive(m -> m instanceof Down d && d.ref().equals(ref) ? d : null, WAIT)
                .orElseThrow(() -> new AssertionError("no Down for " + ref));
    }

    static Pid awaitRestart(String id) {
        return Proc.receive(m -> m instanceof Report.Progress p && p.childId().equals(id) ? p.childPid() : null, WAIT)
                .orElseThrow(() -> new AssertionError(id + " was not restarted"));
    }
}
