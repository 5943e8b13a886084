package io.otp4j;

import io.otp4j.internal.NodeRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each test class gets a node of its own, stopped afterwards. Test bodies that need a process (to
 * receive, link, monitor) run inside one with {@link #inProcess}; they wait on messages, with a
 * generous timeout so that a broken rule fails the test instead of hanging it.
 */
abstract class NodeTestSupport {
    private static final AtomicInteger SEQ = new AtomicInteger();
    static final Duration WAIT = Duration.ofSeconds(10);

    static Node node;

    @BeforeAll
    static void startNode() {
        node = Node.start(Node.Options.named("test" + SEQ.incrementAndGet() + "@localhost").withCheckMessages(true));
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    static NodeRuntime runtime() {
        return (NodeRuntime) node;
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

    /** Receives a message the matcher takes, or fails the test after {@link #WAIT}. */
    static <T> T await(Matcher<T> m) {
        return Proc.receive(m, WAIT).orElseThrow(() -> new AssertionError("no matching message within " + WAIT
                + "; mailbox: " + runtime().peekMailbox(Proc.self())));
    }

    static Object await() {
        return await(m -> m);
    }

    /** Asserts that no message the matcher takes arrives within {@code d}. */
    static void refute(Matcher<?> m, Duration d) {
        Proc.receive(m, d).ifPresent(x -> {
            throw new AssertionError("unexpected message " + x);
        });
    }

    /**
     * Waits for the Down of a monitor on {@code pid}: the event that it has exited. The reason is
     * {@code noproc} if it had already exited: assert reasons on monitors made before the exit.
     */
    static ExitReason awaitExit(Pid pid) {
        Ref ref = Proc.monitor(pid);
        return await(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null);
    }

    /** A process that waits forever. */
    static Proc.Body idle() {
        return () -> Proc.receive(m -> null);
    }
}
