package io.otp4j.examples.pipeline;

import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.ProcessInfo;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.stage.Consumer;
import io.otp4j.stage.GenStage;
import io.otp4j.stage.Producer;
import io.otp4j.stage.ProducerConsumer;
import io.otp4j.stage.StageOptions;
import io.otp4j.stage.SubscribeOptions;
import io.otp4j.stage.Subscription;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Back-pressure at work: a producer that could feed hundreds of thousands of events a second
 * through this pipeline feeds a consumer that needs about a millisecond for each, through a
 * producer-consumer in between, and nothing piles up.
 *
 * <pre>
 *   Numbers (producer) --maxDemand=upstream--> Doubler (producer_consumer) --maxDemand=downstream--> SlowSink (consumer)
 * </pre>
 *
 * <p>The producer emits only in {@code handleDemand}, exactly as many events as it is asked for;
 * the consumer asks for {@code downstream} events and asks again only after handling them; the
 * producer-consumer asks its producer for {@code upstream} events and handles them only while its
 * consumer wants output. So the producer runs at the consumer's pace, and at every moment:
 *
 * <ul>
 *   <li>events produced but not yet consumed stay within {@link Options#inFlightBound()}: the
 *       {@code upstream} events the producer-consumer may have asked for and not handled, the
 *       {@code downstream} events the consumer may have asked for and not consumed, and the
 *       events the producer-consumer handled beyond its consumer's demand. That last share exists
 *       because a producer-consumer handles a message of events whole once its consumer wants
 *       anything, and keeps the output not yet asked for in its buffer: less than one message,
 *       so at most {@code upstream - 1} events. The sum of the two max demands alone is not a
 *       bound (runs with the defaults show up to 200 events in flight at times, more than
 *       100 + 50), but this one is;</li>
 *   <li>no mailbox grows: each message between stages carries at least one event or one unit of
 *       demand, so a stage's queue never holds more messages than the demand in flight
 *       (checked with {@link Proc#info} and {@link ProcessInfo#messageQueueLen()});</li>
 *   <li>the producer's buffer stays empty and the producer-consumer's stays below one upstream
 *       batch ({@link GenStage#estimateBufferedCount}).</li>
 * </ul>
 * Memory therefore stays flat however long the pipeline runs, while the consumer has its next
 * events at hand (it asks for more before it runs out). {@link #main} prints these figures twice a second (arguments:
 * {@code [seconds] [micros-per-event] [sleep|spin]}, by default {@code 5 1000 sleep}; run it with
 * the examples module's classpath, as the demo is run); {@link #run} returns them for a test.
 *
 * <p>The counters the stages update ({@code Meters}) are shared atomics read by the sampling
 * process: a measuring device outside the pipeline, not a way for stages to communicate.
 */
public final class Pipeline {
    private Pipeline() {
    }

    /** How the consumer spends its time on an event. */
    public enum Work {
        /**
         * {@link Proc#sleep}: waiting, as for I/O; the scheduler runs other processes meanwhile.
         * Waits shorter than a millisecond (a timer's tick) are spun.
         */
        SLEEP,
        /** A busy loop: CPU-bound work. */
        SPIN
    }

    /**
     * A run's settings.
     *
     * @param upstream    the producer-consumer's {@code maxDemand} on the producer
     * @param downstream  the consumer's {@code maxDemand} on the producer-consumer
     * @param perEvent    the consumer's time per event
     * @param work        how it spends that time
     * @param events      stop once this many events are consumed (0: no limit)
     * @param duration    stop after this long (null: no limit); at least one limit is needed
     * @param sampleEvery time between samples
     */
    public record Options(int upstream, int downstream, Duration perEvent, Work work, long events, Duration duration,
                          Duration sampleEvery) {
        /** 100 upstream, 50 downstream, 1 ms of sleep per event, for 5 seconds, sampled every 500 ms. */
        public static final Options DEFAULT = new Options(100, 50, Duration.ofMillis(1), Work.SLEEP, 0,
                Duration.ofSeconds(5), Duration.ofMillis(500));

        public Options {
            if (upstream < 2 || downstream < 2) throw new IllegalArgumentException("max demands must be >= 2");
            Objects.requireNonNull(perEvent, "perEvent");
            Objects.requireNonNull(work, "work");
            Objects.requireNonNull(sampleEvery, "sampleEvery");
            if (events < 0) throw new IllegalArgumentException("events cannot be negative");
            if (events == 0 && duration == null) throw new IllegalArgumentException("give an event count or a duration");
        }

        public Options demands(int up, int down) {
            return new Options(up, down, perEvent, work, events, duration, sampleEvery);
        }

        public Options perEvent(Duration time, Work how) {
            return new Options(upstream, downstream, time, how, events, duration, sampleEvery);
        }

        /** Stops after {@code n} events (and no longer after a duration). */
        public Options events(long n) {
            return new Options(upstream, downstream, perEvent, work, n, null, sampleEvery);
        }

        /** Stops after {@code d} (and no longer after a number of events). */
        public Options duration(Duration d) {
            return new Options(upstream, downstream, perEvent, work, 0, d, sampleEvery);
        }

        public Options sampleEvery(Duration d) {
            return new Options(upstream, downstream, perEvent, work, events, duration, d);
        }

        /** The most events that can be produced and not yet consumed: {@code 2 * upstream - 1 + downstream}. */
        public long inFlightBound() {
            return 2L * upstream - 1 + downstream;
        }

        /** The most messages a stage's mailbox can hold: one per event or unit of demand in flight. */
        public long queueBound() {
            return (long) upstream + downstream;
        }
    }

    /** The stages' counters, read by the sampling process. */
    static final class Meters {
        final AtomicLong produced = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong demands = new AtomicLong();
        final AtomicLong maxInFlight = new AtomicLong();
    }

    /**
     * One look at the running pipeline.
     *
     * @param elapsed          since the start
     * @param produced         events the producer emitted so far
     * @param consumed         events the consumer finished so far
     * @param queues           message queue lengths: producer, producer-consumer, consumer
     * @param producerBuffered events waiting in the producer's buffer
     * @param middleBuffered   events waiting in the producer-consumer's buffer
     */
    public record Sample(Duration elapsed, long produced, long consumed, List<Integer> queues, int producerBuffered,
                         int middleBuffered) {
        /** Produced and not yet consumed (read in that order, so never more than the truth). */
        public long inFlight() {
            return produced - consumed;
        }

        public int maxQueue() {
            return queues.stream().mapToInt(Integer::intValue).max().orElse(0);
        }
    }

    /**
     * What a run showed.
     *
     * @param produced    events the producer emitted
     * @param consumed    events the consumer finished
     * @param demands     times the producer was asked for events
     * @param maxInFlight the most events produced and not yet consumed at any time, as the
     *                    producer saw right after each emission
     * @param samples     the periodic samples
     * @param elapsed     the run's length
     */
    public record Summary(long produced, long consumed, long demands, long maxInFlight, List<Sample> samples,
                          Duration elapsed) {
        public int maxQueue() {
            return samples.stream().mapToInt(Sample::maxQueue).max().orElse(0);
        }

        public int maxMiddleBuffered() {
            return samples.stream().mapToInt(Sample::middleBuffered).max().orElse(0);
        }

        public int maxProducerBuffered() {
            return samples.stream().mapToInt(Sample::producerBuffered).max().orElse(0);
        }
    }

    // ------------------------------------------------------------------ the stages

    /** Counts up, emitting exactly what is asked for: it never runs ahead of demand. */
    record Numbers(Meters meters) implements Producer<Long, Long> {
        @Override
        public Init<Long> init() {
            return new Init.Ok<>(0L);
        }

        @Override
        public Result<Long, Long> handleDemand(long demand, Long next) {
            List<Long> out = new ArrayList<>((int) demand);
            for (long i = 0; i < demand; i++) out.add(next + i);
            meters.demands.incrementAndGet();
            long produced = meters.produced.addAndGet(demand);
            meters.maxInFlight.accumulateAndGet(produced - meters.consumed.get(), Math::max);
            return new NoReply<>(out, next + demand);
        }
    }

    /** Doubles every event; handles events only while its consumer wants output. */
    record Doubler(ServerRef<?> source, int maxDemand) implements ProducerConsumer<Void, Long, Long> {
        @Override
        public Init<Void> init() {
            return new Init.Ok<>(null, StageOptions.DEFAULT.subscribeTo(SubscribeOptions.to(source).maxDemand(maxDemand)));
        }

        @Override
        public Result<Void, Long> handleEvents(List<Long> events, Subscription from, Void state) {
            List<Long> out = new ArrayList<>(events.size());
            for (Long e : events) out.add(e * 2);
            return new NoReply<>(out, state);
        }
    }

    /** Told once the consumer has finished its quota. */
    record Done() {
    }

    /**
     * The slow consumer: {@code perEvent} of work per event; tells {@code runner} once it has
     * consumed {@code options.events()}.
     */
    record SlowSink(ServerRef<?> source, Options options, Meters meters, Pid runner) implements Consumer<Long, Long> {
        private static final long MIN_SLEEP_NANOS = 1_000_000;

        @Override
        public Init<Long> init() {
            return new Init.Ok<>(0L, StageOptions.DEFAULT.subscribeTo(
                    SubscribeOptions.to(source).maxDemand(options.downstream())));
        }

        @Override
        public Result<Long, Void> handleEvents(List<Long> events, Subscription from, Long seen) {
            long per = options.perEvent().toNanos();
            long due = System.nanoTime();
            for (Long e : events) {
                due += per;
                work(due, options.work());
                meters.consumed.incrementAndGet();
            }
            long now = seen + events.size();
            if (options.events() > 0 && seen < options.events() && now >= options.events()) {
                Proc.send(runner, new Done());
            }
            return new NoReply<>(now);
        }

        /**
         * Works until {@code due}. Deadlines follow each other through a batch, so that a sleep
         * that overshoots (timers tick every millisecond) is made up by the next events; waits
         * shorter than a tick are spun.
         */
        private static void work(long due, Work how) {
            long left;
            while ((left = due - System.nanoTime()) > 0) {
                if (how == Work.SLEEP && left >= MIN_SLEEP_NANOS) Proc.sleep(Duration.ofNanos(left));
                else Thread.onSpinWait();
            }
        }
    }

    // ------------------------------------------------------------------ running it

    /**
     * Starts the three stages (linked to the calling process), samples them every
     * {@code sampleEvery} until a limit of {@code options} is reached, stops them and returns
     * what it saw. Must be called in a process.
     *
     * @param onSample told of each sample as it is taken
     */
    public static Summary run(Options options, java.util.function.Consumer<Sample> onSample) {
        Meters meters = new Meters();
        long start = System.nanoTime();
        var numbers = GenStage.startLink(new Numbers(meters));
        var doubler = GenStage.startLink(new Doubler(numbers, options.upstream()));
        var sink = GenStage.startLink(new SlowSink(doubler, options, meters, Proc.self()));
        List<Sample> samples = new ArrayList<>();
        long deadline = options.duration() != null ? start + options.duration().toNanos() : Long.MAX_VALUE;
        while (true) {
            Optional<Done> done = Proc.receive(m -> m instanceof Done d ? d : null, options.sampleEvery());
            Sample s = sample(Duration.ofNanos(System.nanoTime() - start), meters, numbers, doubler, sink);
            samples.add(s);
            onSample.accept(s);
            if (done.isPresent() || System.nanoTime() - deadline >= 0) break;
        }
        GenStage.stop(sink);
        GenStage.stop(doubler);
        GenStage.stop(numbers);
        return new Summary(meters.produced.get(), meters.consumed.get(), meters.demands.get(), meters.maxInFlight.get(),
                List.copyOf(samples), Duration.ofNanos(System.nanoTime() - start));
    }

    private static Sample sample(Duration elapsed, Meters meters, ServerRef<?> numbers, ServerRef<?> doubler,
                                 ServerRef<?> sink) {
        long produced = meters.produced.get(); // first: the difference never overstates what is in flight
        long consumed = meters.consumed.get();
        List<Integer> queues = List.of(queue(numbers), queue(doubler), queue(sink));
        return new Sample(elapsed, produced, consumed, queues, GenStage.estimateBufferedCount(numbers),
                GenStage.estimateBufferedCount(doubler));
    }

    private static int queue(ServerRef<?> stage) {
        return stage.resolve().flatMap(Proc::info).map(ProcessInfo::messageQueueLen).orElse(0);
    }

    /** Runs the pipeline for {@code [seconds] [micros-per-event] [sleep|spin]} (5, 1000, sleep) and prints what it sees. */
    public static void main(String[] args) throws Exception {
        Options options = Options.DEFAULT;
        if (args.length > 0) options = options.duration(Duration.ofSeconds(Long.parseLong(args[0])));
        if (args.length > 1) {
            options = options.perEvent(Duration.ofNanos(Long.parseLong(args[1]) * 1000),
                    args.length > 2 ? Work.valueOf(args[2].toUpperCase()) : options.work());
        }
        Summary fast = Node.local().run(() -> run(Options.DEFAULT.perEvent(Duration.ZERO, Work.SPIN)
                .duration(Duration.ofMillis(500)), x -> {
        }));
        System.out.printf("with a consumer that does no work, this pipeline carries %.0f events/s; now a slow one:%n",
                fast.consumed() / (fast.elapsed().toNanos() / 1e9));
        run(options, System.out);
        System.exit(0);
    }

    static Summary run(Options o, PrintStream out) throws Exception {
        out.printf("producer -> producer_consumer (maxDemand %d) -> consumer (maxDemand %d, %d µs of %s per event)%n",
                o.upstream(), o.downstream(), o.perEvent().toNanos() / 1000, o.work().name().toLowerCase());
        out.printf("bounds: in flight <= %d events, mailboxes <= %d messages%n", o.inFlightBound(), o.queueBound());
        out.println("   time   produced   consumed  in flight  buffered(p, pc)  queues(p, pc, c)");
        Node node = Node.local();
        Summary s = node.run(() -> run(o, x -> out.printf("%6.1fs %10d %10d %10d  %7d %7d    %s%n",
                x.elapsed().toMillis() / 1000.0, x.produced(), x.consumed(), x.inFlight(), x.producerBuffered(),
                x.middleBuffered(), x.queues())));
        double secs = s.elapsed().toNanos() / 1e9;
        out.printf("%d events consumed in %.1f s (%.0f/s); the producer was asked %d times and emitted %d events, "
                        + "no more than asked%n", s.consumed(), secs, s.consumed() / secs, s.demands(), s.produced());
        out.printf("most in flight: %d (bound %d); longest mailbox: %d (bound %d); most buffered: producer %d, "
                        + "producer_consumer %d%n", s.maxInFlight(), o.inFlightBound(), s.maxQueue(), o.queueBound(),
                s.maxProducerBuffered(), s.maxMiddleBuffered());
        return s;
    }
}
