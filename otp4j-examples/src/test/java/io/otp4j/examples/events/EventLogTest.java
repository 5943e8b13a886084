package io.otp4j.examples.events;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.GenEvent;
import io.otp4j.behaviour.GenEvent.HandlerId;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.examples.events.EventLog.AlerterGone;
import io.otp4j.examples.events.EventLog.Level;
import io.otp4j.examples.events.EventLog.Paged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class EventLogTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    final List<Report> reports = new CopyOnWriteArrayList<>();
    Node node;

    @BeforeEach
    void start() {
        node = Node.start(Node.Options.named("event_log_test@localhost").withCheckMessages(true)
                .withReportListener(reports::add));
    }

    @AfterEach
    void stop() {
        node.stop();
    }

    static <T> T await(Class<T> type) {
        return Proc.receive(m -> type.isInstance(m) ? type.cast(m) : null, WAIT)
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " within " + WAIT));
    }

    @Test
    void theBrokenAlerterIsRemovedItsPagerToldAndTheLoggerGoesOn() throws Exception {
        node.run(() -> {
            Pid me = Proc.self();
            ServerRef<EventLog.Line> log = EventLog.start("event_log");
            EventLog.keepLastLines(log, 3);
            EventLog.startPager(log, "%n", me);

            EventLog.log(log, Level.INFO, "started");
            EventLog.log(log, Level.ERROR, "disk full");
            assertThat(await(Paged.class)).isEqualTo(new Paged("disk full"));

            // the line the alerter cannot handle: it is removed, its pager told (and it adds it again)
            EventLog.log(log, Level.WARN, "odd input: %n");
            AlerterGone gone = await(AlerterGone.class);
            assertThat(gone.reason()).isInstanceOf(ExitReason.Crash.class);
            assertThat(((ExitReason.Crash) gone.reason()).exception()).hasMessageContaining("cannot format the line");

            // the logger never noticed; the re-added alerter pages again
            EventLog.log(log, Level.ERROR, "disk still full");
            assertThat(await(Paged.class)).isEqualTo(new Paged("disk still full"));
            assertThat(EventLog.recent(log)).containsExactly("ERROR disk full", "WARN odd input: %n", "ERROR disk still full");
            assertThat(GenEvent.whichHandlers(log))
                    .containsExactlyInAnyOrder(HandlerId.of(EventLog.LastLines.class), HandlerId.of(EventLog.Alerter.class));
            return null;
        });
        List<Report.Crash> crashes = reports.stream().filter(r -> r instanceof Report.Crash).map(r -> (Report.Crash) r).toList();
        assertThat(crashes).hasSize(1);
        assertThat(crashes.getFirst().behaviour().orElseThrow()).contains(EventLog.Alerter.class.getName());
        assertThat(crashes.getFirst().registeredName()).contains("event_log");
        assertThat(crashes.getFirst().lastMessage().orElseThrow().toString()).isEqualTo("WARN odd input: %n");
    }

    @Test
    void whenThePagerStopsItsAlerterIsRemovedAndTheLoggerStays() throws Exception {
        node.run(() -> {
            Proc.trapExit(true); // the pager is linked to us; we end it ourselves
            ServerRef<EventLog.Line> log = EventLog.start("event_log");
            EventLog.keepLastLines(log, 10);
            Pid pager = EventLog.startPager(log, "%n", Proc.self());
            Ref mon = Proc.monitor(pager);
            Proc.exit(pager, ExitReason.SHUTDOWN);
            Proc.receive(m -> m instanceof Down d && d.ref().equals(mon) ? d : null, WAIT).orElseThrow();
            // the pager's exit reaches the manager as a message: wait until it has handled it
            for (int i = 0; i < 100_000 && GenEvent.whichHandlers(log).size() > 1; i++) Proc.yield();
            assertThat(GenEvent.whichHandlers(log)).containsExactly(HandlerId.of(EventLog.LastLines.class));
            EventLog.log(log, Level.INFO, "still here");
            assertThat(EventLog.recent(log)).containsExactly("INFO still here");
            return null;
        });
        assertThat(reports).noneMatch(r -> r instanceof Report.Crash);
    }

    @Test
    void theLoggerKeepsOnlyTheLastLines() throws Exception {
        node.run(() -> {
            ServerRef<EventLog.Line> log = EventLog.start("short_log");
            EventLog.keepLastLines(log, 2);
            for (int i = 1; i <= 5; i++) EventLog.log(log, Level.INFO, "line " + i);
            assertThat(EventLog.recent(log)).containsExactly("INFO line 4", "INFO line 5");
            return null;
        });
    }
}
