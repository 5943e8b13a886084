package io.otp4j.stage.internal;

import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.stage.GenStage;
import io.otp4j.stage.StageOptions;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A {@link Flow.Subscriber} whose items a producer stage ({@link FlowProducer}) emits. Its methods
 * may be called from any thread; each hands its signal to the producer's process as a message and
 * returns at once, so the producer sees the signals in the order they were made (rule 2.11).
 *
 * @param <T> the items
 */
public final class FlowSubscriber<T> implements Flow.Subscriber<T> {
    private final Node node;
    private final Pid producer;
    private final FlowProducer.Upstream upstream;

    private FlowSubscriber(Node node, Pid producer, FlowProducer.Upstream upstream) {
        this.node = node;
        this.producer = producer;
        this.upstream = upstream;
    }

    /**
     * Starts the producer stage on {@code node} with {@code options} (the caller waits for its
     * {@code init}) and returns the subscriber that feeds it.
     *
     * @throws io.otp4j.behaviour.StartException if the options do not fit a producer
     */
    public static <T> FlowSubscriber<T> start(Node node, StageOptions options) {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(options, "options");
        FlowProducer.Upstream upstream = new FlowProducer.Upstream();
        FlowProducer<T> stage = new FlowProducer<>(options, upstream);
        ServerRef<Object> ref;
        if (Proc.inProcess() && Proc.node() == node) {
            ref = GenStage.start(stage);
        } else {
            try {
                ref = node.run(() -> GenStage.start(stage));
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return new FlowSubscriber<>(node, ref.pid(), upstream);
    }

    /** The producer stage. */
    public ServerRef<Object> producer() {
        return ServerRef.of(producer);
    }

    /**
     * Takes the first subscription; any later one is cancelled (rule 2.5). If the producer has
     * already stopped, the subscription is cancelled at once.
     */
    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        if (!upstream.subscription.compareAndSet(null, subscription)) {
            subscription.cancel();
            return;
        }
        node.send(producer, FlowProducer.Signal.SUBSCRIBED);
        if (upstream.closed.get()) upstream.cancel();
    }

    /** Emits {@code item} from the producer (dispatched to its consumers, or buffered). */
    @Override
    public void onNext(T item) {
        Objects.requireNonNull(item, "item");
        node.send(producer, new FlowProducer.Next(item));
    }

    /** Stops the producer with the error as a crash reason; the events it buffered are dropped. */
    @Override
    public void onError(Throwable error) {
        Objects.requireNonNull(error, "error");
        upstream.terminated.set(true);
        node.send(producer, new FlowProducer.Failed(new ExitReason.Crash(error)));
    }

    /** Stops the producer with reason {@code normal} once the events it buffered have been dispatched. */
    @Override
    public void onComplete() {
        upstream.terminated.set(true);
        node.send(producer, FlowProducer.Signal.COMPLETE);
    }

    @Override
    public String toString() {
        return "FlowSubscriber[" + producer + "]";
    }
}
