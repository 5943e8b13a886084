package io.otp4j.stage;

import io.otp4j.Proc;
import io.otp4j.behaviour.ServerRef;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineSmokeTest extends StageTestSupport {

    record Doubler(ServerRef<?> source) implements ProducerConsumer<Integer, Long, Long> {
        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source)));
        }

        @Override
        public Result<Integer, Long> handleEvents(List<Long> events, Subscription from, Integer s) {
            List<Long> out = new ArrayList<>(events.size());
            for (Long e : events) out.add(e * 2);
            return new NoReply<>(out, s);
        }
    }

    record Sum(ServerRef<?> source, long until, io.otp4j.Pid report) implements Consumer<long[], Long> {
        @Override
        public Init<long[]> init() {
            return new Init.Ok<>(new long[2], StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source)));
        }

        @Override
        public Result<long[], Void> handleEvents(List<Long> events, Subscription from, long[] s) {
            for (Long e : events) s[0] += e;
            s[1] += events.size();
            if (s[1] == until) Proc.send(report, s[0]);
            return new NoReply<>(s);
        }
    }

    @Test
    void threeStagesCarryEveryEvent() throws Exception {
        long n = 2_000_000;
        long sum = inProcess(() -> {
            var p = GenStage.start(new Counter(1));
            var pc = GenStage.start(new Doubler(p));
            GenStage.start(new Sum(pc, n, Proc.self()));
            long t0 = System.nanoTime();
            long s = await(m -> m instanceof Long l ? l : null);
            System.out.printf("%d events in %.1f ms%n", n, (System.nanoTime() - t0) / 1e6);
            return s;
        });
        assertThat(sum).isEqualTo(n * (n + 1));
    }
}
