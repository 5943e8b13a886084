package io.otp4j.examples.priority;

import io.otp4j.Down;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.examples.priority.Priorities.Job;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class PrioritiesTest {
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(Node.Options.named("priorities_test@localhost").withCheckMessages(true));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    private static void sendToSelf(Object... msgs) {
        for (Object m : msgs) Proc.send(Proc.self(), m);
    }

    @Test
    void theSeedsMessagesComeOutHighFirst() throws Exception {
        List<String> order = node.run(() -> {
            sendToSelf(new Job(15, "high"), new Job(7, "low"), new Job(1, "low"), new Job(17, "high"));
            return Priorities.important();
        });
        assertThat(order).containsExactly("high", "high", "low", "low");
    }

    @Test
    void aboveTenFirstThenTheRestEachInArrivalOrder() throws Exception {
        List<String> order = node.run(() -> {
            sendToSelf(new Job(5, "a"), new Job(11, "b"), new Job(10, "c"), new Job(50, "d"), new Job(1, "e"),
                    new Job(12, "f"), new Job(-3, "g"));
            return Priorities.important();
        });
        // 10 is not above 10
        assertThat(order).containsExactly("b", "d", "f", "a", "c", "e", "g");
    }

    @Test
    void otherMessagesKeepTheirPlaceAndAnEmptyMailboxDoesNotWait() throws Exception {
        node.run(() -> {
            assertThat(Priorities.important()).isEmpty(); // after 0: nothing there, nothing waited for
            sendToSelf("first", new Job(3, "low"), "second", new Job(30, "high"), "third");
            assertThat(Priorities.important()).containsExactly("high", "low");
            List<Object> left = new ArrayList<>();
            for (Object m; (m = Proc.receive(Duration.ZERO).orElse(null)) != null; ) left.add(m);
            assertThat(left).containsExactly("first", "second", "third");
            return null;
        });
    }

    @Test
    void jobsFromManySendersAreSortedTooAndEachSendersOrderIsKept() throws Exception {
        List<String> order = node.run(() -> {
            Pid me = Proc.self();
            List<Ref> senders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                int sender = s;
                senders.add(Proc.spawnMonitor(() -> {
                    for (int i = 0; i < 25; i++) {
                        boolean high = i % 5 == 0;
                        Proc.send(me, new Job(high ? 20 : 5, (high ? "H" : "L") + sender + ":" + i));
                    }
                }).monitor());
            }
            for (Ref ref : senders) {
                Proc.receive(m -> m instanceof Down d && d.ref().equals(ref) ? d : null);
            }
            return Priorities.important();
        });
        assertThat(order).hasSize(100);
        assertThat(order.subList(0, 20)).allMatch(t -> t.startsWith("H"));
        assertThat(order.subList(20, 100)).allMatch(t -> t.startsWith("L"));
        for (int s = 0; s < 4; s++) {
            String prefix = s + ":";
            List<Integer> seen = order.stream().filter(t -> t.substring(1).startsWith(prefix))
                    .map(t -> Integer.parseInt(t.substring(t.indexOf(':') + 1))).toList();
            List<Integer> highs = seen.stream().filter(i -> i % 5 == 0).toList();
            List<Integer> lows = seen.stream().filter(i -> i % 5 != 0).toList();
            assertThat(highs).isSorted().hasSize(5);
            assertThat(lows).isSorted().hasSize(20);
        }
    }
}
