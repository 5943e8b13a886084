package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** process_info and the list of processes. */
class ProcessInfoTest extends NodeTestSupport {

    @Test
    void infoDescribesALiveProcess() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid p = Proc.spawn(() -> {
                Proc.trapExit(true);
                Proc.link(me);
                Proc.send(me, "ready");
                Proc.receive(m -> "never".equals(m) ? m : null);
            });
            assertThat(await()).isEqualTo("ready");
            Proc.register("described", p);
            Ref ref = Proc.monitor(p);
            for (int i = 0; i < 3; i++) Proc.send(p, i);
            ProcessInfo info = waitUntilWaiting(p);
            assertThat(info.pid()).isEqualTo(p);
            assertThat(info.registeredName()).contains("described");
            assertThat(info.status()).isEqualTo(ProcessInfo.Status.WAITING);
            assertThat(info.messageQueueLen()).isEqualTo(3);
            assertThat(info.links()).containsExactly(me);
            assertThat(info.monitoredBy()).containsExactly(me);
            assertThat(info.trapExit()).isTrue();
            assertThat(info.reductions()).isPositive();
            assertThat(info.priority()).isEqualTo(SpawnOptions.Priority.NORMAL);
            assertThat(Proc.info(me).orElseThrow().monitors()).containsExactly(p);
            assertThat(Proc.processes()).contains(me, p);
            Proc.demonitor(ref);
            Proc.unlink(p);
            Proc.exit(p, ExitReason.KILL);
            awaitExit(p);
            assertThat(Proc.info(p)).isEmpty();
            assertThat(Proc.processes()).doesNotContain(p);
        });
    }

    /** The status flips to WAITING once the process parks: wait for that event by polling info briefly. */
    private static ProcessInfo waitUntilWaiting(Pid p) {
        for (int i = 0; i < 10_000; i++) {
            ProcessInfo info = Proc.info(p).orElseThrow();
            if (info.status() == ProcessInfo.Status.WAITING) return info;
            Proc.yield();
        }
        throw new AssertionError("process never reached receive");
    }

    @Test
    void reductionsCountWork() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            long before = Proc.info(me).orElseThrow().reductions();
            for (int i = 0; i < 100; i++) Proc.send(me, i);
            for (int i = 0; i < 100; i++) Proc.receive();
            long after = Proc.info(me).orElseThrow().reductions();
            assertThat(after - before).isGreaterThanOrEqualTo(200);
        });
    }

    @Test
    void highPriorityProcessesReportTheirPriority() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(SpawnOptions.DEFAULT.withPriority(SpawnOptions.Priority.HIGH), idle());
            assertThat(Proc.info(p).orElseThrow().priority()).isEqualTo(SpawnOptions.Priority.HIGH);
            Proc.exit(p, ExitReason.KILL);
            Proc.sleep(Duration.ZERO);
        });
    }
}
