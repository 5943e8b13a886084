package io.otp4j.examples.doorlock;

import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.GenStatem;
import io.otp4j.behaviour.ServerRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DoorLockTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(Node.Options.named("doorlock_test@localhost").withCheckMessages(true));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    /** The hardware of the tests: tells the test process what the lock did to the door. */
    record Recording(Pid observer) implements DoorLock.Door {
        public void lock() {
            Proc.send(observer, "locked");
        }

        public void unlock() {
            Proc.send(observer, "unlocked");
        }
    }

    static DoorLock.Options options() {
        return DoorLock.Options.forCode(1, 2, 3, 4).door(new Recording(Proc.self()));
    }

    static String door() {
        return Proc.receive(m -> m instanceof String s ? s : null, WAIT)
                .orElseThrow(() -> new AssertionError("the door did nothing within " + WAIT));
    }

    /** Asks the lock something: every button pressed before has been handled once it answers. */
    static void sync(ServerRef<DoorLock.Msg> lock) {
        assertThat(DoorLock.codeLength(lock)).isEqualTo(4);
    }

    static void press(ServerRef<DoorLock.Msg> lock, int... digits) {
        for (int d : digits) DoorLock.button(lock, d);
    }

    @Test
    void theDoorIsLockedWhenTheLockStarts() throws Exception {
        node.run(() -> {
            ServerRef<DoorLock.Msg> lock = DoorLock.start(options());
            assertThat(door()).isEqualTo("locked");
            assertThat(GenStatem.<DoorLock.State, DoorLock.Data>getState(lock).state()).isEqualTo(new DoorLock.Locked());
            GenStatem.stop(lock);
            return null;
        });
    }

    @Test
    void theRightCodeOpensAndTheStateTimeoutLocksAgain() throws Exception {
        node.run(() -> {
            ServerRef<DoorLock.Msg> lock = DoorLock.start(options().openFor(Duration.ofMillis(20)));
            assertThat(door()).isEqualTo("locked");
            press(lock, 1, 2, 3, 4);
            assertThat(door()).isEqualTo("unlocked");
            assertThat(door()).isEqualTo("locked");
            GenStatem.stop(lock);
            return null;
        });
    }

    @Test
    void aWrongCodeKeepsTheDoorLockedAndOnlyTheLastDigitsCount() throws Exception {
        node.run(() -> {
            ServerRef<DoorLock.Msg> lock = DoorLock.start(options());
            assertThat(door()).isEqualTo("locked");
            press(lock, 1, 2, 3, 5);
            sync(lock);
            assertThat(Proc.receive(m -> m instanceof String s ? s : null, Duration.ZERO)).isEmpty();
            press(lock, 1, 2, 3, 4); // ...5, 1, 2, 3, 4: the last four are the code
            assertThat(door()).isEqualTo("unlocked");
            GenStatem.stop(lock);
            return null;
        });
    }

    @Test
    void buttonsPressedWhileTheDoorIsOpenCountOnceItIsLockedAgain() throws Exception {
        node.run(() -> {
            ServerRef<DoorLock.Msg> lock = DoorLock.start(options().openFor(Duration.ofMillis(300)));
            assertThat(door()).isEqualTo("locked");
            press(lock, 1, 2, 3, 4);
            assertThat(door()).isEqualTo("unlocked");
            press(lock, 1, 2, 3, 4);
            // handled while open: postponed, not collected
            GenStatem.Snapshot<DoorLock.State, DoorLock.Data> open = GenStatem.getState(lock);
            assertThat(open.state()).isEqualTo(new DoorLock.Open());
            assertThat(open.data().pressed()).isEmpty();
            // once locked, the postponed presses are retried: they open the door again
            assertThat(door()).isEqualTo("locked");
            assertThat(door()).isEqualTo("unlocked");
            GenStatem.stop(lock);
            return null;
        });
    }

    @Test
    void digitsAreForgottenWhenNoButtonIsPressedForAWhile() throws Exception {
        node.run(() -> {
            ServerRef<DoorLock.Msg> lock = DoorLock.start(options().forgetAfter(Duration.ofMillis(10)));
            assertThat(door()).isEqualTo("locked");
            press(lock, 1, 2); // (a call now would be an event, and restart the wait)
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!GenStatem.<DoorLock.State, DoorLock.Data>getState(lock).data().pressed().isEmpty()) {
                assertThat(System.nanoTime()).as("digits forgotten in time").isLessThan(deadline);
                Proc.yield();
            }
            press(lock, 3, 4); // without the 1, 2 forgotten, not the code
            sync(lock);
            assertThat(Proc.receive(m -> m instanceof String s ? s : null, Duration.ZERO)).isEmpty();
            GenStatem.stop(lock);
            return null;
        });
    }

    @Test
    void theCodeLengthIsAnsweredInEveryState() throws Exception {
        node.run(() -> {
            ServerRef<DoorLock.Msg> lock = DoorLock.start(options().openFor(Duration.ofSeconds(30)));
            assertThat(door()).isEqualTo("locked");
            sync(lock);
            press(lock, 1, 2, 3, 4);
            assertThat(door()).isEqualTo("unlocked");
            sync(lock);
            GenStatem.stop(lock);
            return null;
        });
    }
}
