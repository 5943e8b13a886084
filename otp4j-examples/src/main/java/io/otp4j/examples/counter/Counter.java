package io.otp4j.examples.counter;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;

import java.time.Duration;

/**
 * The counter written by hand, as a plain process: the way every OTP server works underneath.
 *
 * {@snippet :
 * Pid counter = Counter.startLink("raw_counter");
 * Counter.inc(counter);
 * Counter.inc(counter);
 * Counter.dec(counter);
 * int n = Counter.val(counter);      // 1
 * }
 *
 * <p>Nothing here is shared: the count lives in a local variable of the process's loop, and the
 * only way to reach it is a message. The module has two halves, as an Erlang module would:
 * <ul>
 *   <li>the <em>client</em>: {@link #inc} and {@link #dec} send a message and return at once
 *       (asynchronous); {@link #val} sends a request and waits for the answer (synchronous). To know
 *       which message in its mailbox is the answer, the caller makes a fresh reference
 *       ({@link Proc#makeRef()}, Erlang's {@code make_ref()}), sends it with the request, and receives
 *       only a reply carrying that same reference: a selective receive, Erlang's
 *       {@code receive {Ref, Val} -> Val after Timeout -> exit(timeout) end}. Anything else in the
 *       mailbox stays there, in order.</li>
 *   <li>the <em>server</em>: a loop that takes one message at a time and goes on with the new count
 *       (in Erlang, a tail-recursive {@code listen(Val)}).</li>
 * </ul>
 *
 * <p>A message the loop does not understand crashes the process, as a {@code function_clause}
 * error would. That is on purpose: under a supervisor ({@link Counters}) the counter comes back in
 * a known good state, 0, instead of limping on. {@link CounterServer} is the same counter as a
 * {@code GenServer}, where OTP writes the loop, the references and the timeout for us.
 */
public final class Counter {
    private Counter() {
    }

    /** What the counter understands. */
    sealed interface Msg {
    }

    /** Add one (asynchronous). */
    record Inc() implements Msg {
    }

    /** Take one away (asynchronous). */
    record Dec() implements Msg {
    }

    /** Send the count to {@code from}, tagged with {@code ref} (Erlang's {@code {val, From, Ref}}). */
    record Val(Pid from, Ref ref) implements Msg {
    }

    /** The answer to {@link Val}: Erlang's {@code {Ref, Value}}. */
    record Value(Ref ref, int value) {
    }

    // ------------------------------------------------------------------ client

    /**
     * Spawns a counter at 0, linked to the caller (a supervisor, usually), and registers it as
     * {@code name} before returning, so that nobody can look for it before it has its name.
     */
    public static Pid startLink(String name) {
        Pid pid = Proc.spawnLink(Counter::listen);
        Proc.register(name, pid);
        return pid;
    }

    /** Adds one; returns at once. */
    public static void inc(Pid counter) {
        Proc.send(counter, new Inc());
    }

    /** Takes one away; returns at once. */
    public static void dec(Pid counter) {
        Proc.send(counter, new Dec());
    }

    /** The count, waiting at most 5 seconds for it. */
    public static int val(Pid counter) {
        return val(counter, Duration.ofSeconds(5));
    }

    /**
     * The count. The caller exits with reason {@code timeout} if no answer comes in time (a dead
     * counter never answers), as Elixir's {@code exit(:timeout)} does.
     */
    public static int val(Pid counter, Duration timeout) {
        Ref ref = Proc.makeRef();
        Proc.send(counter, new Val(Proc.self(), ref));
        return Proc.receive(m -> m instanceof Value(Ref r, int value) && r.equals(ref) ? value : null, timeout)
                .orElseGet(() -> {
                    Proc.exit(ExitReason.of("timeout"));
                    throw new AssertionError("unreachable: exit does not return");
                });
    }

    // ------------------------------------------------------------------ server

    /** The process: one message at a time, the count carried from one to the next. */
    private static void listen() {
        int value = 0;
        while (true) {
            switch (Proc.receive()) {
                case Inc() -> value++;
                case Dec() -> value--;
                case Val(Pid from, Ref ref) -> Proc.send(from, new Value(ref, value));
                // no clause matches: let it crash, the supervisor starts a fresh counter
                case Object other -> throw new IllegalArgumentException("the counter does not understand " + other);
            }
        }
    }
}
