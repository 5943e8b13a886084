package io.otp4j.dist;

import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdServer;
import io.otp4j.dist.internal.epmd.Names;
import io.otp4j.dist.internal.epmd.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.otp4j.dist.EpmdTestSupport.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Malformed and hostile input to the embedded {@link EpmdServer}: it closes the offender and keeps serving. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EpmdServerHostileTest {
    private static final Duration PACKET_TIMEOUT = Duration.ofMillis(800);

    private EpmdServer server;
    private EpmdClient client;
    private Registration witness;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = EpmdServer.start(EpmdServer.Config.port(0).withPacketTimeout(PACKET_TIMEOUT).withMaxConnections(32));
        client = new EpmdClient(server.port(), Duration.ofSeconds(5));
        witness = client.register("witness", 42000);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) s.close();
        witness.close();
        server.close();
    }

    /** The server still answers, and still holds the witness registration. */
    private void stillServes() throws Exception {
        assertThat(server.isRunning()).isTrue();
        assertThat(witness.isActive()).isTrue();
        assertThat(client.names(LOOPBACK).contains("witness")).isTrue();
        assertThat(client.portPlease(LOOPBACK, "witness").orElseThrow().port()).isEqualTo(42000);
        try (Registration r = client.register("probe", 42001)) {
            assertThat(r.isActive()).isTrue();
        }
    }

    private Exchange send(byte[] bytes) throws IOException {
        return exchange(server.port(), bytes, Duration.ofSeconds(5));
    }

    private Socket open() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(LOOPBACK, server.port()), 5000);
        sockets.add(s);
        return s;
    }

    @Test
    void garbageIsClosedWithoutAnAnswer() throws Exception {
        Exchange e = send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(e.closed()).isTrue();
        assertThat(e.reply()).isEmpty();
        e = send(request(0xEE, new byte[50]));
        assertThat(e.closed()).isTrue();
        assertThat(e.reply()).isEmpty();
        stillServes();
    }

    @Test
    void hugeAndZeroLengthPrefixesAreClosedAtOnce() throws Exception {
        for (byte[] head : new byte[][] {{(byte) 0xFF, (byte) 0xFF}, {0x0B, (byte) 0xF2}, {0, 0}}) {
            long t0 = System.nanoTime();
            Exchange e = send(head);
            assertThat(e.closed()).isTrue();
            assertThat(e.reply()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PACKET_TIMEOUT);
        }
        // the largest length epmd accepts is read in full (and here ignored as garbage)
        Exchange e = send(request(0xEE, new byte[3056]));
        assertThat(e.closed()).isTrue();
        stillServes();
    }

    @Test
    void halfRequestsAreClosedAfterThePacketTimeout() throws Exception {
        Socket header = open();
        header.getOutputStream().write(0); // half a length
        Socket body = open();
        body.getOutputStream().write(new byte[] {0, 20, 120, 1, 2}); // 3 of 20 bytes
        Socket silent = open();
        for (Socket s : List.of(header, body, silent)) {
            Exchange e = readToEnd(s, Duration.ofSeconds(10));
            assertThat(e.closed()).as("closed by the server").isTrue();
            assertThat(e.reply()).isEmpty();
        }
        stillServes();
    }

    @Test
    void aDribblingClientIsCutAtThePacketTimeout() throws Exception {
        Socket s = open();
        long t0 = System.nanoTime();
        byte[] req = alive2(1, 77, 6, 6, "drip".getBytes(StandardCharsets.US_ASCII), new byte[0]);
        boolean cut = false;
        // a byte every 150 ms, until the server cuts the connection: its end is the event waited on
        s.setSoTimeout(150);
        for (byte b : req) {
            try {
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
                if (s.getInputStream().read() < 0) {
                    cut = true;
                    break;
                }
            } catch (java.net.SocketTimeoutException notYet) {
                // the server still waits for the rest: the next byte
            } catch (IOException e) {
                cut = true;
                break;
            }
        }
        Exchange e = readToEnd(s, Duration.ofSeconds(5));
        assertThat(cut || e.closed()).isTrue();
        assertThat(server.names()).doesNotContain(new Names.Entry("drip", 1));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        stillServes();
    }

    @Test
    void malformedRegistrationsAreNotRegistered() throws Exception {
        byte[] name = "bad".getBytes(StandardCharsets.US_ASCII);
        // a name length beyond the request
        byte[] req = alive2(1, 77, 6, 6, name, new byte[0]);
        req[11] = (byte) 0x40;
        assertThat(send(req).reply()).isEmpty();
        // an extra length beyond the request
        req = alive2(1, 77, 6, 6, name, new byte[0]);
        req[req.length - 2] = 0x10;
        assertThat(send(req).reply()).isEmpty();
        // too short to hold a name
        assertThat(send(request(120, new byte[12])).reply()).isEmpty();
        // a NUL in the name
        assertThat(send(alive2(1, 77, 6, 6, new byte[] {'a', 0, 'b'}, new byte[0])).reply()).isEmpty();
        // refused with an answer: not UTF-8, empty, more than 255 characters, too much extra
        assertThat(send(alive2(1, 77, 6, 6, new byte[] {(byte) 0xC0, (byte) 0x80}, new byte[0])).reply())
                .containsExactly(118, 1, 0, 0, 0, 99);
        assertThat(send(alive2(1, 77, 6, 6, new byte[0], new byte[1])).reply()).containsExactly(118, 1, 0, 0, 0, 99);
        assertThat(send(alive2(1, 77, 6, 6, "x".repeat(256).getBytes(StandardCharsets.US_ASCII), new byte[0])).reply())
                .containsExactly(118, 1, 0, 0, 0, 99);
        assertThat(send(alive2(1, 77, 6, 6, name, new byte[1021])).reply()).containsExactly(118, 1, 0, 0, 0, 99);
        assertThat(server.names()).containsExactly(new Names.Entry("witness", 42000));
        stillServes();
    }

    @Test
    void dataAfterARegistrationUnregisters() throws Exception {
        Socket s = open();
        s.getOutputStream().write(alive2(42002, 77, 6, 6, "chatty".getBytes(StandardCharsets.US_ASCII), new byte[0]));
        assertThat(s.getInputStream().readNBytes(6)[0]).isEqualTo((byte) 118);
        assertThat(server.names()).contains(new Names.Entry("chatty", 42002));
        s.getOutputStream().write(request(110)); // a second request on the registration
        assertThat(readToEnd(s, Duration.ofSeconds(5)).closed()).isTrue();
        assertThat(server.awaitNames(n -> !n.contains(new Names.Entry("chatty", 42002)), Duration.ofSeconds(5)))
                .as("chatty goes").isTrue();
        stillServes();
    }

    @Test
    void registrationsOutliveThePacketTimeout() throws Exception {
        // the registration's end is the event; it must not come within three packet timeouts
        assertThatThrownBy(() -> witness.ended().get(PACKET_TIMEOUT.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(java.util.concurrent.TimeoutException.class);
        assertThat(witness.isActive()).isTrue();
        stillServes();
    }

    @Test
    void badPortPleaseRequestsAreClosed() throws Exception {
        assertThat(send(request(122)).reply()).isEmpty();
        assertThat(send(request(122, (byte) 0)).reply()).isEmpty();
        assertThat(send(request(122, (byte) 'a', (byte) 0, (byte) 'b')).reply()).isEmpty();
        assertThat(send(request(122, (byte) 0xFF, (byte) 0xFE)).reply()).isEmpty();
        assertThat(send(request(122, "y".repeat(256).getBytes(StandardCharsets.US_ASCII))).reply()).isEmpty();
        stillServes();
    }

    @Test
    void commandsFromThisHostAreHandledStrictly() throws Exception {
        // STOP without the relaxed check: no answer, nothing stopped
        assertThat(send(request(115, "witness".getBytes(StandardCharsets.US_ASCII))).reply()).isEmpty();
        // KILL with a registered name: refused
        assertThat(send(request(107)).text()).isEqualTo("NO");
        stillServes();
    }

    @Test
    void tooManyConnectionsAreRefusedThenServiceResumes() throws Exception {
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 100; i++) idle.add(open());
        // the excess ones are closed at once
        int closedAtOnce = 0;
        for (Socket s : idle.subList(40, 100)) {
            if (readToEnd(s, Duration.ofMillis(200)).closed()) closedAtOnce++;
        }
        assertThat(closedAtOnce).isGreaterThan(0);
        // the idle ones are reaped by the packet timeout, and the server answers again
        assertThat(server.awaitConnections(n -> n < server.config().maxConnections(), Duration.ofSeconds(15)))
                .as("room for a connection again").isTrue();
        for (Socket s : idle) s.close();
        stillServes();
    }

    @Test
    void connectionChurnDoesNotHurt() throws Exception {
        long before = server.connectionsAccepted();
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, server.port()), 5000);
                if (i % 3 == 0) s.getOutputStream().write(new byte[] {0, 5, 122});
            }
        }
        // the churn has drained once the server has taken all 300 and has room again
        assertThat(server.awaitAccepted(before + 300, Duration.ofSeconds(10))).as("all taken").isTrue();
        assertThat(server.awaitConnections(n -> n < server.config().maxConnections(), Duration.ofSeconds(10)))
                .as("room for a connection again").isTrue();
        stillServes();
    }

    @Test
    void randomRequestsNeverBreakIt() throws Exception {
        Random random = new Random(4369);
        long before = server.connectionsAccepted();
        java.util.concurrent.atomic.AtomicInteger connected = new java.util.concurrent.atomic.AtomicInteger();
        int[] codes = {120, 122, 110, 100, 115, 0, 255, 121, 118};
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            long seed = random.nextLong();
            threads.add(Thread.ofVirtual().start(() -> {
                Random r = new Random(seed);
                for (int i = 0; i < 60; i++) {
                    byte[] body = new byte[r.nextInt(64)];
                    r.nextBytes(body);
                    byte[] req;
                    if (r.nextBoolean()) {
                        req = request(codes[r.nextInt(codes.length)], body);
                    } else {
                        req = body; // raw noise, length prefix included
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(LOOPBACK, server.port()), 5000);
                        connected.incrementAndGet();
                        s.getOutputStream().write(req);
                        s.getOutputStream().flush();
                        readToEnd(s, Duration.ofMillis(300));
                    } catch (IOException ignored) {
                        // refused under load: fine
                    }
                }
            }));
        }
        for (Thread t : threads) t.join();
        assertThat(server.awaitAccepted(before + connected.get(), Duration.ofSeconds(15))).as("all taken").isTrue();
        assertThat(server.awaitConnections(n -> n < server.config().maxConnections(), Duration.ofSeconds(15)))
                .as("room for a connection again").isTrue();
        stillServes();
        assertThat(server.names()).contains(new Names.Entry("witness", 42000));
    }
}
