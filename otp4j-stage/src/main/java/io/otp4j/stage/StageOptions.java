package io.otp4j.stage;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The options a stage's {@code init} returns with its state (the keyword list of GenStage's
 * {@code init/1} result). Immutable; each {@code with} method returns a copy.
 *
 * <ul>
 *   <li>{@link #bufferSize}: how many events a producer or producer-consumer keeps while no
 *       consumer asks for them; 10,000 for a producer, unbounded for a producer-consumer by
 *       default. {@link #UNBOUNDED} for no limit.</li>
 *   <li>{@link #bufferKeep}: which events a full buffer keeps ({@link BufferKeep#LAST} by default).</li>
 *   <li>{@link #dispatcher}: how events are shared among consumers ({@link Dispatcher#demand()} by default).</li>
 *   <li>{@link #demand}: a producer's {@link DemandMode} at start ({@link DemandMode#FORWARD} by default).</li>
 *   <li>{@link #subscribeTo}: the producers a consumer or producer-consumer subscribes to in {@code init}.</li>
 * </ul>
 * Options that do not apply to the stage's kind (a buffer on a consumer, a subscription from a
 * producer) make the start fail with a message that says so.
 */
public final class StageOptions {
    /** A buffer without a limit. */
    public static final int UNBOUNDED = Integer.MAX_VALUE;

    /** No option set: every default. */
    public static final StageOptions DEFAULT = new StageOptions(null, null, null, null, List.of());

    private final Integer bufferSize;
    private final BufferKeep bufferKeep;
    private final Dispatcher dispatcher;
    private final DemandMode demand;
    private final List<SubscribeOptions> subscribeTo;

    private StageOptions(Integer bufferSize, BufferKeep bufferKeep, Dispatcher dispatcher, DemandMode demand,
                         List<SubscribeOptions> subscribeTo) {
        this.bufferSize = bufferSize;
        this.bufferKeep = bufferKeep;
        this.dispatcher = dispatcher;
        this.demand = demand;
        this.subscribeTo = subscribeTo;
    }

    public StageOptions bufferSize(int size) {
        if (size < 0) throw new IllegalArgumentException("bufferSize must be >= 0, got " + size);
        return new StageOptions(size, bufferKeep, dispatcher, demand, subscribeTo);
    }

    public StageOptions bufferKeep(BufferKeep keep) {
        return new StageOptions(bufferSize, Objects.requireNonNull(keep, "keep"), dispatcher, demand, subscribeTo);
    }

    public StageOptions dispatcher(Dispatcher d) {
        return new StageOptions(bufferSize, bufferKeep, Objects.requireNonNull(d, "dispatcher"), demand, subscribeTo);
    }

    public StageOptions demand(DemandMode mode) {
        return new StageOptions(bufferSize, bufferKeep, dispatcher, Objects.requireNonNull(mode, "mode"), subscribeTo);
    }

    /** Adds subscriptions made in {@code init}, in order. */
    public StageOptions subscribeTo(SubscribeOptions... subscriptions) {
        List<SubscribeOptions> all = new ArrayList<>(subscribeTo);
        for (SubscribeOptions s : subscriptions) all.add(Objects.requireNonNull(s, "subscription"));
        return new StageOptions(bufferSize, bufferKeep, dispatcher, demand, List.copyOf(all));
    }

    /** The buffer size set, or null for the kind's default. */
    public Integer bufferSize() {
        return bufferSize;
    }

    /** The buffer keep set, or null for the default ({@link BufferKeep#LAST}). */
    public BufferKeep bufferKeep() {
        return bufferKeep;
    }

    /** The dispatcher set, or null for the default ({@link Dispatcher#demand()}). */
    public Dispatcher dispatcher() {
        return dispatcher;
    }

    /** The demand mode set, or null for the default ({@link DemandMode#FORWARD}). */
    public DemandMode demand() {
        return demand;
    }

    public List<SubscribeOptions> subscribeTo() {
        return subscribeTo;
    }

    @Override
    public String toString() {
        return "StageOptions[bufferSize=" + bufferSize + ", bufferKeep=" + bufferKeep + ", dispatcher=" + dispatcher
                + ", demand=" + demand + ", subscribeTo=" + subscribeTo + "]";
    }
}
