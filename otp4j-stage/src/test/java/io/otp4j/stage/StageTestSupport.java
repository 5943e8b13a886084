package io.otp4j.stage;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Matcher;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.ServerRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fresh node per test, with its reports collected; tests wait on messages, never sleep. */
abstract class StageTestSupport {
    static final Duration WAIT = Duration.ofSeconds(10);
    final List<Report> reports = new CopyOnWriteArrayList<>();
    Node node;

    @BeforeEach
    void startNode() {
        node = Node.start(Node.Options.named("stages@localhost").withCheckMessages(true)
                .withReportListener(reports::add));
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    <T> T inProcess(Callable<T> fn) throws Exception {
        return node.run(fn);
    }

    void inProcess(Proc.Body body) throws Exception {
        node.run(() -> {
            body.run();
            return null;
        });
    }

    static <T> T await(Matcher<T> m) {
        return Proc.receive(m, WAIT).orElseThrow(() -> new AssertionError("no matching message within " + WAIT));
    }

    static ExitReason awaitDown(Ref ref) {
        return await(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null);
    }

    /** Asserts that no message {@code p} accepts arrives within {@code d}. */
    static void refute(java.util.function.Predicate<Object> p, Duration d) {
        Proc.receive(m -> p.test(m) ? m : null, d).ifPresent(x -> {
            throw new AssertionError("unexpected message " + x);
        });
    }

    static Pid pid(ServerRef<?> ref) {
        return ref.resolve().orElseThrow();
    }

    // ------------------------------------------------------------------ stages used by the tests

    /** Counts up from {@code from}; reports each demand to {@code observer} as {@code Demanded(n)}. */
    record Counter(long from, Pid observer, StageOptions options) implements Producer<Long, Long> {
        Counter(long from) {
            this(from, null, StageOptions.DEFAULT);
        }

        @Override
        public Init<Long> init() {
            return new Init.Ok<>(from, options);
        }

        @Override
        public Result<Long, Long> handleDemand(long demand, Long next) {
            if (observer != null) Proc.send(observer, new Demanded(demand));
            var out = new java.util.ArrayList<Long>((int) demand);
            for (long i = 0; i < demand; i++) out.add(next + i);
            return new NoReply<>(out, next + demand);
        }

        @Override
        public CallResult<Long, Long> handleCall(Object request, io.otp4j.behaviour.From from, Long next) {
            if (request instanceof Emit(List<?> events)) {
                @SuppressWarnings("unchecked")
                List<Long> ev = (List<Long>) events;
                return new Reply<>("ok", ev, next);
            }
            throw new IllegalStateException("unexpected call " + request);
        }
    }

    record Demanded(long n) {
    }

    /** A call that makes a producer emit events without demand. */
    record Emit(List<?> events) {
    }

    /** Events a forwarding consumer received, with the subscription they came on. */
    record Got(List<Object> events, Subscription from) {
    }

    /** A consumer that sends every batch it gets to {@code to}. */
    record Forwarder(Pid to, StageOptions options, boolean manual) implements Consumer<Integer, Object> {
        Forwarder(Pid to, SubscribeOptions... subs) {
            this(to, StageOptions.DEFAULT.subscribeTo(subs), false);
        }

        @Override
        public Init<Integer> init() {
            return new Init.Ok<>(0, options);
        }

        @Override
        public SubscribeResult<Integer> handleSubscribe(Peer peer, SubscribeOptions o, Subscription s, Integer st) {
            Proc.send(to, new Subscribed(peer, s));
            return manual ? new Manual<>(st) : new Automatic<>(st);
        }

        @Override
        public Result<Integer, Void> handleEvents(List<Object> events, Subscription from, Integer n) {
            Proc.send(to, new Got(List.copyOf(events), from));
            return new NoReply<>(n + events.size());
        }

        @Override
        public Result<Integer, Void> handleCancel(Cancellation c, Subscription s, Integer n) {
            Proc.send(to, c);
            return new NoReply<>(n);
        }

        @Override
        public Result<Integer, Void> handleInfo(Object msg, Integer n) {
            Proc.send(to, new Info(msg));
            return new NoReply<>(n);
        }
    }

    record Subscribed(Stage.Peer peer, Subscription subscription) {
    }

    record Info(Object msg) {
    }
}
