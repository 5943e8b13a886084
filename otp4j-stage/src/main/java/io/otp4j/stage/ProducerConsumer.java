package io.otp4j.stage;

import java.util.List;

/**
 * A stage that consumes events from producers and emits events to consumers (a
 * {@code :producer_consumer} in GenStage). It handles incoming events only as far as its own
 * consumers have asked for output, so back-pressure travels all the way up the pipeline.
 *
 * @param <S> the state
 * @param <I> the events it receives
 * @param <O> the events it emits
 */
public non-sealed interface ProducerConsumer<S, I, O> extends Stage<S, O> {

    /**
     * Handles a batch of events from the producer of {@code from} and returns the events to emit.
     * Batches are at most {@code max_demand - min_demand} events.
     */
    Result<S, O> handleEvents(List<I> events, Subscription from, S state) throws Exception;
}
