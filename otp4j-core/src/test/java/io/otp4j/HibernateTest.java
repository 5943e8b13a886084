package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Hibernation: a process without a thread until its next message. */
class HibernateTest extends NodeTestSupport {

    /** Counts messages, hibernating between them; the count lives only in the continuation. */
    static void counting(Pid report, int count) {
        Proc.hibernate(() -> {
            Object m = Proc.receive();
            if (m instanceof Pid asker) {
                Proc.send(asker, count);
            }
            counting(report, count + 1);
        });
    }

    @Test
    void aHibernatingProcessWakesOnAMessageAndKeepsWhatItsContinuationHolds() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> counting(me, 0));
            waitForHibernation(p);
            Proc.send(p, "one");
            Proc.send(p, "two");
            waitForHibernation(p);
            Proc.send(p, me);
            assertThat(await()).isEqualTo(2);
            waitForHibernation(p);
            assertThat(Proc.isAlive(p)).isTrue();
            Proc.exit(p, ExitReason.KILL);
        });
    }

    @Test
    void hibernatingWithAMessageAlreadyQueuedRunsTheContinuationAtOnce() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> {
                Proc.send(Proc.self(), "already here");
                Proc.hibernate(() -> Proc.send(me, "woke with " + Proc.receive()));
            });
            assertThat(await()).isEqualTo("woke with already here");
            awaitExit(p);
        });
    }

    @Test
    void linksMonitorsAndNamesSurviveHibernationAndAKillStillWorks() throws Exception {
        inProcess(() -> {
            Proc.trapExit(true);
            Pid me = Proc.self();
            Pid p = Proc.spawnLink(() -> Proc.hibernate(() -> Proc.receive(m -> null)));
            Proc.register("sleeper", p);
            waitForHibernation(p);
            ProcessInfo info = Proc.info(p).orElseThrow();
            assertThat(info.status()).isEqualTo(ProcessInfo.Status.HIBERNATING);
            assertThat(info.links()).containsExactly(me);
            assertThat(Proc.whereis("sleeper")).contains(p);
            Ref ref = Proc.monitor(p);
            Proc.exit(p, ExitReason.KILL);
            Down d = await(m -> m instanceof Down x && x.ref().equals(ref) ? x : null);
            assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
            Exit e = await(m -> m instanceof Exit x ? x : null);
            assertThat(e).isEqualTo(new Exit(p, ExitReason.KILLED));
            assertThat(Proc.whereis("sleeper")).isEmpty();
        });
    }

    @Test
    void aContinuationThatThrowsCrashesTheProcess() throws Exception {
        inProcess(() -> {
            Proc.Spawned s = Proc.spawnMonitor(() -> Proc.hibernate(() -> {
                Proc.receive();
                throw new IllegalStateException("after waking");
            }));
            Proc.send(s.pid(), "wake");
            Down d = await(m -> m instanceof Down x && x.ref().equals(s.monitor()) ? x : null);
            assertThat(d.reason()).isInstanceOf(ExitReason.Crash.class);
        });
    }

    /** Hibernation is a state change we can only observe: wait for it by looking, briefly. */
    static void waitForHibernation(Pid p) {
        for (int i = 0; i < 100_000; i++) {
            if (Proc.info(p).map(ProcessInfo::status).orElse(null) == ProcessInfo.Status.HIBERNATING) return;
            Proc.sleep(Duration.ZERO);
            Proc.yield();
        }
        throw new AssertionError(p + " did not hibernate");
    }
}
