package io.otp4j.examples.misiva;

import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Node;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Report;
import io.otp4j.behaviour.Application;
import io.otp4j.behaviour.CallException;
import io.otp4j.behaviour.DynamicSupervisor;
import io.otp4j.behaviour.ServerRef;
import io.otp4j.behaviour.StartException;
import io.otp4j.examples.misiva.Connection.Delivered;
import io.otp4j.examples.misiva.Connection.Rejected;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class MisivaTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final List<String> NAMES = List.of("apns1", "apns2", "apns3");

    /** The node's clock, which measures the supervisors' restart windows: it moves only when a test moves it. */
    static final AtomicLong clock = new AtomicLong(1_000_000_000L);
    static Node node;
    PushService service;

    @BeforeAll
    static void startNode() {
        node = Node.start(Node.Options.named("misiva_test@localhost")
                .withCheckMessages(true)
                .withTicker(clock::get)
                .withReportListener(Misiva::forwardReports));
    }

    @AfterAll
    static void stopNode() {
        node.stop();
    }

    @BeforeEach
    void startService() throws Exception {
        service = PushService.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        node.run(() -> {
            if (Application.whichApplications().stream().anyMatch(a -> a.name().equals(Misiva.APP))) Misiva.stop();
            Proc.whereis(Misiva.WATCHER).ifPresent(w -> Proc.unregister(Misiva.WATCHER));
            return null;
        });
        service.close();
    }

    /** Starts Misiva (3 restarts in 5 s) with the three connections, and registers the caller as the reports' watcher. */
    private Map<String, Pid> startWithConnections() {
        Misiva.start(new Misiva.Config(service.address(), 3, Duration.ofSeconds(5)));
        Map<String, Pid> pids = new HashMap<>();
        for (String name : NAMES) pids.put(name, Misiva.connect(name).pid());
        Proc.register(Misiva.WATCHER, Proc.self());
        return pids;
    }

    /** Waits for a progress report of {@code supervisor}: a child started. */
    private static Report.Progress awaitStarted(String supervisor) {
        return Proc.receive(m -> m instanceof Report.Progress p && p.supervisorName().equals(Optional.of(supervisor)) ? p : null, WAIT)
                .orElseThrow(() -> new AssertionError(supervisor + " started no child"));
    }

    /** Waits for the three connections to be started again; their new pids. */
    private static Map<String, Pid> awaitReconnected() {
        Map<String, Pid> pids = new HashMap<>();
        for (int i = 0; i < NAMES.size(); i++) {
            Report.Progress p = awaitStarted(Misiva.CONNECTIONS);
            pids.put((String) p.childId(), p.childPid());
        }
        assertThat(pids).containsOnlyKeys(NAMES);
        return pids;
    }

    private static Optional<Report.Supervisor> gaveUp(Duration wait) {
        return Proc.receive(m -> m instanceof Report.Supervisor s && s.context().equals("shutdown") ? s : null, wait);
    }

    @Test
    void aPushIsAcknowledgedAndABadTokenRejected() throws Exception {
        node.run(() -> {
            startWithConnections();
            assertThat(Misiva.push("apns1", "00ff", "hello")).isEqualTo(new Delivered("00ff"));
            assertThat(Misiva.push("apns2", "nope", "hello")).isEqualTo(new Rejected("nope", "BadDeviceToken"));
            assertThat(service.delivered()).isEqualTo(1);
            assertThat(service.open()).isEqualTo(3);
            return null;
        });
    }

    @Test
    void connectionsDroppedByTheServiceAreRestartedWithinTheIntensity() throws Exception {
        node.run(() -> {
            Map<String, Pid> before = startWithConnections();
            Pid supervisor = Proc.whereis(Misiva.CONNECTIONS).orElseThrow();

            service.dropConnections(); // 3 crashes, 3 restarts: within 3 in 5 s
            Map<String, Pid> after = awaitReconnected();
            for (String name : NAMES) {
                assertThat(after.get(name)).isNotEqualTo(before.get(name));
                assertThat(Proc.isAlive(before.get(name))).isFalse();
                assertThat(Proc.whereis(name)).contains(after.get(name));
                assertThat(Misiva.push(name, "abc", "again")).isEqualTo(new Delivered("abc"));
            }

            // six seconds later the first three restarts have left the window: three more are fine
            clock.addAndGet(Duration.ofSeconds(6).toNanos());
            service.dropConnections();
            awaitReconnected();
            for (String name : NAMES) assertThat(Misiva.push(name, "abc", "and again")).isEqualTo(new Delivered("abc"));

            assertThat(Proc.whereis(Misiva.CONNECTIONS)).contains(supervisor);
            assertThat(gaveUp(Duration.ZERO)).isEmpty();
            assertThat(service.accepted()).isEqualTo(9);
            return null;
        });
    }

    @Test
    void moreRestartsThanTheIntensityWithinTheWindowAndTheSupervisorGivesUp() throws Exception {
        node.run(() -> {
            startWithConnections();
            Pid supervisor = Proc.whereis(Misiva.CONNECTIONS).orElseThrow();
            Ref watch = Proc.monitor(supervisor);

            service.dropConnections();
            awaitReconnected(); // 3 restarts: at the limit
            service.dropConnections(); // the clock has not moved: the 4th restart is one too many

            Report.Supervisor report = gaveUp(WAIT).orElseThrow();
            assertThat(report.supervisorName()).contains(Misiva.CONNECTIONS);
            assertThat(report.reason()).isEqualTo(ExitReason.of("reached_max_restart_intensity"));
            assertThat(awaitDown(watch).reason()).isEqualTo(ExitReason.SHUTDOWN);

            // the top supervisor starts a fresh, empty connections supervisor; Misiva is still up
            Report.Progress again = awaitStarted(Misiva.TOP);
            assertThat(again.childId()).isEqualTo("connections");
            assertThat(again.childPid()).isNotEqualTo(supervisor);
            assertThat(DynamicSupervisor.whichChildren(ServerRef.named(Misiva.CONNECTIONS))).isEmpty();
            for (String name : NAMES) assertThat(Proc.whereis(name)).isEmpty();
            assertThat(Application.whichApplications()).anyMatch(a -> a.name().equals(Misiva.APP));
            // the service is up, so a new connection works at once
            Misiva.connect("apns1");
            assertThat(Misiva.push("apns1", "abc", "back")).isEqualTo(new Delivered("abc"));
            return null;
        });
    }

    @Test
    void whenTheServiceGoesDownTheSupervisorGivesUpInsteadOfRetryingForever() throws Exception {
        node.run(() -> {
            startWithConnections();
            Pid supervisor = Proc.whereis(Misiva.CONNECTIONS).orElseThrow();
            Ref watch = Proc.monitor(supervisor);

            service.close(); // every restart now fails to connect, and counts

            assertThat(gaveUp(WAIT)).isPresent();
            assertThat(awaitDown(watch).reason()).isEqualTo(ExitReason.SHUTDOWN);
            assertThat(awaitStarted(Misiva.TOP).childId()).isEqualTo("connections");
            assertThat(service.accepted()).isEqualTo(3); // no reconnect got through
            assertThatThrownBy(() -> Misiva.connect("apns1")).isInstanceOf(StartException.class);
            assertThatThrownBy(() -> Misiva.push("apns1", "abc", "hello")).isInstanceOf(CallException.class);
            assertThat(Application.whichApplications()).anyMatch(a -> a.name().equals(Misiva.APP));
            return null;
        });
    }

    @Test
    void tenThousandDevicesWithBoundedConcurrencyEveryOneAnswered() throws Exception {
        node.run(() -> {
            startWithConnections();
            // every 100th device has a bad token
            List<String> devices = IntStream.range(0, 10_000)
                    .mapToObj(i -> i % 100 == 99 ? "bad-device-" + i : "%064x".formatted(i)).toList();
            Misiva.Summary s = Misiva.pushAll(devices, "Sale!", NAMES, 32);

            assertThat(s.delivered()).isEqualTo(9_900);
            assertThat(s.rejected()).isEqualTo(100);
            assertThat(service.delivered()).isEqualTo(9_900); // counted by the service itself
            assertThat(s.maxInFlight()).isLessThanOrEqualTo(32).isGreaterThan(1);
            assertThat(service.accepted()).isEqualTo(3); // all through the three connections
            return null;
        });
    }

    @Test
    void stoppingMisivaClosesEveryConnection() throws Exception {
        Map<String, Pid> pids = node.run(this::startWithConnections);
        assertThat(service.open()).isEqualTo(3);
        node.run(() -> {
            Misiva.stop();
            return null;
        });
        assertThat(service.awaitOpen(0, WAIT)).isTrue();
        for (Pid pid : pids.values()) assertThat(node.isAlive(pid)).isFalse();
        assertThat(node.whereis(Misiva.TOP)).isEmpty();
    }

    @Test
    void mainTellsTheTalksStory() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        node.run(() -> {
            Misiva.run(service, 1_000, new PrintStream(buf, true));
            return null;
        });
        assertThat(buf.toString())
                .contains("push to a device: Delivered[token=00ff00ff]")
                .contains("push to a bad token: Rejected[token=not-a-token, reason=BadDeviceToken]")
                .containsPattern("apns1 reconnected as <0\\.\\d+\\.\\d+>")
                .contains("push again: Delivered[token=0123abcd]")
                .containsPattern("delivered 1000, rejected 0 in \\d+ ms; at most \\d+ in flight; the service acknowledged 1000")
                .contains("misiva_connections gave up: reached_max_restart_intensity")
                .contains("connecting now fails at once")
                .contains("misiva still running: true")
                .contains("misiva stopped");
    }

    private static Down awaitDown(Ref ref) {
        return Proc.receive(m -> m instanceof Down d && d.ref().equals(ref) ? d : null, WAIT)
                .orElseThrow(() -> new AssertionError("no Down"));
    }
}
