package io.otp4j.dist.internal.connection;

import io.otp4j.dist.internal.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * {@link DistStream} over a TLS socket layered on a TCP socket, its TLS handshake done ({@link
 * TlsSockets}).
 *
 * <p><b>The distribution handshake's framing.</b> Over TCP each handshake message has a 2-byte
 * length; over TLS, erl's {@code inet_tls_dist} gives it a 4-byte length, as the frames after it
 * have. {@link Handshake} reads and writes the 2-byte form, so until the handshake ends this stream
 * translates: a message written with 2 bytes of length goes out with 4, one read with 4 comes in
 * with 2. The handshake ends with the challenge acknowledgement ({@code 'a'}), the last message:
 * written by the accepting side, read by the connecting side; from then on bytes pass unchanged.
 * A TLS failure while the handshake runs (the peer's alert that it refused this node's
 * certificate comes after the TLS handshake in TLS 1.3) is a {@link TlsSockets.TlsException} with
 * the reason.
 *
 * <p>The JDK's TLS socket reads and writes at the same time from two threads, as a connection's
 * reader and writer do. Its {@code close} sends a {@code close_notify} alert, and to send it waits
 * for a write under way, and may itself block when the other node reads nothing (the case the tick
 * timeout closes for). So {@link #close} keeps the TCP socket in hand: with a write under way it
 * closes the TCP socket at once (which wakes the writer and the reader); otherwise it closes TLS
 * cleanly, and a watchdog closes the TCP socket if that has not finished within {@link #CLEAN_CLOSE}.
 */
final class TlsDistStream implements DistStream {
    /** How long a clean TLS close (the {@code close_notify} alert) may take before the TCP socket is closed. */
    static final Duration CLEAN_CLOSE = Duration.ofSeconds(2);

    private final SSLSocket socket;
    private final Socket tcp;
    private final InputStream in;
    private final OutputStream out;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int timeout = -1;
    private volatile boolean writing;
    private volatile boolean closing;
    /**
     * The distribution handshake runs: messages are translated. One thread reads and writes while
     * it does; the connection's reader and writer are started after it ended, and so see it false.
     */
    private boolean handshake = true;
    /** A handshake message read, in its 2-byte form, not yet all handed out. */
    private byte[] pendingIn;
    private int pendingInPos;
    /** Bytes of a handshake message written but not yet whole. */
    private byte[] pendingOut = new byte[0];

    TlsDistStream(SSLSocket socket, Socket tcp) throws IOException {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.tcp = Objects.requireNonNull(tcp, "tcp");
        tcp.setTcpNoDelay(true);
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        if (pendingIn != null) return drain(buf, off, len);
        if (!handshake) return in.read(buf, off, len);
        try {
            byte[] head = new byte[4];
            if (!readFully(head, 0, 4)) return -1;
            long n = ((head[0] & 0xffL) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            if (n > 0xffff) {
                throw new IOException("distribution handshake message of " + n + " bytes from " + remote()
                        + ": at most 65535");
            }
            byte[] m = new byte[2 + (int) n];
            m[0] = (byte) (n >>> 8);
            m[1] = (byte) n;
            if (!readFully(m, 2, (int) n)) return -1;
            pendingIn = m;
            pendingInPos = 0;
            return drain(buf, off, len);
        } catch (SSLException e) {
            throw new TlsSockets.TlsException("TLS handshake failed: " + TlsSockets.reason(e, Duration.ZERO), e);
        }
    }

    /** Reads {@code n} bytes into {@code b[off..]}; false at the end of the stream. */
    private boolean readFully(byte[] b, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int r = in.read(b, off + done, n - done);
            if (r < 0) return false;
            done += r;
        }
        return true;
    }

    private int drain(byte[] buf, int off, int len) {
        int n = Math.min(len, pendingIn.length - pendingInPos);
        System.arraycopy(pendingIn, pendingInPos, buf, off, n);
        pendingInPos += n;
        if (pendingInPos == pendingIn.length) {
            if (pendingIn.length > 2 && pendingIn[2] == 'a') handshake = false; // the connecting side's last
            pendingIn = null;
        }
        return n;
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
        writing = true;
        try {
            // close sets closing, then reads writing: either this sees closing or close sees writing
            if (closing) throw new SocketException("Socket closed");
            if (handshake) writeHandshake(buf, off, len);
            else out.write(buf, off, len);
        } catch (SSLException e) {
            if (!handshake) throw e;
            throw new TlsSockets.TlsException("TLS handshake failed: " + TlsSockets.reason(e, Duration.ZERO), e);
        } catch (SocketException e) {
            if (!handshake || closing) throw e;
            // in TLS 1.3 a server refuses the client's certificate after the client finished its TLS handshake:
            // the alert may be lost when the client's first write meets the closed connection
            throw new TlsSockets.TlsException("the TLS connection broke during the distribution handshake ("
                    + e.getMessage() + "): the peer may have refused this node's certificate", e);
        } finally {
            writing = false;
        }
    }

    /** Handshake messages with 2 bytes of length go out with 4; the acknowledgement ('a') is the last. */
    private void writeHandshake(byte[] buf, int off, int len) throws IOException {
        byte[] b = new byte[pendingOut.length + len];
        System.arraycopy(pendingOut, 0, b, 0, pendingOut.length);
        System.arraycopy(buf, off, b, pendingOut.length, len);
        int pos = 0;
        while (handshake && b.length - pos >= 2) {
            int n = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            if (b.length - pos - 2 < n) break;
            byte[] m = new byte[4 + n];
            m[2] = (byte) (n >>> 8);
            m[3] = (byte) n;
            System.arraycopy(b, pos + 2, m, 4, n);
            out.write(m);
            if (n > 0 && m[4] == 'a') handshake = false; // the accepting side's last
            pos += 2 + n;
        }
        if (!handshake && pos < b.length) {
            out.write(b, pos, b.length - pos);
            pos = b.length;
        }
        pendingOut = Arrays.copyOfRange(b, pos, b.length);
    }

    @Override
    public void setReadTimeout(int millis) throws IOException {
        if (millis != timeout) {
            socket.setSoTimeout(millis);
            timeout = millis;
        }
    }

    @Override
    public String remote() {
        return String.valueOf(tcp.getRemoteSocketAddress());
    }

    /** The TLS session's protocol, cipher suite and peer, for log lines. */
    String describe() {
        var s = socket.getSession();
        String peer;
        try {
            peer = s.getPeerPrincipal().getName();
        } catch (IOException none) {
            peer = "no certificate";
        }
        return s.getProtocol() + " " + s.getCipherSuite() + ", peer " + peer;
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) return;
        closing = true;
        if (writing) {
            tcp.close(); // the writer may wait for a peer that reads nothing: do not wait for it
            Sockets.closeQuietly(socket);
            return;
        }
        Thread watchdog = Thread.ofVirtual().name("otp4j-dist-tls-close").start(() -> {
            try {
                Thread.sleep(CLEAN_CLOSE);
                Sockets.closeQuietly(tcp);
            } catch (InterruptedException done) {
                // closed in time
            }
        });
        try {
            socket.close(); // close_notify, then the TCP socket
        } finally {
            watchdog.interrupt();
            tcp.close();
        }
    }


    @Override
    public String toString() {
        return "DistStream[TLS " + remote() + "]";
    }
}
