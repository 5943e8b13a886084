package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.internal.gen.SysView;

import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A process that holds a value (Elixir's {@code Agent}): state without a protocol of your own.
 *
 * {@snippet :
 * Agent<Map<String, Integer>> scores = Agent.start(Map::of);
 * scores.update(m -> plus(m, "alice", 10));
 * int alice = scores.get(m -> m.getOrDefault("alice", 0));
 * }
 *
 * <p>The functions run <em>inside</em> the agent process, one at a time, so the value is never
 * shared. Keep them short: while one runs, every other caller waits. An Agent is a
 * {@link GenServer}; supervise it with {@code ChildSpec.worker(id, () -> Agent.startLink(...).ref())}.
 *
 * @param <S> the value (immutable values make {@link #get} safe to hand out)
 */
public final class Agent<S> {
    private final ServerRef<Op<S>> ref;

    private Agent(ServerRef<Op<S>> ref) {
        this.ref = ref;
    }

    /** What the agent does, in its own process. */
    sealed interface Op<S> {
    }

    record Get<S, R>(Function<S, R> fn) implements Op<S> {
    }

    record Update<S>(UnaryOperator<S> fn) implements Op<S> {
    }

    record GetAndUpdate<S, R>(Function<S, Pair<R, S>> fn) implements Op<S> {
    }

    /** A result and a new value, for {@link #getAndUpdate}. */
    public record Pair<R, S>(R result, S state) {
    }

    private record Server<S>(Supplier<S> initial) implements GenServer<S, Op<S>>, SysView<S> {
        @Override
        public String behaviourName() {
            return "Agent";
        }

        @Override
        public String moduleName() {
            return Agent.class.getName();
        }

        @Override
        public Init<S> init() {
            return new Init.Ok<>(initial.get());
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public CallResult<S> handleCall(Op<S> op, From from, S s) {
            return switch (op) {
                case Get g -> new Reply<>(g.fn().apply(s), s);
                case Update<S> u -> new Reply<>(Boolean.TRUE, u.fn().apply(s));
                case GetAndUpdate g -> {
                    Pair<Object, S> p = (Pair<Object, S>) g.fn().apply(s);
                    yield new Reply<>(p.result(), p.state());
                }
            };
        }

        @Override
        public CastResult<S> handleCast(Op<S> op, S s) {
            if (op instanceof Update<S> u) return new NoReply<>(u.fn().apply(s));
            return new NoReply<>(s);
        }
    }

    // ------------------------------------------------------------------ client API

    /** Starts an agent whose value is {@code initial.get()} (evaluated in the agent), not linked. */
    public static <S> Agent<S> start(Supplier<S> initial) {
        return start(initial, StartOptions.DEFAULT);
    }

    public static <S> Agent<S> start(Supplier<S> initial, StartOptions options) {
        return new Agent<>(GenServer.start(new Server<>(initial), options));
    }

    /** Starts an agent linked to the calling process. */
    public static <S> Agent<S> startLink(Supplier<S> initial) {
        return startLink(initial, StartOptions.DEFAULT);
    }

    public static <S> Agent<S> startLink(Supplier<S> initial, StartOptions options) {
        return new Agent<>(GenServer.startLink(new Server<>(initial), options));
    }

    /** An agent by name (started with {@link StartOptions#named}). */
    public static <S> Agent<S> named(String name) {
        return new Agent<>(ServerRef.named(name));
    }

    /** An agent by any name. */
    public static <S> Agent<S> of(ServerRef<?> ref) {
        @SuppressWarnings("unchecked")
        ServerRef<Op<S>> r = (ServerRef<Op<S>>) ref;
        return new Agent<>(r);
    }

    /** Applies {@code fn} to the value in the agent and returns the result (5 s timeout). */
    public <R> R get(Function<S, R> fn) {
        return GenServer.call(ref, new Get<>(fn));
    }

    public <R> R get(Function<S, R> fn, Duration timeout) {
        return GenServer.call(ref, new Get<>(fn), timeout);
    }

    /** Replaces the value with {@code fn(value)} and waits until done. */
    public void update(UnaryOperator<S> fn) {
        GenServer.call(ref, new Update<>(fn));
    }

    public void update(UnaryOperator<S> fn, Duration timeout) {
        GenServer.call(ref, new Update<>(fn), timeout);
    }

    /** Computes a result and a new value in one step. */
    public <R> R getAndUpdate(Function<S, Pair<R, S>> fn) {
        return GenServer.call(ref, new GetAndUpdate<>(fn));
    }

    /** Replaces the value with {@code fn(value)} without waiting. */
    public void cast(UnaryOperator<S> fn) {
        GenServer.cast(ref, new Update<>(fn));
    }

    /** Stops the agent (reason normal) and waits until it has. */
    public void stop() {
        GenServer.stop(ref);
    }

    public void stop(ExitReason reason, Duration timeout) {
        GenServer.stop(ref, reason, timeout);
    }

    /** The agent's server reference (for supervisors and monitors). */
    public ServerRef<?> ref() {
        return ref;
    }

    @Override
    public String toString() {
        return "Agent[" + ref + "]";
    }
}
