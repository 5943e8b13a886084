package io.otp4j.stage;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** GenStage's documented semantics, one rule per test. */
class GenStageTest extends StageTestSupport {
    static final Duration QUIET = Duration.ofMillis(200);

    static Demanded demanded() {
        return await(m -> m instanceof Demanded d ? d : null);
    }

    static Got got() {
        return await(m -> m instanceof Got g ? g : null);
    }

    static Subscribed subscribed() {
        return await(m -> m instanceof Subscribed s ? s : null);
    }

    static Stage.Cancellation cancellation() {
        return await(m -> m instanceof Stage.Cancellation c ? c : null);
    }

    static List<Long> longs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** Collects events until {@code n} have arrived. */
    static List<Object> collect(int n) {
        List<Object> all = new ArrayList<>();
        while (all.size() < n) all.addAll(got().events());
        return all;
    }

    ServerRef<Object> counter(StageOptions options) {
        return GenStage.start(new Counter(1, Proc.self(), options));
    }

    // ------------------------------------------------------------------ demand

    @Test
    void aConsumerAsksForMaxDemandThenInBatchesOfMaxMinusMin() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10).minDemand(5)));
            assertThat(demanded().n()).isEqualTo(10);
            // ten events arrive in batches of max - min = 5; after each batch the demand in flight is 5 = min
            assertThat(got().events()).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(got().events()).containsExactly(6L, 7L, 8L, 9L, 10L);
            assertThat(demanded().n()).isEqualTo(5);
            assertThat(demanded().n()).isEqualTo(5);
        });
    }

    @Test
    void theDefaultsAreMaxDemand1000AndMinDemandHalfOfIt() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p)));
            assertThat(demanded().n()).isEqualTo(1000);
            assertThat(got().events()).hasSize(500);
            assertThat(got().events()).hasSize(500);
            assertThat(demanded().n()).isEqualTo(500);
        });
    }

    @Test
    void manualDemandSendsOnlyWhatIsAskedFor() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            Subscription sub = subscribed().subscription();
            refute(m -> m instanceof Demanded || m instanceof Got, QUIET);
            // ask from the test process: the subscription's tag is what identifies it
            GenStage.ask(sub, 3);
            assertThat(demanded().n()).isEqualTo(3);
            assertThat(got().events()).containsExactly(1L, 2L, 3L);
            refute(m -> m instanceof Got, QUIET);
            assertThatThrownBy(() -> GenStage.ask(sub, -1)).isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void aProducerConsumerAsksUpstreamOnlyAsFarAsItsConsumersAsk() throws Exception {
        record Pass(ServerRef<?> up) implements ProducerConsumer<Integer, Object, Object> {
            @Override
            public Init<Integer> init() {
                return new Init.Ok<>(0, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(up).maxDemand(10).minDemand(5)));
            }

            @Override
            public Result<Integer, Object> handleEvents(List<Object> events, Subscription from, Integer s) {
                return new NoReply<>(events, s + events.size());
            }
        }
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            var pc = GenStage.start(new Pass(p));
            assertThat(demanded().n()).isEqualTo(10);
            // no consumer downstream: the ten events wait in the producer-consumer, nothing more is asked
            refute(m -> m instanceof Demanded, QUIET);
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(pc)), true));
            Subscription sub = subscribed().subscription();
            GenStage.ask(sub, 5);
            assertThat(collect(5)).containsExactly(1L, 2L, 3L, 4L, 5L);
            // the producer-consumer handled one batch of five; the other five wait for more demand
            assertThat(demanded().n()).isEqualTo(5);
            refute(m -> m instanceof Got, QUIET);
            GenStage.ask(sub, 5);
            assertThat(collect(5)).containsExactly(6L, 7L, 8L, 9L, 10L);
        });
    }

    // ------------------------------------------------------------------ buffer

    @Test
    void eventsEmittedWithoutDemandAreBufferedAndSentWhenAsked() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            GenStage.call(p, new Emit(List.of(100L, 101L, 102L)));
            assertThat(GenStage.estimateBufferedCount(p)).isEqualTo(3);
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(4).minDemand(0)));
            assertThat(collect(4)).containsExactly(100L, 101L, 102L, 1L);
            assertThat(GenStage.estimateBufferedCount(p)).isZero();
            // the buffer gave three of the four asked for: handleDemand was asked for one
            assertThat(demanded().n()).isEqualTo(1);
        });
    }

    @Test
    void aFullBufferKeepsTheLastEventsByDefault() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.bufferSize(3));
            GenStage.call(p, new Emit(List.of(1L, 2L)));
            GenStage.call(p, new Emit(List.of(3L, 4L, 5L)));
            assertThat(GenStage.estimateBufferedCount(p)).isEqualTo(3);
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            GenStage.ask(subscribed().subscription(), 3);
            assertThat(got().events()).containsExactly(3L, 4L, 5L);
        });
    }

    @Test
    void bufferKeepFirstDropsTheNewEvents() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.bufferSize(3).bufferKeep(BufferKeep.FIRST));
            GenStage.call(p, new Emit(List.of(1L, 2L)));
            GenStage.call(p, new Emit(List.of(3L, 4L, 5L)));
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            GenStage.ask(subscribed().subscription(), 3);
            assertThat(got().events()).containsExactly(1L, 2L, 3L);
        });
    }

    @Test
    void syncInfoIsDeliveredAfterTheEventsBufferedBeforeIt() throws Exception {
        record Quiet(Pid to) implements Producer<Integer, Object> {
            @Override
            public Init<Integer> init() {
                return new Init.Ok<>(0);
            }

            @Override
            public Result<Integer, Object> handleDemand(long demand, Integer s) {
                return new NoReply<>(s);
            }

            @Override
            public CallResult<Integer, Object> handleCall(Object req, From from, Integer s) {
                return new Reply<>("ok", ((Emit) req).events().stream().map(e -> (Object) e).toList(), s);
            }

            @Override
            public Result<Integer, Object> handleInfo(Object msg, Integer s) {
                Proc.send(to, new Info(msg));
                return new NoReply<>(s);
            }
        }
        inProcess(() -> {
            var p = GenStage.start(new Quiet(Proc.self()));
            GenStage.call(p, new Emit(List.of("a", "b")));
            GenStage.syncInfo(p, "after-b");
            refute(m -> m instanceof Info, QUIET); // a and b are still buffered
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            GenStage.ask(subscribed().subscription(), 5);
            assertThat(got().events()).containsExactly("a", "b");
            assertThat((Object) await(m -> m instanceof Info i ? i.msg() : null)).isEqualTo("after-b");
        });
    }

    // ------------------------------------------------------------------ demand mode

    @Test
    void accumulateKeepsDemandUntilForward() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.demand(DemandMode.ACCUMULATE));
            assertThat(GenStage.demand(p)).isEqualTo(DemandMode.ACCUMULATE);
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10)));
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10)));
            refute(m -> m instanceof Demanded, QUIET);
            GenStage.demand(p, DemandMode.FORWARD);
            assertThat(demanded().n()).isEqualTo(10);
            assertThat(demanded().n()).isEqualTo(10);
            assertThat(GenStage.demand(p)).isEqualTo(DemandMode.FORWARD);
        });
    }

    // ------------------------------------------------------------------ cancellation

    @Test
    void aPermanentConsumerExitsWithItsProducer() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p)));
            Ref mon = Proc.monitor(pid(c));
            GenStage.stop(p, ExitReason.SHUTDOWN, WAIT);
            assertThat(cancellation()).isEqualTo(new Stage.Cancellation(Stage.Cancellation.Kind.DOWN, ExitReason.SHUTDOWN));
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.SHUTDOWN);
        });
    }

    @Test
    void aTransientConsumerSurvivesANormalEndButNotACrash() throws Exception {
        inProcess(() -> {
            var p1 = counter(StageOptions.DEFAULT);
            var p2 = counter(StageOptions.DEFAULT);
            var c = GenStage.start(new Forwarder(Proc.self(),
                    SubscribeOptions.to(p1).cancel(CancelMode.TRANSIENT), SubscribeOptions.to(p2).cancel(CancelMode.TRANSIENT)));
            Ref mon = Proc.monitor(pid(c));
            GenStage.stop(p1, ExitReason.NORMAL, WAIT);
            assertThat(cancellation().reason()).isEqualTo(ExitReason.NORMAL);
            refute(m -> m instanceof Down d && d.ref().equals(mon), QUIET);
            ExitReason boom = new ExitReason.Other("boom");
            GenStage.stop(p2, boom, WAIT);
            assertThat(awaitDown(mon)).isEqualTo(boom);
        });
    }

    @Test
    void aTemporaryConsumerOutlivesItsProducers() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).cancel(CancelMode.TEMPORARY)));
            Ref mon = Proc.monitor(pid(c));
            Proc.exit(pid(p), ExitReason.KILL);
            assertThat(cancellation()).isEqualTo(new Stage.Cancellation(Stage.Cancellation.Kind.DOWN, ExitReason.KILLED));
            refute(m -> m instanceof Down d && d.ref().equals(mon), QUIET);
            assertThat(Proc.isAlive(pid(c))).isTrue();
        });
    }

    @Test
    void aConsumerCancelsItsSubscription() throws Exception {
        record Watcher(Pid to) implements Producer<Long, Long> {
            @Override
            public Init<Long> init() {
                return new Init.Ok<>(0L);
            }

            @Override
            public Result<Long, Long> handleDemand(long demand, Long s) {
                return new NoReply<>(s);
            }

            @Override
            public Result<Long, Long> handleCancel(Cancellation c, Subscription sub, Long s) {
                Proc.send(to, new Info(c));
                return new NoReply<>(s);
            }
        }
        inProcess(() -> {
            var p = GenStage.start(new Watcher(Proc.self()));
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).cancel(CancelMode.TEMPORARY)));
            Subscription sub = subscribed().subscription();
            // the consumer's code cancels: here, the test process on its behalf, with the same tag
            GenStage.cancel(sub, new ExitReason.Other("done"));
            var atProducer = (Stage.Cancellation) await(m -> m instanceof Info i ? i.msg() : null);
            assertThat(atProducer).isEqualTo(new Stage.Cancellation(Stage.Cancellation.Kind.CANCEL, new ExitReason.Other("done")));
            // the producer confirms; a temporary consumer is told and goes on
            assertThat(cancellation()).isEqualTo(new Stage.Cancellation(Stage.Cancellation.Kind.CANCEL, new ExitReason.Other("done")));
            assertThat(Proc.isAlive(pid(c))).isTrue();
            assertThat(Proc.isAlive(pid(p))).isTrue();
        });
    }

    @Test
    void aProducerForgetsAConsumerThatExits() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            var c1 = GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            subscribed();
            GenStage.stop(c1);
            // a new consumer still gets events from the start: nothing was sent to the dead one
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            GenStage.ask(subscribed().subscription(), 2);
            assertThat(got().events()).containsExactly(1L, 2L);
        });
    }

    @Test
    void aCrashInTheProducerReachesPermanentConsumers() throws Exception {
        record Crashing() implements Producer<Integer, Object> {
            @Override
            public Init<Integer> init() {
                return new Init.Ok<>(0);
            }

            @Override
            public Result<Integer, Object> handleDemand(long demand, Integer s) {
                throw new IllegalStateException("no more numbers");
            }
        }
        inProcess(() -> {
            var p = GenStage.start(new Crashing());
            Ref pm = Proc.monitor(pid(p));
            var c = GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            Ref cm = Proc.monitor(pid(c));
            GenStage.ask(subscribed().subscription(), 1);
            ExitReason why = awaitDown(pm);
            assertThat(why).isInstanceOf(ExitReason.Crash.class);
            assertThat(awaitDown(cm)).isEqualTo(why);
        });
    }

    @Test
    void subscribingToADeadProducerStopsAPermanentConsumerButNotATemporaryOne() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            GenStage.stop(p);
            var temp = GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT, false));
            Ref tag = GenStage.syncSubscribe(temp, SubscribeOptions.to(p).cancel(CancelMode.TEMPORARY));
            assertThat(tag).isNotNull();
            assertThat(Proc.isAlive(pid(temp))).isTrue();
            // by name: nothing to subscribe to, the start fails
            assertThatThrownBy(() -> GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(ServerRef.named("nobody")))))
                    .isInstanceOf(StartException.class).hasMessageContaining("noproc");
            // by pid: the subscription is sent, and the monitor says noproc at once
            var perm = GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT, false));
            Ref mon = Proc.monitor(pid(perm));
            GenStage.syncSubscribe(perm, SubscribeOptions.to(p));
            assertThat(awaitDown(mon)).isEqualTo(ExitReason.NOPROC);
        });
    }

    @Test
    void resubscribingCancelsTheOldSubscription() throws Exception {
        inProcess(() -> {
            var p1 = counter(StageOptions.DEFAULT);
            var p2 = GenStage.start(new Counter(1000, null, StageOptions.DEFAULT));
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p1).maxDemand(2).minDemand(0)
                    .cancel(CancelMode.TEMPORARY)));
            Subscription first = subscribed().subscription();
            collect(2);
            GenStage.syncResubscribe(c, first.tag(), ExitReason.NORMAL, SubscribeOptions.to(p2).maxDemand(2).minDemand(0));
            assertThat(cancellation().kind()).isEqualTo(Stage.Cancellation.Kind.CANCEL);
            Subscribed second = subscribed();
            assertThat(second.subscription().peer()).isEqualTo(pid(p2));
            Got g;
            do {
                g = got();
            } while (!g.from().equals(second.subscription()));
            assertThat(g.events().getFirst()).isEqualTo(1000L);
        });
    }

    // ------------------------------------------------------------------ dispatchers

    @Test
    void theDemandDispatcherSendsEachEventToOneConsumer() throws Exception {
        inProcess(() -> {
            var p = GenStage.start(new Counter(1, null, StageOptions.DEFAULT));
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10)));
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10)));
            Set<Object> seen = new HashSet<>();
            Set<Subscription> from = new HashSet<>();
            // the second consumer may subscribe after the first has taken many events: take events
            // until it takes part too (bounded, the producer never ends)
            while ((seen.size() < 200 || from.size() < 2) && seen.size() < 1_000_000) {
                Got g = got();
                from.add(g.from());
                for (Object e : g.events()) assertThat(seen.add(e)).as("event %s sent twice", e).isTrue();
            }
            assertThat(from).hasSize(2); // both consumers took part
        });
    }

    @Test
    void theBroadcastDispatcherSendsEveryEventToEveryConsumerAtTheSlowestPace() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.dispatcher(Dispatcher.broadcast()));
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            Subscription a = subscribed().subscription();
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            Subscription b = subscribed().subscription();
            GenStage.ask(a, 5);
            refute(m -> m instanceof Demanded, QUIET); // b has asked nothing yet
            GenStage.ask(b, 2);
            assertThat(demanded().n()).isEqualTo(2);
            Got g1 = got();
            Got g2 = got();
            assertThat(g1.events()).containsExactly(1L, 2L);
            assertThat(g2.events()).containsExactly(1L, 2L);
            assertThat(Set.of(g1.from(), g2.from())).containsExactlyInAnyOrder(a, b);
        });
    }

    @Test
    void aBroadcastSelectorFiltersEventsForItsSubscription() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.dispatcher(Dispatcher.broadcast()));
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10)
                    .<Long>selector(e -> e % 2 == 0)));
            List<Object> evens = collect(20);
            assertThat(evens).allSatisfy(e -> assertThat((Long) e % 2).isZero());
            assertThat(evens.subList(0, 3)).containsExactly(2L, 4L, 6L);
        });
    }

    @Test
    void thePartitionDispatcherSendsEachEventToItsPartition() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.dispatcher(Dispatcher.<Long>partition(List.of("even", "odd"),
                    e -> e % 2 == 0 ? "even" : "odd")));
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10).partition("even")));
            Subscription even = subscribed().subscription();
            GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).maxDemand(10).partition("odd")));
            Subscription odd = subscribed().subscription();
            int seen = 0;
            while (seen < 100) {
                Got g = got();
                long want = g.from().equals(even) ? 0 : 1;
                assertThat(g.from()).isIn(even, odd);
                for (Object e : g.events()) assertThat((Long) e % 2).isEqualTo(want);
                seen += g.events().size();
            }
        });
    }

    @Test
    void aPartitionWithoutDemandKeepsItsEventsUntilAsked() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.dispatcher(Dispatcher.partition(2)));
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p).partition(0)), true));
            Subscription zero = subscribed().subscription();
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p).partition(1)), true));
            Subscription one = subscribed().subscription();
            GenStage.ask(zero, 2); // events 1..2: hash(1) = 1, hash(2) = 0
            Got g = got();
            assertThat(g.from()).isEqualTo(zero);
            assertThat(g.events()).containsExactly(2L);
            GenStage.ask(one, 1); // event 1 waited in partition 1's queue
            Got h = got();
            assertThat(h.from()).isEqualTo(one);
            assertThat(h.events()).containsExactly(1L);
        });
    }

    @Test
    void aSubscriptionTheDispatcherRefusesIsCancelledAndTheProducerGoesOn() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT.dispatcher(Dispatcher.partition(2)));
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).cancel(CancelMode.TEMPORARY)));
            Stage.Cancellation why = cancellation();
            assertThat(why.kind()).isEqualTo(Stage.Cancellation.Kind.CANCEL);
            assertThat(why.reason().toString()).contains("partition option is required");
            assertThat(Proc.isAlive(pid(p))).isTrue();
            assertThat(Proc.isAlive(pid(c))).isTrue();
        });
    }

    // ------------------------------------------------------------------ options, calls, iterables

    @Test
    void badOptionsAreRefusedClearly() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            var c = GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT, false));
            assertThatThrownBy(() -> GenStage.syncSubscribe(c, SubscribeOptions.to(p).maxDemand(10).minDemand(10)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minDemand must be below maxDemand");
            assertThatThrownBy(() -> GenStage.syncSubscribe(p, SubscribeOptions.to(p)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not_a_consumer");
            assertThatThrownBy(() -> GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.bufferSize(5), false)))
                    .isInstanceOf(StartException.class).hasMessageContaining("a consumer has no buffer");
            assertThatThrownBy(() -> GenStage.start(new Counter(1, null, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)))))
                    .isInstanceOf(StartException.class).hasMessageContaining("a producer cannot subscribe");
            assertThat(Proc.isAlive(pid(p))).isTrue();
            assertThat(Proc.isAlive(pid(c))).isTrue();
        });
    }

    @Test
    void fromIterableEmitsEveryItemThenEndsNormally() throws Exception {
        inProcess(() -> {
            var p = GenStage.fromIterable(longs(1, 2500));
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(p).cancel(CancelMode.TRANSIENT)));
            assertThat(collect(2500)).isEqualTo(new ArrayList<Object>(longs(1, 2500)));
            assertThat(cancellation()).isEqualTo(new Stage.Cancellation(Stage.Cancellation.Kind.DOWN, ExitReason.NORMAL));
            assertThat(Proc.isAlive(pid(c))).isTrue();
        });
    }

    @Test
    void aPipelineDrainsBeforeItsEndTravelsDown() throws Exception {
        record Twice(ServerRef<?> up) implements ProducerConsumer<Integer, Long, Long> {
            @Override
            public Init<Integer> init() {
                return new Init.Ok<>(0, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(up).maxDemand(50)));
            }

            @Override
            public Result<Integer, Long> handleEvents(List<Long> events, Subscription from, Integer s) {
                return new NoReply<>(events.stream().map(e -> e * 2).toList(), s);
            }
        }
        inProcess(() -> {
            var p = GenStage.fromIterable(longs(1, 1000));
            var pc = GenStage.start(new Twice(p));
            var c = GenStage.start(new Forwarder(Proc.self(), SubscribeOptions.to(pc).maxDemand(7).minDemand(3)
                    .cancel(CancelMode.TEMPORARY)));
            List<Object> all = collect(1000);
            assertThat(all).isEqualTo(new ArrayList<Object>(longs(1, 1000).stream().map(e -> e * 2).toList()));
            assertThat(cancellation().reason()).isEqualTo(ExitReason.NORMAL);
            assertThat(Proc.isAlive(pid(c))).isTrue();
        });
    }

    @Test
    void aProducerConsumerHandsOnItsBufferedOutputBeforeItEnds() throws Exception {
        record Pass(ServerRef<?> up) implements ProducerConsumer<Integer, Object, Object> {
            @Override
            public Init<Integer> init() {
                return new Init.Ok<>(0, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(up).maxDemand(50)));
            }

            @Override
            public Result<Integer, Object> handleEvents(List<Object> events, Subscription from, Integer s) {
                return new NoReply<>(events, s);
            }
        }
        inProcess(() -> {
            var p = GenStage.fromIterable(longs(1, 10));
            Ref pm = Proc.monitor(pid(p));
            var pc = GenStage.start(new Pass(p));
            GenStage.start(new Forwarder(Proc.self(),
                    StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(pc).cancel(CancelMode.TEMPORARY)), true));
            Subscription sub = subscribed().subscription();
            GenStage.ask(sub, 3);
            assertThat(collect(3)).containsExactly(1L, 2L, 3L);
            // the producer has ended; the other seven events wait in the producer-consumer's buffer
            assertThat(awaitDown(pm)).isEqualTo(ExitReason.NORMAL);
            GenStage.ask(sub, 7);
            assertThat(collect(7)).containsExactly(4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(cancellation().reason()).isEqualTo(ExitReason.NORMAL);
        });
    }

    @Test
    void callsAndCastsReachTheStageAndCanEmitEvents() throws Exception {
        inProcess(() -> {
            var p = counter(StageOptions.DEFAULT);
            GenStage.start(new Forwarder(Proc.self(), StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(p)), true));
            GenStage.ask(subscribed().subscription(), 2);
            // demand of 2 reaches handleDemand; the call's events are emitted after, into the buffer
            assertThat(got().events()).containsExactly(1L, 2L);
            assertThat((String) GenStage.call(p, new Emit(List.of(7L)))).isEqualTo("ok");
            assertThat(GenStage.estimateBufferedCount(p)).isEqualTo(1);
        });
    }
}
