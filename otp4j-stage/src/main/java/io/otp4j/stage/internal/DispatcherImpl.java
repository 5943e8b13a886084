package io.otp4j.stage.internal;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.stage.Dispatcher;
import io.otp4j.stage.SubscribeOptions;

import java.util.Collections;
import java.util.List;

/**
 * A producer's dispatcher (GenStage's {@code GenStage.Dispatcher} behaviour): it keeps the
 * consumers' demand, sends them events, and says how much demand to pass on to the producer.
 * Every method that returns a {@code long} returns the demand to ask the producer for.
 */
abstract class DispatcherImpl {
    final Pid self;

    DispatcherImpl(Pid self) {
        this.self = self;
    }

    static DispatcherImpl create(Dispatcher spec, Pid self) {
        return switch (spec) {
            case Dispatcher.Demand d -> new DemandDispatcher(self);
            case Dispatcher.Broadcast b -> new BroadcastDispatcher(self);
            case Dispatcher.Partition p -> new PartitionDispatcher(self, p);
        };
    }

    /**
     * A consumer subscribed.
     *
     * @throws IllegalArgumentException if this dispatcher refuses the subscription (the reason is
     *                                  the exception's message); the subscription is then cancelled
     */
    abstract long subscribe(SubscribeOptions options, Pid consumer, Ref ref);

    /** A consumer's subscription ended. */
    abstract long cancel(Ref ref);

    /** A consumer asked for {@code count} more events. */
    abstract long ask(long count, Pid consumer, Ref ref);

    /** Sends what it can of {@code events}; returns the rest, to buffer. */
    abstract List<Object> dispatch(List<Object> events);

    /** An info message whose events have all been dispatched: deliver it to the producer itself. */
    void info(Object msg) {
        Proc.send(self, msg);
    }

    final void send(Pid consumer, Ref ref, List<Object> events) {
        Proc.send(consumer, new StageMessages.Events(self, ref, Collections.unmodifiableList(events)));
    }
}
