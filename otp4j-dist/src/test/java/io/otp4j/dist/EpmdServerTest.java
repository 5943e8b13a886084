package io.otp4j.dist;

import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdException;
import io.otp4j.dist.internal.epmd.EpmdServer;
import io.otp4j.dist.internal.epmd.Names;
import io.otp4j.dist.internal.epmd.NodeType;
import io.otp4j.dist.internal.epmd.PortInfo;
import io.otp4j.dist.internal.epmd.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.otp4j.dist.EpmdTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The embedded {@link EpmdServer} with {@link EpmdClient}, raw requests and the epmd command as clients. */
@SuppressWarnings("try") // registrations are held open for the length of a block
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpmdServerTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
        for (Process p : processes) stop(p);
    }

    private EpmdServer server(EpmdServer.Config config) throws Exception {
        EpmdServer s = EpmdServer.start(config);
        toClose.add(s);
        return s;
    }

    private EpmdServer server() throws Exception {
        return server(EpmdServer.Config.port(0));
    }

    private static EpmdClient client(EpmdServer s) {
        return new EpmdClient(s.port(), Duration.ofSeconds(5));
    }

    @Test
    void ourClientRegistersLooksUpAndLists() throws Exception {
        EpmdServer s = server();
        EpmdClient c = client(s);
        try (Registration a = c.register("a1", 41001); Registration h = c.register("h1", 41002, NodeType.HIDDEN)) {
            assertThat(a.extendedCreation()).isTrue();
            assertThat(Integer.toUnsignedLong(a.creation())).isGreaterThanOrEqualTo(4);
            PortInfo p = c.portPlease("127.0.0.1", "a1").orElseThrow();
            assertThat(p).isEqualTo(new PortInfo(41001, 77, 0, 6, 6, "a1", new byte[0]));
            assertThat(c.portPlease(LOOPBACK, "h1").orElseThrow().hidden()).isTrue();
            assertThat(c.portPlease(LOOPBACK, "zz")).isEmpty();

            Names names = c.names("127.0.0.1");
            assertThat(names.epmdPort()).isEqualTo(s.port());
            assertThat(names.nodes()).containsExactly(new Names.Entry("h1", 41002), new Names.Entry("a1", 41001));
            assertThat(s.names()).isEqualTo(names.nodes());
        }
        assertThat(s.awaitNames(List::isEmpty, Duration.ofSeconds(5))).as("the names go").isTrue();
    }

    @Test
    void aDuplicateIsRefusedAndTheFirstStays() throws Exception {
        EpmdServer s = server();
        EpmdClient c = client(s);
        try (Registration first = c.register("same", 41003)) {
            assertThatThrownBy(() -> c.register("same", 41004)).isInstanceOf(EpmdException.class)
                    .satisfies(e -> assertThat(((EpmdException) e).kind()).isEqualTo(EpmdException.Kind.REFUSED));
            assertThat(first.isActive()).isTrue();
            assertThat(c.portPlease(LOOPBACK, "same").orElseThrow().port()).isEqualTo(41003);
        }
    }

    @Test
    void theRegistrationLastsAsLongAsItsConnection() throws Exception {
        EpmdServer s = server();
        EpmdClient c = client(s);
        Registration r = c.register("brief", 41005);
        long creation = Integer.toUnsignedLong(r.creation());
        assertThat(creation).isBetween(System.currentTimeMillis() / 1000 - 5, System.currentTimeMillis() / 1000 + 5);
        r.close();
        assertThat(s.awaitNames(n -> !n.contains(new Names.Entry("brief", 41005)), Duration.ofSeconds(5))).as("the name goes").isTrue();
        try (Registration again = c.register("brief", 41006)) {
            assertThat(Integer.toUnsignedLong(again.creation())).isEqualTo(creation + 1);
        }
    }

    @Test
    void anOldStyleRequestGetsASixteenBitCreationOneToThree() throws Exception {
        EpmdServer s = server();
        try (Socket sock = new Socket()) {
            sock.connect(new InetSocketAddress(LOOPBACK, s.port()));
            sock.getOutputStream().write(alive2(41007, 77, 5, 5, bytes("old"), new byte[0]));
            byte[] reply = sock.getInputStream().readNBytes(4);
            assertThat(reply[0]).isEqualTo((byte) 121);
            assertThat(reply[1]).isZero();
            assertThat(((reply[2] & 0xFF) << 8) | (reply[3] & 0xFF)).isBetween(1, 3);
            assertThat(s.names()).containsExactly(new Names.Entry("old", 41007));
            // refused: the old reply with epmd's 99
            Exchange dup = exchange(s.port(), alive2(41008, 77, 5, 5, bytes("old"), new byte[0]), Duration.ofSeconds(5));
            assertThat(dup.reply()).containsExactly(121, 1, 0, 99);
            assertThat(dup.closed()).isTrue();
        }
        assertThat(s.awaitNames(List::isEmpty, Duration.ofSeconds(5))).as("the name goes").isTrue();
    }

    @Test
    void refusalsOfVersionSixCarryTheCreationNinetyNine() throws Exception {
        EpmdServer s = server();
        try (Registration ignored = client(s).register("taken", 41009)) {
            Exchange dup = exchange(s.port(), alive2(41010, 77, 6, 5, bytes("taken"), new byte[0]), Duration.ofSeconds(5));
            assertThat(dup.reply()).containsExactly(118, 1, 0, 0, 0, 99);
        }
    }

    @Test
    void namesUsesEpmdsTextFormatAndClosesAfterwards() throws Exception {
        EpmdServer s = server();
        try (Registration ignored = client(s).register("fmt", 41011)) {
            Exchange e = exchange(s.port(), request(110), Duration.ofSeconds(5));
            assertThat(e.closed()).isTrue();
            byte[] head = {(byte) (s.port() >>> 24), (byte) (s.port() >>> 16), (byte) (s.port() >>> 8), (byte) s.port()};
            assertThat(e.reply()).startsWith(head);
            assertThat(new String(e.reply(), 4, e.reply().length - 4, StandardCharsets.UTF_8))
                    .isEqualTo("name fmt at port 41011\n");
        }
    }

    @Test
    void portPleaseAcceptsANulTerminatedNameAndClosesAfterwards() throws Exception {
        EpmdServer s = server();
        try (Registration ignored = client(s).register("term", 41012)) {
            Exchange e = exchange(s.port(), request(122, bytes("term\0")), Duration.ofSeconds(5));
            assertThat(e.closed()).isTrue();
            assertThat(e.reply()).containsExactly(119, 0, 0xA0, 0x34, 77, 0, 0, 6, 0, 6, 0, 4, 't', 'e', 'r', 'm', 0, 0);
        }
    }

    @Test
    void dumpListsActiveAndOldNames() throws Exception {
        EpmdServer s = server();
        client(s).register("gone", 41013).close();
        assertThat(s.awaitNames(List::isEmpty, Duration.ofSeconds(5))).as("the name goes").isTrue();
        try (Registration ignored = client(s).register("here", 41014)) {
            Exchange e = exchange(s.port(), request(100), Duration.ofSeconds(5));
            String text = new String(e.reply(), 4, e.reply().length - 4, StandardCharsets.UTF_8);
            assertThat(text).contains("active name     <here> at port 41014, fd = ").contains("old/unused name <gone>");
            assertThat(text).endsWith("\n\0");
        }
    }

    @Test
    void theEpmdCommandListsWhatTheServerHolds() throws Exception {
        assumeTrue(epmdInstalled(), "epmd is not installed");
        EpmdServer s = server();
        try (Registration ignored = client(s).register("listed", 41015)) {
            Result r = run(List.of(EPMD, "-port", Integer.toString(s.port()), "-names"), Map.of(), Duration.ofSeconds(20));
            assertThat(r.exit()).isZero();
            assertThat(r.output()).contains("epmd: up and running on port " + s.port() + " with data:")
                    .contains("name listed at port 41015");
        }
    }

    @Test
    void killIsRefusedWhileNamesAreRegisteredThenAllowed() throws Exception {
        assumeTrue(epmdInstalled(), "epmd is not installed");
        EpmdServer s = server();
        List<String> kill = List.of(EPMD, "-port", Integer.toString(s.port()), "-kill");
        Registration r = client(s).register("alive", 41016);
        Result refused = run(kill, Map.of(), Duration.ofSeconds(20));
        assertThat(refused.output()).contains("Killing not allowed");
        assertThat(s.isRunning()).isTrue();
        r.close();
        assertThat(s.awaitNames(List::isEmpty, Duration.ofSeconds(5))).as("the name goes").isTrue();
        Result killed = run(kill, Map.of(), Duration.ofSeconds(20));
        assertThat(killed.output()).contains("Killed");
        assertThat(s.awaitStopped(Duration.ofSeconds(5))).as("the server stops").isTrue();
        // the port is free again
        toClose.add(EpmdServer.start(EpmdServer.Config.port(s.port())));
    }

    @Test
    void stopIsRefusedWithoutTheRelaxedCheck() throws Exception {
        assumeTrue(epmdInstalled(), "epmd is not installed");
        EpmdServer s = server();
        try (Registration r = client(s).register("kept", 41017)) {
            Result res = run(List.of(EPMD, "-port", Integer.toString(s.port()), "-stop", "kept"), Map.of(),
                    Duration.ofSeconds(20));
            assertThat(res.output()).doesNotContain("STOPPED");
            assertThat(r.isActive()).isTrue();
            assertThat(s.names()).containsExactly(new Names.Entry("kept", 41017));
        }
    }

    @Test
    void theRelaxedCheckAllowsStopAndKill() throws Exception {
        assumeTrue(epmdInstalled(), "epmd is not installed");
        EpmdServer s = server(EpmdServer.Config.port(0).withRelaxedCommandCheck(true));
        String port = Integer.toString(s.port());
        Registration r = client(s).register("victim", 41018);
        Registration other = client(s).register("other", 41019);
        try {
            assertThat(run(List.of(EPMD, "-port", port, "-stop", "victim"), Map.of(), Duration.ofSeconds(20)).output())
                    .contains("STOPPED");
            assertThatThrownBy(() -> r.ended().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            assertThat(s.names()).containsExactly(new Names.Entry("other", 41019));
            assertThat(run(List.of(EPMD, "-port", port, "-stop", "nobody"), Map.of(), Duration.ofSeconds(20)).output())
                    .contains("NOEXIST");
            assertThat(run(List.of(EPMD, "-port", port, "-kill"), Map.of(), Duration.ofSeconds(20)).output())
                    .contains("Killed");
            assertThat(s.awaitStopped(Duration.ofSeconds(5))).as("the server stops").isTrue();
            assertThatThrownBy(() -> other.ended().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        } finally {
            r.close();
            other.close();
        }
    }

    @Test
    void startIfAbsentStartsOnceAndCloseFreesThePort() throws Exception {
        int port = freePort();
        Optional<EpmdServer> first = EpmdServer.startIfAbsent(port);
        assertThat(first).isPresent();
        first.ifPresent(toClose::add);
        assertThat(first.get().port()).isEqualTo(port);
        assertThat(EpmdServer.startIfAbsent(port)).isEmpty();
        try (Registration ignored = new EpmdClient(port).register("sticky", 41020)) {
            first.get().close();
            assertThat(first.get().isRunning()).isFalse();
            assertThat(namesOrNull(port)).isNull();
            Optional<EpmdServer> second = EpmdServer.startIfAbsent(port);
            assertThat(second).isPresent();
            second.ifPresent(toClose::add);
            assertThat(second.get().names()).isEmpty();
        }
    }

    @Test
    void startIfAbsentLeavesTheRealEpmdAlone() throws Exception {
        assumeTrue(epmdInstalled(), "epmd is not installed");
        int port = freePort();
        processes.add(startRealEpmd(port).process());
        assertThat(EpmdServer.startIfAbsent(port)).isEmpty();
        assertThat(EpmdServer.startIfAbsent(EpmdServer.Config.port(port).withBindAddress(LOOPBACK))).isEmpty();
        // the real one still serves
        try (Registration r = new EpmdClient(port).register("real", 41021)) {
            assertThat(namesOrNull(port).contains("real")).isTrue();
        }
    }

    @Test
    void startIfAbsentFailsWhenSomethingElseHoldsThePort() throws Exception {
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(LOOPBACK, 0));
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) squatter.accept().close(); // accepts and says nothing
                } catch (Exception ignored) {
                    // closed
                }
            });
            assertThatThrownBy(() -> EpmdServer.startIfAbsent(squatter.getLocalPort()))
                    .isInstanceOf(BindException.class).hasMessageContaining("does not answer as EPMD");
        }
    }

    @Test
    void configIsValidated() {
        assertThatThrownBy(() -> EpmdServer.Config.port(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EpmdServer.Config.port(0).withMaxConnections(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EpmdServer.Config.port(0).withPacketTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(EpmdServer.Config.port(0).bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void closeIsIdempotentAndEndsRegistrations() throws Exception {
        EpmdServer s = server();
        Registration r = client(s).register("end", 41022);
        s.close();
        s.close();
        assertThatThrownBy(() -> r.ended().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        r.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
