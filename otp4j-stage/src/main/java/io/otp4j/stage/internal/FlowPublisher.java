package io.otp4j.stage.internal;

import io.otp4j.Node;
import io.otp4j.stage.SubscribeOptions;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Publisher} of a producer stage's events: each subscriber gets a consumer stage of
 * its own ({@link FlowConsumer}) on {@code node}, subscribed to the producer as {@code options} say.
 *
 * @param <T> the events
 */
public final class FlowPublisher<T> implements Flow.Publisher<T> {
    private final Node node;
    private final SubscribeOptions options;

    public FlowPublisher(Node node, SubscribeOptions options) {
        this.node = Objects.requireNonNull(node, "node");
        this.options = Objects.requireNonNull(options, "options");
        String problem = options.problem();
        if (problem != null) throw new IllegalArgumentException("bad subscription options: " + problem);
    }

    /**
     * Starts a consumer stage for {@code subscriber}, from a helper process on the node so that
     * this method returns at once, from any thread. Its first signal is {@code onSubscribe}, made
     * by the consumer's process; if the node cannot take it, {@code onSubscribe} then
     * {@code onError} are signalled here.
     *
     * @throws NullPointerException if {@code subscriber} is null (rule 1.9)
     */
    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        FlowConsumer<T> consumer = new FlowConsumer<>(node, options, subscriber);
        try {
            node.spawn(consumer::startFromHelper);
        } catch (RuntimeException e) {
            consumer.reject(e);
        }
    }

    @Override
    public String toString() {
        return "FlowPublisher[" + options.producer() + " on " + node.name() + "]";
    }
}
