package io.otp4j.dist;

import static io.otp4j.dist.DistHandshakeTestSupport.message;
import static io.otp4j.dist.DistHandshakeTestSupport.readMessage;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.otp4j.dist.DistHandshakeTestSupport.SocketPair;
import io.otp4j.dist.DistHandshakeTestSupport.TestRegistry;
import io.otp4j.dist.internal.connection.DistFlags;
import io.otp4j.dist.internal.connection.DistStream;
import io.otp4j.dist.internal.connection.Handshake;
import io.otp4j.dist.internal.connection.HandshakeConfig;
import io.otp4j.dist.internal.connection.HandshakeException;
import io.otp4j.dist.internal.connection.HandshakeException.Kind;
import io.otp4j.dist.internal.connection.HandshakeRegistry;
import io.otp4j.dist.internal.connection.HandshakeResult;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The version 6 handshake between two otp4j nodes over loopback sockets. */
@Timeout(30)
class HandshakeTest {
    static final NodeName A = NodeName.parse("a@localhost");
    static final NodeName B = NodeName.parse("b@localhost");
    static final HandshakeConfig CONFIG_A = HandshakeConfig.of(A, 0x1234_5678, "secret");
    static final HandshakeConfig CONFIG_B = HandshakeConfig.of(B, 0xF000_0001, "secret");

    interface Call<T> {
        T call() throws Exception;
    }

    static <T> FutureTask<T> async(Call<T> c) {
        FutureTask<T> t = new FutureTask<>(c::call);
        Thread.ofVirtual().start(t);
        return t;
    }

    static HandshakeException failure(FutureTask<?> t) throws InterruptedException {
        try {
            t.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(HandshakeException.class);
            return (HandshakeException) e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the handshake did not end", e);
        }
        throw new AssertionError("the handshake was expected to fail");
    }

    static <T> T result(FutureTask<T> t) throws Exception {
        try {
            return t.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the handshake failed: " + e.getCause(), e.getCause());
        }
    }

    @Test
    void handshakeCompletesAndBothSidesAgreeOnFlags() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            long bOffers = DistFlags.OFFERED_WITH_ATOM_CACHE & ~DistFlags.ALIAS;
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B.withOfferedFlags(bOffers),
                    HandshakeRegistry.ACCEPT_ALL));
            HandshakeResult init = Handshake.initiate(p.clientStream(), CONFIG_A, B, HandshakeRegistry.ACCEPT_ALL);
            HandshakeResult acc = result(acceptor);

            assertThat(init.peer()).isEqualTo(B);
            assertThat(acc.peer()).isEqualTo(A);
            assertThat(init.initiated()).isTrue();
            assertThat(acc.initiated()).isFalse();
            assertThat(init.peerCreation()).isEqualTo(0xF000_0001);
            assertThat(acc.peerCreation()).isEqualTo(0x1234_5678);
            assertThat(init.flags()).isEqualTo(acc.flags());
            long expected = (DistFlags.OFFERED | DistFlags.PUBLISHED) & (bOffers | DistFlags.PUBLISHED);
            assertThat(init.flags()).isEqualTo(DistFlags.expand(expected));
            assertThat(DistFlags.has(init.flags(), DistFlags.ALIAS)).isFalse();
            assertThat(DistFlags.has(init.flags(), DistFlags.DIST_HDR_ATOM_CACHE)).isFalse();
            assertThat(DistFlags.has(init.flags(), DistFlags.V4_NC | DistFlags.SPAWN | DistFlags.HANDSHAKE_23
                    | DistFlags.FRAGMENTS | DistFlags.UNLINK_ID)).isTrue();
            assertThat(init.hidden()).isFalse();
            assertThat(init.usesDistHeader()).isTrue();
        }
    }

    @Test
    void aHiddenNodeMakesAHiddenConnectionAndNoFragmentsMeansPassThrough() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            long plain = DistFlags.OFFERED & ~DistFlags.FRAGMENTS;
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B.withOfferedFlags(plain),
                    HandshakeRegistry.ACCEPT_ALL));
            HandshakeResult init = Handshake.initiate(p.clientStream(), CONFIG_A.withHidden(true), B,
                    HandshakeRegistry.ACCEPT_ALL);
            HandshakeResult acc = result(acceptor);
            assertThat(init.hidden()).isTrue();
            assertThat(acc.hidden()).isTrue();
            assertThat(DistFlags.has(acc.peerFlags(), DistFlags.PUBLISHED)).isFalse();
            assertThat(init.usesDistHeader()).isFalse();
            assertThat(acc.usesDistHeader()).isFalse();
        }
    }

    @Test
    void aWrongCookieIsRefusedOnBothSidesWithTheReason() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
            HandshakeException init = catchThrowableOfType(HandshakeException.class,
                    () -> Handshake.initiate(p.clientStream(), CONFIG_A.withCookie("other"), B,
                            HandshakeRegistry.ACCEPT_ALL));
            HandshakeException acc = failure(acceptor);

            assertThat(acc.kind()).isEqualTo(Kind.BAD_COOKIE);
            assertThat(acc.peer()).isEqualTo(A);
            assertThat(acc.getMessage()).contains("a@localhost", "invalid challenge reply", "cookies differ");
            assertThat(init.kind()).isEqualTo(Kind.BAD_COOKIE);
            assertThat(init.getMessage()).contains("b@localhost", "cookies differ");
            assertThat(p.client().isClosed()).isTrue();
            assertThat(p.server().isClosed()).isTrue();
        }
    }

    @Test
    void aForgedChallengeAckIsRefused() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            // A fake acceptor that lets any reply through and acks with a wrong digest.
            var fake = async(() -> {
                byte[] name = readMessage(p.server());
                assertThat(name[0]).isEqualTo((byte) 'N');
                OutputStream out = p.server().getOutputStream();
                out.write(message("sok".getBytes(ISO_8859_1)));
                byte[] me = B.toString().getBytes(ISO_8859_1);
                ByteBuffer ch = ByteBuffer.allocate(19 + me.length).put((byte) 'N')
                        .putLong(DistFlags.OFFERED | DistFlags.PUBLISHED).putInt(42).putInt(7)
                        .putShort((short) me.length).put(me);
                out.write(message(ch.array()));
                byte[] reply = readMessage(p.server());
                assertThat(reply).hasSize(21);
                byte[] ack = new byte[17];
                ack[0] = 'a';
                out.write(message(ack));
                return null;
            });
            HandshakeException e = catchThrowableOfType(HandshakeException.class,
                    () -> Handshake.initiate(p.clientStream(), CONFIG_A, B, HandshakeRegistry.ACCEPT_ALL));
            result(fake);
            assertThat(e.kind()).isEqualTo(Kind.BAD_COOKIE);
            assertThat(e.getMessage()).contains("invalid challenge ack");
        }
    }

    @Test
    void aPeerLackingMandatoryFlagsIsRefusedWithTheirNames() throws Exception {
        long old = DistFlags.OFFERED & ~DistFlags.V4_NC & ~DistFlags.UNLINK_ID;
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
            HandshakeException init = catchThrowableOfType(HandshakeException.class,
                    () -> Handshake.initiate(p.clientStream(), CONFIG_A.withOfferedFlags(old), B,
                            HandshakeRegistry.ACCEPT_ALL));
            HandshakeException acc = failure(acceptor);
            assertThat(acc.kind()).isEqualTo(Kind.MISSING_FLAGS);
            assertThat(acc.getMessage()).contains("a@localhost", "cannot handle", "UNLINK_ID", "V4_NC");
            assertThat(init.kind()).isEqualTo(Kind.NOT_ALLOWED);
            assertThat(init.getMessage()).contains("not_allowed");
        }
        // The other way round: the accepting node lacks them, the initiator aborts.
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(),
                    CONFIG_B.withOfferedFlags(DistFlags.OFFERED & ~DistFlags.BIG_CREATION & ~DistFlags.MANDATORY_25_DIGEST)
                            .withRequiredFlags(0), HandshakeRegistry.ACCEPT_ALL));
            HandshakeException init = catchThrowableOfType(HandshakeException.class,
                    () -> Handshake.initiate(p.clientStream(), CONFIG_A, B, HandshakeRegistry.ACCEPT_ALL));
            assertThat(init.kind()).isEqualTo(Kind.MISSING_FLAGS);
            assertThat(init.getMessage()).contains("b@localhost", "aborted", "BIG_CREATION");
            assertThat(failure(acceptor).kind()).isEqualTo(Kind.CLOSED);
        }
    }

    @Test
    void mandatory25DigestStandsForTheOtp25Flags() throws Exception {
        long digestOnly = (DistFlags.OFFERED & ~DistFlags.MANDATORY_OTP25) | DistFlags.MANDATORY_25_DIGEST;
        assertThat(DistFlags.has(digestOnly, DistFlags.BIG_CREATION)).isFalse();
        assertThat(DistFlags.missing(DistFlags.REQUIRED, digestOnly)).isZero();
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
            HandshakeResult init = Handshake.initiate(p.clientStream(), CONFIG_A.withOfferedFlags(digestOnly), B,
                    HandshakeRegistry.ACCEPT_ALL);
            HandshakeResult acc = result(acceptor);
            assertThat(DistFlags.has(acc.flags(), DistFlags.MANDATORY_OTP26)).isTrue();
            assertThat(acc.flags()).isEqualTo(init.flags());
        }
        assertThat(DistFlags.names(DistFlags.V4_NC | DistFlags.PUBLISHED | (1L << 40)))
                .containsExactly("PUBLISHED", "V4_NC", "BIT_40");
    }

    @Test
    void anOldNameMessageIsCompletedByTheComplement() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
            HandshakeResult init = Handshake.initiate(p.clientStream(), CONFIG_A.withNameVersion(5), B,
                    HandshakeRegistry.ACCEPT_ALL);
            HandshakeResult acc = result(acceptor);
            // The high flags and the creation came with the complement.
            assertThat(DistFlags.has(acc.peerFlags(), DistFlags.V4_NC | DistFlags.SPAWN | DistFlags.ALIAS)).isTrue();
            assertThat(acc.peerCreation()).isEqualTo(0x1234_5678);
            assertThat(acc.flags()).isEqualTo(init.flags());
        }
    }

    @Test
    void anOldNameMessageWithoutHandshake23IsRefused() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
            byte[] name = A.toString().getBytes(ISO_8859_1);
            int flags = (int) (DistFlags.OFFERED & ~DistFlags.HANDSHAKE_23 & ~DistFlags.MANDATORY_25_DIGEST & 0xffffffffL);
            ByteBuffer m = ByteBuffer.allocate(7 + name.length).put((byte) 'n').putShort((short) 5).putInt(flags)
                    .put(name);
            p.client().getOutputStream().write(message(m.array()));
            assertThat(new String(readMessage(p.client()), ISO_8859_1)).isEqualTo("snot_allowed");
            HandshakeException e = failure(acceptor);
            assertThat(e.kind()).isEqualTo(Kind.MISSING_FLAGS);
            assertThat(e.getMessage()).contains("HANDSHAKE_23");
        }
    }

    @Test
    void aDisallowedNodeIsRefused() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B.withAllowed(n -> !n.equals(A)),
                    HandshakeRegistry.ACCEPT_ALL));
            HandshakeException init = catchThrowableOfType(HandshakeException.class,
                    () -> Handshake.initiate(p.clientStream(), CONFIG_A, B, HandshakeRegistry.ACCEPT_ALL));
            assertThat(init.kind()).isEqualTo(Kind.NOT_ALLOWED);
            HandshakeException acc = failure(acceptor);
            assertThat(acc.kind()).isEqualTo(Kind.NOT_ALLOWED);
            assertThat(acc.getMessage()).contains("disallowed node a@localhost");
        }
    }

    @Test
    void aSilentPeerTimesOut() throws Exception {
        try (SocketPair p = SocketPair.open()) {
            long t0 = System.nanoTime();
            HandshakeException e = catchThrowableOfType(HandshakeException.class,
                    () -> Handshake.accept(p.serverStream(), CONFIG_B.withSetupTimeout(Duration.ofMillis(300)),
                            HandshakeRegistry.ACCEPT_ALL));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(e.getMessage()).contains("timed out after 300 ms", "the name");
            assertThat(ms).isBetween(250L, 5000L);
            assertThat(p.server().isClosed()).isTrue();
        }
        // A peer that sends half a message and stops times out too.
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(),
                    CONFIG_B.withSetupTimeout(Duration.ofMillis(300)), HandshakeRegistry.ACCEPT_ALL));
            p.client().getOutputStream().write(new byte[] {0, 30, 'N', 0, 0});
            assertThat(failure(acceptor).kind()).isEqualTo(Kind.TIMEOUT);
        }
    }

    @Test
    void malformedMessagesAreRefused() throws Exception {
        // A name length beyond the message.
        try (SocketPair p = SocketPair.open()) {
            var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
            ByteBuffer m = ByteBuffer.allocate(20).put((byte) 'N').putLong(DistFlags.OFFERED).putInt(1)
                    .putShort((short) 1000).put("a@b!!".getBytes(ISO_8859_1));
            p.client().getOutputStream().write(message(m.array()));
            HandshakeException e = failure(acceptor);
            assertThat(e.kind()).isEqualTo(Kind.MALFORMED);
            assertThat(e.getMessage()).contains("too short");
        }
        // An empty message, an unknown tag, a name that is not alive@host.
        for (byte[] bad : new byte[][] {
                {0, 0},
                message(new byte[] {'x', 1, 2, 3}),
                message(ByteBuffer.allocate(15 + 5).put((byte) 'N').putLong(DistFlags.OFFERED).putInt(1)
                        .putShort((short) 5).put("nohst".getBytes(ISO_8859_1)).array())}) {
            try (SocketPair p = SocketPair.open()) {
                var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, HandshakeRegistry.ACCEPT_ALL));
                p.client().getOutputStream().write(bad);
                assertThat(failure(acceptor).kind()).isEqualTo(Kind.MALFORMED);
            }
        }
    }

    @Test
    void aNodeStillConnectedIsAskedAliveAndItsAnswerDecides() throws Exception {
        for (boolean confirm : new boolean[] {true, false}) {
            TestRegistry regA = new TestRegistry(A);
            TestRegistry regB = new TestRegistry(B);
            regB.up(A); // B thinks it is still connected to A
            regA.confirmAlive = confirm;
            try (SocketPair p = SocketPair.open()) {
                var acceptor = async(() -> Handshake.accept(p.serverStream(), CONFIG_B, regB));
                if (confirm) {
                    HandshakeResult r = Handshake.initiate(p.clientStream(), CONFIG_A, B, regA);
                    assertThat(r.peer()).isEqualTo(B);
                    assertThat(result(acceptor).peer()).isEqualTo(A);
                    assertThat(regB.events).containsExactly("alive a@localhost", "replace a@localhost");
                } else {
                    HandshakeException init = catchThrowableOfType(HandshakeException.class,
                            () -> Handshake.initiate(p.clientStream(), CONFIG_A, B, regA));
                    assertThat(init.kind()).isEqualTo(Kind.ALIVE_REFUSED);
                    assertThat(failure(acceptor).kind()).isEqualTo(Kind.ALIVE_REFUSED);
                }
                assertThat(regA.events).containsExactly("is_pending b@localhost");
            }
        }
    }

    @Test
    void simultaneousConnectsLeaveTheConnectionOfTheGreaterName() throws Exception {
        for (int round = 0; round < 5; round++) {
            TestRegistry regA = new TestRegistry(A);
            TestRegistry regB = new TestRegistry(B);
            try (SocketPair aToB = SocketPair.open(); SocketPair bToA = SocketPair.open()) {
                DistStream aOut = aToB.clientStream();
                DistStream bOut = bToA.clientStream();
                regA.connecting(B, aOut);
                regB.connecting(A, bOut);
                var aInit = async(() -> Handshake.initiate(aOut, CONFIG_A, B, regA));
                var bInit = async(() -> Handshake.initiate(bOut, CONFIG_B, A, regB));
                var bAcc = async(() -> Handshake.accept(aToB.serverStream(), CONFIG_B, regB));
                var aAcc = async(() -> Handshake.accept(bToA.serverStream(), CONFIG_A, regA));

                // b@localhost > a@localhost: B's attempt goes on, A's gives up.
                assertThat(result(bInit).peer()).isEqualTo(A);
                assertThat(result(aAcc).peer()).isEqualTo(B);
                HandshakeException aFailed = failure(aInit);
                assertThat(aFailed.kind()).isIn(Kind.SIMULTANEOUS, Kind.CLOSED, Kind.IO);
                assertThat(failure(bAcc).kind()).isIn(Kind.SIMULTANEOUS, Kind.CLOSED, Kind.IO);
                // (B's acceptor may find A's attempt already aborted, before it read A's name.)
                assertThat(regB.events).isSubsetOf("nok a@localhost");
                assertThat(regA.events).containsExactly("ok_simultaneous b@localhost");
            }
        }
        assertThat(HandshakeRegistry.ownAttemptWins(B, A)).isTrue();
        assertThat(HandshakeRegistry.ownAttemptWins(A, B)).isFalse();
    }

    @Test
    void theConfigRefusesWhatItCannotDo() {
        assertThatThrownBy(() -> CONFIG_A.withNameVersion(4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CONFIG_A.withOfferedFlags(DistFlags.OFFERED | DistFlags.NAME_ME))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CONFIG_A.withCookie("k\u20ac")).isInstanceOf(IllegalArgumentException.class);
        assertThat(CONFIG_A.toString()).doesNotContain("secret");
    }
}
