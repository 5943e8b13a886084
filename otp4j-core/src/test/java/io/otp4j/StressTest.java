package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The stress rules at full size. */
class StressTest extends NodeTestSupport {

    record Request(Pid from, Ref ref) {
    }

    record Reply(Ref ref, int value) {
    }

    @Test
    void aMillionProcessesSpawnedAndAllCleanedUp() throws Exception {
        int n = 1_000_000;
        int before = runtime().processCount();
        inProcess(() -> {
            Pid[] pids = new Pid[n];
            for (int i = 0; i < n; i++) {
                pids[i] = Proc.spawnMonitor(() -> Proc.receive(m -> "stop".equals(m) ? m : null)).pid();
            }
            assertThat(runtime().processCount()).isGreaterThanOrEqualTo(before + n);
            for (Pid p : pids) Proc.send(p, "stop");
            for (int i = 0; i < n; i++) {
                Down d = await(m -> m instanceof Down x ? x : null);
                assertThat(d.reason()).isEqualTo(ExitReason.NORMAL);
            }
            return null;
        });
        assertThat(runtime().processCount()).isEqualTo(before);
    }

    @Test
    void aLinkChainOfHundredThousandGoesDownFromOneEnd() throws Exception {
        int n = 100_000;
        int before = runtime().processCount();
        inProcess(() -> {
            Pid me = Proc.self();
            Pid first = Proc.spawn(() -> chain(n - 1, me));
            Pid last = (Pid) await(m -> m instanceof Pid p ? p : null);
            assertThat(runtime().processCount()).isEqualTo(before + 1 + n);
            Ref ref = Proc.monitor(last);
            Proc.exit(first, ExitReason.KILL);
            Down d = await(m -> m instanceof Down x && x.ref().equals(ref) ? x : null);
            assertThat(d.reason()).isEqualTo(ExitReason.KILLED);
            return null;
        });
        assertThat(runtime().processCount()).isEqualTo(before);
    }

    private static void chain(int remaining, Pid report) {
        if (remaining == 0) {
            Proc.send(report, Proc.self());
        } else {
            Proc.spawnLink(() -> chain(remaining - 1, report));
        }
        Proc.receive(m -> null);
    }

    @Test
    void selectiveReceivePastHundredThousandUnmatchedMessages() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            int n = 100_000;
            for (int i = 0; i < n; i++) Proc.send(me, i);
            Proc.send(me, "needle");
            assertThat(Proc.receive(m -> m instanceof String s ? s : null, Duration.ZERO)).contains("needle");
            assertThat(Proc.info(me).orElseThrow().messageQueueLen()).isEqualTo(n);
            for (int i = 0; i < n; i++) assertThat(Proc.receive()).isEqualTo(i);
            return null;
        });
    }

    @Test
    void aCallIsAnsweredInConstantWorkWithHundredThousandQueued() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Pid server = Proc.spawn(() -> {
                int count = 0;
                while (true) {
                    Request r = (Request) Proc.receive();
                    Proc.send(r.from(), new Reply(r.ref(), ++count));
                }
            });
            for (int i = 0; i < 100_000; i++) Proc.send(me, i);
            int[] examined = {0};
            for (int call = 1; call <= 1000; call++) {
                Ref ref = Proc.makeRef();
                Proc.send(server, new Request(me, ref));
                int v = Proc.receiveReply(ref, m -> {
                    examined[0]++;
                    return m instanceof Reply(Ref r, int value) && r.equals(ref) ? value : null;
                });
                assertThat(v).isEqualTo(call);
            }
            // each call looked at its reply only, never at the 100,000 queued messages
            assertThat(examined[0]).isEqualTo(1000);
            Proc.exit(server, ExitReason.KILL);
            return null;
        });
    }
}
