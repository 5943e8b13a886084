package io.otp4j.dist.internal.connection;

import static io.otp4j.dist.internal.connection.HandshakeException.Kind.*;
import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.otp4j.dist.NodeName;
import io.otp4j.dist.internal.connection.HandshakeException.Kind;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The distribution handshake, version 6 (Erlang/OTP 23 and later), on either side of a new
 * connection. Each handshake message travels with a 2-byte big-endian length.
 *
 * <pre>
 *   initiator (A)                          acceptor (B)
 *   send_name      'N' flags creation name  →
 *                                         ←  send_status     's' ok | ok_simultaneous | nok | not_allowed | alive
 *                                         ←  send_challenge  'N' flags challenge creation name
 *   (send_complement 'c' flags-high creation, only after an old 'n' name)
 *   send_challenge_reply 'r' challenge digest →
 *                                         ←  send_challenge_ack 'a' digest
 * </pre>
 *
 * A digest is the MD5 of the cookie followed by the other side's challenge in decimal. Each read
 * waits at most {@link HandshakeConfig#setupTimeout()}; every length is checked before use. A
 * failed handshake logs its reason, closes its stream (that one only) and throws a {@link
 * HandshakeException}; a completed one leaves the stream open, with no read timeout, for the
 * {@link Connection}.
 */
public final class Handshake {
    private static final Logger LOG = LoggerFactory.getLogger(Handshake.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final int TAG_NAME = 'N';
    private static final int TAG_OLD_NAME = 'n';
    private static final int TAG_STATUS = 's';
    private static final int TAG_COMPLEMENT = 'c';
    private static final int TAG_REPLY = 'r';
    private static final int TAG_ACK = 'a';
    private static final int DIGEST_LENGTH = 16;

    private final DistStream stream;
    private final HandshakeConfig config;
    private final HandshakeRegistry registry;
    private NodeName peer;

    private Handshake(DistStream stream, HandshakeConfig config, HandshakeRegistry registry) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.config = Objects.requireNonNull(config, "config");
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /**
     * Shakes hands as the node that opened the connection, to {@code peer}.
     *
     * @throws HandshakeException when the handshake fails; the stream is closed
     */
    public static HandshakeResult initiate(DistStream stream, HandshakeConfig config, NodeName peer,
                                           HandshakeRegistry registry) throws HandshakeException {
        Handshake h = new Handshake(stream, config, registry);
        h.peer = Objects.requireNonNull(peer, "peer");
        return h.run(true);
    }

    /**
     * Shakes hands as the node that accepted the connection.
     *
     * @throws HandshakeException when the handshake fails; the stream is closed
     */
    public static HandshakeResult accept(DistStream stream, HandshakeConfig config, HandshakeRegistry registry)
            throws HandshakeException {
        return new Handshake(stream, config, registry).run(false);
    }

    private HandshakeResult run(boolean initiating) throws HandshakeException {
        try {
            HandshakeResult r = initiating ? initiator() : acceptor();
            stream.setReadTimeout(0);
            LOG.debug("{}: handshake {} {} done: {}", config.self(), initiating ? "to" : "from", peer, r);
            return r;
        } catch (HandshakeException e) {
            log(e);
            closeQuietly();
            throw e;
        } catch (IOException | RuntimeException e) {
            HandshakeException he = new HandshakeException(IO, peer,
                    where(initiating) + ": " + e, e);
            log(he);
            closeQuietly();
            throw he;
        }
    }

    // ---------------------------------------------------------------- initiator

    private HandshakeResult initiator() throws IOException {
        long ourFlags = config.flagsToSend();
        byte[] name = config.self().toString().getBytes(ISO_8859_1);
        boolean old = config.nameVersion() == 5;
        if (old) {
            Out m = new Out(7 + name.length).u8(TAG_OLD_NAME).u16(5).u32((int) ourFlags).bytes(name);
            write(m);
        } else {
            write(new Out(15 + name.length).u8(TAG_NAME).u64(ourFlags).u32(config.creation()).u16(name.length)
                    .bytes(name));
        }

        recvStatus();

        byte[] ch = read("the challenge");
        long peerFlags;
        int peerChallenge;
        int peerCreation = 0;
        String challengeName;
        boolean newChallenge = ch[0] == TAG_NAME;
        if (newChallenge) {
            need(ch, 19, "challenge");
            peerFlags = getLong(ch, 1);
            peerChallenge = getInt(ch, 9);
            peerCreation = getInt(ch, 13);
            int nlen = getU16(ch, 17);
            need(ch, 19 + nlen, "challenge");
            challengeName = new String(ch, 19, nlen, ISO_8859_1);
        } else if (ch[0] == TAG_OLD_NAME) {
            need(ch, 11, "challenge");
            peerFlags = getInt(ch, 3) & 0xffffffffL;
            peerChallenge = getInt(ch, 7);
            challengeName = new String(ch, 11, ch.length - 11, ISO_8859_1);
        } else {
            throw malformed("expected a challenge ('N'), got " + describeTag(ch));
        }
        if (!challengeName.equals(peer.toString())) {
            throw new HandshakeException(MALFORMED, peer,
                    "connection to node " + peer + " aborted: the challenge comes from node " + printable(challengeName));
        }
        peerFlags = DistFlags.expand(peerFlags);
        long missing = DistFlags.missing(config.requiredFlags(), peerFlags);
        if (missing != 0) {
            throw new HandshakeException(MISSING_FLAGS, peer, "connection to node " + peer
                    + " aborted since it cannot handle " + DistFlags.toString(missing));
        }
        if (!newChallenge) {
            throw new HandshakeException(MISSING_FLAGS, peer, "connection to node " + peer
                    + " aborted: it answered with a version 5 challenge, and only version 6 is supported");
        }
        if (old) {
            write(new Out(9).u8(TAG_COMPLEMENT).u32((int) (ourFlags >>> 32)).u32(config.creation()));
        }

        int ourChallenge = RANDOM.nextInt();
        String cookie = cookie();
        write(new Out(21).u8(TAG_REPLY).u32(ourChallenge).bytes(digest(peerChallenge, cookie)));

        byte[] ack;
        try {
            ack = read("the challenge ack");
        } catch (HandshakeException e) {
            if (e.kind() == CLOSED) {
                throw new HandshakeException(BAD_COOKIE, peer, "connection to node " + peer
                        + " refused: it closed the connection after our challenge reply; most likely the cookies"
                        + " differ", e);
            }
            throw e;
        }
        if (ack[0] != TAG_ACK || ack.length != 1 + DIGEST_LENGTH) {
            throw malformed("expected a challenge ack ('a' and 16 bytes), got " + describeTag(ack) + " of "
                    + ack.length + " bytes");
        }
        if (!MessageDigest.isEqual(Arrays.copyOfRange(ack, 1, ack.length), digest(ourChallenge, cookie))) {
            throw new HandshakeException(BAD_COOKIE, peer, "connection to node " + peer
                    + " cancelled: invalid challenge ack (the cookies differ)");
        }
        return new HandshakeResult(peer, peerCreation, peerFlags, ourFlags, DistFlags.negotiate(ourFlags, peerFlags),
                true);
    }

    private void recvStatus() throws IOException {
        byte[] m = read("the status");
        if (m[0] != TAG_STATUS) throw malformed("expected a status ('s'), got " + describeTag(m));
        String status = new String(m, 1, m.length - 1, ISO_8859_1);
        switch (status) {
            case "ok", "ok_simultaneous" -> { }
            case "nok" -> throw new HandshakeException(SIMULTANEOUS, peer, "connection to node " + peer
                    + " given up: the node is connecting to us at the same time and its attempt wins (nok)");
            case "not_allowed" -> throw new HandshakeException(NOT_ALLOWED, peer, "connection to node " + peer
                    + " refused by it (not_allowed): we are not on its allow list, or lack flags it requires");
            case "alive" -> {
                boolean goOn = registry.isPending(peer);
                write(new Out(goOn ? 5 : 6).u8(TAG_STATUS).bytes((goOn ? "true" : "false").getBytes(ISO_8859_1)));
                if (!goOn) {
                    throw new HandshakeException(ALIVE_REFUSED, peer, "connection to node " + peer
                            + " given up: it has a connection to us, and ours is no longer wanted (alive, false)");
                }
            }
            default -> {
                if (status.startsWith("named:")) {
                    throw malformed("got a dynamic name (named:) we did not ask for");
                }
                throw malformed("unknown status '" + printable(status) + "'");
            }
        }
    }

    // ---------------------------------------------------------------- acceptor

    private HandshakeResult acceptor() throws IOException {
        byte[] m = read("the name");
        long peerFlags;
        int peerCreation = 0;
        String name;
        boolean old;
        if (m[0] == TAG_NAME) {
            old = false;
            need(m, 15, "name");
            peerFlags = getLong(m, 1);
            peerCreation = getInt(m, 9);
            int nlen = getU16(m, 13);
            need(m, 15 + nlen, "name");
            name = new String(m, 15, nlen, ISO_8859_1); // any data after the name is ignored
        } else if (m[0] == TAG_OLD_NAME) {
            old = true;
            need(m, 8, "name");
            peerFlags = getInt(m, 3) & 0xffffffffL;
            name = new String(m, 7, m.length - 7, ISO_8859_1);
        } else {
            throw malformed("expected a name ('N' or 'n'), got " + describeTag(m));
        }
        if ((peerFlags & DistFlags.NAME_ME) != 0) {
            refuse("not_allowed");
            throw new HandshakeException(NOT_ALLOWED, null, "connection attempt from " + stream.remote() + " (host "
                    + printable(name) + ") rejected: it asks for a dynamic node name (NAME_ME), not supported");
        }
        try {
            peer = NodeName.parse(name);
        } catch (IllegalArgumentException e) {
            throw malformed("the peer's node name is not alive@host: '" + printable(name) + "'");
        }
        if (!config.allowed().test(peer)) {
            refuse("not_allowed");
            throw new HandshakeException(NOT_ALLOWED, peer, "connection attempt from disallowed node " + peer
                    + " rejected");
        }
        peerFlags = DistFlags.expand(peerFlags);
        // After an old name message the high 32 flags come with the complement; check those later.
        checkFlags(peerFlags, old ? 0xffffffffL : -1L, true);
        if (old && (peerFlags & DistFlags.HANDSHAKE_23) == 0) {
            refuse("not_allowed");
            throw new HandshakeException(MISSING_FLAGS, peer, "connection attempt from node " + peer
                    + " rejected: it shakes hands at version 5 without HANDSHAKE_23, and only version 6 is supported");
        }

        switch (registry.acceptPending(peer)) {
            case OK -> sendStatus("ok");
            case OK_SIMULTANEOUS -> sendStatus("ok_simultaneous");
            case NOK -> {
                refuse("nok");
                throw new HandshakeException(SIMULTANEOUS, peer, "connection attempt from node " + peer
                        + " refused: we are connecting to it at the same time and our attempt wins (nok)");
            }
            case ALIVE -> {
                sendStatus("alive");
                byte[] r = read("the reply to alive");
                String reply = r[0] == TAG_STATUS ? new String(r, 1, r.length - 1, ISO_8859_1) : null;
                if ("false".equals(reply)) {
                    throw new HandshakeException(ALIVE_REFUSED, peer, "connection attempt from node " + peer
                            + " withdrawn: the node keeps its old connection (alive, false)");
                }
                if (!"true".equals(reply)) {
                    throw malformed("expected 'strue' or 'sfalse' after alive, got " + describeTag(r));
                }
                registry.replace(peer);
            }
        }

        long ourFlags = config.flagsToSend();
        int ourChallenge = RANDOM.nextInt();
        byte[] ourName = config.self().toString().getBytes(ISO_8859_1);
        write(new Out(19 + ourName.length).u8(TAG_NAME).u64(ourFlags).u32(ourChallenge).u32(config.creation())
                .u16(ourName.length).bytes(ourName));

        if (old) {
            byte[] c = read("the complement");
            if (c[0] != TAG_COMPLEMENT || c.length != 9) {
                throw malformed("expected a complement ('c', 8 bytes), got " + describeTag(c) + " of " + c.length
                        + " bytes");
            }
            peerFlags |= (getInt(c, 1) & 0xffffffffL) << 32;
            peerCreation = getInt(c, 5);
            checkFlags(peerFlags, -1L, false);
        }

        byte[] r = read("the challenge reply");
        if (r[0] != TAG_REPLY || r.length != 5 + DIGEST_LENGTH) {
            throw malformed("expected a challenge reply ('r', 20 bytes), got " + describeTag(r) + " of " + r.length
                    + " bytes");
        }
        int peerChallenge = getInt(r, 1);
        String cookie = cookie();
        if (!MessageDigest.isEqual(Arrays.copyOfRange(r, 5, r.length), digest(ourChallenge, cookie))) {
            throw new HandshakeException(BAD_COOKIE, peer, "connection attempt from node " + peer
                    + " rejected: invalid challenge reply (the cookies differ)");
        }
        write(new Out(1 + DIGEST_LENGTH).u8(TAG_ACK).bytes(digest(peerChallenge, cookie)));
        return new HandshakeResult(peer, peerCreation, peerFlags, ourFlags, DistFlags.negotiate(ourFlags, peerFlags),
                false);
    }

    private void checkFlags(long peerFlags, long mask, boolean canSendStatus) throws IOException {
        long missing = DistFlags.missing(config.requiredFlags() & mask, peerFlags);
        if (missing != 0) {
            if (canSendStatus) refuse("not_allowed");
            throw new HandshakeException(MISSING_FLAGS, peer, "connection attempt from node " + peer
                    + " rejected since it cannot handle " + DistFlags.toString(missing));
        }
    }

    /** Sends a refusal before failing; the failure's reason matters more than whether this arrives. */
    private void refuse(String status) {
        try {
            sendStatus(status);
        } catch (IOException e) {
            LOG.debug("{}: could not send status {} to {}: {}", config.self(), status, stream.remote(), e.toString());
        }
    }

    private void sendStatus(String status) throws IOException {
        byte[] s = status.getBytes(ISO_8859_1);
        write(new Out(1 + s.length).u8(TAG_STATUS).bytes(s));
    }

    // ---------------------------------------------------------------- digest

    /** The MD5 of the cookie followed by the challenge, unsigned, in decimal. */
    static byte[] digest(int challenge, String cookie) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(cookie.getBytes(ISO_8859_1));
            md5.update(Integer.toUnsignedString(challenge).getBytes(ISO_8859_1));
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    private String cookie() {
        String c = config.cookies().apply(peer);
        if (c == null) {
            throw new IllegalStateException("no cookie for node " + peer);
        }
        return c;
    }

    // ---------------------------------------------------------------- messages

    private void write(Out m) throws IOException {
        byte[] b = m.finish();
        stream.write(b, 0, b.length);
    }

    /** One message: 2 bytes of length, then that many (at least 1); each read within the setup timeout. */
    private byte[] read(String awaiting) throws IOException {
        long deadline = System.nanoTime() + config.setupTimeout().toNanos();
        byte[] len = new byte[2];
        readFully(len, awaiting, deadline);
        int n = getU16(len, 0);
        if (n == 0) throw malformed("empty handshake message, awaiting " + awaiting);
        byte[] body = new byte[n];
        readFully(body, awaiting, deadline);
        return body;
    }

    private void readFully(byte[] b, String awaiting, long deadline) throws IOException {
        int off = 0;
        while (off < b.length) {
            long left = deadline - System.nanoTime();
            if (left <= 0) throw timeout(awaiting);
            stream.setReadTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000L)));
            int n;
            try {
                n = stream.read(b, off, b.length - off);
            } catch (SocketTimeoutException e) {
                throw timeout(awaiting);
            }
            if (n < 0) {
                throw new HandshakeException(CLOSED, peer, (peer != null ? "node " + peer : stream.remote())
                        + " closed the connection while we awaited " + awaiting);
            }
            off += n;
        }
    }

    private HandshakeException timeout(String awaiting) {
        return new HandshakeException(TIMEOUT, peer, "handshake " + (peer != null ? "with node " + peer : "from "
                + stream.remote()) + " timed out after " + config.setupTimeout().toMillis() + " ms awaiting "
                + awaiting);
    }

    private HandshakeException malformed(String what) {
        return new HandshakeException(Kind.MALFORMED, peer, "handshake " + (peer != null ? "with node " + peer
                : "from " + stream.remote()) + " failed: " + what);
    }

    private void need(byte[] m, int n, String what) throws HandshakeException {
        if (m.length < n) {
            throw malformed("the " + what + " message is " + m.length + " bytes, too short (at least " + n + ")");
        }
    }

    private static String describeTag(byte[] m) {
        int t = m[0] & 0xff;
        return t >= 0x20 && t < 0x7f ? "'" + (char) t + "'" : "byte " + t;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 300; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c != 0x7f ? c : '?');
        }
        return b.toString();
    }

    private String where(boolean initiating) {
        return initiating ? "connection to node " + peer + " failed"
                : "connection attempt from " + (peer != null ? "node " + peer : stream.remote()) + " failed";
    }

    private void log(HandshakeException e) {
        switch (e.kind()) {
            case SIMULTANEOUS, ALIVE_REFUSED -> LOG.debug("{}: {}", config.self(), e.getMessage());
            case CLOSED, TIMEOUT, IO -> LOG.info("{}: {}", config.self(), e.getMessage());
            default -> LOG.warn("{}: {}", config.self(), e.getMessage());
        }
    }

    private void closeQuietly() {
        try {
            stream.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
    }

    static int getU16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static int getInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    static long getLong(byte[] b, int off) {
        return ((long) getInt(b, off) << 32) | (getInt(b, off + 4) & 0xffffffffL);
    }

    /** A handshake message under construction, its 2-byte length first. */
    private static final class Out {
        private final byte[] b;
        private int pos = 2;

        Out(int bodyLength) {
            if (bodyLength > 0xffff) throw new IllegalArgumentException("handshake message too long: " + bodyLength);
            b = new byte[2 + bodyLength];
            b[0] = (byte) (bodyLength >>> 8);
            b[1] = (byte) bodyLength;
        }

        Out u8(int v) {
            b[pos++] = (byte) v;
            return this;
        }

        Out u16(int v) {
            b[pos++] = (byte) (v >>> 8);
            b[pos++] = (byte) v;
            return this;
        }

        Out u32(int v) {
            return u16(v >>> 16).u16(v);
        }

        Out u64(long v) {
            return u32((int) (v >>> 32)).u32((int) v);
        }

        Out bytes(byte[] v) {
            System.arraycopy(v, 0, b, pos, v.length);
            pos += v.length;
            return this;
        }

        byte[] finish() {
            if (pos != b.length) throw new IllegalStateException("message length " + pos + " != " + b.length);
            return b;
        }
    }
}
