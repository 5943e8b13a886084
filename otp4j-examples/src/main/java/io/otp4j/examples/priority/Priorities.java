package io.otp4j.examples.priority;

import io.otp4j.Node;
import io.otp4j.Proc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Selective receive: take the important messages first, whatever order they arrived in.
 *
 * <p>A mailbox is a queue, but a receive need not take its head. It looks at the messages in
 * arrival order and takes the first one its pattern matches; the others keep their place for
 * later receives. With a time-out of zero (Erlang's {@code after 0}) a receive takes only what is
 * already there and never waits. Together they sort a mailbox by priority in two small functions,
 * as in Erlang:
 * <pre>
 * important() ->
 *     receive {Priority, Message} when Priority > 10 -> [Message | important()]
 *     after 0 -> normal()
 *     end.
 *
 * normal() ->
 *     receive {_, Message} -> [Message | normal()]
 *     after 0 -> []
 *     end.
 * </pre>
 * {@link #important()} takes every job above priority 10, in arrival order, then hands over to
 * {@link #normal()}, which takes the rest. Sent {@code (15, high) (7, low) (1, low) (17, high)},
 * they come out {@code high high low low}.
 *
 * <p>The cost to know: every receive scans the messages it skips. A process that leaves many
 * messages it never takes slows down each receive and grows; here each message is taken exactly
 * once. The recursion is as deep as the mailbox is long, which is fine for a handful of messages:
 * a loop would do for thousands.
 */
public final class Priorities {
    private Priorities() {
    }

    /** A message with a priority: Erlang's {@code {Priority, Message}}. */
    public record Job(int priority, String text) {
    }

    /** The texts of the jobs in this process's mailbox: priority above 10 first, then the others; never waits. */
    public static List<String> important() {
        return Proc.receive(m -> m instanceof Job(int p, String text) && p > 10 ? text : null, Duration.ZERO)
                .map(text -> prepend(text, important()))
                .orElseGet(Priorities::normal);
    }

    /** The texts of the remaining jobs in this process's mailbox, in arrival order; never waits. */
    public static List<String> normal() {
        return Proc.receive(m -> m instanceof Job(int p, String text) ? text : null, Duration.ZERO)
                .map(text -> prepend(text, normal()))
                .orElseGet(List::of);
    }

    /** {@code [head | tail]}. */
    private static List<String> prepend(String head, List<String> tail) {
        List<String> list = new ArrayList<>(tail.size() + 1);
        list.add(head);
        list.addAll(tail);
        return List.copyOf(list);
    }

    public static void main(String[] args) throws Exception {
        List<String> order = Node.local().run(() -> {
            Proc.send(Proc.self(), new Job(15, "high"));
            Proc.send(Proc.self(), new Job(7, "low"));
            Proc.send(Proc.self(), new Job(1, "low"));
            Proc.send(Proc.self(), new Job(17, "high"));
            return important();
        });
        System.out.println(order); // [high, high, low, low]
        System.exit(0);
    }
}
