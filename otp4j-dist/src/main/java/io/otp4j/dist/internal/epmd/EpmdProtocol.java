package io.otp4j.dist.internal.epmd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The constants and small codecs of the EPMD protocol shared by the client and the server. Every
 * request is a 2-byte big-endian length and that many bytes, the first of them the request code;
 * replies have no length prefix, their shape depends on the request.
 */
final class EpmdProtocol {
    private EpmdProtocol() {}

    static final int DEFAULT_PORT = 4369;

    static final int ALIVE2_REQ = 120;       // 'x'
    static final int ALIVE2_RESP = 121;      // 'y': 16-bit creation
    static final int ALIVE2_X_RESP = 118;    // 'v': 32-bit creation
    static final int PORT_PLEASE2_REQ = 122; // 'z'
    static final int PORT2_RESP = 119;       // 'w'
    static final int NAMES_REQ = 110;        // 'n'
    static final int DUMP_REQ = 100;         // 'd'
    static final int KILL_REQ = 107;         // 'k'
    static final int STOP_REQ = 115;         // 's'

    /** The distribution protocol version otp4j speaks (OTP 23 and later; 32-bit creations). */
    static final int DIST_VERSION = 6;
    /** TCP/IPv4, the only protocol defined. */
    static final int PROTOCOL_TCP = 0;

    /** A node name is an atom: at most 255 characters. */
    static final int MAX_NAME_CHARS = 255;
    /** 255 characters of UTF-8: at most 4 bytes each. */
    static final int MAX_NAME_BYTES = 255 * 4;
    /** The largest extra field epmd keeps. */
    static final int MAX_EXTRA_BYTES = MAX_NAME_BYTES;
    /** The largest request length epmd accepts (its input buffer is 3 * 1020 bytes, prefix included). */
    static final int MAX_REQUEST = 3 * MAX_NAME_BYTES - 3;

    /** The creation in a refused {@code ALIVE2} reply, as epmd sends it. */
    static final int REFUSED_CREATION = 99;

    static InetAddress loopbackV4() {
        try {
            return Inet4Address.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int u32(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void put32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Strict UTF-8 (no overlong forms, no surrogates), or null when the bytes are not. */
    static String decodeUtf8(byte[] b, int off, int len) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, off, len))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** True for a node name epmd accepts: 1 to 255 characters, no NUL, at most 1020 bytes of UTF-8. */
    static boolean validName(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) return false;
        int chars = name.codePointCount(0, name.length());
        return chars <= MAX_NAME_CHARS && name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES;
    }

    static void checkName(String name) {
        if (!validName(name)) {
            throw new IllegalArgumentException(
                    "a node name for EPMD has 1 to 255 characters and no NUL, got: \"" + name + "\"");
        }
    }

    /** Reads exactly {@code len} bytes; {@link EOFException} when the stream ends first. */
    static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = in.read(b, off, len);
            if (n < 0) throw new EOFException();
            off += n;
            len -= n;
        }
    }
}
