package io.otp4j.stage;

import io.otp4j.Pid;
import io.otp4j.behaviour.ServerRef;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A subscription to make: the producer, and GenStage's subscription options.
 *
 * <ul>
 *   <li>{@link #maxDemand}: at most this many events in flight on the subscription (1000 by default).</li>
 *   <li>{@link #minDemand}: once the events in flight fall to this many, ask for more, up to
 *       {@code maxDemand} again (half of {@code maxDemand} by default). Events reach
 *       {@code handleEvents} in batches of at most {@code maxDemand - minDemand}.</li>
 *   <li>{@link #cancel}: what the consumer does when the subscription ends ({@link CancelMode#PERMANENT}).</li>
 *   <li>{@link #selector}: for a producer with a {@link Dispatcher#broadcast() broadcast}
 *       dispatcher, only events for which it is true are sent on this subscription.</li>
 *   <li>{@link #partition}: for a producer with a {@link Dispatcher#partition partition}
 *       dispatcher, the partition this subscription takes.</li>
 * </ul>
 */
public final class SubscribeOptions {
    private final ServerRef<?> to;
    private final int maxDemand;
    private final Integer minDemand;
    private final CancelMode cancel;
    private final Predicate<Object> selector;
    private final Object partition;

    private SubscribeOptions(ServerRef<?> to, int maxDemand, Integer minDemand, CancelMode cancel,
                             Predicate<Object> selector, Object partition) {
        this.to = to;
        this.maxDemand = maxDemand;
        this.minDemand = minDemand;
        this.cancel = cancel;
        this.selector = selector;
        this.partition = partition;
    }

    /** A subscription to {@code producer}, with the default options. */
    public static SubscribeOptions to(ServerRef<?> producer) {
        return new SubscribeOptions(Objects.requireNonNull(producer, "producer"), 1000, null, CancelMode.PERMANENT,
                null, null);
    }

    /** A subscription to the process {@code producer}. */
    public static SubscribeOptions to(Pid producer) {
        return to(ServerRef.of(producer));
    }

    public SubscribeOptions maxDemand(int max) {
        if (max < 1) throw new IllegalArgumentException("maxDemand must be >= 1, got " + max);
        return new SubscribeOptions(to, max, minDemand, cancel, selector, partition);
    }

    public SubscribeOptions minDemand(int min) {
        if (min < 0) throw new IllegalArgumentException("minDemand must be >= 0, got " + min);
        return new SubscribeOptions(to, maxDemand, min, cancel, selector, partition);
    }

    public SubscribeOptions cancel(CancelMode mode) {
        return new SubscribeOptions(to, maxDemand, minDemand, Objects.requireNonNull(mode, "mode"), selector, partition);
    }

    @SuppressWarnings("unchecked")
    public <E> SubscribeOptions selector(Predicate<? super E> select) {
        Objects.requireNonNull(select, "selector");
        return new SubscribeOptions(to, maxDemand, minDemand, cancel, (Predicate<Object>) (Predicate<?>) select, partition);
    }

    public SubscribeOptions partition(Object p) {
        return new SubscribeOptions(to, maxDemand, minDemand, cancel, selector, Objects.requireNonNull(p, "partition"));
    }

    public ServerRef<?> producer() {
        return to;
    }

    public int maxDemand() {
        return maxDemand;
    }

    /** The minimum demand: the one set, or half the maximum. */
    public int minDemand() {
        return minDemand != null ? minDemand : maxDemand / 2;
    }

    public CancelMode cancel() {
        return cancel;
    }

    /** The broadcast selector, or null. */
    public Predicate<Object> selector() {
        return selector;
    }

    /** The partition asked for, or null. */
    public Object partition() {
        return partition;
    }

    /** Checks the options together: why they are wrong, or null when they are right. */
    public String problem() {
        int min = minDemand();
        if (min > maxDemand - 1) {
            return "minDemand must be below maxDemand (" + maxDemand + "), got " + min;
        }
        return null;
    }

    @Override
    public String toString() {
        return "SubscribeOptions[to=" + to + ", maxDemand=" + maxDemand + ", minDemand=" + minDemand() + ", cancel="
                + cancel + (selector != null ? ", selector" : "") + (partition != null ? ", partition=" + partition : "")
                + "]";
    }
}
