package io.otp4j.dist;

import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdException;
import io.otp4j.dist.internal.epmd.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.otp4j.dist.EpmdTestSupport.LOOPBACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link EpmdClient} against fake servers that answer badly: it fails cleanly and in time. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpmdClientRobustnessTest {
    private ServerSocket fake;
    private final CompletableFuture<byte[]> received = new CompletableFuture<>();

    @AfterEach
    void close() throws IOException {
        if (fake != null) fake.close();
    }

    /** A fake EPMD: takes one request, answers {@code reply}, then closes (or holds the connection). */
    private EpmdClient fake(byte[] reply, boolean closeAfter) throws IOException {
        fake = new ServerSocket();
        fake.bind(new InetSocketAddress(LOOPBACK, 0));
        Thread.ofVirtual().start(() -> {
            try (Socket s = fake.accept()) {
                InputStream in = s.getInputStream();
                byte[] head = in.readNBytes(2);
                int len = ((head[0] & 0xFF) << 8) | (head[1] & 0xFF);
                received.complete(in.readNBytes(len));
                s.getOutputStream().write(reply);
                s.getOutputStream().flush();
                if (!closeAfter) in.read(); // hold until the client closes
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        });
        return new EpmdClient(fake.getLocalPort(), Duration.ofSeconds(2));
    }

    private static EpmdException.Kind kindOf(Throwable t) {
        return ((EpmdException) t).kind();
    }

    @Test
    void theRegistrationRequestIsWhatErlSendsWithVersionSix() throws Exception {
        EpmdClient c = fake(new byte[] {118, 0, 0x12, 0x34, 0x56, 0x78}, false);
        try (Registration r = c.register("abc", 0x1F90)) {
            assertThat(r.creation()).isEqualTo(0x12345678);
            assertThat(r.extendedCreation()).isTrue();
        }
        assertThat(received.get(5, TimeUnit.SECONDS)).containsExactly(
                120, 0x1F, 0x90, 77, 0, 0, 6, 0, 6, 0, 3, 'a', 'b', 'c', 0, 0);
    }

    @Test
    void aCreationAboveTwoToTheThirtyOneIsKeptAsItsBits() throws Exception {
        EpmdClient c = fake(new byte[] {118, 0, (byte) 0xF0, 0, 0, 1}, false);
        try (Registration r = c.register("big", 1)) {
            assertThat(Integer.toUnsignedLong(r.creation())).isEqualTo(0xF0000001L);
        }
    }

    @Test
    void anOldStyleReplyGivesASixteenBitCreation() throws Exception {
        EpmdClient c = fake(new byte[] {121, 0, 0, 3}, false);
        try (Registration r = c.register("old", 1)) {
            assertThat(r.creation()).isEqualTo(3);
            assertThat(r.extendedCreation()).isFalse();
        }
    }

    @Test
    void aNonZeroResultIsARefusal() throws Exception {
        EpmdClient c = fake(new byte[] {118, 1, 0, 0, 0, 99}, true);
        assertThatThrownBy(() -> c.register("taken", 1)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.REFUSED));
    }

    @Test
    void anUnknownReplyTagIsMalformed() throws Exception {
        EpmdClient c = fake("HTTP/1.1 400 Bad Request\r\n".getBytes(StandardCharsets.US_ASCII), true);
        assertThatThrownBy(() -> c.register("x", 1)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.MALFORMED));
    }

    @Test
    void aTruncatedRegistrationReplyIsClosed() throws Exception {
        EpmdClient c = fake(new byte[] {118, 0, 0}, true);
        assertThatThrownBy(() -> c.register("x", 1)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.CLOSED));
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        EpmdClient c = fake(new byte[0], false);
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.register("x", 1)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aDribblingServerStillTimesOutOnTheWholeAnswer() throws Exception {
        fake = new ServerSocket();
        fake.bind(new InetSocketAddress(LOOPBACK, 0));
        Thread.ofVirtual().start(() -> {
            try (Socket s = fake.accept()) {
                s.getInputStream().readNBytes(3);
                s.getOutputStream().write(new byte[] {0, 0, 0x11, 0x11});
                // a few bytes at a time until the client gives up and closes: the end of its read
                // is the event waited on, every 200 ms another few bytes go out meanwhile
                s.setSoTimeout(200);
                for (int i = 0; i < 100; i++) {
                    s.getOutputStream().write("name ".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    try {
                        if (s.getInputStream().read() < 0) break; // the client closed
                    } catch (java.net.SocketTimeoutException stillWaiting) {
                        // the client still reads: dribble on
                    }
                }
            } catch (Exception ignored) {
                // the client gave up
            }
        });
        EpmdClient c = new EpmdClient(fake.getLocalPort(), Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> c.names(LOOPBACK)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.TIMEOUT));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void portPleaseWithAHugeNameLengthIsMalformed() throws Exception {
        byte[] reply = {119, 0, 0x10, 0, 77, 0, 0, 6, 0, 6, (byte) 0xFF, (byte) 0xFF, 'a'};
        EpmdClient c = fake(reply, true);
        assertThatThrownBy(() -> c.portPlease(LOOPBACK, "a")).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.MALFORMED));
    }

    @Test
    void portPleaseWithATruncatedReplyIsClosed() throws Exception {
        byte[] reply = {119, 0, 0x10, 0, 77, 0, 0, 6, 0, 6, 0, 5, 'a', 'b'};
        EpmdClient c = fake(reply, true);
        assertThatThrownBy(() -> c.portPlease(LOOPBACK, "abcde")).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.CLOSED));
    }

    @Test
    void portPleaseWithAWrongTagIsMalformed() throws Exception {
        EpmdClient c = fake(new byte[] {120, 0}, true);
        assertThatThrownBy(() -> c.portPlease(LOOPBACK, "a")).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.MALFORMED));
    }

    @Test
    void portPleaseSendsTheNameAndReadsAnError() throws Exception {
        EpmdClient c = fake(new byte[] {119, 1}, true);
        assertThat(c.portPlease(LOOPBACK, "who")).isEmpty();
        assertThat(received.get(5, TimeUnit.SECONDS)).containsExactly(122, 'w', 'h', 'o');
    }

    @Test
    void namesWithAGarbageLineIsMalformed() throws Exception {
        byte[] text = "name a at port 1\nthis is not epmd\n".getBytes(StandardCharsets.US_ASCII);
        EpmdClient c = fake(concat(new byte[] {0, 0, 0x11, 0x11}, text), true);
        assertThatThrownBy(() -> c.names(LOOPBACK)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.MALFORMED));
    }

    @Test
    void namesCutInTheMiddleOfALineIsMalformed() throws Exception {
        byte[] text = "name a at port 1\nname b at po".getBytes(StandardCharsets.US_ASCII);
        EpmdClient c = fake(concat(new byte[] {0, 0, 0x11, 0x11}, text), true);
        assertThatThrownBy(() -> c.names(LOOPBACK)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.MALFORMED));
    }

    @Test
    void namesWithoutItsHeaderIsClosed() throws Exception {
        EpmdClient c = fake(new byte[] {0, 0}, true);
        assertThatThrownBy(() -> c.names(LOOPBACK)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.CLOSED));
    }

    @Test
    void anEndlessNamesReplyIsCut() throws Exception {
        fake = new ServerSocket();
        fake.bind(new InetSocketAddress(LOOPBACK, 0));
        Thread.ofVirtual().start(() -> {
            try (Socket s = fake.accept()) {
                s.getInputStream().readNBytes(3);
                s.getOutputStream().write(new byte[] {0, 0, 0x11, 0x11});
                byte[] line = "name x at port 1\n".repeat(1000).getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < 1000; i++) s.getOutputStream().write(line); // 17 MB
            } catch (IOException ignored) {
                // the client gave up
            }
        });
        EpmdClient c = new EpmdClient(fake.getLocalPort(), Duration.ofSeconds(20));
        assertThatThrownBy(() -> c.names(LOOPBACK)).isInstanceOf(EpmdException.class)
                .satisfies(e -> assertThat(kindOf(e)).isEqualTo(EpmdException.Kind.MALFORMED));
    }

    @Test
    void namesParsesEpmdsLines() throws Exception {
        byte[] text = "name a at port 1\nname with space at port 65535\n".getBytes(StandardCharsets.US_ASCII);
        EpmdClient c = fake(concat(new byte[] {0, 0, 0x11, 0x11}, text), true);
        var names = c.names(LOOPBACK);
        assertThat(names.epmdPort()).isEqualTo(0x1111);
        assertThat(names.nodes()).extracting(e -> e.name() + ":" + e.port())
                .containsExactly("a:1", "with space:65535");
    }

    @Test
    void badNamesAndPortsAreRejectedBeforeAnyConnection() {
        EpmdClient c = new EpmdClient(1, Duration.ofSeconds(1));
        assertThatThrownBy(() -> c.register("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.register("a\0b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.register("x".repeat(256), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.register("x", 65536)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.portPlease(LOOPBACK, "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EpmdClient(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EpmdClient(4369, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEpmdPortComesFromErlEpmdPortAsErlReadsIt() {
        assertThat(EpmdClient.portFromEnv(null)).isEqualTo(4369);
        assertThat(EpmdClient.portFromEnv("")).isEqualTo(4369);
        assertThat(EpmdClient.portFromEnv("14369")).isEqualTo(14369);
        assertThat(EpmdClient.portFromEnv(" 5000 ")).isEqualTo(5000);
        assertThat(EpmdClient.portFromEnv("epmd")).isEqualTo(4369);
        assertThat(EpmdClient.portFromEnv("70000")).isEqualTo(4369);
        assertThat(EpmdClient.DEFAULT_PORT).isEqualTo(4369);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
