package io.otp4j.behaviour;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Matcher;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.internal.NodeRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/** A fresh node per test, with its reports collected; tests wait on messages, never sleep. */
abstract class BehaviourTestSupport {
    static final Duration WAIT = Duration.ofSeconds(10);
    final List<Report> reports = new CopyOnWriteArrayList<>();
    Node node;

    @BeforeEach
    void startNode() {
        node = Node.start(Node.Options.named("behaviours@localhost").withCheckMessages(true)
                .withReportListener(reports::add));
    }

    @AfterEach
    void stopNode() {
        node.stop();
    }

    NodeRuntime runtime() {
        return (NodeRuntime) node;
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

    static String awaitText() {
        return await(m -> m instanceof String s ? s : null);
    }

    /** Monitors pid (before it can exit, if the caller arranges that) and waits for its Down. */
    static ExitReason awaitDown(Ref ref) {
        return await(m -> m instanceof Down d && d.ref().equals(ref) ? d.reason() : null);
    }

    static void refute(Matcher<?> m, Duration d) {
        Proc.receive(m, d).ifPresent(x -> {
            throw new AssertionError("unexpected message " + x);
        });
    }

    List<Report.Crash> crashReports() {
        return reports.stream().filter(r -> r instanceof Report.Crash).map(r -> (Report.Crash) r).toList();
    }

    List<Report.Supervisor> supervisorReports() {
        return reports.stream().filter(r -> r instanceof Report.Supervisor).map(r -> (Report.Supervisor) r).toList();
    }

    static Pid pid(ServerRef<?> ref) {
        return ref.resolve().orElseThrow();
    }
}
