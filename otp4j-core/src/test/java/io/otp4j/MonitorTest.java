package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Monitors: one-way, stackable, demonitor with and without flush, noproc. */
class MonitorTest extends NodeTestSupport {

    static Matcher<Down> downOf(Ref ref) {
        return m -> m instanceof Down d && d.ref().equals(ref) ? d : null;
    }

    @Test
    void downCarriesTheExitReason() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> Proc.receive(m -> "crash".equals(m) ? m : null));
            Ref ref = Proc.monitor(p);
            Proc.send(p, "crash");
            Down d = await(downOf(ref));
            assertThat(d.pid()).isEqualTo(p);
            assertThat(d.reason()).isEqualTo(ExitReason.NORMAL);
            Pid q = Proc.spawn(() -> {
                Proc.receive(m -> "crash".equals(m) ? m : null);
                throw new UnsupportedOperationException("nope");
            });
            Ref qref = Proc.monitor(q);
            Proc.send(q, "crash");
            ExitReason r = await(downOf(qref)).reason();
            assertThat(r).isInstanceOf(ExitReason.Crash.class);
            assertThat(((ExitReason.Crash) r).exception()).isInstanceOf(UnsupportedOperationException.class);
        });
    }

    @Test
    void monitorsAreOneWay() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid watcher = Proc.spawn(() -> {
                Pid target = (Pid) Proc.receive();
                Ref ref = Proc.monitor(target);
                Proc.send(me, ref);
                Proc.receive(m -> null);
            });
            Pid target = Proc.spawn(idle());
            Proc.send(watcher, target);
            await(m -> m instanceof Ref r ? r : null);
            Proc.exit(watcher, ExitReason.KILL);
            awaitExit(watcher);
            assertThat(Proc.isAlive(target)).isTrue(); // the target is not affected
            assertThat(Proc.info(target).orElseThrow().monitoredBy()).isEmpty();
            Proc.exit(target, ExitReason.KILL);
        });
    }

    @Test
    void monitorsStack() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> Proc.receive(m -> "go".equals(m) ? m : null));
            Ref r1 = Proc.monitor(p);
            Ref r2 = Proc.monitor(p);
            assertThat(r1).isNotEqualTo(r2);
            assertThat(Proc.info(p).orElseThrow().monitoredBy()).containsExactly(Proc.self(), Proc.self());
            Proc.send(p, "go");
            assertThat(await(downOf(r1)).reason()).isEqualTo(ExitReason.NORMAL);
            assertThat(await(downOf(r2)).reason()).isEqualTo(ExitReason.NORMAL);
        });
    }

    @Test
    void demonitorStopsTheDown() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> Proc.receive(m -> "go".equals(m) ? m : null));
            Ref ref = Proc.monitor(p);
            assertThat(Proc.demonitor(ref)).isTrue();
            assertThat(Proc.demonitor(ref)).isFalse();
            Ref watch = Proc.monitor(p);
            Proc.send(p, "go");
            await(downOf(watch));
            refute(downOf(ref), Duration.ofMillis(10));
            assertThat(Proc.info(Proc.self()).orElseThrow().monitors()).isEmpty();
        });
    }

    @Test
    void demonitorWithFlushRemovesADownAlreadyQueued() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> { });
            Ref ref = Proc.monitor(p);
            Ref witness = Proc.monitor(p);
            await(downOf(witness)); // by now the first Down is queued too
            assertThat(Proc.info(Proc.self()).orElseThrow().messageQueueLen()).isEqualTo(1);
            Proc.demonitor(ref, true);
            assertThat(Proc.info(Proc.self()).orElseThrow().messageQueueLen()).isZero();
        });
    }

    @Test
    void monitoringADeadProcessGivesNoprocAtOnce() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> { });
            awaitExit(p);
            Ref ref = Proc.monitor(p);
            Down d = Proc.receive(downOf(ref), Duration.ZERO).orElseThrow(); // already there
            assertThat(d.reason()).isEqualTo(ExitReason.NOPROC);
            assertThat(d.pid()).isEqualTo(p);
        });
    }

    @Test
    void spawnMonitorMonitorsBeforeTheChildRuns() throws Exception {
        inProcess(() -> {
            Proc.Spawned s = Proc.spawnMonitor(() -> {
                throw new IllegalStateException("instant");
            });
            Down d = await(downOf(s.monitor()));
            assertThat(d.pid()).isEqualTo(s.pid());
            assertThat(d.reason()).isInstanceOf(ExitReason.Crash.class);
        });
    }

    @Test
    void aDyingWatcherRemovesItsMonitors() throws Exception {
        inProcess(() -> {
            Pid target = Proc.spawn(idle());
            Pid watcher = Proc.spawn(() -> {
                Proc.monitor(target);
                Proc.monitor(target);
            });
            awaitExit(watcher);
            assertThat(Proc.info(target).orElseThrow().monitoredBy()).isEmpty();
            Proc.exit(target, ExitReason.KILL);
        });
    }
}
