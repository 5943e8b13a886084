package io.otp4j.dist.internal.epmd;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import io.otp4j.dist.internal.Sockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static io.otp4j.dist.internal.epmd.EpmdProtocol.*;

/**
 * An embedded EPMD, for hosts where no {@code epmd} runs: Erlang nodes ({@code erl}), the
 * {@code epmd} command as a client, and {@link EpmdClient} all talk to it as to the real one.
 *
 * <p>It answers {@code ALIVE2_REQ} (a name stays registered while the connection that registered
 * it stays open; a name registered already is refused), {@code PORT_PLEASE2_REQ}, {@code NAMES_REQ}
 * and {@code DUMP_REQ}, and {@code KILL_REQ} and {@code STOP_REQ} with epmd's safety: registering,
 * {@code DUMP}, {@code KILL} and {@code STOP} are only taken from this host; {@code KILL} is refused
 * while names are registered and {@code STOP} always, unless the configuration relaxes the check
 * (epmd's {@code -relaxed_command_check}). Creations are epmd's: a new name starts from the clock in
 * seconds, a name registered again continues from its previous creation plus one, never below 4;
 * a node announcing version 6 gets the 32 bits ({@code ALIVE2_X_RESP}), an older one 1 to 3
 * ({@code ALIVE2_RESP}).
 *
 * <p>Hostile input does not hurt it: a request is at most epmd's 3057 bytes, must arrive in full
 * within the packet timeout (a watchdog closes connections that overstay, reading or writing), any
 * malformed request closes its connection without an answer, and connections beyond the cap are
 * closed at once. A virtual thread serves each connection.
 */
public final class EpmdServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EpmdServer.class);

    /** How many forgotten names keep their creation counter (epmd keeps 1000). */
    static final int MAX_UNREGISTERED = 1000;
    private static final long CAP_WARNING_PERIOD = Duration.ofMinutes(1).toNanos();

    /**
     * How an embedded EPMD runs.
     *
     * @param bindAddress         the address to listen on (127.0.0.1 by default: this host only)
     * @param port                the port (0: any free port, see {@link EpmdServer#port()})
     * @param relaxedCommandCheck allow {@code KILL} with names registered, and {@code STOP}
     *                            (epmd's {@code -relaxed_command_check})
     * @param maxConnections      the most connections open at once, registrations included
     * @param packetTimeout       how long a connection may take to send its request and read the
     *                            answer (epmd's {@code -packet_timeout}, 60 s)
     */
    public record Config(InetAddress bindAddress, int port, boolean relaxedCommandCheck, int maxConnections,
                         Duration packetTimeout) {
        public Config {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (port < 0 || port > 65535) throw new IllegalArgumentException("bad port " + port);
            if (maxConnections < 1) throw new IllegalArgumentException("maxConnections must be positive");
            Objects.requireNonNull(packetTimeout, "packetTimeout");
            if (packetTimeout.isNegative() || packetTimeout.isZero()) {
                throw new IllegalArgumentException("the packet timeout must be positive");
            }
        }

        /** The defaults on {@code port}: 127.0.0.1, strict command check, 1024 connections, 60 s. */
        public static Config port(int port) {
            return new Config(loopbackV4(), port, false, 1024, Duration.ofSeconds(60));
        }

        public Config withBindAddress(InetAddress a) {
            return new Config(a, port, relaxedCommandCheck, maxConnections, packetTimeout);
        }

        public Config withRelaxedCommandCheck(boolean relaxed) {
            return new Config(bindAddress, port, relaxed, maxConnections, packetTimeout);
        }

        public Config withMaxConnections(int max) {
            return new Config(bindAddress, port, relaxedCommandCheck, max, packetTimeout);
        }

        public Config withPacketTimeout(Duration t) {
            return new Config(bindAddress, port, relaxedCommandCheck, maxConnections, t);
        }
    }

    /** A registered node. */
    private record Node(String name, Conn conn, int port, int nodeType, int protocol, int highVersion,
                        int lowVersion, byte[] extra, long counter) {
        int creation() {
            return highVersion >= DIST_VERSION ? (int) counter : (int) (counter % 3 + 1);
        }
    }

    /** One accepted connection. */
    private static final class Conn {
        final long id;
        final Socket socket;
        final boolean localPeer;
        /** System.nanoTime() after which the watchdog closes the connection, unless it keeps a registration. */
        final long deadline;
        volatile boolean keep;

        Conn(long id, Socket socket, boolean localPeer, long deadline) {
            this.id = id;
            this.socket = socket;
            this.localPeer = localPeer;
            this.deadline = deadline;
        }
    }

    private final Config config;
    private final ServerSocket server;
    private final int port;
    private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    /** When the last warning about the connection cap was logged (System.nanoTime()), to log it once a minute. */
    private final AtomicLong lastCapWarning = new AtomicLong(System.nanoTime() - CAP_WARNING_PERIOD);
    private final Object lock = new Object();
    /** Registered nodes by name, oldest first (guarded by lock). */
    private final LinkedHashMap<String, Node> registered = new LinkedHashMap<>();
    /** Creation counters of names no longer registered, oldest first (guarded by lock). */
    private final LinkedHashMap<String, Long> unregistered = new LinkedHashMap<>();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean closed;
    /** Set (under lock) once close has closed everything. */
    private boolean stopped;

    private EpmdServer(Config config, ServerSocket server) {
        this.config = config;
        this.server = server;
        this.port = server.getLocalPort();
        this.acceptor = Thread.ofVirtual().name("epmd-server-" + port + "-accept").unstarted(this::acceptLoop);
        this.watchdog = Thread.ofVirtual().name("epmd-server-" + port + "-watchdog").unstarted(this::watchdogLoop);
    }

    /**
     * Starts an embedded EPMD.
     *
     * @throws BindException when the port is taken
     */
    public static EpmdServer start(Config config) throws IOException {
        Objects.requireNonNull(config, "config");
        ServerSocket ss = new ServerSocket();
        try {
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(config.bindAddress(), config.port()), 128);
        } catch (IOException e) {
            ss.close();
            throw e;
        }
        EpmdServer s = new EpmdServer(config, ss);
        s.acceptor.start();
        s.watchdog.start();
        log.info("embedded EPMD listening on {}:{}", config.bindAddress().getHostAddress(), s.port);
        return s;
    }

    /** {@link #startIfAbsent(Config)} with the defaults on {@code port}. */
    public static Optional<EpmdServer> startIfAbsent(int port) throws IOException {
        return startIfAbsent(Config.port(port));
    }

    /**
     * Starts an embedded EPMD unless one already answers on the port.
     *
     * @return the server started, or empty when an EPMD (the real one or another embedded one)
     *         already answers there
     * @throws IOException when the port is taken by something that does not answer as EPMD, or
     *                     when the server cannot start
     */
    public static Optional<EpmdServer> startIfAbsent(Config config) throws IOException {
        Objects.requireNonNull(config, "config");
        try {
            return Optional.of(start(config));
        } catch (BindException e) {
            if (config.port() == 0) throw e;
            InetAddress probe = config.bindAddress().isAnyLocalAddress() ? loopbackV4() : config.bindAddress();
            try {
                new EpmdClient(config.port(), Duration.ofSeconds(5)).names(probe);
                log.debug("an EPMD already answers on port {}", config.port());
                return Optional.empty();
            } catch (EpmdException probeFailure) {
                BindException be = new BindException("port " + config.port()
                        + " is taken by something that does not answer as EPMD: " + probeFailure.getMessage());
                be.initCause(e);
                throw be;
            }
        }
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(config.bindAddress(), port);
    }

    public Config config() {
        return config;
    }

    public boolean isRunning() {
        return !closed;
    }

    /** The connections open now (registrations included). */
    public int connections() {
        return conns.size();
    }

    /**
     * Waits until the registered names satisfy {@code condition}: each registration, its end and
     * the server's end wake the waiters. False if {@code timeout} passes first.
     */
    public boolean awaitNames(Predicate<List<Names.Entry>> condition, Duration timeout) throws InterruptedException {
        return awaitState(() -> condition.test(names()), timeout);
    }

    /** Waits until the open connections number satisfies {@code condition} (each connection's end wakes the waiters). */
    public boolean awaitConnections(IntPredicate condition, Duration timeout) throws InterruptedException {
        return awaitState(() -> condition.test(conns.size()), timeout);
    }

    /** Waits until the server has stopped, its port free (after {@link #close}, or a {@code KILL_REQ}). */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return awaitState(() -> stopped, timeout);
    }

    private boolean awaitState(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Every connection taken from the listener so far, the refused ones included. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /** Waits until the listener has taken {@code n} connections in all (each one taken wakes the waiters). */
    public boolean awaitAccepted(long n, Duration timeout) throws InterruptedException {
        return awaitState(() -> accepted.get() >= n, timeout);
    }

    private void tookConnection() {
        accepted.incrementAndGet();
        changed();
    }

    private void changed() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** The nodes registered now, in the order of {@code NAMES_REQ} (newest first, as epmd). */
    public List<Names.Entry> names() {
        synchronized (lock) {
            List<Names.Entry> out = new ArrayList<>(registered.size());
            for (Node n : registered.sequencedValues().reversed()) out.add(new Names.Entry(n.name, n.port));
            return out;
        }
    }

    /** Stops: closes the listening socket and every connection, so all registrations end. Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the EPMD listening socket", e);
        }
        for (Conn c : conns) Sockets.closeQuietly(c.socket);
        synchronized (lock) {
            registered.clear();
            lock.notifyAll();
        }
        watchdog.interrupt();
        for (Thread t : List.of(acceptor, watchdog)) {
            if (t != Thread.currentThread()) {
                try {
                    t.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (lock) {
            stopped = true; // its port is free
            lock.notifyAll();
        }
        log.info("embedded EPMD on port {} stopped", port);
    }

    // ------------------------------------------------------------------------------- connections

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) log.warn("embedded EPMD on port {}: accept failed; stopping", port, e);
                break;
            }
            if (conns.size() >= config.maxConnections()) {
                long now = System.nanoTime(), last = lastCapWarning.get();
                if (now - last >= CAP_WARNING_PERIOD && lastCapWarning.compareAndSet(last, now)) {
                    log.warn("embedded EPMD on port {}: {} connections open, the most allowed; refusing more",
                            port, conns.size());
                }
                log.debug("embedded EPMD on port {}: refusing a connection from {}", port, s.getRemoteSocketAddress());
                Sockets.closeQuietly(s);
                tookConnection();
                continue;
            }
            Conn c = new Conn(ids.incrementAndGet(), s, isLocalPeer(s), System.nanoTime() + config.packetTimeout().toNanos());
            conns.add(c);
            if (closed) {
                conns.remove(c);
                Sockets.closeQuietly(s);
                break;
            }
            Thread.ofVirtual().name("epmd-server-" + port + "-conn-" + c.id).start(() -> serve(c));
            tookConnection();
        }
        if (!closed) close();
    }

    /** Closes the connections that overstay the packet timeout, as epmd's select loop does. */
    private void watchdogLoop() {
        long period = Math.clamp(config.packetTimeout().toMillis() / 4, 50, 1000);
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                if (closed) return;
            }
            long now = System.nanoTime();
            for (Conn c : conns) {
                if (!c.keep && now - c.deadline > 0) {
                    log.debug("embedded EPMD on port {}: connection {} timed out", port, c.id);
                    Sockets.closeQuietly(c.socket);
                }
            }
        }
    }

    private static boolean isLocalPeer(Socket s) {
        InetAddress peer = s.getInetAddress();
        return peer != null && (peer.isLoopbackAddress() || peer.equals(s.getLocalAddress()));
    }

    private void serve(Conn c) {
        try {
            c.socket.setTcpNoDelay(true);
            InputStream in = c.socket.getInputStream();
            byte[] head = new byte[2];
            readFully(in, head, 0, 2);
            int len = u16(head, 0);
            if (len < 1 || len > MAX_REQUEST) {
                log.debug("embedded EPMD: invalid packet size {} on connection {}", len, c.id);
                return;
            }
            byte[] req = new byte[len];
            readFully(in, req, 0, len);
            handle(c, req);
            if (c.keep) holdRegistration(c, in);
        } catch (EOFException e) {
            log.debug("embedded EPMD: connection {} closed in the middle of a request", c.id);
        } catch (IOException e) {
            if (!closed) log.debug("embedded EPMD: connection {}: {}", c.id, e.toString());
        } catch (RuntimeException e) {
            log.warn("embedded EPMD: connection {} failed", c.id, e);
        } finally {
            unregister(c);
            conns.remove(c);
            Sockets.closeQuietly(c.socket);
            changed();
        }
    }

    /** Waits for the registering connection to close; anything it sends ends the registration too. */
    private void holdRegistration(Conn c, InputStream in) throws IOException {
        c.socket.setSoTimeout(0);
        byte[] buf = new byte[256];
        int n = in.read(buf);
        if (n >= 0) log.debug("embedded EPMD: unexpected data on the registration connection {}; unregistering", c.id);
    }

    // ---------------------------------------------------------------------------------- requests

    private void handle(Conn c, byte[] req) throws IOException {
        int code = req[0] & 0xFF;
        switch (code) {
            case ALIVE2_REQ -> alive2(c, req);
            case PORT_PLEASE2_REQ -> portPlease(c, req);
            case NAMES_REQ -> names(c);
            case DUMP_REQ -> dump(c);
            case KILL_REQ -> kill(c);
            case STOP_REQ -> stop(c, req);
            default -> log.debug("embedded EPMD: unknown request {} on connection {}", code, c.id);
        }
    }

    private void alive2(Conn c, byte[] req) throws IOException {
        if (!c.localPeer) {
            log.debug("embedded EPMD: ALIVE2_REQ from non-local {}", c.socket.getRemoteSocketAddress());
            return;
        }
        int size = req.length;
        if (size <= 13) {
            log.debug("embedded EPMD: ALIVE2_REQ too small ({})", size);
            return;
        }
        int eport = u16(req, 1);
        int nodeType = req[3] & 0xFF;
        int protocol = req[4] & 0xFF;
        int high = u16(req, 5);
        int low = u16(req, 7);
        int nlen = u16(req, 9);
        if (nlen + 13 > size) {
            log.debug("embedded EPMD: ALIVE2_REQ name length {} beyond the request", nlen);
            return;
        }
        int elen = u16(req, 11 + nlen);
        if (elen + nlen + 13 > size) {
            log.debug("embedded EPMD: ALIVE2_REQ extra length {} beyond the request", elen);
            return;
        }
        for (int i = 11; i < 11 + nlen; i++) {
            if (req[i] == 0) {
                log.debug("embedded EPMD: ALIVE2_REQ name with a NUL");
                return;
            }
        }
        String name = decodeUtf8(req, 11, nlen);
        byte[] extra = Arrays.copyOfRange(req, 13 + nlen, 13 + nlen + elen);

        Node node = null;
        synchronized (lock) {
            if (closed) return;
            if (name == null || !validName(name)) {
                log.debug("embedded EPMD: refusing an invalid node name");
            } else if (elen > MAX_EXTRA_BYTES) {
                log.debug("embedded EPMD: refusing {}: extra data of {} bytes", name, elen);
            } else if (registered.containsKey(name)) {
                log.debug("embedded EPMD: refusing {}: registered already", name);
            } else {
                Long previous = unregistered.remove(name);
                long counter = bump(previous != null ? previous : System.currentTimeMillis() / 1000);
                node = new Node(name, c, eport, nodeType, protocol, high, low, extra, counter);
                registered.put(name, node);
                c.keep = true;
                lock.notifyAll();
            }
        }
        int creation = node != null ? node.creation() : REFUSED_CREATION;
        int result = node != null ? 0 : 1;
        byte[] reply;
        if (high >= DIST_VERSION) {
            reply = new byte[6];
            reply[0] = (byte) ALIVE2_X_RESP;
            put32(reply, 2, creation);
        } else {
            reply = new byte[4];
            reply[0] = (byte) ALIVE2_RESP;
            put16(reply, 2, creation);
        }
        reply[1] = (byte) result;
        write(c, reply); // on failure serve() unregisters
        if (node != null) {
            log.debug("embedded EPMD: registered {} at port {} (type {}, versions {}..{}), creation {}", name, eport,
                    nodeType, low, high, Integer.toUnsignedString(creation));
        }
    }

    /** The next creation counter: one more, never below 4, within 32 bits. */
    private static long bump(long counter) {
        long next = (counter + 1) & 0xFFFF_FFFFL;
        return next < 4 ? 4 : next;
    }

    private void unregister(Conn c) {
        if (!c.keep) return;
        synchronized (lock) {
            for (Iterator<Node> it = registered.values().iterator(); it.hasNext(); ) {
                Node n = it.next();
                if (n.conn == c) {
                    it.remove();
                    forget(n);
                    log.debug("embedded EPMD: unregistered {}", n.name);
                }
            }
        }
    }

    /** Keeps the counter of an unregistered name, bounded (guarded by lock). */
    private void forget(Node n) {
        lock.notifyAll();
        unregistered.remove(n.name);
        unregistered.put(n.name, n.counter);
        while (unregistered.size() > MAX_UNREGISTERED) unregistered.pollFirstEntry();
    }

    private void portPlease(Conn c, byte[] req) throws IOException {
        int size = req.length;
        if (req[size - 1] == 0) size--; // a NUL terminator is allowed
        if (size <= 1) return;
        for (int i = 1; i < size; i++) {
            if (req[i] == 0) return;
        }
        String name = decodeUtf8(req, 1, size - 1);
        if (name == null || !validName(name)) {
            log.debug("embedded EPMD: invalid node name in PORT_PLEASE2_REQ");
            return;
        }
        Node n;
        synchronized (lock) {
            n = registered.get(name);
        }
        if (n == null) {
            write(c, new byte[] {(byte) PORT2_RESP, 1});
            return;
        }
        byte[] nb = n.name.getBytes(StandardCharsets.UTF_8);
        byte[] reply = new byte[14 + nb.length + n.extra.length];
        reply[0] = (byte) PORT2_RESP;
        reply[1] = 0;
        put16(reply, 2, n.port);
        reply[4] = (byte) n.nodeType;
        reply[5] = (byte) n.protocol;
        put16(reply, 6, n.highVersion);
        put16(reply, 8, n.lowVersion);
        put16(reply, 10, nb.length);
        System.arraycopy(nb, 0, reply, 12, nb.length);
        put16(reply, 12 + nb.length, n.extra.length);
        System.arraycopy(n.extra, 0, reply, 14 + nb.length, n.extra.length);
        write(c, reply);
    }

    private void names(Conn c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(portHeader());
        for (Names.Entry e : names()) {
            out.writeBytes(("name " + e.name() + " at port " + e.port() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        write(c, out.toByteArray());
    }

    private void dump(Conn c) throws IOException {
        if (!c.localPeer) return;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(portHeader());
        List<String> lines = new ArrayList<>();
        synchronized (lock) {
            for (Node n : registered.sequencedValues().reversed()) {
                lines.add("active name     <" + n.name + "> at port " + n.port + ", fd = " + n.conn.id + "\n");
            }
            for (Map.Entry<String, Long> e : unregistered.entrySet()) {
                lines.add("old/unused name <" + e.getKey() + ">, port = 0, fd = -1 \n");
            }
        }
        for (String line : lines) {
            out.writeBytes(line.getBytes(StandardCharsets.UTF_8));
            out.write(0); // epmd ends every dump line with its NUL
        }
        write(c, out.toByteArray());
    }

    private void kill(Conn c) throws IOException {
        if (!c.localPeer) return;
        boolean allowed;
        synchronized (lock) {
            allowed = config.relaxedCommandCheck() || registered.isEmpty();
        }
        if (!allowed) {
            log.debug("embedded EPMD: KILL_REQ refused: names are registered");
            write(c, "NO".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        write(c, "OK".getBytes(StandardCharsets.US_ASCII));
        log.info("embedded EPMD on port {}: stopped by KILL_REQ", port);
        Thread.ofVirtual().name("epmd-server-" + port + "-kill").start(this::close);
    }

    private void stop(Conn c, byte[] req) throws IOException {
        if (!c.localPeer) return;
        if (!config.relaxedCommandCheck()) {
            log.debug("embedded EPMD: STOP_REQ refused without the relaxed command check");
            return;
        }
        int size = req.length;
        if (req[size - 1] == 0) size--;
        if (size <= 1) return;
        String name = decodeUtf8(req, 1, size - 1);
        Node n = null;
        if (name != null) {
            synchronized (lock) {
                n = registered.remove(name);
                if (n != null) forget(n);
            }
        }
        if (n == null) {
            write(c, "NOEXIST".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        Sockets.closeQuietly(n.conn.socket);
        log.debug("embedded EPMD: {} unregistered by STOP_REQ", name);
        write(c, "STOPPED".getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] portHeader() {
        byte[] b = new byte[4];
        put32(b, 0, port);
        return b;
    }

    private static void write(Conn c, byte[] bytes) throws IOException {
        OutputStream out = c.socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }


    @Override
    public String toString() {
        return "EpmdServer[" + config.bindAddress().getHostAddress() + ":" + port + (closed ? ", closed" : "") + "]";
    }
}
