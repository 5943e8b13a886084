package io.otp4j.stage;

import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.behaviour.ServerRef;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.SubscriberPuppet;
import org.reactivestreams.tck.SubscriberWhiteboxVerification.WhiteboxSubscriberProbe;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowSubscriberWhiteboxVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Reactive Streams TCK (whitebox) on {@link FlowStages#subscriber}. The probe is told what
 * reaches the other end of the bridge: a consumer stage subscribed to the bridge's producer in
 * manual mode registers each event it receives, and the producer's end (normal: completion;
 * a crash: the error itself). The puppet's requests are that consumer's asks, so every request
 * the TCK sees upstream is demand that came down the pipeline; its cancel stops the producer.
 */
public class FlowSubscriberTckTest extends FlowSubscriberWhiteboxVerification<Long> {
    private Node node;

    public FlowSubscriberTckTest() {
        super(new TestEnvironment(FlowPublisherTckTest.DEFAULT_TIMEOUT_MILLIS,
                FlowPublisherTckTest.NO_SIGNALS_TIMEOUT_MILLIS));
    }

    @BeforeClass
    public void startNode() {
        node = Node.start(Node.Options.named("flow-tck-subscriber@localhost").withCheckMessages(true));
    }

    @AfterClass(alwaysRun = true)
    public void stopNode() {
        if (node != null) node.stop();
    }

    @Override
    public Long createElement(int element) {
        return (long) element;
    }

    @Override
    protected Flow.Subscriber<Long> createFlowSubscriber(WhiteboxSubscriberProbe<Long> probe) {
        FlowStages.Bridge<Long> bridge = FlowStages.subscriber(node);
        ServerRef<Object> sink;
        try {
            sink = node.run(() -> GenStage.start(new ProbeConsumer(bridge.producer(), probe)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Flow.Subscriber<Long> subscriber = bridge.subscriber();
        AtomicBoolean registered = new AtomicBoolean();
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
                if (registered.compareAndSet(false, true)) {
                    probe.registerOnSubscribe(new SubscriberPuppet() {
                        @Override
                        public void triggerRequest(long elements) {
                            GenStage.cast(sink, new Trigger(elements));
                        }

                        @Override
                        public void signalCancel() {
                            GenStage.stop(bridge.producer());
                        }
                    });
                }
            }

            @Override
            public void onNext(Long item) {
                subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable error) {
                subscriber.onError(error);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        };
    }

    /** Makes the probe consumer ask for {@code n} more events. */
    record Trigger(long n) {
    }

    /** A manual consumer of the bridge's producer that reports to the TCK's probe. */
    static final class ProbeConsumer implements Consumer<ProbeConsumer, Long> {
        private final ServerRef<Object> producer;
        private final WhiteboxSubscriberProbe<Long> probe;
        private Subscription subscription;

        ProbeConsumer(ServerRef<Object> producer, WhiteboxSubscriberProbe<Long> probe) {
            this.producer = producer;
            this.probe = probe;
        }

        @Override
        public Init<ProbeConsumer> init() {
            return new Init.Ok<>(this, StageOptions.DEFAULT.subscribeTo(
                    SubscribeOptions.to(producer).cancel(CancelMode.TEMPORARY)));
        }

        @Override
        public SubscribeResult<ProbeConsumer> handleSubscribe(Peer peer, SubscribeOptions options, Subscription s,
                                                             ProbeConsumer state) {
            subscription = s;
            return new Manual<>(this);
        }

        @Override
        public Result<ProbeConsumer, Void> handleEvents(List<Long> events, Subscription from, ProbeConsumer state) {
            events.forEach(probe::registerOnNext);
            return new NoReply<>(this);
        }

        @Override
        public Result<ProbeConsumer, Void> handleCast(Object msg, ProbeConsumer state) throws Exception {
            if (msg instanceof Trigger(long n)) {
                GenStage.ask(subscription, n);
                return new NoReply<>(this);
            }
            return Consumer.super.handleCast(msg, state);
        }

        @Override
        public Result<ProbeConsumer, Void> handleCancel(Cancellation cancellation, Subscription s, ProbeConsumer state) {
            switch (cancellation.reason()) {
                case ExitReason.Crash(Throwable error) -> probe.registerOnError(error);
                case ExitReason r when r.isSilent() -> probe.registerOnComplete();
                case ExitReason r -> probe.registerOnError(new IllegalStateException("producer exited: " + r));
            }
            return new Stop<>(ExitReason.NORMAL, this);
        }
    }
}
