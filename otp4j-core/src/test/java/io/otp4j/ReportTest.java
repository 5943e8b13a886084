package io.otp4j;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** Crash reports: one for an abnormal exit, none for normal and shutdown, none for the killed. */
class ReportTest {
    final List<Report> reports = new CopyOnWriteArrayList<>();
    Node node;

    @BeforeEach
    void start() {
        node = Node.start(Node.Options.named("reports@localhost").withReportListener(reports::add));
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    private void runAndWait(Proc.Body body) throws Exception {
        node.run(() -> {
            Proc.Spawned s = Proc.spawnMonitor(body);
            Proc.receive(m -> m instanceof Down d && d.ref().equals(s.monitor()) ? d : null);
            return null;
        });
    }

    @Test
    void aCrashProducesOneStructuredReport() throws Exception {
        runAndWait(() -> {
            Proc.register("crasher", Proc.self());
            throw new IllegalStateException("boom");
        });
        assertThat(reports).hasSize(1);
        Report.Crash c = (Report.Crash) reports.getFirst();
        assertThat(c.registeredName()).contains("crasher");
        assertThat(c.reason()).isInstanceOf(ExitReason.Crash.class);
        assertThat(c.format())
                .startsWith("crash report: process " + c.pid() + " (crasher) exited with reason: "
                        + "java.lang.IllegalStateException: boom\n    at ")
                .contains("io.otp4j.ReportTest");
    }

    @Test
    void normalAndShutdownExitsAreSilent() throws Exception {
        runAndWait(() -> { });
        runAndWait(() -> Proc.exit(ExitReason.SHUTDOWN));
        runAndWait(() -> Proc.exit(ExitReason.shutdown("planned")));
        assertThat(reports).isEmpty();
    }

    @Test
    void anAbnormalExitReasonIsReported() throws Exception {
        runAndWait(() -> Proc.exit(new ExitReason.Other("bad_state")));
        assertThat(reports).singleElement().extracting(r -> ((Report.Crash) r).reason())
                .isEqualTo(new ExitReason.Other("bad_state"));
        assertThat(reports.getFirst().format()).endsWith("exited with reason: bad_state");
    }

    @Test
    void processesKilledByASignalDoNotReport() throws Exception {
        node.run(() -> {
            Pid me = Proc.self();
            Pid a = Proc.spawn(() -> Proc.receive(m -> null));
            Pid b = Proc.spawn(() -> {
                Proc.link(a);
                Proc.send(me, "linked");
                Proc.receive(m -> null);
            });
            Ref ra = Proc.monitor(a);
            Ref rb = Proc.monitor(b);
            Proc.receive(m -> "linked".equals(m) ? m : null);
            Proc.exit(a, ExitReason.KILL);
            Proc.receive(m -> m instanceof Down d && d.ref().equals(ra) ? d : null);
            Proc.receive(m -> m instanceof Down d && d.ref().equals(rb) ? d : null);
            return null;
        });
        assertThat(reports).isEmpty();
    }

    @Test
    void identicalRepeatedErrorsAreCountedNotFlooded() throws Exception {
        for (int i = 0; i < 50; i++) {
            runAndWait(() -> {
                throw new IllegalStateException("the same failure");
            });
        }
        runAndWait(() -> {
            throw new IllegalArgumentException("a different failure");
        });
        // every report reaches the listener; the log shows the first of each kind and counts the rest
        assertThat(reports).hasSize(51);
        assertThat(((io.otp4j.internal.NodeRuntime) node).reports().suppressed()).isEqualTo(49);
    }
}
