package io.otp4j.stage;

/**
 * A stage that emits events when its consumers ask for them (a {@code :producer} in GenStage).
 *
 * {@snippet :
 * // counts up from a number, as fast as demand allows
 * record Counter(long from) implements Producer<Long, Long> {
 *     public Init<Long> init() { return new Init.Ok<>(from); }
 *
 *     public Result<Long, Long> handleDemand(long demand, Long next) {
 *         var events = new ArrayList<Long>((int) demand);
 *         for (long i = 0; i < demand; i++) events.add(next + i);
 *         return new NoReply<>(events, next + demand);
 *     }
 * }
 * }
 *
 * <p>Events may be returned from any callback, not only {@link #handleDemand}: events returned
 * without demand are kept in the producer's buffer ({@link StageOptions#bufferSize}, 10,000 by
 * default; when it is full, {@link StageOptions#bufferKeep} says which end is dropped, with a
 * warning) and sent as demand arrives.
 *
 * @param <S> the state
 * @param <O> the events emitted
 */
public non-sealed interface Producer<S, O> extends Stage<S, O> {

    /**
     * The consumers want {@code demand} more events (the sum of their demand not yet met, less what
     * the buffer could give). Return up to that many; returning fewer is fine, and more are
     * buffered. Never called while the demand mode is {@link DemandMode#ACCUMULATE}.
     */
    Result<S, O> handleDemand(long demand, S state) throws Exception;
}
