package io.otp4j.stage;

import java.util.List;

/**
 * A stage that receives events and emits none (a {@code :consumer} in GenStage). It subscribes to
 * producers, in {@code init} through {@link StageOptions#subscribeTo} or later with
 * {@link GenStage#syncSubscribe}, and asks each for at most {@code max_demand} events at a time.
 *
 * {@snippet :
 * record Printer() implements Consumer<Long, Long> {
 *     public Init<Long> init() {
 *         return new Init.Ok<>(0L, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(ServerRef.named("counter"))));
 *     }
 *
 *     public Result<Long, Void> handleEvents(List<Long> events, Subscription from, Long seen) {
 *         events.forEach(System.out::println);
 *         return new NoReply<>(seen + events.size());
 *     }
 * }
 * }
 *
 * @param <S> the state
 * @param <I> the events it receives
 */
public non-sealed interface Consumer<S, I> extends Stage<S, Void> {

    /**
     * Handles a batch of events from the producer of {@code from} (at most
     * {@code max_demand - min_demand} events). The result's events must be empty.
     */
    Result<S, Void> handleEvents(List<I> events, Subscription from, S state) throws Exception;
}
