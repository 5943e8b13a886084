package io.otp4j.stage;

import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.behaviour.ServerRef;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;

import java.util.concurrent.Flow;
import java.util.stream.LongStream;

/**
 * The Reactive Streams TCK on {@link FlowStages#publisher}: a publisher of exactly N elements is a
 * {@link GenStage#fromIterable} producer read through the bridge; the failed publisher is a
 * producer that stops with an error as soon as a consumer subscribes. A fresh producer is made for
 * each publisher the TCK asks for.
 */
public class FlowPublisherTckTest extends FlowPublisherVerification<Long> {
    /** How long the TCK waits for an expected signal; generous for a busy 2-core machine. */
    static final long DEFAULT_TIMEOUT_MILLIS = 500;
    /** How long it watches for signals that must not come. */
    static final long NO_SIGNALS_TIMEOUT_MILLIS = 200;
    /** How long after a cancel the subscriber must be unreachable from the publisher (rule 3.13). */
    static final long GC_TIMEOUT_MILLIS = 1000;

    private Node node;

    public FlowPublisherTckTest() {
        super(new TestEnvironment(DEFAULT_TIMEOUT_MILLIS, NO_SIGNALS_TIMEOUT_MILLIS), GC_TIMEOUT_MILLIS);
    }

    @BeforeClass
    public void startNode() {
        node = Node.start(Node.Options.named("flow-tck-publisher@localhost").withCheckMessages(true));
    }

    @AfterClass(alwaysRun = true)
    public void stopNode() {
        if (node != null) node.stop();
    }

    @Override
    public Flow.Publisher<Long> createFlowPublisher(long elements) {
        Iterable<Long> items = () -> LongStream.range(0, elements).boxed().iterator();
        return FlowStages.publisher(node, start(() -> GenStage.fromIterable(items)));
    }

    @Override
    public Flow.Publisher<Long> createFailedFlowPublisher() {
        return FlowStages.publisher(node, start(() -> GenStage.start(new FailingProducer())));
    }

    private ServerRef<Object> start(java.util.concurrent.Callable<ServerRef<Object>> starter) {
        try {
            return node.run(starter);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A producer that stops with an error when a consumer subscribes. */
    record FailingProducer() implements Producer<Integer, Long> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0);
        }

        @Override
        public SubscribeResult<Integer> handleSubscribe(Peer peer, SubscribeOptions options, Subscription subscription,
                                                        Integer state) {
            return new Stop<>(new ExitReason.Other("failed_publisher"), state);
        }

        @Override
        public Result<Integer, Long> handleDemand(long demand, Integer state) {
            return new NoReply<>(state);
        }
    }
}
