package io.otp4j.dist.internal.epmd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import io.otp4j.dist.internal.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import static io.otp4j.dist.internal.epmd.EpmdProtocol.*;

/**
 * A client of EPMD: registers this node ({@code ALIVE2_REQ}), looks up other nodes' ports
 * ({@code PORT_PLEASE2_REQ}) and lists the registered names ({@code NAMES_REQ}).
 *
 * <p>Each call opens its own connection and bounds everything: the connection and the whole answer
 * must arrive within the timeout, and lengths in answers are checked before they are believed.
 * Failures are {@link EpmdException}s whose {@link EpmdException#kind() kind} says what went wrong.
 * Instances are immutable and thread-safe.
 */
public final class EpmdClient {
    private static final Logger log = LoggerFactory.getLogger(EpmdClient.class);

    /** The port EPMD listens on unless told otherwise. */
    public static final int DEFAULT_PORT = EpmdProtocol.DEFAULT_PORT;
    /** How long a connection and its answer may take by default (erl waits 10 s for answers). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The most bytes of names accepted in a {@code NAMES_REQ} answer. */
    static final int MAX_NAMES_REPLY = 4 << 20;

    private final int epmdPort;
    private final Duration timeout;

    /** A client of the EPMD on {@link #defaultPort()}. */
    public EpmdClient() {
        this(defaultPort());
    }

    public EpmdClient(int epmdPort) {
        this(epmdPort, DEFAULT_TIMEOUT);
    }

    public EpmdClient(int epmdPort, Duration timeout) {
        if (epmdPort <= 0 || epmdPort > 65535) throw new IllegalArgumentException("bad EPMD port " + epmdPort);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("the timeout must be positive");
        this.epmdPort = epmdPort;
        this.timeout = timeout;
    }

    /** 4369, or the {@code ERL_EPMD_PORT} environment variable when it holds a port, as {@code erl} does. */
    public static int defaultPort() {
        return portFromEnv(System.getenv("ERL_EPMD_PORT"));
    }

    /** The EPMD port for a value of {@code ERL_EPMD_PORT}: 4369 when null, blank or not a port. */
    public static int portFromEnv(String value) {
        if (value == null || value.isBlank()) return DEFAULT_PORT;
        try {
            int port = Integer.parseInt(value.trim());
            if (port > 0 && port <= 65535) return port;
        } catch (NumberFormatException ignored) {
            // fall through
        }
        log.warn("ignoring ERL_EPMD_PORT={}: not a port number; using {}", value, DEFAULT_PORT);
        return DEFAULT_PORT;
    }

    public int epmdPort() {
        return epmdPort;
    }

    public Duration timeout() {
        return timeout;
    }

    // ---------------------------------------------------------------------------------- register

    /** Registers a normal node; see {@link #register(String, int, NodeType, byte[])}. */
    public Registration register(String alive, int port) throws EpmdException {
        return register(alive, port, NodeType.NORMAL, new byte[0]);
    }

    /** Registers a node with no extra data; see {@link #register(String, int, NodeType, byte[])}. */
    public Registration register(String alive, int port, NodeType type) throws EpmdException {
        return register(alive, port, type, new byte[0]);
    }

    /**
     * Registers {@code alive} at the distribution port {@code port} with the EPMD of this host
     * (EPMD only accepts registrations from its own host; the client connects to 127.0.0.1). The
     * node announces protocol TCP/IPv4 and distribution version 6 only (highest and lowest). The
     * registration lasts as long as the returned object stays open.
     *
     * @throws EpmdException of kind {@link EpmdException.Kind#REFUSED REFUSED} when EPMD refuses
     *                       the name (most likely registered already), or another kind when EPMD
     *                       cannot be reached, times out, closes early or answers garbage
     */
    public Registration register(String alive, int port, NodeType type, byte[] extra) throws EpmdException {
        checkName(alive);
        if (port < 0 || port > 65535) throw new IllegalArgumentException("bad distribution port " + port);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(extra, "extra");
        if (extra.length > MAX_EXTRA_BYTES) {
            throw new IllegalArgumentException("EPMD keeps at most " + MAX_EXTRA_BYTES + " bytes of extra data");
        }
        byte[] name = alive.getBytes(StandardCharsets.UTF_8);
        int len = 13 + name.length + extra.length;
        byte[] req = new byte[2 + len];
        put16(req, 0, len);
        req[2] = (byte) ALIVE2_REQ;
        put16(req, 3, port);
        req[5] = (byte) type.code();
        req[6] = (byte) PROTOCOL_TCP;
        put16(req, 7, DIST_VERSION);
        put16(req, 9, DIST_VERSION);
        put16(req, 11, name.length);
        System.arraycopy(name, 0, req, 13, name.length);
        put16(req, 13 + name.length, extra.length);
        System.arraycopy(extra, 0, req, 15 + name.length, extra.length);

        long deadline = deadline();
        Socket socket = connect(loopbackV4(), deadline);
        boolean ok = false;
        try {
            InputStream in = send(socket, req, deadline);
            int tag = readByte(socket, in, deadline, "ALIVE2 reply");
            boolean extended;
            byte[] rest;
            if (tag == ALIVE2_X_RESP) {
                extended = true;
                rest = read(socket, in, 5, deadline, "ALIVE2_X_RESP");
            } else if (tag == ALIVE2_RESP) {
                extended = false;
                rest = read(socket, in, 3, deadline, "ALIVE2_RESP");
            } else {
                throw malformed("an ALIVE2 reply starts with 118 or 121, got " + tag);
            }
            int result = rest[0] & 0xFF;
            if (result != 0) {
                throw new EpmdException(EpmdException.Kind.REFUSED, "EPMD on port " + epmdPort
                        + " refused to register " + alive + " (result " + result + "): the name is probably in use");
            }
            int creation = extended ? u32(rest, 1) : u16(rest, 1);
            Registration r = new Registration(socket, alive, port, type, creation, extended);
            log.debug("registered {} at port {} with EPMD on port {}: creation {}", alive, port, epmdPort,
                    Integer.toUnsignedString(creation));
            ok = true;
            return r;
        } finally {
            if (!ok) Sockets.closeQuietly(socket);
        }
    }

    // ------------------------------------------------------------------------------- port please

    /** {@link #portPlease(InetAddress, String)} on {@code host}'s addresses, tried in turn. */
    public Optional<PortInfo> portPlease(String host, String alive) throws EpmdException {
        checkName(alive);
        return onHost(host, addr -> portPlease(addr, alive));
    }

    /**
     * Asks the EPMD at {@code host} where node {@code alive} listens.
     *
     * @return the node's registration, or empty when EPMD does not know the name
     */
    public Optional<PortInfo> portPlease(InetAddress host, String alive) throws EpmdException {
        checkName(alive);
        byte[] name = alive.getBytes(StandardCharsets.UTF_8);
        byte[] req = new byte[3 + name.length];
        put16(req, 0, 1 + name.length);
        req[2] = (byte) PORT_PLEASE2_REQ;
        System.arraycopy(name, 0, req, 3, name.length);

        long deadline = deadline();
        try (Socket socket = connect(host, deadline)) {
            InputStream in = send(socket, req, deadline);
            byte[] head = read(socket, in, 2, deadline, "PORT2_RESP");
            if ((head[0] & 0xFF) != PORT2_RESP) throw malformed("a PORT2_RESP starts with 119, got " + (head[0] & 0xFF));
            if (head[1] != 0) return Optional.empty();
            byte[] fixed = read(socket, in, 10, deadline, "PORT2_RESP");
            int nlen = u16(fixed, 8);
            if (nlen == 0 || nlen > MAX_NAME_BYTES) throw malformed("PORT2_RESP with a name of " + nlen + " bytes");
            byte[] nameBytes = read(socket, in, nlen, deadline, "PORT2_RESP name");
            String replyName = decodeUtf8(nameBytes, 0, nlen);
            if (replyName == null) throw malformed("PORT2_RESP with a name that is not UTF-8");
            int elen = u16(read(socket, in, 2, deadline, "PORT2_RESP extra length"), 0);
            byte[] extra = read(socket, in, elen, deadline, "PORT2_RESP extra");
            return Optional.of(new PortInfo(u16(fixed, 0), fixed[2] & 0xFF, fixed[3] & 0xFF, u16(fixed, 4),
                    u16(fixed, 6), replyName, extra));
        } catch (IOException e) {
            throw asEpmd(e);
        }
    }

    // ------------------------------------------------------------------------------------- names

    /** {@link #names(InetAddress)} on {@code host}'s addresses, tried in turn. */
    public Names names(String host) throws EpmdException {
        return onHost(host, this::names);
    }

    /** Lists the nodes registered with the EPMD at {@code host}, and the port EPMD says it runs on. */
    public Names names(InetAddress host) throws EpmdException {
        long deadline = deadline();
        try (Socket socket = connect(host, deadline)) {
            InputStream in = send(socket, new byte[] {0, 1, (byte) NAMES_REQ}, deadline);
            int port = u32(read(socket, in, 4, deadline, "NAMES_RESP"), 0);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (true) {
                socket.setSoTimeout(remaining(deadline));
                int n = in.read(buf);
                if (n < 0) break;
                if (text.size() + n > MAX_NAMES_REPLY) throw malformed("NAMES_RESP longer than " + MAX_NAMES_REPLY + " bytes");
                text.write(buf, 0, n);
            }
            return new Names(port, parseNames(text.toByteArray()));
        } catch (IOException e) {
            throw asEpmd(e);
        }
    }

    /** Parses lines {@code "name %s at port %d\n"}, as epmd writes them. */
    static List<Names.Entry> parseNames(byte[] bytes) throws EpmdException {
        String text = decodeUtf8(bytes, 0, bytes.length);
        if (text == null) throw malformed("NAMES_RESP is not UTF-8");
        List<Names.Entry> entries = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int nl = text.indexOf('\n', at);
            if (nl < 0) throw malformed("NAMES_RESP ends in the middle of a line");
            String line = text.substring(at, nl);
            at = nl + 1;
            int sep = line.lastIndexOf(" at port ");
            if (!line.startsWith("name ") || sep < 5) throw malformed("NAMES_RESP line not understood: " + clip(line));
            String name = line.substring(5, sep);
            int port;
            try {
                port = Integer.parseInt(line.substring(sep + 9));
            } catch (NumberFormatException e) {
                throw malformed("NAMES_RESP line with a bad port: " + clip(line));
            }
            if (port < 0 || port > 65535 || name.isEmpty()) throw malformed("NAMES_RESP line not understood: " + clip(line));
            entries.add(new Names.Entry(name, port));
        }
        return entries;
    }

    // ----------------------------------------------------------------------------------- plumbing

    private interface OnAddress<T> {
        T apply(InetAddress address) throws EpmdException;
    }

    private <T> T onHost(String host, OnAddress<T> call) throws EpmdException {
        Objects.requireNonNull(host, "host");
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new EpmdException(EpmdException.Kind.UNREACHABLE, "unknown host " + host, e);
        }
        EpmdException last = null;
        for (InetAddress a : addresses) {
            try {
                return call.apply(a);
            } catch (EpmdException e) {
                if (e.kind() != EpmdException.Kind.UNREACHABLE) throw e;
                last = e;
            }
        }
        throw last != null ? last : new EpmdException(EpmdException.Kind.UNREACHABLE, "no address for host " + host);
    }

    private long deadline() {
        return System.nanoTime() + timeout.toNanos();
    }

    /** The milliseconds left before {@code deadline}, at least 1; a timeout when none are left. */
    private int remaining(long deadline) throws SocketTimeoutException {
        long ms = (deadline - System.nanoTime()) / 1_000_000;
        if (ms <= 0) throw new SocketTimeoutException();
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    private Socket connect(InetAddress host, long deadline) throws EpmdException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, epmdPort), remaining(deadline));
            return s;
        } catch (SocketTimeoutException e) {
            Sockets.closeQuietly(s);
            throw new EpmdException(EpmdException.Kind.TIMEOUT,
                    "no connection to EPMD at " + host.getHostAddress() + ":" + epmdPort + " within " + timeout, e);
        } catch (IOException e) {
            Sockets.closeQuietly(s);
            throw new EpmdException(EpmdException.Kind.UNREACHABLE,
                    "cannot connect to EPMD at " + host.getHostAddress() + ":" + epmdPort + ": " + e.getMessage(), e);
        }
    }

    private InputStream send(Socket socket, byte[] request, long deadline) throws EpmdException {
        try {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            socket.setSoTimeout(remaining(deadline));
            return socket.getInputStream();
        } catch (IOException e) {
            throw asEpmd(e);
        }
    }

    private int readByte(Socket socket, InputStream in, long deadline, String what) throws EpmdException {
        return read(socket, in, 1, deadline, what)[0] & 0xFF;
    }

    /** Reads {@code n} bytes (at most 65535, as every length of the protocol) before the deadline. */
    private byte[] read(Socket socket, InputStream in, int n, long deadline, String what) throws EpmdException {
        byte[] b = new byte[n];
        int off = 0;
        try {
            while (off < n) {
                socket.setSoTimeout(remaining(deadline));
                int r = in.read(b, off, n - off);
                if (r < 0) throw new EOFException();
                off += r;
            }
            return b;
        } catch (EOFException e) {
            throw new EpmdException(EpmdException.Kind.CLOSED,
                    "EPMD on port " + epmdPort + " closed the connection in the middle of " + what, e);
        } catch (IOException e) {
            throw asEpmd(e);
        }
    }

    private EpmdException asEpmd(IOException e) {
        if (e instanceof EpmdException ee) return ee;
        if (e instanceof SocketTimeoutException) {
            return new EpmdException(EpmdException.Kind.TIMEOUT, "EPMD on port " + epmdPort + " did not answer within " + timeout, e);
        }
        if (e instanceof EOFException) {
            return new EpmdException(EpmdException.Kind.CLOSED, "EPMD on port " + epmdPort + " closed the connection", e);
        }
        return new EpmdException(EpmdException.Kind.CLOSED,
                "the connection to EPMD on port " + epmdPort + " failed: " + e.getMessage(), e);
    }

    private static EpmdException malformed(String message) {
        return new EpmdException(EpmdException.Kind.MALFORMED, message);
    }

    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }


    @Override
    public String toString() {
        return "EpmdClient[port " + epmdPort + ", timeout " + timeout + "]";
    }
}
