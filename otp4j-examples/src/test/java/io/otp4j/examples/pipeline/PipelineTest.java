package io.otp4j.examples.pipeline;

import io.otp4j.Node;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class PipelineTest {
    static Node node;

    @BeforeAll
    static void start() {
        node = Node.start(Node.Options.named("pipeline_test@localhost"));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    @Test
    void theSlowConsumerIsNeverOverrun() throws Exception {
        // 200 µs of CPU per event rather than the example's 1 ms of sleep, to keep the run short
        Pipeline.Options options = Pipeline.Options.DEFAULT.demands(40, 20)
                .perEvent(Duration.ofNanos(200_000), Pipeline.Work.SPIN)
                .events(2_000)
                .sampleEvery(Duration.ofMillis(50));
        Pipeline.Summary s = node.run(() -> Pipeline.run(options, x -> {
        }));

        assertThat(s.consumed()).isGreaterThanOrEqualTo(2_000);
        // the producer emitted only what was asked: never far ahead of the consumer
        assertThat(s.maxInFlight()).isPositive().isLessThanOrEqualTo(options.inFlightBound());
        assertThat(s.produced() - s.consumed()).isLessThanOrEqualTo(options.inFlightBound());
        assertThat(s.samples()).isNotEmpty().allSatisfy(x -> {
            assertThat(x.inFlight()).isLessThanOrEqualTo(options.inFlightBound());
            assertThat(x.maxQueue()).isLessThanOrEqualTo((int) options.queueBound());
            assertThat(x.producerBuffered()).isZero();
            assertThat(x.middleBuffered()).isLessThan(options.upstream());
        });
        // demand came back many times, in batches, not as one big request
        assertThat(s.demands()).isGreaterThan(2_000 / options.upstream());
    }

    @Test
    void mainPrintsTheFigures() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Pipeline.Options o = Pipeline.Options.DEFAULT.events(300).perEvent(Duration.ofNanos(100_000), Pipeline.Work.SPIN)
                .sampleEvery(Duration.ofMillis(20));
        Pipeline.run(o, new PrintStream(buf, true));
        assertThat(buf.toString())
                .contains("bounds: in flight <= 249 events, mailboxes <= 150 messages")
                .containsPattern("most in flight: \\d+ \\(bound 249\\)")
                .contains("no more than asked");
    }
}
