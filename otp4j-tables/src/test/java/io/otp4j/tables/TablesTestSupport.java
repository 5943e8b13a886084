package io.otp4j.tables;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Matcher;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/** A node per test class (checking messages), and helpers to run test bodies inside a process. */
abstract class TablesTestSupport {
    private static final AtomicInteger SEQ = new AtomicInteger();
    static final Duration WAIT = Duration.ofSeconds(10);

    static Node node;

    @BeforeAll
    static void startNode() {
        node = Node.start(Node.Options.named("tables" + SEQ.incrementAndGet() + "@localhost").withCheckMessages(true));
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    static <T> T inProcess(Callable<T> fn) throws Exception {
        return node.run(fn);
    }

    static void inProcess(Proc.Body body) throws Exception {
        node.run(() -> {
            body.run();
            return null;
        });
    }

    static <T> T await(Matcher<T> m) {
        return Proc.receive(m, WAIT).orElseThrow(() -> new AssertionError("no matching message within " + WAIT));
    }

    static ExitReason awaitExit(Pid pid) {
        Ref ref = Proc.monitor(pid);
        return await(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null);
    }

    /** Runs {@code fn} in a new process and returns its result or what it threw (as a Throwable). */
    static Object inOtherProcess(Callable<?> fn) {
        Pid me = Proc.self();
        Ref tag = Proc.makeRef();
        Proc.spawn(() -> {
            Object r;
            try {
                r = fn.call();
            } catch (Throwable t) {
                r = new Failed(t.getClass().getName(), String.valueOf(t.getMessage()));
            }
            Proc.send(me, new Reply(tag, r == null ? "null" : r));
        });
        return await(m -> m instanceof Reply r && r.tag().equals(tag) ? r.value() : null);
    }

    record Reply(Ref tag, Object value) {
    }

    /** What a process threw, carried as a message. */
    record Failed(String type, String message) {
    }

    static Proc.Body idle() {
        return () -> Proc.receive(m -> null);
    }
}
