package io.otp4j.stage.internal;

import io.otp4j.ExitException;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.StartException;
import io.otp4j.stage.CancelMode;
import io.otp4j.stage.Consumer;
import io.otp4j.stage.GenStage;
import io.otp4j.stage.StageOptions;
import io.otp4j.stage.SubscribeOptions;
import io.otp4j.stage.Subscription;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The consumer stage behind one {@link Flow.Subscriber} of a {@link FlowPublisher}: it subscribes
 * to the producer in manual mode and turns the Flow subscription's requests into asks, the events
 * into {@code onNext}, and the end of the subscription into {@code onComplete} or {@code onError}.
 *
 * <p>Every signal to the subscriber is made by this stage's process, one at a time, which makes
 * them serial (rule 1.3). {@link Flow.Subscription#request} and {@link Flow.Subscription#cancel}
 * only send this process a message, whatever thread calls them, so a request made from within
 * {@code onNext} is handled after {@code onNext} has returned (rule 3.3: no recursion).
 *
 * <p>Demand: {@code requested} is what the subscriber asked for and has not received (saturating
 * at {@code Long.MAX_VALUE}, which is then as good as unbounded, rule 3.17); {@code inFlight} is
 * what the producer was asked for and has not sent. The stage keeps
 * {@code inFlight <= min(requested, maxDemand)}: the subscriber never gets more than it asked for,
 * and the producer is never asked for more than {@code maxDemand} events at a time. It asks again
 * once {@code inFlight} has fallen to {@code minDemand}, as an automatic consumer would.
 *
 * <p>The stage is its own state: one instance per Flow subscriber, mutated only by the stage's
 * process once started.
 *
 * @param <T> the events
 */
final class FlowConsumer<T> implements Consumer<FlowConsumer<T>, T> {

    /** Messages of this stage's own protocol. */
    private enum Signal {
        /** Sent to itself in init, so that onSubscribe is the first signal of all (rule 1.9). */
        START,
        /** The Flow subscription was cancelled. */
        CANCEL
    }

    /** The Flow subscription asked for {@code n} more events. */
    private record Request(long n) {
    }

    private final Node node;
    private final SubscribeOptions options;
    private final long maxDemand;
    private final long minDemand;
    /** Set by the subscription's cancel, or as the stream ends: no signal follows it. */
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** Cleared once the stage is done with it, so that nothing keeps the subscriber alive (rule 3.13). */
    private Flow.Subscriber<? super T> subscriber;
    private Handle handle;
    private Subscription upstream;
    private long requested;
    private long inFlight;
    private boolean done;

    /**
     * @param node       the node the stage runs on
     * @param options    the subscription to make (the cancel mode is replaced: the stage itself
     *                   decides what the end of the subscription means)
     * @param subscriber the Flow subscriber to signal
     */
    FlowConsumer(Node node, SubscribeOptions options, Flow.Subscriber<? super T> subscriber) {
        this.node = node;
        this.options = options.cancel(CancelMode.TEMPORARY);
        this.maxDemand = options.maxDemand();
        this.minDemand = options.minDemand();
        this.subscriber = subscriber;
    }

    /**
     * Starts the stage from the calling process (a short-lived helper on the stage's node). If it
     * cannot start, the subscriber is told with {@code onSubscribe} then {@code onError}.
     */
    void startFromHelper() {
        try {
            GenStage.start(this);
        } catch (StartException e) {
            reject(e);
        }
    }

    /** Tells a subscriber that could not be served: onSubscribe (a subscription that does nothing), then onError. */
    void reject(Throwable why) {
        Flow.Subscriber<? super T> s = subscriber;
        subscriber = null;
        if (s == null) return;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
            }
        });
        s.onError(why);
    }

    // ------------------------------------------------------------------ stage callbacks

    @Override
    public Init<FlowConsumer<T>> init() {
        Pid self = Proc.self();
        handle = new Handle(node, self, cancelled);
        Proc.send(self, Signal.START);
        return new Init.Ok<>(this, StageOptions.DEFAULT.subscribeTo(options));
    }

    @Override
    public SubscribeResult<FlowConsumer<T>> handleSubscribe(Peer peer, SubscribeOptions opts, Subscription subscription,
                                                           FlowConsumer<T> self) {
        upstream = subscription;
        return new Manual<>(this);
    }

    @Override
    public Result<FlowConsumer<T>, Void> handleInfo(Object msg, FlowConsumer<T> self) throws Exception {
        switch (msg) {
            case Signal.START -> {
                subscriber.onSubscribe(handle);
                if (upstream == null) {
                    // a named producer that was not registered: no subscription was made
                    return finish(new NotAlive(options.producer()));
                }
                return new NoReply<>(this);
            }
            case Request(long n) -> {
                if (done) return new NoReply<>(this);
                if (n <= 0) {
                    GenStage.cancel(upstream, ExitReason.NORMAL);
                    return finish(new IllegalArgumentException(
                            "non-positive subscription request: " + n + " (Reactive Streams rule 3.9)"));
                }
                requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
                ask();
                return new NoReply<>(this);
            }
            case Signal.CANCEL -> {
                if (!done && upstream != null) GenStage.cancel(upstream, ExitReason.NORMAL);
                done = true;
                return stop();
            }
            default -> {
                return Consumer.super.handleInfo(msg, self);
            }
        }
    }

    @Override
    public Result<FlowConsumer<T>, Void> handleEvents(List<T> events, Subscription from, FlowConsumer<T> self) {
        for (T event : events) {
            if (done || cancelled.get()) break;
            requested--;
            inFlight--;
            subscriber.onNext(event);
        }
        if (!done && !cancelled.get()) ask();
        return new NoReply<>(this);
    }

    @Override
    public Result<FlowConsumer<T>, Void> handleCancel(Cancellation cancellation, Subscription subscription,
                                                      FlowConsumer<T> self) {
        if (done) return stop();
        ExitReason reason = cancellation.reason();
        return finish(reason.isSilent() ? null : new ExitException(subscription.peer(), reason));
    }

    @Override
    public void terminate(ExitReason reason, FlowConsumer<T> self) {
        subscriber = null;
    }

    @Override
    public Object formatStatus(FlowConsumer<T> self) {
        return "FlowConsumer[producer=" + options.producer() + ", requested=" + requested + ", inFlight=" + inFlight
                + ", cancelled=" + cancelled.get() + ", done=" + done + "]";
    }

    // ------------------------------------------------------------------ helpers

    /** Asks the producer for what the subscriber wants, within {@code maxDemand}, once {@code minDemand} is reached. */
    private void ask() {
        long target = Math.min(requested, maxDemand);
        if (inFlight <= minDemand && target > inFlight) {
            GenStage.ask(upstream, target - inFlight);
            inFlight = target;
        }
    }

    /**
     * Signals the end of the stream (onComplete for a null error) unless cancelled, and stops; the
     * subscription then counts as cancelled (rule 1.6), so later calls on it send nothing.
     */
    private Result<FlowConsumer<T>, Void> finish(Throwable error) {
        done = true;
        if (cancelled.compareAndSet(false, true)) {
            if (error == null) subscriber.onComplete();
            else subscriber.onError(error);
        }
        return stop();
    }

    private Result<FlowConsumer<T>, Void> stop() {
        subscriber = null;
        return new Stop<>(ExitReason.NORMAL, this);
    }

    /** The Flow subscription given to the subscriber: every call is a message to the stage. */
    private static final class Handle implements Flow.Subscription {
        private final Node node;
        private final Pid consumer;
        private final AtomicBoolean cancelled;

        Handle(Node node, Pid consumer, AtomicBoolean cancelled) {
            this.node = node;
            this.consumer = consumer;
            this.cancelled = cancelled;
        }

        @Override
        public void request(long n) {
            if (!cancelled.get()) node.send(consumer, new Request(n));
        }

        @Override
        public void cancel() {
            if (cancelled.compareAndSet(false, true)) node.send(consumer, Signal.CANCEL);
        }

        @Override
        public String toString() {
            return "FlowSubscription[" + consumer + (cancelled.get() ? ", cancelled]" : "]");
        }
    }

    /** The producer named by a subscription was not alive. */
    static final class NotAlive extends ExitException {
        NotAlive(Object producer) {
            super(null, ExitReason.NOPROC, "producer " + producer + " is not alive");
        }
    }
}
