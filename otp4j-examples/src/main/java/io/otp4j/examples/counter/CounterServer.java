package io.otp4j.examples.counter;

import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;

/**
 * The {@link Counter} again, as a {@link GenServer}: the same client functions over the same state,
 * with OTP's generic server writing the loop.
 *
 * {@snippet :
 * ServerRef<CounterServer.Msg> counter = CounterServer.startLink("counter");
 * CounterServer.inc(counter);                 // GenServer.cast: returns at once
 * int n = CounterServer.val(counter);         // GenServer.call: 1
 * }
 *
 * <p>What moved into OTP: the receive loop, the reference that tags a reply and the selective
 * receive that waits for it, the timeout of the wait (5 seconds), and what a caller sees when the
 * server dies while it waits (a {@code CallException} rather than a wait until the timeout). What
 * is left is the part only this server knows: the messages ({@link Inc}, {@link Dec} are casts,
 * {@link Val} is a call) and what each does to the count.
 *
 * <p>The client half (static functions, run by the caller) and the server half (the callbacks,
 * run in the server process) sit side by side, as in an Elixir module with {@code use GenServer}.
 */
public final class CounterServer implements GenServer<Integer, CounterServer.Msg> {

    /** The counter's protocol. */
    public sealed interface Msg {
    }

    /** Add one (a cast). */
    public record Inc() implements Msg {
    }

    /** Take one away (a cast). */
    public record Dec() implements Msg {
    }

    /** The count (a call). */
    public record Val() implements Msg {
    }

    // ------------------------------------------------------------------ client

    /** Starts a counter at 0, linked to the caller, registered as {@code name}. */
    public static ServerRef<Msg> startLink(String name) {
        GenServer.startLink(new CounterServer(), StartOptions.named(name));
        return ServerRef.named(name); // follows the counter across restarts
    }

    public static void inc(ServerRef<Msg> counter) {
        GenServer.cast(counter, new Inc());
    }

    public static void dec(ServerRef<Msg> counter) {
        GenServer.cast(counter, new Dec());
    }

    public static int val(ServerRef<Msg> counter) {
        return GenServer.call(counter, new Val());
    }

    // ------------------------------------------------------------------ server

    @Override
    public Init<Integer> init() {
        return new Init.Ok<>(0);
    }

    @Override
    public CastResult<Integer> handleCast(Msg msg, Integer n) {
        return switch (msg) {
            case Inc() -> new NoReply<>(n + 1);
            case Dec() -> new NoReply<>(n - 1);
            case Val() -> throw new IllegalArgumentException("val is a call, not a cast");
        };
    }

    @Override
    public CallResult<Integer> handleCall(Msg msg, From from, Integer n) {
        return switch (msg) {
            case Val() -> new Reply<>(n, n);
            case Inc(), Dec() -> throw new IllegalArgumentException(msg + " is a cast, not a call");
        };
    }
}
