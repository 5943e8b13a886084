package io.otp4j.dist;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.otp4j.dist.DistErlTestSupport.Epmd;
import io.otp4j.dist.DistErlTestSupport.ErlNode;
import io.otp4j.dist.DistErlTestSupport.Registration;
import io.otp4j.dist.DistHandshakeTestSupport.Frames;
import io.otp4j.dist.internal.connection.Connection;
import io.otp4j.dist.internal.connection.ConnectionConfig;
import io.otp4j.dist.internal.connection.DistFlags;
import io.otp4j.dist.internal.connection.DistStream;
import io.otp4j.dist.internal.connection.Handshake;
import io.otp4j.dist.internal.connection.HandshakeConfig;
import io.otp4j.dist.internal.connection.HandshakeException;
import io.otp4j.dist.internal.connection.HandshakeException.Kind;
import io.otp4j.dist.internal.connection.HandshakeRegistry;
import io.otp4j.dist.internal.connection.HandshakeResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The handshake and the connection against a real Erlang node ({@code erl}, OTP 25 here) on its
 * own foreground epmd: both directions, wrong cookies, missing flags, ticks, and a message each
 * way in both frame formats.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class HandshakeErlangTest {
    static final NodeName E1 = NodeName.parse("e1@localhost");
    static final String COOKIE = "c";
    static final ConnectionConfig TICK_4S = ConnectionConfig.DEFAULT.withTickTime(Duration.ofSeconds(4));

    Epmd epmd;
    ErlNode erl;

    @BeforeAll
    void startErlang() throws Exception {
        assumeTrue(DistErlTestSupport.erlangInstalled(), "erl and epmd are not installed");
        epmd = Epmd.start();
        erl = ErlNode.start(E1.toString(), COOKIE, 4, epmd);
    }

    @AfterAll
    void stopErlang() throws Exception {
        if (erl != null) {
            erl.close();
            System.out.println("erl " + E1 + " printed:\n" + erl.output());
        }
        if (epmd != null) epmd.close();
    }

    static HandshakeConfig config(String alive, String cookie, int creation) {
        return HandshakeConfig.of(NodeName.parse(alive + "@localhost"), creation, cookie);
    }

    DistStream connectToE1() throws IOException {
        int port = epmd.portPlease("e1");
        assertThat(port).as("e1's port from epmd").isPositive();
        return DistStream.of(new Socket(InetAddress.getLoopbackAddress(), port));
    }

    @Test
    void ourInitiatorConnectsToErlangAndTicksKeepTheConnectionUp() throws Exception {
        HandshakeConfig cfg = config("j1", COOKIE, 0x0102_0304);
        DistStream stream = connectToE1();
        HandshakeResult r = Handshake.initiate(stream, cfg, E1, HandshakeRegistry.ACCEPT_ALL);
        assertThat(r.peer()).isEqualTo(E1);
        assertThat(r.peerCreation()).isNotZero();
        assertThat(DistFlags.missing(DistFlags.REQUIRED, r.peerFlags())).isZero();
        assertThat(r.hidden()).isFalse();
        assertThat(r.usesDistHeader()).isTrue(); // FRAGMENTS agreed
        Frames frames = new Frames();
        long t0 = System.nanoTime();
        Connection c = Connection.start(stream, r, TICK_4S, frames);
        erl.await("nodeup j1@localhost", Duration.ofSeconds(10));

        exchangeMessages(c, frames, cfg, "j1@localhost");

        // Erlang's net_ticktime and ours are 4 s: with ticks both ways the connection outlives it.
        frames.awaitTicksSpanning(t0, Duration.ofSeconds(6), Duration.ofSeconds(4));
        assertThat(c.isOpen()).as("open after 6 s: " + c.closeReason()).isTrue();
        assertThat(c.ticksReceived()).isPositive();
        assertThat(c.ticksSent()).isPositive();
        assertThat(erl.printed(l -> l.equals("nodedown j1@localhost"))).isFalse();

        c.close();
        erl.await("nodedown j1@localhost", Duration.ofSeconds(10));
        assertThat(c.awaitTermination(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void erlangConnectsToOurAcceptor() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Registration reg = epmd.register("j2", server.getLocalPort())) {
            HandshakeConfig cfg = config("j2", COOKIE, reg.creation());
            Frames frames = new Frames();
            FutureTask<Connection> acceptor = acceptOne(server, cfg, frames);
            erl.command("connect j2@localhost");
            erl.await("connect j2@localhost true", Duration.ofSeconds(15));
            Connection c = acceptor.get(10, TimeUnit.SECONDS);
            assertThat(c.peer()).isEqualTo(E1);
            erl.await("nodeup j2@localhost", Duration.ofSeconds(10));
            exchangeMessages(c, frames, cfg, "j2@localhost");
            c.close();
            erl.await("nodedown j2@localhost", Duration.ofSeconds(10));
        }
    }

    @Test
    void erlangPingsUsTheHandshakeCompletesAndNetKernelIsAskedIsAuth() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Registration reg = epmd.register("j7", server.getLocalPort())) {
            HandshakeConfig cfg = config("j7", COOKIE, reg.creation());
            Frames frames = new Frames();
            FutureTask<Connection> acceptor = acceptOne(server, cfg, frames);
            erl.command("ping j7@localhost");
            Connection c = acceptor.get(15, TimeUnit.SECONDS);
            erl.await("nodeup j7@localhost", Duration.ofSeconds(10));
            // net_adm:ping asks our net_kernel: {'$gen_call', {Pid, Tag}, {is_auth, e1@localhost}} in a REG_SEND.
            byte[] isAuth = "is_auth".getBytes(ISO_8859_1);
            byte[] netKernel = "net_kernel".getBytes(ISO_8859_1);
            byte[] found = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (found == null && System.nanoTime() < deadline) {
                byte[] f = frames.frames.poll(1, TimeUnit.SECONDS);
                if (f != null && indexOf(f, isAuth) >= 0) found = f;
            }
            assertThat(found).as("the is_auth call").isNotNull();
            assertThat(indexOf(found, netKernel)).isPositive();
            // Nothing answers it here (that is the node's net_kernel, not the connection): when the
            // connection goes, the call fails and ping says pang.
            c.close();
            erl.await("ping j7@localhost pang", Duration.ofSeconds(10));
        }
    }

    @Test
    void passThroughFramesWhenNeitherFragmentsNorTheAtomCacheAreOffered() throws Exception {
        long plain = DistFlags.OFFERED & ~DistFlags.FRAGMENTS & ~DistFlags.DIST_HDR_ATOM_CACHE;
        HandshakeConfig cfg = config("j3", COOKIE, 3).withOfferedFlags(plain);
        DistStream stream = connectToE1();
        HandshakeResult r = Handshake.initiate(stream, cfg, E1, HandshakeRegistry.ACCEPT_ALL);
        assertThat(r.usesDistHeader()).isFalse();
        Frames frames = new Frames();
        Connection c = Connection.start(stream, r, TICK_4S, frames);
        erl.await("nodeup j3@localhost", Duration.ofSeconds(10));
        exchangeMessages(c, frames, cfg, "j3@localhost");
        c.close();
        erl.await("nodedown j3@localhost", Duration.ofSeconds(10));
    }

    @Test
    void aWrongCookieIsRefusedByErlangWhichLogsIt() throws Exception {
        DistStream stream = connectToE1();
        HandshakeException e = catchThrowableOfType(HandshakeException.class,
                () -> Handshake.initiate(stream, config("j4", "wrong", 4), E1, HandshakeRegistry.ACCEPT_ALL));
        assertThat(e.kind()).isEqualTo(Kind.BAD_COOKIE);
        assertThat(e.getMessage()).contains("e1@localhost", "cookies differ");
        erl.await(l -> l.contains("j4@localhost") && l.contains("Invalid challenge reply"), Duration.ofSeconds(10));
        assertThat(erl.printed(l -> l.equals("nodeup j4@localhost"))).isFalse();
    }

    @Test
    void aWrongCookieFromErlangIsRefusedAndErlangSeesFalse() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             Registration reg = epmd.register("j5", server.getLocalPort())) {
            FutureTask<Connection> acceptor = acceptOne(server, config("j5", "wrong", reg.creation()), new Frames());
            erl.command("connect j5@localhost");
            erl.await("connect j5@localhost false", Duration.ofSeconds(15));
            try {
                acceptor.get(10, TimeUnit.SECONDS);
                throw new AssertionError("the handshake was expected to fail");
            } catch (ExecutionException ex) {
                HandshakeException e = (HandshakeException) ex.getCause();
                assertThat(e.kind()).isEqualTo(Kind.BAD_COOKIE);
                assertThat(e.getMessage()).contains("e1@localhost", "invalid challenge reply");
            }
        }
    }

    @Test
    void erlangRefusesANodeLackingItsMandatoryFlags() throws Exception {
        long lacking = DistFlags.OFFERED & ~DistFlags.MANDATORY_25_DIGEST & ~DistFlags.BIG_CREATION;
        DistStream stream = connectToE1();
        HandshakeException e = catchThrowableOfType(HandshakeException.class,
                () -> Handshake.initiate(stream, config("j6", COOKIE, 6).withOfferedFlags(lacking), E1,
                        HandshakeRegistry.ACCEPT_ALL));
        assertThat(e.kind()).isEqualTo(Kind.NOT_ALLOWED);
        erl.await(l -> l.contains("j6@localhost") && l.contains("BIG_CREATION"), Duration.ofSeconds(10));
    }

    /** Accepts one connection on {@code server}, shakes hands and starts the connection. */
    static FutureTask<Connection> acceptOne(ServerSocket server, HandshakeConfig cfg, Frames frames) {
        FutureTask<Connection> t = new FutureTask<>(() -> {
            DistStream s = DistStream.of(server.accept());
            HandshakeResult r = Handshake.accept(s, cfg, HandshakeRegistry.ACCEPT_ALL);
            return Connection.start(s, r, TICK_4S, frames);
        });
        Thread.ofVirtual().start(t);
        return t;
    }

    /**
     * A message each way: Erlang sends an atom to a registered name on our node (a {@code REG_SEND}
     * frame, looked for among what arrives); we send one to its {@code printer} process, which prints it.
     */
    void exchangeMessages(Connection c, Frames frames, HandshakeConfig cfg, String self) throws Exception {
        String fromErlang = "hello_" + cfg.self().alive();
        erl.command("send " + self + " otp4j_test " + fromErlang);
        byte[] atom = fromErlang.getBytes(ISO_8859_1);
        byte[] found = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (found == null && System.nanoTime() < deadline) {
            byte[] f = frames.frames.poll(1, TimeUnit.SECONDS);
            if (f != null && indexOf(f, atom) >= 0) found = f;
        }
        assertThat(found).as("the frame with " + fromErlang).isNotNull();
        if (c.usesDistHeader()) {
            assertThat(found[0] & 0xff).isEqualTo(131);
            assertThat(found[1] & 0xff).isEqualTo(68);
        } else {
            assertThat(found[0] & 0xff).isEqualTo(112);
            assertThat(found[1] & 0xff).isEqualTo(131);
        }

        String fromJava = "hi_from_" + cfg.self().alive();
        assertThat(c.send(regSend(c.usesDistHeader(), self, cfg.creation(), "printer", fromJava))).isTrue();
        erl.await("got " + fromJava, Duration.ofSeconds(10));
    }

    /** {@code REG_SEND {6, FromPid, '', ToName}} with an atom as the message, written out byte by byte. */
    static byte[] regSend(boolean distHeader, String node, int creation, String to, String atom) {
        ByteArrayOutputStream ctrl = new ByteArrayOutputStream();
        ctrl.write(104); // SMALL_TUPLE_EXT
        ctrl.write(4);
        ctrl.write(97); // SMALL_INTEGER_EXT
        ctrl.write(6); // REG_SEND
        ctrl.write(88); // NEW_PID_EXT
        atom(ctrl, node);
        int32(ctrl, 1); // id
        int32(ctrl, 0); // serial
        int32(ctrl, creation);
        atom(ctrl, "");
        atom(ctrl, to);
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        atom(msg, atom);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        if (distHeader) {
            frame.writeBytes(new byte[] {(byte) 131, 68, 0}); // no atom cache references
            frame.writeBytes(ctrl.toByteArray());
            frame.writeBytes(msg.toByteArray());
        } else {
            frame.write(112);
            frame.write(131);
            frame.writeBytes(ctrl.toByteArray());
            frame.write(131);
            frame.writeBytes(msg.toByteArray());
        }
        return frame.toByteArray();
    }

    static void atom(ByteArrayOutputStream out, String a) {
        byte[] b = a.getBytes(ISO_8859_1);
        out.write(119); // SMALL_ATOM_UTF8_EXT
        out.write(b.length);
        out.writeBytes(b);
    }

    static void int32(ByteArrayOutputStream out, int v) {
        out.writeBytes(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
