package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** send_after, cancel_timer, read_timer. */
class TimerTest extends NodeTestSupport {

    @Test
    void sendAfterDeliversNoEarlierThanAsked() throws Exception {
        inProcess(() -> {
            long t0 = System.nanoTime();
            Proc.sendAfter(Duration.ofMillis(25), Proc.self(), "tick");
            assertThat(await()).isEqualTo("tick");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(25).toNanos());
        });
    }

    @Test
    void cancelReturnsTheTimeLeftAndTheMessageNeverComes() throws Exception {
        inProcess(() -> {
            TimerRef t = Proc.sendAfter(Duration.ofSeconds(60), Proc.self(), "never");
            Duration left = Proc.readTimer(t).orElseThrow();
            assertThat(left).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));
            Duration atCancel = Proc.cancelTimer(t).orElseThrow();
            assertThat(atCancel).isLessThanOrEqualTo(left);
            assertThat(Proc.cancelTimer(t)).isEmpty();
            assertThat(Proc.readTimer(t)).isEmpty();
        });
    }

    @Test
    void aFiredTimerCannotBeCancelled() throws Exception {
        inProcess(() -> {
            TimerRef t = Proc.sendAfter(Duration.ofMillis(1), Proc.self(), "fired");
            assertThat(await()).isEqualTo("fired");
            assertThat(Proc.cancelTimer(t)).isEmpty();
            assertThat(Proc.readTimer(t)).isEmpty();
        });
    }

    @Test
    void sendAfterToANameLooksTheNameUpAtExpiry() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Proc.sendAfter(Duration.ofMillis(20), "late_registered", "for whoever");
            Pid p = Proc.spawn(() -> Proc.send(me, "relay " + Proc.receive()));
            Proc.register("late_registered", p);
            assertThat(await()).isEqualTo("relay for whoever");
            // to a name nobody holds: nothing happens, no error
            Proc.sendAfter(Duration.ofMillis(1), "nobody", "x");
        });
    }

    @Test
    void manyTimersFireInDeadlineOrder() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            for (int i = 9; i >= 0; i--) {
                Proc.sendAfter(Duration.ofMillis(5L + 10L * i), me, i);
            }
            for (int i = 0; i < 10; i++) {
                assertThat(await()).isEqualTo(i);
            }
        });
    }

    @Test
    void timersLongerThanOneWheelTurnFire() throws Exception {
        inProcess(() -> {
            long t0 = System.nanoTime();
            Proc.sendAfter(Duration.ofMillis(1100), Proc.self(), "after a full turn");
            assertThat(await()).isEqualTo("after a full turn");
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(1100).toNanos());
        });
    }

    @Test
    void aReceiveTimeoutDoesNotLeaveATimerBehind() throws Exception {
        inProcess(() -> {
            for (int i = 0; i < 1000; i++) {
                Proc.send(Proc.self(), i);
                assertThat(Proc.receive(Duration.ofSeconds(5))).contains(i);
            }
            // the next timed receive is not woken early by a stale timer
            long t0 = System.nanoTime();
            assertThat(Proc.receive(Duration.ofMillis(20))).isEmpty();
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
        });
    }

    @Test
    void aTimerThatFiresBeforeTheProcessParksStillWakesIt() throws Exception {
        // many very short timed waits: some timers fire while their process is still on its way to
        // parking; every wait must end (a lost wake-up would leave a process parked for good)
        int procs = 500;
        int sleeps = 1000;
        inProcess(() -> {
            Pid me = Proc.self();
            for (int i = 0; i < procs; i++) {
                Proc.spawn(() -> {
                    for (int k = 0; k < sleeps; k++) Proc.sleep(Duration.ofNanos(1000));
                    Proc.send(me, "slept");
                });
            }
            for (int i = 0; i < procs; i++) {
                assertThat(Proc.receive(m -> "slept".equals(m) ? m : null, Duration.ofSeconds(60)))
                        .as("process %d of %d finished its timed waits", i + 1, procs).isPresent();
            }
        });
    }
}
