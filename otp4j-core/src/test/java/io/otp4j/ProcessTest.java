package io.otp4j;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Spawning, identity, sending and receiving. */
class ProcessTest extends NodeTestSupport {

    record Job(int priority, String text) {
    }

    record Echo(Pid from, Object payload) {
    }

    @Test
    void spawnedProcessRunsItsBodyAndKnowsItself() throws Exception {
        Pid child = inProcess(() -> {
            Pid me = Proc.self();
            Pid c = Proc.spawn(() -> Proc.send(me, Proc.self()));
            assertThat(await()).isEqualTo(c);
            return c;
        });
        assertThat(child.node()).isEqualTo(node.name());
        assertThat(child.toString()).matches("<0\\.\\d+\\.\\d+>");
    }

    @Test
    void pidsCarryNodeIdSerialAndCreation() throws Exception {
        Pid p = node.spawn(idle());
        assertThat(p.node()).isEqualTo(node.name());
        assertThat(p.creation()).isEqualTo(node.creation());
        assertThat(p).isEqualTo(new Pid(p.node(), p.id(), p.serial(), p.creation()));
        assertThat(new Pid("other@host", 1, 0, 1).toString()).matches("<[1-9]\\d*\\.1\\.0>");
        runtime().kill(p);
    }

    @Test
    void messagesBetweenTwoProcessesArriveInOrder() throws Exception {
        List<Object> got = inProcess(() -> {
            Pid me = Proc.self();
            Proc.spawn(() -> {
                for (int i = 0; i < 1000; i++) Proc.send(me, i);
            });
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < 1000; i++) out.add(await());
            return out;
        });
        for (int i = 0; i < 1000; i++) assertThat(got.get(i)).isEqualTo(i);
    }

    @Test
    void sendingToADeadProcessIsSilentlyDropped() throws Exception {
        inProcess(() -> {
            Pid p = Proc.spawn(() -> { });
            awaitExit(p);
            Proc.send(p, "lost"); // no exception
            assertThat(Proc.isAlive(p)).isFalse();
        });
    }

    @Test
    void sendingToAnUnknownNameIsAClearError() {
        assertThatThrownBy(() -> node.send("nobody_here", "hi"))
                .isInstanceOf(NoSuchNameException.class)
                .hasMessageContaining("nobody_here")
                .hasMessageContaining(node.name());
    }

    @Test
    void nullMessagesAreRefused() {
        Pid p = node.spawn(idle());
        assertThatThrownBy(() -> node.send(p, null)).isInstanceOf(NullPointerException.class);
        runtime().kill(p);
    }

    @Test
    void receiveTimeoutZeroTakesOnlyWhatIsThere() throws Exception {
        inProcess(() -> {
            assertThat(Proc.receive(Duration.ZERO)).isEmpty();
            Proc.send(Proc.self(), "here");
            assertThat(Proc.receive(Duration.ZERO)).contains("here");
        });
    }

    @Test
    void receiveTimeoutExpiresWhenNothingComes() throws Exception {
        inProcess(() -> {
            long t0 = System.nanoTime();
            assertThat(Proc.receive(Duration.ofMillis(30))).isEmpty();
            // never early
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
        });
    }

    @Test
    void receiveWithTimeoutReturnsAMessageThatArrivesInTime() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Proc.sendAfter(Duration.ofMillis(20), me, "late but in time");
            assertThat(Proc.receive(Duration.ofSeconds(10))).contains("late but in time");
        });
    }

    @Test
    void infinityWaitsForTheMessage() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Proc.spawn(() -> Proc.send(me, "eventually"));
            assertThat(Proc.receive(Proc.INFINITY)).contains("eventually");
        });
    }

    @Test
    void selectiveReceiveLeavesUnmatchedMessagesInOrder() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            for (int i = 0; i < 10; i++) Proc.send(me, i);
            Proc.send(me, "the one");
            for (int i = 10; i < 20; i++) Proc.send(me, i);
            String s = Proc.receive(m -> m instanceof String x ? x : null);
            assertThat(s).isEqualTo("the one");
            // evens first, by selective receive, then the odds in order
            List<Integer> evens = new ArrayList<>();
            for (int i = 0; i < 10; i++) evens.add(Proc.receive(m -> m instanceof Integer n && n % 2 == 0 ? n : null));
            assertThat(evens).containsExactly(0, 2, 4, 6, 8, 10, 12, 14, 16, 18);
            List<Object> rest = new ArrayList<>();
            for (int i = 0; i < 10; i++) rest.add(Proc.receive());
            assertThat(rest).containsExactly(1, 3, 5, 7, 9, 11, 13, 15, 17, 19);
            assertThat(Proc.receive(Duration.ZERO)).isEmpty();
        });
    }

    @Test
    void selectiveReceiveWaitsForAMatchThatArrivesLater() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Proc.send(me, "noise-1");
            Proc.spawn(() -> {
                Proc.send(me, "noise-2");
                Proc.send(me, 42);
            });
            int n = Proc.receive(m -> m instanceof Integer i ? i : null);
            assertThat(n).isEqualTo(42);
            assertThat(Proc.receive()).isEqualTo("noise-1");
            assertThat(Proc.receive()).isEqualTo("noise-2");
        });
    }

    @Test
    void aMatcherThatTakesNothingTimesOutAndKeepsTheMailbox() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            for (int i = 0; i < 5; i++) Proc.send(me, i);
            assertThat(Proc.receive(m -> m instanceof String s ? s : null, Duration.ofMillis(5))).isEmpty();
            assertThat(Proc.info(me).orElseThrow().messageQueueLen()).isEqualTo(5);
            for (int i = 0; i < 5; i++) assertThat(Proc.receive()).isEqualTo(i);
        });
    }

    // The classic priority receive: messages with priority > 10 first, using `after 0`.
    static List<String> important() {
        return Proc.receive(m -> m instanceof Job(int p, String text) && p > 10 ? text : null, Duration.ZERO)
                .map(text -> prepend(text, important()))
                .orElseGet(ProcessTest::normal);
    }

    static List<String> normal() {
        return Proc.receive(m -> m instanceof Job(int p, String text) ? text : null, Duration.ZERO)
                .map(text -> prepend(text, normal()))
                .orElseGet(List::of);
    }

    static List<String> prepend(String head, List<String> tail) {
        List<String> l = new ArrayList<>(tail.size() + 1);
        l.add(head);
        l.addAll(tail);
        return l;
    }

    @Test
    void priorityReceiveTakesImportantMessagesFirst() throws Exception {
        List<String> order = inProcess(() -> {
            Pid me = Proc.self();
            Proc.send(me, new Job(15, "high"));
            Proc.send(me, new Job(7, "low"));
            Proc.send(me, new Job(1, "low2"));
            Proc.send(me, new Job(17, "high2"));
            return important();
        });
        assertThat(order).containsExactly("high", "high2", "low", "low2");
    }

    @Test
    void receiveReplyDoesNotExamineMessagesOlderThanTheReference() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            for (int i = 0; i < 1000; i++) Proc.send(me, new Echo(me, i)); // old messages
            Pid echo = Proc.spawn(() -> {
                Echo e = (Echo) Proc.receive();
                Proc.send(e.from(), e.payload());
            });
            Ref ref = Proc.makeRef();
            Proc.send(echo, new Echo(me, ref));
            int[] examined = {0};
            Ref r = Proc.receiveReply(ref, m -> {
                examined[0]++;
                return m == ref || ref.equals(m) ? (Ref) m : null;
            });
            assertThat(r).isEqualTo(ref);
            assertThat(examined[0]).isEqualTo(1);
            assertThat(Proc.info(me).orElseThrow().messageQueueLen()).isEqualTo(1000);
        });
    }

    @Test
    void receiveReplyAfterAnotherReceiveStillFindsTheReply() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            Ref ref = Proc.makeRef();
            Proc.send(me, ref);
            Proc.send(me, "other");
            String other = Proc.receive(m -> m instanceof String s ? s : null);
            assertThat(other).isEqualTo("other");
            // the marker is gone: the whole mailbox is examined, the reply is found
            Object reply = Proc.receiveReply(ref, m -> ref.equals(m) ? m : null);
            assertThat(reply).isEqualTo(ref);
        });
    }

    @Test
    void processApiOutsideAProcessSaysWhatToDo() {
        assertThatThrownBy(Proc::self).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("inside an otp4j process");
        assertThatThrownBy(Proc::receive).isInstanceOf(IllegalStateException.class);
        assertThat(Proc.inProcess()).isFalse();
    }

    @Test
    void nodeRunPropagatesResultsAndExceptions() throws Exception {
        assertThat(inProcess(() -> 6 * 7)).isEqualTo(42);
        assertThatThrownBy(() -> node.run(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    }

    @Test
    void makeRefIsUnique() throws Exception {
        inProcess(() -> {
            Ref a = Proc.makeRef();
            Ref b = Proc.makeRef();
            assertThat(a).isNotEqualTo(b);
            assertThat(a.node()).isEqualTo(node.name());
            assertThat(a.toString()).startsWith("#Ref<0.");
            assertThat(new Ref(a.node(), a.creation(), a.words())).isEqualTo(a);
        });
    }

    @Test
    void sleepDoesNotConsumeMessages() throws Exception {
        inProcess(() -> {
            Proc.send(Proc.self(), "kept");
            Proc.sleep(Duration.ofMillis(5));
            assertThat(Proc.receive(Duration.ZERO)).contains("kept");
        });
    }

    @Test
    void negativeTimeoutsAreRefused() throws Exception {
        inProcess(() -> {
            assertThatThrownBy(() -> Proc.receive(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void receiveOfTypeMatcher() throws Exception {
        inProcess(() -> {
            Proc.send(Proc.self(), 1);
            Proc.send(Proc.self(), "two");
            assertThat(Proc.receive(Matcher.type(String.class))).isEqualTo("two");
            assertThat(Proc.receive(Matcher.type(Integer.class), Duration.ZERO)).isEqualTo(Optional.of(1));
        });
    }
}
