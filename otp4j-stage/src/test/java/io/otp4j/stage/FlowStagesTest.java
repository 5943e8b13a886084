package io.otp4j.stage;

import io.otp4j.ExitException;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.ServerRef;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class FlowStagesTest extends StageTestSupport {

    // ------------------------------------------------------------------ Flow signals as messages

    /** What a {@link Recorder} saw, sent to the test process. */
    record OnSubscribe() {
    }

    record OnNext(Object item, long requestedBefore) {
    }

    record OnComplete() {
    }

    /** onError, described (a Throwable is not a message). */
    record OnError(String type, String message, ExitReason reason) {
    }

    /**
     * A plain Flow subscriber that reports each signal to {@code to}, requests {@code initial} in
     * onSubscribe and {@code perItem} after each item until it has received {@code upTo}.
     */
    static final class Recorder implements Flow.Subscriber<Object> {
        final Pid to;
        final long initial;
        final long perItem;
        final long upTo;
        final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        /** Requested and not yet received. */
        final AtomicLong outstanding = new AtomicLong();
        final AtomicLong received = new AtomicLong();

        Recorder(Pid to, long initial, long perItem, long upTo) {
            this.to = to;
            this.initial = initial;
            this.perItem = perItem;
            this.upTo = upTo;
        }

        Recorder(Pid to, long initial) {
            this(to, initial, 0, Long.MAX_VALUE);
        }

        void request(long n) {
            outstanding.addAndGet(n);
            subscription.get().request(n);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.set(s);
            Proc.send(to, new OnSubscribe());
            if (initial > 0) request(initial);
        }

        @Override
        public void onNext(Object item) {
            long before = outstanding.getAndDecrement();
            Proc.send(to, new OnNext(item, before));
            if (perItem > 0 && received.incrementAndGet() < upTo) request(perItem);
        }

        @Override
        public void onError(Throwable t) {
            Proc.send(to, new OnError(t.getClass().getName(), String.valueOf(t.getMessage()),
                    t instanceof ExitException e ? e.reason() : null));
        }

        @Override
        public void onComplete() {
            Proc.send(to, new OnComplete());
        }
    }

    /** Fails if a message that {@code unwanted} matches comes within {@code d}. */
    static void nothing(Predicate<Object> unwanted, Duration d) {
        Proc.receive(m -> unwanted.test(m) ? m : null, d).ifPresent(x -> {
            throw new AssertionError("unexpected message " + x);
        });
    }

    static OnNext awaitNext() {
        return await(m -> m instanceof OnNext n ? n : null);
    }

    // ------------------------------------------------------------------ producer -> Flow.Subscriber

    @Test
    void aPlainSubscriberRequestingOneAtATimeReceivesOneAtATime() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var counter = GenStage.start(new Counter(1, me, StageOptions.DEFAULT));
            var subscriber = new Recorder(me, 1, 1, 50);
            FlowStages.<Long>publisher(node, counter).subscribe(subscriber);
            await(m -> m instanceof OnSubscribe o ? o : null);
            for (long i = 1; i <= 50; i++) {
                // the producer is asked for exactly what the subscriber requested: one event
                assertThat(await(m -> m instanceof Demanded d ? d : null).n()).isEqualTo(1);
                OnNext next = awaitNext();
                assertThat(next.item()).isEqualTo(i);
                assertThat(next.requestedBefore()).as("never more than requested").isEqualTo(1);
            }
            subscriber.subscription.get().cancel();
            nothing(m -> m instanceof Demanded || m instanceof OnNext || m instanceof OnComplete,
                    Duration.ofMillis(300));
        });
    }

    @Test
    void demandAccumulatesAndIsAskedInWindowsOfMaxDemand() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var counter = GenStage.start(new Counter(1, me, StageOptions.DEFAULT));
            var subscriber = new Recorder(me, 0);
            FlowStages.<Long>publisher(node, SubscribeOptions.to(counter).maxDemand(10).minDemand(5)).subscribe(subscriber);
            await(m -> m instanceof OnSubscribe o ? o : null);
            subscriber.request(Long.MAX_VALUE / 2);
            subscriber.request(Long.MAX_VALUE / 2);
            subscriber.request(7); // beyond Long.MAX_VALUE: unbounded, no error
            assertThat(await(m -> m instanceof Demanded d ? d : null).n()).isEqualTo(10);
            for (long i = 1; i <= 100; i++) assertThat(awaitNext().item()).isEqualTo(i);
            // refills of at most maxDemand - minDemand, never more than maxDemand in flight
            long asked = 10;
            while (asked < 100) {
                long n = await(m -> m instanceof Demanded d ? d : null).n();
                assertThat(n).isBetween(1L, 10L);
                asked += n;
            }
            subscriber.subscription.get().cancel();
            nothing(m -> m instanceof OnError, Duration.ofMillis(200));
        });
    }

    @Test
    void aFiniteProducerCompletesTheSubscriberAfterItsLastItem() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var producer = GenStage.fromIterable(List.of("a", "b", "c"));
            FlowStages.<String>publisher(node, producer).subscribe(new Recorder(me, 10));
            await(m -> m instanceof OnSubscribe o ? o : null);
            assertThat(List.of(awaitNext().item(), awaitNext().item(), awaitNext().item())).containsExactly("a", "b", "c");
            await(m -> m instanceof OnComplete c ? c : null);
            nothing(m -> m instanceof OnNext || m instanceof OnError, Duration.ofMillis(200));
        });
    }

    @Test
    void aCrashedProducerIsAnErrorWithItsReason() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var counter = GenStage.start(new Counter(1));
            FlowStages.<Long>publisher(node, counter).subscribe(new Recorder(me, 0));
            await(m -> m instanceof OnSubscribe o ? o : null);
            Proc.exit(pid(counter), new ExitReason.Other("boom"));
            OnError e = await(m -> m instanceof OnError x ? x : null);
            assertThat(e.type()).isEqualTo(ExitException.class.getName());
            assertThat(e.reason()).isEqualTo(new ExitReason.Other("boom"));
        });
    }

    @Test
    void aProducerThatIsNotAliveGivesOnSubscribeThenOnError() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var gone = GenStage.fromIterable(List.of(1));
            Ref mon = Proc.monitor(pid(gone));
            GenStage.stop(gone);
            awaitDown(mon);
            FlowStages.publisher(node, gone).subscribe(new Recorder(me, 1));
            await(m -> m instanceof OnSubscribe o ? o : null);
            assertThat(await(m -> m instanceof OnError x ? x : null).reason()).isEqualTo(ExitReason.NOPROC);

            FlowStages.publisher(node, ServerRef.named("nobody")).subscribe(new Recorder(me, 1));
            await(m -> m instanceof OnSubscribe o ? o : null);
            assertThat(await(m -> m instanceof OnError x ? x : null).reason()).isEqualTo(ExitReason.NOPROC);
        });
    }

    @Test
    void aNonPositiveRequestIsAnIllegalArgumentError() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            var counter = GenStage.start(new Counter(1, me, StageOptions.DEFAULT));
            var subscriber = new Recorder(me, 0);
            FlowStages.<Long>publisher(node, counter).subscribe(subscriber);
            await(m -> m instanceof OnSubscribe o ? o : null);
            subscriber.subscription.get().request(0);
            OnError e = await(m -> m instanceof OnError x ? x : null);
            assertThat(e.type()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(e.message()).contains("3.9");
            subscriber.subscription.get().request(5); // after the end: a no-op
            nothing(m -> m instanceof Demanded || m instanceof OnNext, Duration.ofMillis(200));
        });
    }

    @Test
    void nullSubscriberIsRejected() {
        var publisher = FlowStages.publisher(node, ServerRef.named("anything"));
        assertThatNullPointerException().isThrownBy(() -> publisher.subscribe(null));
    }

    // ------------------------------------------------------------------ Flow.Publisher -> producer

    /** Doubles every event. */
    record Doubler(ServerRef<?> source) implements ProducerConsumer<Integer, Long, Long> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source).maxDemand(8)));
        }

        @Override
        public Result<Integer, Long> handleEvents(List<Long> events, Subscription from, Integer s) {
            List<Long> out = new ArrayList<>(events.size());
            for (Long e : events) out.add(e * 2);
            return new NoReply<>(out, s);
        }
    }

    record Total(long sum, long count, ExitReason reason) {
    }

    /** Sums what it receives; reports the total when its producer goes, then stops with it. */
    record Summer(ServerRef<?> source, Pid report) implements Consumer<long[], Long> {
        @Override
        public Init<long[]> init() {
            return new Init.Ok<>(new long[2], StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source).maxDemand(8)));
        }

        @Override
        public Result<long[], Void> handleEvents(List<Long> events, Subscription from, long[] s) {
            for (Long e : events) s[0] += e;
            s[1] += events.size();
            return new NoReply<>(s);
        }

        @Override
        public Result<long[], Void> handleCancel(Cancellation c, Subscription from, long[] s) {
            Proc.send(report, new Total(s[0], s[1], c.reason()));
            return new NoReply<>(s);
        }
    }

    /**
     * Passes everything on to {@code target}, counting what the subscription requested and what
     * was received, and the most ever requested and not yet received.
     */
    static final class Metered<T> implements Flow.Subscriber<T> {
        final Flow.Subscriber<T> target;
        final AtomicLong requested = new AtomicLong();
        final AtomicLong received = new AtomicLong();
        final AtomicLong maxOutstanding = new AtomicLong();

        Metered(Flow.Subscriber<T> target) {
            this.target = target;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            target.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    long outstanding = requested.addAndGet(n) - received.get();
                    maxOutstanding.accumulateAndGet(outstanding, Math::max);
                    s.request(n);
                }

                @Override
                public void cancel() {
                    s.cancel();
                }
            });
        }

        @Override
        public void onNext(T item) {
            if (received.incrementAndGet() > requested.get()) throw new AssertionError("more than requested");
            target.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            target.onError(t);
        }

        @Override
        public void onComplete() {
            target.onComplete();
        }
    }

    @Test
    void aSubmissionPublisherFeedsAPipelineOfStages() throws Exception {
        int n = 20_000;
        FlowStages.Bridge<Long> bridge = FlowStages.subscriber(node);
        Metered<Long> metered = new Metered<>(bridge.subscriber());
        Total total = inProcess(() -> {
            var doubler = GenStage.start(new Doubler(bridge.producer()));
            var summer = GenStage.start(new Summer(doubler, Proc.self()));
            Ref mon = Proc.monitor(pid(summer));
            Thread feeder = Thread.ofPlatform().start(() -> {
                try (var source = new SubmissionPublisher<Long>()) {
                    source.subscribe(metered);
                    for (long i = 1; i <= n; i++) source.submit(i); // blocks while the pipeline lags
                }
            });
            Total t = await(m -> m instanceof Total x ? x : null);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.NORMAL);
            feeder.join();
            return t;
        });
        assertThat(total.count()).isEqualTo(n);
        assertThat(total.sum()).isEqualTo((long) n * (n + 1));
        assertThat(total.reason()).isEqualTo(ExitReason.NORMAL);
        // the source is asked for no more than the first stage's maxDemand ahead of what it sent
        assertThat(metered.requested.get()).isGreaterThanOrEqualTo(n);
        assertThat(metered.maxOutstanding.get()).isBetween(1L, 8L);
    }

    /** A Flow subscription that reports its calls to a process. */
    record Requested(long n) {
    }

    record Cancelled() {
    }

    static Flow.Subscription reporting(Pid to) {
        return new Flow.Subscription() {
            @Override
            public void request(long n) {
                Proc.send(to, new Requested(n));
            }

            @Override
            public void cancel() {
                Proc.send(to, new Cancelled());
            }
        };
    }

    @Test
    void consumerDemandBecomesUpstreamRequestsAndCompletionWaitsForTheBuffer() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            FlowStages.Bridge<Long> bridge = FlowStages.subscriber(node);
            var sink = GenStage.start(new Forwarder(me, StageOptions.DEFAULT.subscribeTo(
                    SubscribeOptions.to(bridge.producer()).cancel(CancelMode.TRANSIENT)), true));
            Subscription toProducer = await(m -> m instanceof Subscribed s ? s.subscription() : null);
            GenStage.ask(toProducer, 3); // asked before the upstream subscription exists
            bridge.subscriber().onSubscribe(reporting(me));
            assertThat(await(m -> m instanceof Requested r ? r : null).n()).isEqualTo(3);

            // a second subscription is cancelled at once (rule 2.5)
            bridge.subscriber().onSubscribe(reporting(me));
            await(m -> m instanceof Cancelled c ? c : null);

            // upstream sends what was requested; nothing more is requested until consumers ask
            LongStream.rangeClosed(1, 3).forEach(bridge.subscriber()::onNext);
            List<Object> got = new ArrayList<>();
            while (got.size() < 3) got.addAll(await(m -> m instanceof Got g ? g : null).events());
            assertThat(got).containsExactly(1L, 2L, 3L);
            nothing(m -> m instanceof Requested, Duration.ofMillis(200));

            GenStage.ask(toProducer, 2);
            assertThat(await(m -> m instanceof Requested r ? r : null).n()).isEqualTo(2);

            // items without demand wait in the buffer; completion comes after them
            GenStage.cancel(toProducer, ExitReason.NORMAL);
            await(m -> m instanceof Stage.Cancellation c ? c : null);
            bridge.subscriber().onNext(4L);
            bridge.subscriber().onNext(5L);
            bridge.subscriber().onComplete();
            nothing(m -> m instanceof Got, Duration.ofMillis(100));
            assertThat(GenStage.estimateBufferedCount(bridge.producer())).isEqualTo(2);
            Ref mon = Proc.monitor(pid(bridge.producer()));
            GenStage.syncSubscribe(sink, SubscribeOptions.to(bridge.producer()).cancel(CancelMode.TRANSIENT));
            Subscription again = await(m -> m instanceof Subscribed s ? s.subscription() : null);
            GenStage.ask(again, 10);
            List<Object> rest = new ArrayList<>();
            while (rest.size() < 2) rest.addAll(await(m -> m instanceof Got g ? g : null).events());
            assertThat(rest).containsExactly(4L, 5L);
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.NORMAL);
            assertThat(await(m -> m instanceof Stage.Cancellation c ? c : null).reason()).isEqualTo(ExitReason.NORMAL);
            // the stream ended by itself: the upstream subscription is not cancelled (rule 2.3)
            nothing(m -> m instanceof Cancelled || m instanceof Requested, Duration.ofMillis(200));
        });
    }

    @Test
    void onErrorStopsTheProducerWithTheErrorAndStoppingItCancelsUpstream() throws Exception {
        inProcess(() -> {
            Pid me = Proc.self();
            FlowStages.Bridge<Long> failing = FlowStages.subscriber(node);
            GenStage.start(new Forwarder(me, StageOptions.DEFAULT.subscribeTo(
                    SubscribeOptions.to(failing.producer()).cancel(CancelMode.TEMPORARY)), true));
            await(m -> m instanceof Subscribed s ? s : null);
            failing.subscriber().onSubscribe(reporting(me));
            var error = new IllegalStateException("upstream failed");
            failing.subscriber().onError(error);
            var c = await(m -> m instanceof Stage.Cancellation x ? x : null);
            assertThat(c.reason()).isEqualTo(new ExitReason.Crash(error));
            nothing(m -> m instanceof Cancelled, Duration.ofMillis(200));

            FlowStages.Bridge<Long> stopped = FlowStages.subscriber(node);
            stopped.subscriber().onSubscribe(reporting(me));
            GenStage.stop(stopped.producer());
            await(m -> m instanceof Cancelled x ? x : null);
            // a subscription that comes after the producer stopped is cancelled at once
            FlowStages.Bridge<Long> late = FlowStages.subscriber(node);
            GenStage.stop(late.producer());
            late.subscriber().onSubscribe(reporting(me));
            await(m -> m instanceof Cancelled x ? x : null);
        });
    }

    @Test
    void nullSignalsAreRejected() {
        FlowStages.Bridge<Long> bridge = FlowStages.subscriber(node);
        var s = bridge.subscriber();
        assertThatNullPointerException().isThrownBy(() -> s.onSubscribe(null));
        assertThatNullPointerException().isThrownBy(() -> s.onNext(null));
        assertThatNullPointerException().isThrownBy(() -> s.onError(null));
        GenStage.stop(bridge.producer());
    }

}
