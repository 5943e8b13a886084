package io.otp4j.stage.internal;

import io.otp4j.ExitReason;
import io.otp4j.Proc;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.stage.GenStage;
import io.otp4j.stage.Producer;
import io.otp4j.stage.StageOptions;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The producer stage behind a {@link FlowSubscriber}: it emits the items the Flow subscriber
 * receives, and passes its consumers' demand upstream as {@link Flow.Subscription#request}.
 *
 * <p>The upstream subscription is shared with the subscriber through an {@link Upstream}, the only
 * state both sides touch (atomically). {@code request} is called by this stage's process only;
 * {@code cancel} at most once, by whichever side ends first: this stage when it terminates before
 * the stream has ended, or {@code onSubscribe} when the stage had already ended (rules 2.5, 2.6,
 * 2.7). After {@code onComplete} or {@code onError}, neither is called again (rules 2.3, 2.4).
 *
 * @param <T> the events
 */
final class FlowProducer<T> implements Producer<FlowProducer<T>, T> {

    /** Messages from the subscriber, and the producer's own end-of-stream marker. */
    enum Signal {
        /** onSubscribe: the upstream subscription is in {@link Upstream#subscription}. */
        SUBSCRIBED,
        /** onComplete. */
        COMPLETE,
        /** Queued behind the buffered events after onComplete: every event has been dispatched. */
        DRAINED
    }

    /** onNext. */
    record Next(Object item) {
    }

    /** onError; an {@link ExitReason.Crash} carries the error (a Throwable is not otherwise a message). */
    record Failed(ExitReason.Crash reason) {
    }

    /** What the subscriber and the producer share. */
    static final class Upstream {
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        /** onComplete or onError was received: the subscription is over (rule 2.4). */
        final AtomicBoolean terminated = new AtomicBoolean();
        /** The producer has stopped. */
        final AtomicBoolean closed = new AtomicBoolean();
        private final AtomicBoolean cancelled = new AtomicBoolean();

        /** Cancels the upstream subscription once, unless the stream has ended by itself. */
        void cancel() {
            Flow.Subscription s = subscription.get();
            if (s != null && !terminated.get() && cancelled.compareAndSet(false, true)) s.cancel();
        }
    }

    private final StageOptions options;
    private final Upstream upstream;
    /** Demand of the consumers not yet passed upstream. */
    private long pending;

    FlowProducer(StageOptions options, Upstream upstream) {
        this.options = options;
        this.upstream = upstream;
    }

    @Override
    public Init<FlowProducer<T>> init() {
        return new Init.Ok<>(this, options);
    }

    @Override
    public Result<FlowProducer<T>, T> handleDemand(long demand, FlowProducer<T> self) {
        pending = pending + demand < 0 ? Long.MAX_VALUE : pending + demand;
        requestUpstream();
        return new NoReply<>(this);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Result<FlowProducer<T>, T> handleInfo(Object msg, FlowProducer<T> self) throws Exception {
        switch (msg) {
            case Next(Object item) -> {
                return new NoReply<>(List.of((T) item), this);
            }
            case Signal.SUBSCRIBED -> {
                requestUpstream();
                return new NoReply<>(this);
            }
            case Signal.COMPLETE -> {
                // delivered to handleInfo once the events buffered before it have been dispatched
                GenStage.asyncInfo(ServerRef.of(Proc.self()), Signal.DRAINED);
                return new NoReply<>(this);
            }
            case Signal.DRAINED -> {
                return new Stop<>(ExitReason.NORMAL, this);
            }
            case Failed(ExitReason.Crash reason) -> {
                return new Stop<>(reason, this);
            }
            default -> {
                return Producer.super.handleInfo(msg, self);
            }
        }
    }

    @Override
    public void terminate(ExitReason reason, FlowProducer<T> self) {
        upstream.closed.set(true);
        upstream.cancel();
    }

    @Override
    public Object formatStatus(FlowProducer<T> self) {
        return "FlowProducer[subscribed=" + (upstream.subscription.get() != null) + ", terminated="
                + upstream.terminated.get() + ", pending=" + pending + "]";
    }

    private void requestUpstream() {
        Flow.Subscription s = upstream.subscription.get();
        if (s == null || pending == 0 || upstream.terminated.get()) return;
        long n = pending;
        pending = 0;
        s.request(n);
    }
}
