package io.otp4j.bench.otp4j;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.stage.Consumer;
import io.otp4j.stage.GenStage;
import io.otp4j.stage.ProducerConsumer;
import io.otp4j.stage.StageOptions;
import io.otp4j.stage.SubscribeOptions;
import io.otp4j.stage.Subscription;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static io.otp4j.bench.BenchSupport.check;

/**
 * stage_pipeline on otp4j: the longs 1..n (boxed) from {@link GenStage#fromIterable}, a
 * producer-consumer mapping x to 2x, a consumer summing; every subscription with
 * {@code max_demand} 1000 (and the default {@code min_demand}, 500). The producer stops when its
 * items are dispatched, and the end travels down the pipeline as the subscriptions' normal
 * cancellation; the consumer reports its sum when its subscription ends.
 */
final class StageWorkloads {
    private StageWorkloads() {
    }

    static final int MAX_DEMAND = 1000;

    record Doubler(ServerRef<?> source) implements ProducerConsumer<Object, Long, Long> {
        @Override
        public Init<Object> init() {
            return new Init.Ok<>("", StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source).maxDemand(MAX_DEMAND)));
        }

        @Override
        public Result<Object, Long> handleEvents(List<Long> events, Subscription from, Object s) {
            List<Long> out = new ArrayList<>(events.size());
            for (int i = 0, n = events.size(); i < n; i++) out.add(2 * events.get(i));
            return new NoReply<>(out, s);
        }
    }

    /** Sums; sends the sum to {@code report} when the subscription ends. */
    record Sum(ServerRef<?> source, Pid report) implements Consumer<long[], Long> {
        @Override
        public Init<long[]> init() {
            return new Init.Ok<>(new long[1], StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source).maxDemand(MAX_DEMAND)));
        }

        @Override
        public Result<long[], Void> handleEvents(List<Long> events, Subscription from, long[] sum) {
            long s = sum[0];
            for (int i = 0, n = events.size(); i < n; i++) s += events.get(i);
            sum[0] = s;
            return new NoReply<>(sum);
        }

        @Override
        public Result<long[], Void> handleCancel(Cancellation c, Subscription from, long[] sum) {
            Proc.send(report, new Done(sum[0]));
            return new NoReply<>(sum);
        }
    }

    record Done(long sum) {
    }

    static double[] pipeline(NodeRuntime node, long n) throws Exception {
        return node.run(() -> {
            long t0 = System.nanoTime();
            var source = GenStage.fromIterable(() -> new Counter(n));
            var doubled = GenStage.start(new Doubler(source));
            GenStage.start(new Sum(doubled, Proc.self()));
            long sum = Proc.receive(m -> m instanceof Done(long s) ? s : null);
            long t1 = System.nanoTime();
            check(sum == n * (n + 1), "sink summed " + sum + ", expected " + n * (n + 1));
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /** 1, 2, ..., last. */
    private static final class Counter implements Iterator<Long> {
        private final long last;
        private long next = 1;

        Counter(long last) {
            this.last = last;
        }

        @Override
        public boolean hasNext() {
            return next <= last;
        }

        @Override
        public Long next() {
            if (next > last) throw new NoSuchElementException();
            return next++;
        }
    }
}
