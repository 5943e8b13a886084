package io.otp4j.stage;

import io.otp4j.Node;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.stage.internal.FlowPublisher;
import io.otp4j.stage.internal.FlowSubscriber;

import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The bridge between stages and {@link java.util.concurrent.Flow} (Reactive Streams 1.0.4): a
 * producer stage read as a {@link Flow.Publisher}, and a {@link Flow.Subscriber} whose items a
 * producer stage emits. Demand crosses the bridge both ways, so back-pressure holds from a Flow
 * source through a pipeline of stages to a Flow sink. Both directions pass the Reactive Streams
 * TCK (ADR 0013).
 *
 * <h2>A producer as a publisher</h2>
 * {@snippet :
 * Flow.Publisher<Long> numbers = FlowStages.publisher(node, producer);
 * numbers.subscribe(subscriber);   // any Flow.Subscriber: a JDK, Reactor or RxJava one
 * }
 * Each {@code subscribe} starts a consumer stage of its own on {@code node}, subscribed to the
 * producer in {@link Stage.Manual manual} mode:
 * <ul>
 *   <li>{@code onSubscribe} is the consumer's first act; every signal is made by the consumer's
 *       process, one at a time (rule 1.3). {@code subscribe} itself returns at once; a null
 *       subscriber throws {@link NullPointerException} (rule 1.9).</li>
 *   <li>{@code Subscription.request(n)} becomes {@link GenStage#ask}: the consumer never asks the
 *       producer for more than the subscriber has requested and not yet received, so the
 *       subscriber never receives more than it asked for (rule 1.1). Requests add up to
 *       {@code Long.MAX_VALUE}, which counts as unbounded (rule 3.17); the producer is asked for at
 *       most {@link SubscribeOptions#maxDemand} events at a time, and again once those in flight
 *       have fallen to {@link SubscribeOptions#minDemand}. {@code request(n)} with {@code n <= 0}
 *       cancels the subscription and signals {@code onError(IllegalArgumentException)} (rule 3.9).</li>
 *   <li>{@code request} and {@code cancel} only send the consumer a message, from any thread, and
 *       return at once: a request made inside {@code onNext} is served after {@code onNext}
 *       returns, so there is no recursion (rule 3.3). {@code cancel} is idempotent and makes later
 *       requests no-ops (rules 3.5, 3.6, 3.7); it cancels the subscription on the producer with
 *       reason {@code normal} and ends the consumer, which then holds no reference to the
 *       subscriber (rule 3.13). Events already on their way are dropped.</li>
 *   <li>When the producer exits, or cancels the subscription, with reason {@code normal},
 *       {@code shutdown} or {@code {shutdown, _}}, the subscriber gets {@code onComplete}; with any
 *       other reason, {@code onError} with an {@link io.otp4j.ExitException} that carries the
 *       producer's pid and reason (its cause is the exception of a crash). A producer that is not
 *       alive when the consumer subscribes gives {@code onSubscribe} then {@code onError} (reason
 *       {@code noproc}), as Elixir's {@code GenStage.stream} exits with {@code noproc}: a producer
 *       that has already finished cannot be told apart from one that never ran. After
 *       {@code onComplete} or {@code onError} nothing more is signalled (rules 1.6, 1.7).</li>
 *   <li>A subscriber method that throws crashes the consumer (a crash report names the exception):
 *       the subscription is then cancelled on the producer (rule 2.13).</li>
 * </ul>
 * Several Flow subscribers of one producer are several consumers: the producer's
 * {@link Dispatcher} decides who gets what ({@link Dispatcher#demand() demand}: each event to one
 * of them; {@link Dispatcher#broadcast() broadcast}: every event to all, at the pace of the
 * slowest). {@link GenStage#fromIterable} makes a finite publisher: it completes once its last item
 * has been dispatched (an empty one, when first asked). The consumer is not linked to anything:
 * killing it, or stopping its node, ends the stream without a signal.
 *
 * <h2>A subscriber feeding a producer</h2>
 * {@snippet :
 * FlowStages.Bridge<String> bridge = FlowStages.subscriber(node, StageOptions.DEFAULT);
 * GenStage.start(new Parser(bridge.producer()));   // consumers subscribe to bridge.producer()
 * source.subscribe(bridge.subscriber());          // a Flow.Publisher, e.g. a SubmissionPublisher
 * }
 * {@link #subscriber(Node, StageOptions)} starts a producer stage on {@code node} and returns it
 * with the {@link Flow.Subscriber} that feeds it:
 * <ul>
 *   <li>The producer's demand (the sum of what its consumers ask for, less what its buffer
 *       holds) becomes {@code Subscription.request(n)}, made by the producer's process only
 *       (rule 2.7); demand that comes before {@code onSubscribe} is requested then. Nothing is
 *       requested while no consumer asks.</li>
 *   <li>The subscriber's methods may be called from any thread: each sends the producer a message
 *       and returns at once (rules 2.2, 2.11). {@code onNext} emits the item, dispatched to the
 *       consumers that asked, or buffered ({@link StageOptions#bufferSize}) when they have since
 *       cancelled. Null arguments throw {@link NullPointerException} (rule 2.13).</li>
 *   <li>{@code onComplete} stops the producer with reason {@code normal} once every event it
 *       buffered has been dispatched (as {@link GenStage#asyncInfo} does), so its consumers handle
 *       every item before their subscription ends. {@code onError(e)} stops it at once with
 *       reason {@link io.otp4j.ExitReason.Crash Crash(e)}, dropping what it buffered: consumers
 *       see that reason, and the error itself as its exception. Neither calls the subscription
 *       (rule 2.3); both may come with or without a request (rules 2.9, 2.10).</li>
 *   <li>Only the first {@code onSubscribe} is taken; a later one is cancelled at once (rule 2.5).
 *       Items that come after the producer has stopped are dropped (rule 2.8).</li>
 *   <li>Stopping the producer ({@link GenStage#stop}) cancels the upstream subscription unless the
 *       stream had ended, and so does its crash (rule 2.6); a subscription that arrives after the
 *       producer stopped is cancelled at once. A producer that is killed (an untrappable exit
 *       signal) runs no {@code terminate}: its subscription is then left to run dry, since nothing
 *       requests more.</li>
 * </ul>
 *
 * <p>Items and events travel as messages between processes: like every message they must be
 * immutable (the node's message checking rejects mutable ones).
 */
public final class FlowStages {
    private FlowStages() {
    }

    /**
     * A publisher of {@code producer}'s events, with the default subscription options (at most
     * 1000 events asked at a time).
     *
     * @param node     the node on which each subscriber's consumer stage runs
     * @param producer a producer or producer-consumer stage
     */
    public static <T> Flow.Publisher<T> publisher(Node node, ServerRef<?> producer) {
        return publisher(node, SubscribeOptions.to(producer));
    }

    /**
     * A publisher of the events of {@code options.producer()}, each subscriber's consumer
     * subscribing with {@code options}: {@link SubscribeOptions#maxDemand maxDemand} bounds how
     * many events are asked of the producer at a time, {@link SubscribeOptions#minDemand minDemand}
     * when to ask again, and a selector or partition applies as for any consumer. The cancel mode
     * is not used: the end of the subscription always ends the Flow subscription.
     *
     * @throws IllegalArgumentException if the options are inconsistent
     */
    public static <T> Flow.Publisher<T> publisher(Node node, SubscribeOptions options) {
        return new FlowPublisher<>(node, options);
    }

    /** As {@link #subscriber(Node, StageOptions)} with the default options. */
    public static <T> Bridge<T> subscriber(Node node) {
        return subscriber(node, StageOptions.DEFAULT);
    }

    /**
     * Starts, on {@code node}, a producer stage with {@code options} (buffer, dispatcher, demand
     * mode) that emits what the returned subscriber receives; returns once the producer runs. The
     * producer is not linked to the caller.
     *
     * @throws io.otp4j.behaviour.StartException if the options do not fit a producer
     */
    public static <T> Bridge<T> subscriber(Node node, StageOptions options) {
        FlowSubscriber<T> s = FlowSubscriber.start(node, options);
        return new Bridge<>(s, s.producer());
    }

    /**
     * A Flow subscriber and the producer stage that emits what it receives.
     *
     * @param subscriber subscribe it to a {@link Flow.Publisher}, once
     * @param producer   the stage consumers subscribe to
     */
    public record Bridge<T>(Flow.Subscriber<T> subscriber, ServerRef<Object> producer) {
        public Bridge {
            Objects.requireNonNull(subscriber, "subscriber");
            Objects.requireNonNull(producer, "producer");
        }
    }
}
