package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import io.otp4j.Tuple;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.dist.DistTlsSupport.LogCapture;
import io.otp4j.dist.DistTlsSupport.Pki;
import io.otp4j.dist.internal.connection.DistStream;
import io.otp4j.dist.internal.connection.TlsSockets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * TLS distribution ({@code -proto_dist inet_tls}): otp4j nodes with each other and with erl, over
 * certificates made at test time; a node whose certificate no trusted CA signed, or that speaks no
 * TLS, is refused, and only its connection closes.
 */
class DistTlsTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Atom PONG = PingPong.PONG;

    @TempDir
    static Path dir;
    static Pki pki;

    int epmdPort;
    final List<Node> nodes = new ArrayList<>();
    LogCapture log;

    @BeforeAll
    static void certificates() throws Exception {
        pki = Pki.create(dir);
    }

    @BeforeEach
    void start() throws IOException {
        epmdPort = ErlNode.freePort();
        log = new LogCapture();
    }

    @AfterEach
    void stop() {
        for (Node n : nodes) n.stop();
        log.close();
    }

    Distribution node(String name, TlsOptions tls) throws IOException {
        return node(name, DistOptions.cookie("tls-cookie").withTls(tls));
    }

    Distribution node(String name, DistOptions options) throws IOException {
        Node n = Node.start(Node.Options.named(name));
        nodes.add(n);
        return Distribution.start(n, options.withEpmdPort(epmdPort));
    }

    @Test
    void twoOtp4jNodesCallEachOtherOverTls() throws Exception {
        Distribution a = node("ta@localhost", pki.tls());
        Distribution b = node("tb@localhost", pki.tls());
        Node na = nodes.get(0);
        Node nb = nodes.get(1);
        na.run(() -> GenServer.start(new DistJavaNodesTest.Echo(), StartOptions.named("echo")));
        nb.run(() -> GenServer.start(new DistJavaNodesTest.Echo(), StartOptions.named("echo")));

        Object fromA = na.run(() -> a.call("echo", "tb@localhost", "hi"));
        assertThat(fromA).isEqualTo(Tuple.of(Atom.of("echo"), io.otp4j.dist.term.Binary.of("hi"), 1));
        Object fromB = nb.run(() -> b.call("echo", "ta@localhost", 42));
        assertThat(fromB).isEqualTo(Tuple.of(Atom.of("echo"), 42, 1));
        assertThat(a.nodes()).containsExactly("tb@localhost");
        assertThat(b.nodes()).containsExactly("ta@localhost");
        log.await(WAIT, "listening on", "(TLS)");

        // a message of 1 MB crosses in TLS records of 16 kB
        byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31);
        Object echoed = na.run(() -> a.call("echo", "tb@localhost", io.otp4j.dist.term.Binary.of(big)));
        assertThat(echoed).isEqualTo(Tuple.of(Atom.of("echo"), io.otp4j.dist.term.Binary.of(big), 2));

        // a disconnect closes TLS cleanly; the next call connects again
        assertThat(a.disconnect("tb@localhost")).isTrue();
        Object again = na.run(() -> a.call("echo", "tb@localhost", "again"));
        assertThat(again).isEqualTo(Tuple.of(Atom.of("echo"), io.otp4j.dist.term.Binary.of("again"), 3));
    }

    @Test
    void otp4jNodesWithAnUntrustedCertificateOrWithoutTlsAreRefused() throws Exception {
        Distribution a = node("ta@localhost", pki.tls());
        Distribution b = node("tb@localhost", pki.tls());
        Distribution rogue = node("tr@localhost", pki.rogueTls());
        // (its handshake gives up after 2 s on the TLS node's hello, which it takes for a name message)
        Distribution plain = node("tp@localhost",
                DistOptions.cookie("tls-cookie").withSetupTime(Duration.ofSeconds(2)));

        // the rogue node connects: its certificate is refused (it trusts ta's, so only ta refuses)
        assertThat(rogue.connect("ta@localhost")).isFalse();
        log.await(WAIT, "connecting to ta@localhost", "was refused: TLS handshake failed");
        // ta connects to the rogue node: ta refuses its certificate
        assertThat(a.connect("tr@localhost")).isFalse();
        log.await(WAIT, "connection to tr@localhost failed: TLS handshake failed: "
                + "the peer's certificate is not trusted");

        // a node without TLS and a TLS node do not understand each other, either way
        assertThat(plain.connect("ta@localhost")).isFalse();
        log.await(WAIT, "connecting to ta@localhost", "TLS handshake failed: the peer does not speak TLS");
        assertThat(a.connect("tp@localhost")).isFalse();
        log.await(WAIT, "connection to tp@localhost failed: TLS handshake failed");

        // only those connections closed: ta and tb still connect
        assertThat(a.connect("tb@localhost")).isTrue();
        assertThat(a.nodes()).containsExactly("tb@localhost");
        assertThat(rogue.nodes()).isEmpty();
        assertThat(plain.nodes()).isEmpty();
    }

    @Test
    void badStoresStopTheStartWithTheReason() throws Exception {
        TlsOptions good = pki.tls();
        assertThatThrownBy(() -> node("tx@localhost", good.withTrustStorePassword("wrong")))
                .isInstanceOf(IOException.class).hasMessageContaining("trust store")
                .hasMessageContaining("wrong password");
        Path missing = dir.resolve("missing.p12");
        assertThatThrownBy(() -> node("ty@localhost", TlsOptions.of(missing, DistTlsSupport.PASSWORD, pki.trust())))
                .isInstanceOf(IOException.class).hasMessageContaining("key store " + missing + " does not exist");
        // the trust store holds no key: it cannot be a key store
        assertThatThrownBy(() -> node("tz@localhost", TlsOptions.of(pki.trust(), DistTlsSupport.PASSWORD, pki.trust())))
                .isInstanceOf(IOException.class).hasMessageContaining("holds no private key");
        assertThatThrownBy(() -> good.withProtocols("TLSv1.1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported TLS protocol TLSv1.1");
        assertThatThrownBy(() -> good.withProtocols()).isInstanceOf(IllegalArgumentException.class);
        assertThat(good.toString()).doesNotContain(DistTlsSupport.PASSWORD);
    }

    @Test
    void aCertificateForAnotherHostIsRefusedUnlessHostNamesAreNotChecked() throws Exception {
        Distribution a = node("ta@localhost", pki.tls());
        Distribution lax = node("tl@localhost", pki.tls().withVerifyHostname(false));
        node("tw@localhost", pki.otherHostTls()); // its certificate names the host "elsewhere"

        assertThat(a.connect("tw@localhost")).isFalse();
        log.await(WAIT, "connection to tw@localhost failed: TLS handshake failed: the peer's certificate does not name"
                + " the host of its node");
        assertThat(lax.connect("tw@localhost")).isTrue();
        assertThat(lax.nodes()).containsExactly("tw@localhost");
    }

    @Test
    void aPeerThatReadsNothingCannotHoldAClose() throws Exception {
        TlsSockets tls = TlsSockets.of(pki.tls());
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<DistStream> accepted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                try {
                    accepted.complete(tls.server(listener.accept(), WAIT)); // and then never reads
                } catch (IOException e) {
                    accepted.completeExceptionally(e);
                }
            });
            Socket tcp = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
            DistStream stream = tls.client(tcp, "localhost", WAIT);
            DistStream server = accepted.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            try {
                stream.write(new byte[] {0, 1, 'a'}, 0, 3); // a challenge acknowledgement ends the handshake framing
                Semaphore wrote = new Semaphore(0); // a permit per write that returned
                CompletableFuture<Throwable> writerEnd = new CompletableFuture<>();
                Thread.ofVirtual().start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        for (;;) {
                            stream.write(chunk, 0, chunk.length);
                            wrote.release();
                        }
                    } catch (Throwable e) {
                        writerEnd.complete(e);
                    }
                });
                // the writer blocks once the socket buffers are full: no write returns for half a second
                while (wrote.tryAcquire(500, TimeUnit.MILLISECONDS)) {
                    wrote.drainPermits();
                }
                long start = System.nanoTime();
                stream.close();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThat(writerEnd.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void otp4jPingsAnErlangPongOverTls13() throws Exception {
        Distribution dist = node("j1@localhost", pki.tls().withProtocols("TLSv1.3"));
        Node node = nodes.get(0);
        try (ErlNode erl = DistTlsSupport.tlsErl("e1@localhost", "tls-cookie", epmdPort, pki.erlOpts13(),
                PingPong.ERL_PONG)) {
            erl.await("ready", WAIT);
            List<Object> got = PingPong.ping(node, dist, "e1@localhost", WAIT);
            assertThat(got).containsExactly(PONG, PONG, PONG);
            erl.await("Pong finished", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
    }

    @Test
    void erlangPingsAnOtp4jPongOverTls12() throws Exception {
        node("j1@localhost", pki.tls()); // erl offers TLS 1.2 only, by default
        Node node = nodes.get(0);
        PingPong.JavaPong pong = new PingPong.JavaPong(node);
        try (ErlNode erl = DistTlsSupport.tlsErl("e2@localhost", "tls-cookie", epmdPort, pki.erlOpts(),
                PingPong.erlPing("j1@localhost"))) {
            for (int i = 0; i < 3; i++) erl.await("Ping received pong", WAIT);
            erl.await("ping finished", WAIT);
            assertThat(erl.awaitExit(WAIT)).isZero();
        }
        assertThat(pong.awaitFinished(WAIT)).isTrue();
        assertThat(pong.printed).containsExactly("Pong received ping", "Pong received ping", "Pong received ping",
                "Pong finished");
    }

    @Test
    void anErlangNodeWithAnUntrustedCertificateIsRefused() throws Exception {
        Distribution dist = node("j1@localhost", pki.tls());
        String code = "io:format(\"ping: ~p~n\", [net_adm:ping('j1@localhost')]), "
                + "io:format(\"ready~n\"), receive after infinity -> ok end.";
        try (ErlNode erl = DistTlsSupport.tlsErl("e3@localhost", "tls-cookie", epmdPort, pki.rogueErlOpts(), code)) {
            // erl connects: this node refuses its certificate
            assertThat(erl.await("ping: ", WAIT)).contains("pang");
            log.await(WAIT, "connecting to j1@localhost", "was refused: TLS handshake failed");
            erl.await("ready", WAIT);
            // this node connects: it refuses erl's certificate
            assertThat(dist.connect("e3@localhost")).isFalse();
            log.await(WAIT, "connection to e3@localhost failed: TLS handshake failed: "
                    + "the peer's certificate is not trusted");
            assertThat(dist.nodes()).isEmpty();
        }
    }
}
