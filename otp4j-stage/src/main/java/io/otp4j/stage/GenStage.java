package io.otp4j.stage;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.internal.gen.Gen;
import io.otp4j.stage.internal.GenStageSend;
import io.otp4j.stage.internal.StageMessages;
import io.otp4j.stage.internal.StageServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * GenStage (Elixir's {@code GenStage}): processes that exchange events under demand, so that a
 * fast producer never overruns a slow consumer. A pipeline is a chain of stages: a
 * {@link Producer}, any number of {@link ProducerConsumer}s, and {@link Consumer}s; each consumer
 * subscribes to its producers and asks them for at most {@code max_demand} events at a time.
 *
 * {@snippet :
 * var numbers = GenStage.start(new Counter(1));                  // a Producer<Long, Long>
 * var doubled = GenStage.start(new Doubler(numbers));            // a ProducerConsumer subscribing in init
 * var sink = GenStage.start(new Printer(doubled));               // a Consumer subscribing in init
 * }
 *
 * <h2>Demand</h2>
 * A consumer asks each producer for {@code maxDemand} events (1000 by default) when it subscribes,
 * and asks again each time the events in flight fall to {@code minDemand} (half of
 * {@code maxDemand} by default): events arrive in batches of at most
 * {@code maxDemand - minDemand}. A consumer whose {@link Stage#handleSubscribe} returns
 * {@link Stage.Manual} asks by itself with {@link #ask}. A producer-consumer handles incoming
 * events only while its own consumers want output, so demand, and therefore back-pressure, travels
 * up the whole pipeline. A producer emits events only when asked, except those its callbacks
 * return unasked, which wait in its buffer.
 *
 * <h2>Subscriptions end</h2>
 * When a producer exits or cancels, each consumer acts on the subscription's {@link CancelMode}:
 * {@code PERMANENT} (default) consumers exit with the same reason, {@code TRANSIENT} ones only for
 * an abnormal reason, {@code TEMPORARY} ones go on. When a consumer exits or cancels, its producer
 * forgets its demand and goes on.
 *
 * <h2>Differences from Elixir's GenStage</h2>
 * Custom dispatchers are not pluggable: the three of {@link Dispatcher} are available. A partition
 * dispatcher delivers info messages as soon as the producer's buffer is empty, without waiting for
 * each partition's queue. {@code GenStage.stream/2} is replaced by the {@link java.util.concurrent.Flow}
 * bridge ({@code FlowStages}).
 */
public final class GenStage {
    private GenStage() {
    }

    // ------------------------------------------------------------------ start and stop

    /** Starts a stage, not linked. Returns once its {@code init} has returned. */
    public static ServerRef<Object> start(Stage<?, ?> stage) {
        return start(stage, StartOptions.DEFAULT);
    }

    public static ServerRef<Object> start(Stage<?, ?> stage, StartOptions options) {
        return ServerRef.of(StageServer.start(Objects.requireNonNull(stage, "stage"), options, false));
    }

    /** Starts a stage linked to the calling process (for supervisors). */
    public static ServerRef<Object> startLink(Stage<?, ?> stage) {
        return startLink(stage, StartOptions.DEFAULT);
    }

    public static ServerRef<Object> startLink(Stage<?, ?> stage, StartOptions options) {
        return ServerRef.of(StageServer.start(Objects.requireNonNull(stage, "stage"), options, true));
    }

    /**
     * A producer of the items of {@code items}, taken as demand arrives (Elixir's
     * {@code GenStage.from_enumerable}); it stops with reason {@code normal} once the last item has
     * been dispatched, so {@code PERMANENT} consumers stop with it after handling every item.
     */
    public static <O> ServerRef<Object> fromIterable(Iterable<? extends O> items, StageOptions options, boolean link) {
        IterableProducer<O> p = new IterableProducer<>(items.iterator(), options);
        return link ? startLink(p) : start(p);
    }

    public static <O> ServerRef<Object> fromIterable(Iterable<? extends O> items) {
        return fromIterable(items, StageOptions.DEFAULT, false);
    }

    /** Stops a stage with reason {@code normal}, waiting until it has terminated. */
    public static void stop(ServerRef<?> stage) {
        GenServer.stop(stage);
    }

    public static void stop(ServerRef<?> stage, ExitReason reason, Duration timeout) {
        GenServer.stop(stage, reason, timeout);
    }

    // ------------------------------------------------------------------ calls and casts

    /** Calls the stage's {@link Stage#handleCall}; waits at most 5 seconds. */
    public static <R> R call(ServerRef<?> stage, Object request) {
        return Gen.call(stage, request, Gen.DEFAULT_CALL_TIMEOUT);
    }

    public static <R> R call(ServerRef<?> stage, Object request, Duration timeout) {
        return Gen.call(stage, request, timeout);
    }

    /** Sends {@code msg} to the stage's {@link Stage#handleCast}. */
    public static void cast(ServerRef<?> stage, Object msg) {
        Gen.cast(stage, msg);
    }

    /** Answers a call later. */
    public static void reply(From from, Object reply) {
        GenServer.reply(from, reply);
    }

    // ------------------------------------------------------------------ subscriptions

    /**
     * Asks {@code consumer} to subscribe as {@code options} say, and waits until it has sent the
     * subscription (not until the producer has taken it).
     *
     * @return the subscription's tag
     * @throws IllegalArgumentException if the options are wrong, or {@code consumer} is a producer
     */
    public static Ref syncSubscribe(ServerRef<?> consumer, SubscribeOptions options) {
        return subscribe(consumer, null, null, options);
    }

    /** Cancels the subscription {@code tag} with {@code reason}, then subscribes as {@code options} say. */
    public static Ref syncResubscribe(ServerRef<?> consumer, Ref tag, ExitReason reason, SubscribeOptions options) {
        return subscribe(consumer, Objects.requireNonNull(tag, "tag"), Objects.requireNonNull(reason, "reason"), options);
    }

    private static Ref subscribe(ServerRef<?> consumer, Ref cancel, ExitReason reason, SubscribeOptions options) {
        check(options);
        Object r = Gen.call(consumer, new StageMessages.SubscribeRequest(cancel, reason, options), Gen.DEFAULT_CALL_TIMEOUT);
        if (r instanceof StageMessages.Refused(String why)) throw new IllegalArgumentException(why);
        return (Ref) r;
    }

    /** As {@link #syncSubscribe}, without waiting (typically called from the consumer's own init). */
    public static void asyncSubscribe(ServerRef<?> consumer, SubscribeOptions options) {
        check(options);
        Gen.cast(consumer, new StageMessages.SubscribeRequest(null, null, options));
    }

    public static void asyncResubscribe(ServerRef<?> consumer, Ref tag, ExitReason reason, SubscribeOptions options) {
        check(options);
        Gen.cast(consumer, new StageMessages.SubscribeRequest(Objects.requireNonNull(tag, "tag"),
                Objects.requireNonNull(reason, "reason"), options));
    }

    private static void check(SubscribeOptions options) {
        String problem = Objects.requireNonNull(options, "options").problem();
        if (problem != null) throw new IllegalArgumentException("bad subscription options: " + problem);
    }

    /**
     * Asks the producer of {@code subscription} for {@code count} more events; for subscriptions in
     * {@link Stage.Manual manual} mode, from the consumer. Zero asks nothing.
     */
    public static void ask(Subscription subscription, long count) {
        if (count < 0) throw new IllegalArgumentException("demand must be >= 0, got " + count);
        if (count == 0) return;
        GenStageSend.ask(Proc.inProcess() ? Proc.self() : null, subscription.peer(), subscription.tag(), count);
    }

    /** Cancels {@code subscription} on its producer, with {@code reason}; the consumer then acts on its {@link CancelMode}. */
    public static void cancel(Subscription subscription, ExitReason reason) {
        GenStageSend.cancel(Proc.inProcess() ? Proc.self() : null, subscription.peer(), subscription.tag(),
                Objects.requireNonNull(reason, "reason"));
    }

    // ------------------------------------------------------------------ producers

    /** A producer's demand mode. */
    public static DemandMode demand(ServerRef<?> producer) {
        return Gen.call(producer, new StageMessages.GetDemand(), Gen.DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Sets a producer's demand mode: {@link DemandMode#ACCUMULATE} keeps demand (and events) until
     * it is set back to {@link DemandMode#FORWARD}, for example until every consumer has subscribed.
     */
    public static void demand(ServerRef<?> producer, DemandMode mode) {
        Gen.cast(producer, new StageMessages.SetDemand(Objects.requireNonNull(mode, "mode")));
    }

    /** How many events wait in a producer's buffer. */
    public static int estimateBufferedCount(ServerRef<?> producer) {
        return Gen.call(producer, new StageMessages.BufferedCount(), Gen.DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Queues {@code msg} for the stage's {@link Stage#handleInfo}, after the events it has buffered
     * (or at once for a consumer); returns once it is queued.
     */
    public static void syncInfo(ServerRef<?> stage, Object msg) {
        Gen.call(stage, new StageMessages.Info(msg), Gen.DEFAULT_CALL_TIMEOUT);
    }

    /** As {@link #syncInfo}, without waiting. */
    public static void asyncInfo(ServerRef<?> stage, Object msg) {
        Gen.cast(stage, new StageMessages.Info(msg));
    }

    /** The producer behind {@link #fromIterable}. */
    private static final class IterableProducer<O> implements Producer<Iterator<? extends O>, O> {
        private static final Object DONE = new Object() {
            @Override
            public String toString() {
                return "iterable_done";
            }
        };
        private final Iterator<? extends O> items;
        private final StageOptions options;

        IterableProducer(Iterator<? extends O> items, StageOptions options) {
            this.items = items;
            this.options = options;
        }

        @Override
        public Init<Iterator<? extends O>> init() {
            return new Init.Ok<>(items, options);
        }

        @Override
        public Result<Iterator<? extends O>, O> handleDemand(long demand, Iterator<? extends O> it) {
            List<O> out = new ArrayList<>((int) Math.min(demand, 4096));
            while (out.size() < demand && it.hasNext()) out.add(it.next());
            if (!it.hasNext()) asyncInfo(ServerRef.of(Proc.self()), DONE);
            return new NoReply<>(out, it);
        }

        @Override
        public Result<Iterator<? extends O>, O> handleInfo(Object msg, Iterator<? extends O> it) throws Exception {
            if (msg == DONE) return new Stop<>(ExitReason.NORMAL, it);
            return Producer.super.handleInfo(msg, it);
        }
    }

    /** The pid of a running stage, if it runs. */
    static Pid pid(ServerRef<?> stage) {
        return stage.pid();
    }
}
