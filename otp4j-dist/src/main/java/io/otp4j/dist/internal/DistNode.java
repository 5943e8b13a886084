package io.otp4j.dist.internal;

import io.otp4j.Atom;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.DistOptions;
import io.otp4j.dist.NodeName;
import io.otp4j.dist.internal.connection.Connection;
import io.otp4j.dist.internal.connection.ConnectionConfig;
import io.otp4j.dist.internal.connection.DistFlags;
import io.otp4j.dist.internal.connection.DistStream;
import io.otp4j.dist.internal.connection.FrameListener;
import io.otp4j.dist.internal.connection.Handshake;
import io.otp4j.dist.internal.connection.HandshakeConfig;
import io.otp4j.dist.internal.connection.HandshakeException;
import io.otp4j.dist.internal.connection.HandshakeRegistry;
import io.otp4j.dist.internal.connection.HandshakeResult;
import io.otp4j.dist.internal.connection.TlsSockets;
import io.otp4j.dist.internal.epmd.EpmdClient;
import io.otp4j.dist.internal.epmd.EpmdServer;
import io.otp4j.dist.internal.epmd.NodeType;
import io.otp4j.dist.internal.epmd.PortInfo;
import io.otp4j.dist.internal.epmd.Registration;
import io.otp4j.dist.internal.etf.DistDecoder;
import io.otp4j.dist.internal.etf.DistEncoder;
import io.otp4j.dist.internal.etf.DistMessage;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.internal.CallWaiter;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.gen.Gen;
import io.otp4j.internal.RemoteRouter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A node's distribution: the listener, the EPMD registration, one {@link Peer} per connected node,
 * and the translation between the distribution protocol's control messages and the process core
 * (this is the core's {@link RemoteRouter}). Connections are made on demand, as Erlang does: the
 * first send, link or monitor towards a node connects to it; what is sent meanwhile waits, in order.
 */
public final class DistNode implements RemoteRouter {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.dist");
    private static final Atom GEN_CALL = Atom.of("$gen_call");
    private static final Atom GEN_CAST = Atom.of("$gen_cast");
    private static final Atom NOPROC = Atom.of("noproc");
    private static final int FRAGMENT_SIZE = 64 * 1024;

    final NodeRuntime node;
    final NodeName self;
    final DistOptions options;
    private final HandshakeConfig handshake;
    private final ConnectionConfig connectionConfig;
    private final ServerSocket listener;
    /** TLS for every connection, or null for plain TCP. */
    private final TlsSockets tls;
    private final Registration registration;
    private final EpmdServer epmdServer;
    private final EpmdClient epmd;
    private final ConcurrentHashMap<String, Peer> peers = new ConcurrentHashMap<>();
    /** Nodes whose connection to this one is in its handshake: no second connection is dialled meanwhile. */
    private final Set<String> accepting = ConcurrentHashMap.newKeySet();
    private final Set<BiConsumer<String, Boolean>> nodeWatchers = new CopyOnWriteArraySet<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong unlinkIds = new AtomicLong();
    private volatile boolean stopped;
    /** Calls made from this node to processes of other nodes, by tag: the reply completes them. */
    private final ConcurrentHashMap<Ref, From> pendingCalls = new ConcurrentHashMap<>();
    /** The monitor watching the callee of each pending call, by the call's waiter. */
    private final ConcurrentHashMap<CallWaiter, Ref> callMonitors = new ConcurrentHashMap<>();
    /** Call waiters by the ref of the monitor that watches their callee. */
    private final ConcurrentHashMap<Ref, CallWaiter> waitersByMonitor = new ConcurrentHashMap<>();
    /** Java functions other nodes may call or spawn, by "module:function". */
    private final ConcurrentHashMap<String, io.otp4j.dist.RemoteFunction> functions = new ConcurrentHashMap<>();
    /** A process of this node standing in for callers that are not processes, and watching callees. */
    private Pid proxy;

    private DistNode(NodeRuntime node, DistOptions options) throws IOException {
        this.node = node;
        this.options = options;
        this.self = NodeName.parse(node.name());
        this.handshake = HandshakeConfig.of(self, node.creation(), options.cookie())
                .withHidden(options.hidden()).withSetupTimeout(options.setupTime());
        // a connection's reader is a platform thread blocked in read, which the kernel wakes itself
        // (a virtual one waits on the JDK's poller, one hand-off more); its writer runs on the
        // node's scheduler, where a process's send hands off to it on the same worker (ADR 0018)
        this.connectionConfig = ConnectionConfig.DEFAULT.withTickTime(options.tickTime())
                .withThreads(ConnectionConfig.PLATFORM_THREADS, node::newServiceThread);
        this.tls = options.tls() != null ? TlsSockets.of(options.tls()) : null;
        this.epmd = new EpmdClient(options.epmdPort());
        this.epmdServer = options.startEpmd()
                ? EpmdServer.startIfAbsent(EpmdServer.Config.port(options.epmdPort())
                .withBindAddress(options.bindAddress())).orElse(null)
                : null;
        // with TLS, each accepted socket turns TLS before anything is read (tls.server), as inet_tls_dist does
        ServerSocket ss = new ServerSocket();
        try {
            ss.bind(new InetSocketAddress(options.bindAddress(), options.listenPort()));
            this.registration = epmd.register(self.alive(), ss.getLocalPort(),
                    options.hidden() ? NodeType.HIDDEN : NodeType.NORMAL);
        } catch (IOException | RuntimeException e) {
            ss.close();
            if (epmdServer != null) epmdServer.close();
            throw e;
        }
        this.listener = ss;
        Thread.ofVirtual().name("dist-accept-" + self).start(this::acceptLoop);
    }

    /** Starts distribution on {@code node} and installs it as the node's router. */
    public static DistNode start(NodeRuntime node, DistOptions options) throws IOException {
        if ("nonode@nohost".equals(node.name())) {
            throw new IllegalStateException("distribution needs a named node (alive@host), not nonode@nohost");
        }
        DistNode d = new DistNode(node, options);
        d.proxy = node.spawn(() -> {
            for (;;) io.otp4j.Proc.receive(); // replies to it are taken by their tags before delivery
        });
        node.installRemoteRouter(d);
        node.onStop(d::stop);
        try {
            node.run(() -> GenServer.start(new NetKernel(), io.otp4j.behaviour.StartOptions.named("net_kernel")));
        } catch (Exception e) {
            d.stop();
            throw new IOException("net_kernel could not start: " + e.getMessage(), e);
        }
        LOG.info("node {} is distributed: listening on {}{}, registered with EPMD on port {}", d.self,
                d.listener.getLocalSocketAddress(), d.tls != null ? " (TLS)" : "", options.epmdPort());
        if (!systemThreadPollers() && POLLER_HINT.compareAndSet(false, true)) {
            LOG.info("the JVM's socket pollers are virtual threads, which slows round trips between nodes "
                    + "(start the JVM with -Djdk.pollerMode=1 for the lowest latency; ADR 0018)");
        }
        return d;
    }

    public NodeName name() {
        return self;
    }

    private static final AtomicBoolean POLLER_HINT = new AtomicBoolean();

    /** True when the JDK's socket pollers are platform threads ({@code -Djdk.pollerMode=1}). */
    static boolean systemThreadPollers() {
        String m = System.getProperty("jdk.pollerMode", "");
        return m.equals("1") || m.equalsIgnoreCase("SYSTEM_THREADS");
    }

    /** The group leader given to code run by {@code rex} for this node's rpc calls (output to it is dropped). */
    public Pid groupLeader() {
        return proxy;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The nodes connected now: the visible ones ({@code erlang:nodes()}) or the hidden ones ({@code nodes(hidden)}). */
    public List<String> nodes(boolean visible) {
        List<String> out = new ArrayList<>();
        for (Peer p : peers.values()) {
            if (p.connection != null && p.connection.isOpen() && p.visible() == visible) out.add(p.name.toString());
        }
        return out;
    }

    /** Whether the connection to {@code nodeName} is up and visible (neither side hidden). */
    public boolean isVisible(String nodeName) {
        Peer p = peers.get(nodeName);
        return p != null && p.connection != null && p.visible();
    }

    /** Connects to {@code nodeName} if not connected; true once connected ({@code net_kernel:connect_node}). */
    public boolean connect(String nodeName) {
        if (nodeName.equals(self.toString())) return true;
        Peer p = peer(nodeName);
        return p != null && p.awaitConnected();
    }

    /** Called with (node, true) on nodeup and (node, false) on nodedown. */
    public void watchNodes(BiConsumer<String, Boolean> watcher, boolean on) {
        if (on) nodeWatchers.add(watcher);
        else nodeWatchers.remove(watcher);
    }

    /** Disconnects from {@code nodeName}; true if it was connected. */
    public boolean disconnect(String nodeName) {
        Peer p = peers.get(nodeName);
        if (p == null || p.connection == null) return false;
        p.connection.close("disconnect");
        return true;
    }

    /** Stops distribution: closes every connection, the listener and the EPMD registration. */
    public void stop() {
        if (stopped) return;
        stopped = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Peer p : peers.values()) p.close("node stopped");
        registration.close();
        if (epmdServer != null) epmdServer.close();
    }

    // ------------------------------------------------------------------ peers

    /** The peer for {@code nodeName}, connecting to it if needed; null for a name that is not alive@host. */
    Peer peer(String nodeName) {
        Peer p = peers.get(nodeName);
        if (p != null) return p;
        NodeName n;
        try {
            n = NodeName.parse(nodeName);
        } catch (IllegalArgumentException bad) {
            return null;
        }
        if (stopped) return null;
        Peer fresh = new Peer(n);
        p = peers.putIfAbsent(nodeName, fresh);
        if (p != null) return p;
        if (!accepting.contains(nodeName)) dial(fresh);
        return fresh;
    }

    private void dial(Peer p) {
        p.dialing = true;
        Thread.ofVirtual().name("dist-connect-" + p.name).start(() -> connectTo(p));
    }

    private void connectTo(Peer p) {
        Socket socket = null;
        try {
            InetAddress host = InetAddress.getByName(p.name.host());
            Optional<PortInfo> port = epmd.portPlease(host, p.name.alive());
            if (port.isEmpty()) throw new IOException("EPMD on " + p.name.host() + " does not know " + p.name.alive());
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port.get().port()), (int) options.setupTime().toMillis());
            DistStream stream = tls != null ? tls.client(socket, p.name.host(), options.setupTime())
                    : DistStream.of(socket);
            HandshakeResult r = Handshake.initiate(stream, handshake, p.name, registry);
            attach(p, stream, r);
        } catch (HandshakeException e) {
            Sockets.closeQuietly(socket);
            if (p.connection != null) return; // the other node's attempt won and is attached
            if (e.kind() == HandshakeException.Kind.SIMULTANEOUS) {
                // the other node's attempt goes on: its connection is the one we wait for (if that
                // attempt fails, the accepting side dials again)
                p.dialing = false;
                return;
            }
            LOG.warn("connection to {} failed: {}", p.name, e.getMessage());
            p.failed(e.getMessage());
        } catch (IOException | RuntimeException e) {
            Sockets.closeQuietly(socket);
            if (p.connection != null) return;
            LOG.warn("connection to {} failed: {}", p.name, e.toString());
            p.failed(e.toString());
        }
    }

    private void acceptLoop() {
        while (!stopped) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!stopped) LOG.warn("the distribution listener of {} failed: {}", self, e.toString());
                return;
            }
            Thread.ofVirtual().name("dist-handshake").start(() -> {
                // the node this handshake is from, once it has said its name (see acceptPending)
                String[] from = new String[1];
                HandshakeRegistry mine = new HandshakeRegistry() {
                    @Override
                    public Pending acceptPending(NodeName peer) {
                        Pending answer = registry.acceptPending(peer);
                        if (answer != Pending.NOK) from[0] = peer.toString();
                        return answer;
                    }

                    @Override
                    public boolean isPending(NodeName peer) {
                        return registry.isPending(peer);
                    }

                    @Override
                    public void replace(NodeName peer) {
                        registry.replace(peer);
                    }
                };
                boolean attached = false;
                try {
                    s.setTcpNoDelay(true);
                    DistStream stream = tls != null ? tls.server(s, options.setupTime()) : DistStream.of(s);
                    HandshakeResult r = Handshake.accept(stream, handshake, mine);
                    Peer p = peers.computeIfAbsent(r.peer().toString(), k -> new Peer(r.peer()));
                    attach(p, stream, r);
                    attached = true;
                } catch (IOException | RuntimeException e) {
                    LOG.warn("a node connecting to {} from {} was refused: {}", self, s.getRemoteSocketAddress(),
                            e.getMessage());
                    Sockets.closeQuietly(s);
                } finally {
                    if (from[0] != null && accepting.remove(from[0]) && !attached) {
                        // something waited for this node meanwhile: dial it ourselves
                        Peer p = peers.get(from[0]);
                        if (p != null && p.connection == null && !p.dialing) dial(p);
                    }
                }
            });
        }
    }

    private void attach(Peer p, DistStream stream, HandshakeResult r) {
        Connection c = Connection.start(stream, r, connectionConfig, p);
        boolean up = p.connected(c, r);
        if (!up) {
            c.close("superseded");
            return;
        }
        LOG.info("node {} connected to {} ({})", self, p.name, r.initiated() ? "we connected" : "it connected");
        for (BiConsumer<String, Boolean> w : nodeWatchers) w.accept(p.name.toString(), true);
    }

    private final HandshakeRegistry registry = new HandshakeRegistry() {
        @Override
        public Pending acceptPending(NodeName peer) {
            String key = peer.toString();
            Peer p = peers.get(key);
            Pending answer;
            if (p == null) answer = Pending.OK;
            else if (p.connection != null && p.connection.isOpen()) answer = Pending.ALIVE;
            else if (p.dialing && p.connecting) {
                answer = HandshakeRegistry.ownAttemptWins(self, peer) ? Pending.NOK : Pending.OK_SIMULTANEOUS;
            } else answer = Pending.OK;
            if (answer != Pending.NOK) accepting.add(key);
            return answer;
        }

        @Override
        public boolean isPending(NodeName peer) {
            Peer p = peers.get(peer.toString());
            return p != null && p.connection == null;
        }

        @Override
        public void replace(NodeName peer) {
            Peer p = peers.get(peer.toString());
            if (p != null && p.connection != null) p.connection.close("replaced by a new connection");
        }
    };


    /** A link between a local and a remote process, as the connection tracks it. */
    private record Link(Pid local, Pid remote) {
    }

    /** A monitor across the connection: {@code watcher} monitors {@code target} (or the registered name). */
    private record Monitor(Pid watcher, Pid target, Atom name) {
        Monitor(Pid watcher, Pid target) {
            this(watcher, target, null);
        }
    }

    /**
     * One other node: its connection (null while connecting), what waits to be sent until it is
     * up, and the links and monitors that cross it (broken with {@code noconnection} when it goes).
     */
    final class Peer implements FrameListener {
        final NodeName name;
        volatile Connection connection;
        volatile boolean connecting = true;
        /** Whether this node is dialling the peer (as opposed to waiting for its incoming connection). */
        volatile boolean dialing;
        private List<Control> waiting = new ArrayList<>();
        private DistEncoder encoder;
        private long flags;
        private final DistDecoder decoder = new DistDecoder();
        final Set<Link> links = ConcurrentHashMap.newKeySet();
        /** Monitors held by local processes on processes of this node. */
        final Map<Ref, Monitor> outgoing = new ConcurrentHashMap<>();
        /** Monitors held by processes of this node on local processes. */
        final Map<Ref, Monitor> incoming = new ConcurrentHashMap<>();

        Peer(NodeName name) {
            this.name = name;
        }

        /** Sends a control message now, or after the connection is up. */
        void send(Control c) {
            Connection conn = connection;
            if (conn != null) {
                write(conn, c);
                return;
            }
            synchronized (this) {
                if (connection == null) {
                    if (waiting != null) waiting.add(c);
                    else dropped(c); // the connection failed
                    return;
                }
            }
            write(connection, c);
        }

        private void write(Connection conn, Control c) {
            List<byte[]> frames;
            try {
                frames = encoder.encode(c.toTuple(), c.payload(), sequence.incrementAndGet());
            } catch (RuntimeException e) {
                LOG.warn("a message from {} to {} cannot be sent: {}", self, name, e.getMessage());
                return;
            }
            for (byte[] f : frames) conn.send(f);
        }

        /** Whether the connected peer offered {@code flag} in the handshake. */
        boolean supports(long flag) {
            return (flags & flag) != 0;
        }

        /** A connection is visible when both nodes publish themselves (neither is hidden). */
        boolean visible() {
            return (flags & DistFlags.PUBLISHED) != 0 && !options.hidden();
        }

        synchronized boolean connected(Connection c, HandshakeResult r) {
            if (connection != null && connection.isOpen()) return false;
            flags = r.flags();
            encoder = new DistEncoder(c.usesDistHeader(), (flags & DistFlags.FRAGMENTS) != 0 ? FRAGMENT_SIZE : 0, 10_000);
            connection = c;
            connecting = false;
            List<Control> queued = waiting;
            waiting = null;
            if (queued != null) for (Control q : queued) write(c, q);
            notifyAll();
            return true;
        }

        /** The connection could not be made: what waited is dropped, links and monitors break. */
        void failed(String reason) {
            List<Control> queued;
            synchronized (this) {
                if (connection != null) return;
                connecting = false;
                queued = waiting;
                waiting = null;
                notifyAll();
            }
            peers.remove(name.toString(), this);
            if (queued != null) for (Control c : queued) dropped(c);
            breakAll();
        }

        synchronized boolean awaitConnected() {
            long deadline = System.nanoTime() + options.setupTime().toNanos() * 2;
            while (connection == null && connecting) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return connection != null && connection.isOpen();
        }

        /** What happens to a control message that could not be sent: links and monitors get noconnection. */
        private void dropped(Control c) {
            switch (c) {
                case Control.Link(Pid from, Pid to) -> {
                    links.remove(new Link(from, to));
                    node.remoteLinkExit(to, from, ExitReason.NOCONNECTION);
                }
                case Control.MonitorP(Pid from, Object target, Ref ref) -> {
                    outgoing.remove(ref);
                    if (!failCall(ref, ExitReason.NOCONNECTION)) {
                        node.remoteDown(from, ref, target instanceof Pid tp ? tp : null, ExitReason.NOCONNECTION);
                    }
                }
                default -> {
                }
            }
        }

        private void breakAll() {
            for (Link l : links) node.remoteLinkExit(l.remote(), l.local(), ExitReason.NOCONNECTION);
            links.clear();
            for (Map.Entry<Ref, Monitor> e : outgoing.entrySet()) {
                if (!failCall(e.getKey(), ExitReason.NOCONNECTION)) {
                    node.remoteDown(e.getValue().watcher(), e.getKey(), e.getValue().target(), ExitReason.NOCONNECTION);
                }
            }
            outgoing.clear();
            for (Map.Entry<Ref, Monitor> e : incoming.entrySet()) node.remoteDemonitor(e.getValue().target(), e.getKey());
            incoming.clear();
        }

        void close(String reason) {
            Connection c = connection;
            if (c != null) c.close(reason);
            else failed(reason);
        }

        // -------------------------------------------------------------- incoming

        @Override
        public void onFrame(ByteBuffer frame) {
            DistMessage m = decoder.receive(frame);
            if (m == null) return; // a fragment of a message not complete yet
            Control c;
            try {
                c = Control.parse(m.control(), m.payload());
            } catch (IllegalArgumentException bad) {
                throw new IllegalStateException("from " + name + ": " + bad.getMessage(), bad);
            }
            handle(c);
        }

        @Override
        public void onClosed(String reason) {
            synchronized (this) {
                connection = null;
                connecting = false;
                notifyAll();
            }
            peers.remove(name.toString(), this);
            LOG.info("node {} lost its connection to {}: {}", self, name, reason);
            breakAll();
            for (BiConsumer<String, Boolean> w : nodeWatchers) w.accept(name.toString(), false);
        }

        private void handle(Control c) {
            switch (c) {
                case Control.Send(Pid from, Pid to, Object msg) -> {
                    if (!isReply(msg)) node.remoteSend(to, inbound(msg));
                }
                case Control.RegSend(Pid from, Atom to, Object msg) -> {
                    node.remoteSend(to.name(), inbound(msg)); // nobody by that name: dropped, as in Erlang
                }
                case Control.AliasSend(Pid from, Ref alias, Object msg) -> {
                    LOG.debug("alias send from {} to {}: {}", from, alias, msg);
                    // the aliases this node hands out are its calls' tags: a reply ends the call;
                    // anything else to an alias (or a reply after the call ended) is dropped, as
                    // Erlang drops messages to an inactive alias
                    if (!isReply(msg)) LOG.debug("{} dropped a message to the inactive alias {}", self, alias);
                }
                case Control.Link(Pid from, Pid to) -> {
                    if (node.remoteLink(from, to)) {
                        links.add(new Link(to, from));
                    } else {
                        send(new Control.LinkExit(to, from, NOPROC, false));
                    }
                }
                case Control.UnlinkId(long id, Pid from, Pid to) -> {
                    links.remove(new Link(to, from));
                    node.remoteUnlink(from, to);
                    send(new Control.UnlinkIdAck(id, to, from));
                }
                case Control.UnlinkIdAck ack -> {
                }
                case Control.Unlink(Pid from, Pid to) -> {
                    links.remove(new Link(to, from));
                    node.remoteUnlink(from, to);
                }
                case Control.LinkExit(Pid from, Pid to, Object reason, boolean p) -> {
                    links.remove(new Link(to, from));
                    node.remoteLinkExit(from, to, Reasons.fromTerm(reason));
                }
                case Control.Exit2(Pid from, Pid to, Object reason, boolean p) ->
                        node.remoteExit(from, to, Reasons.fromTerm(reason));
                case Control.MonitorP(Pid from, Object target, Ref ref) -> {
                    Pid t = target instanceof Pid tp ? tp
                            : target instanceof Atom a ? node.whereis(a.name()).orElse(null) : null;
                    if (t != null && node.remoteMonitor(from, t, ref)) {
                        incoming.put(ref, new Monitor(from, t));
                    } else {
                        send(new Control.MonitorPExit(target, from, ref, NOPROC, false));
                    }
                }
                case Control.DemonitorP(Pid from, Object target, Ref ref) -> {
                    Monitor m = incoming.remove(ref);
                    if (m != null) node.remoteDemonitor(m.target(), ref);
                }
                case Control.MonitorPExit(Object from, Pid to, Ref ref, Object reason, boolean p) -> {
                    if (failCall(ref, Reasons.fromTerm(reason))) {
                        outgoing.remove(ref);
                        return;
                    }
                    Monitor m = outgoing.remove(ref);
                    node.remoteDown(to, ref, m != null ? m.target() : from instanceof Pid fp ? fp : null,
                            Reasons.fromTerm(reason));
                }
                case Control.SpawnRequest req -> spawnRequest(this, req);
                case Control.SpawnReply r -> LOG.debug("{} ignored a spawn reply: {}", self, r);
                case Control.GroupLeader g -> {
                }
                case Control.Unknown(Tuple t) -> LOG.debug("{} ignored a control message from {}: {}", self, name, t);
            }
        }

    }

    // ------------------------------------------------------------------ remote spawn, erpc and rpc

    private static final Atom ERPC = Atom.of("erpc");
    private static final Atom EXECUTE_CALL = Atom.of("execute_call");
    private static final Atom EXECUTE_CAST = Atom.of("execute_cast");
    private static final Atom RETURN = Atom.of("return");
    private static final Atom ERROR = Atom.of("error");
    private static final Atom UNDEF = Atom.of("undef");
    private static final Atom LINK = Atom.of("link");
    private static final Atom MONITOR = Atom.of("monitor");
    private static final Atom NOTSUP = Atom.of("notsup");

    /** Makes {@code module:function} callable from other nodes. */
    public void register(String module, String function, io.otp4j.dist.RemoteFunction fn) {
        functions.put(module + ":" + function, fn);
    }

    public void unregister(String module, String function) {
        functions.remove(module + ":" + function);
    }

    /**
     * {@code SPAWN_REQUEST}: a new process runs a registered Java function. {@code erpc:execute_call}
     * and {@code execute_cast} (what erpc and rpc spawn) run the function they name, and exit as
     * erpc's own do: {@code {Ref, return, Result}}, or {@code {Ref, error, Reason, []}}.
     */
    private void spawnRequest(Peer peer, Control.SpawnRequest req) {
        if (!options.remoteSpawn()) {
            peer.send(new Control.SpawnReply(req.reqId(), req.from(), 0, NOTSUP));
            LOG.warn("{} refused a spawn request from {} for {}:{}/{}: remote spawn is off", self, req.from(),
                    req.module(), req.function(), req.arity());
            return;
        }
        boolean link = false;
        boolean monitor = false;
        for (Object o : req.options()) {
            if (LINK.equals(o)) link = true;
            if (MONITOR.equals(o) || (o instanceof Tuple t && t.size() == 2 && MONITOR.equals(t.get(0)))) monitor = true;
        }
        Proc.Body body = spawnBody(req);
        // the process waits for the link and monitor to exist before it runs, so that its exit reaches them
        Pid pid = node.spawn(() -> {
            Proc.receive(m -> m == GO ? m : null);
            body.run();
        });
        int flags = 0;
        if (link && node.remoteLink(req.from(), pid)) {
            peer.links.add(new Link(pid, req.from()));
            flags |= 1;
        }
        if (monitor && node.remoteMonitor(req.from(), pid, req.reqId())) {
            peer.incoming.put(req.reqId(), new Monitor(req.from(), pid));
            flags |= 2;
        }
        peer.send(new Control.SpawnReply(req.reqId(), req.from(), flags, pid));
        node.send(null, pid, GO);
    }

    private static final Object GO = new Object() {
        @Override
        public String toString() {
            return "spawn-go";
        }
    };

    private Proc.Body spawnBody(Control.SpawnRequest req) {
        List<Object> args = req.args();
        if (ERPC.equals(req.module()) && EXECUTE_CALL.equals(req.function()) && args.size() == 4) {
            Object ref = args.get(0);
            return () -> {
                Tuple reply;
                try {
                    reply = Tuple.of(ref, RETURN, apply(args.get(1), args.get(2), args.get(3)));
                } catch (Undefined u) {
                    reply = Tuple.of(ref, ERROR, UNDEF, List.of());
                } catch (Exception e) {
                    reply = Tuple.of(ref, ERROR, Reasons.toTerm(new ExitReason.Crash(e)), List.of());
                }
                // erpc's way of returning: the exit reason carries the result; it is no crash
                throw new io.otp4j.internal.ProcessImpl.ReportedExit(new ExitReason.Other(reply));
            };
        }
        if (ERPC.equals(req.module()) && EXECUTE_CAST.equals(req.function()) && args.size() == 3) {
            return () -> {
                try {
                    apply(args.get(0), args.get(1), args.get(2));
                } catch (Exception e) {
                    LOG.warn("{}: erpc:cast of {}:{} failed: {}", self, args.get(0), args.get(1), e.toString());
                }
            };
        }
        return () -> apply(req.module(), req.function(), args);
    }

    /** A function nobody registered. */
    private static final class Undefined extends Exception {
        Undefined(String what) {
            super(what, null, false, false);
        }
    }

    private Object apply(Object module, Object function, Object args) throws Exception {
        if (!(module instanceof Atom m) || !(function instanceof Atom f) || !(args instanceof List<?> a)) {
            throw new IllegalArgumentException("badarg: " + module + ":" + function + " with " + args);
        }
        io.otp4j.dist.RemoteFunction fn = functions.get(m.name() + ":" + f.name());
        if (fn == null) throw new Undefined(m.name() + ":" + f.name() + "/" + a.size() + " is not registered on " + self);
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) a;
        return fn.apply(list);
    }

    // ------------------------------------------------------------------ RemoteRouter: the core's outgoing side

    private Peer peerOf(Pid pid) {
        return peer(pid.node());
    }

    @Override
    public void send(Pid from, Pid to, Object msg) {
        Peer p = peerOf(to);
        if (p == null) return;
        boolean sender = from != null && (p.flags & DistFlags.SEND_SENDER) != 0;
        p.send(new Control.Send(sender ? from : null, to, outbound(p, msg)));
    }

    /**
     * Sends {@code msg} to the process alias {@code alias} of {@code owner}'s node
     * ({@code ALIAS_SEND}); to {@code owner} itself if that node knows no aliases.
     */
    void sendToAlias(Pid owner, Ref alias, Object msg) {
        Peer p = peerOf(owner);
        if (p == null) return;
        if (p.supports(DistFlags.ALIAS)) {
            p.send(new Control.AliasSend(io.otp4j.Proc.inProcess() ? io.otp4j.Proc.self() : proxy, alias, msg));
        } else {
            send(null, owner, msg);
        }
    }

    /**
     * The generic core's messages in Erlang's shapes: a call is {@code {'$gen_call', {Pid, Tag}, Req}}
     * (its reply, {@code {Tag, Reply}}, is taken by the tag when it comes back), a cast
     * {@code {'$gen_cast', Msg}}. To a node that knows process aliases (OTP 24+) the tag is
     * {@code [alias | Ref]}, as gen:call makes it, so the server answers to the alias
     * ({@code ALIAS_SEND}); a reply that comes after the call has ended then finds no alias and is
     * dropped, never reaching the caller's mailbox.
     */
    private Object outbound(Peer p, Object msg) {
        if (msg instanceof Gen.Call(Object request, From from)) {
            Ref tag = from.tag();
            pendingCalls.put(tag, from);
            Pid caller = from.caller() != null ? from.caller() : proxy;
            // (a caller that is not a process has a tag of the JVM's default node, which cannot be an alias here)
            boolean alias = p.supports(DistFlags.ALIAS) && tag.node().equals(self.toString());
            Object wireTag = alias ? CallTags.aliasTag(tag) : tag;
            return Tuple.of(GEN_CALL, Tuple.of(caller, wireTag), request);
        }
        if (msg instanceof Gen.Cast(Object m)) return Tuple.of(GEN_CAST, m);
        return msg;
    }

    /** If {@code monitor} watches the callee of a pending call, ends that call with {@code reason}. */
    private boolean failCall(Ref monitor, ExitReason reason) {
        CallWaiter w = waitersByMonitor.remove(monitor);
        if (w == null) return false;
        callMonitors.remove(w);
        w.processDown(reason);
        return true;
    }

    /** Erlang's generic-server messages arriving for a local process, in the core's shapes. */
    private Object inbound(Object msg) {
        if (msg instanceof Tuple t) {
            if (t.size() == 3 && GEN_CALL.equals(t.get(0)) && t.get(1) instanceof Tuple f && f.size() == 2
                    && f.get(0) instanceof Pid caller && RemoteFrom.isTag(f.get(1))) {
                return new Gen.Call(t.get(2), new RemoteFrom(this, caller, f.get(1)));
            }
            if (t.size() == 2 && GEN_CAST.equals(t.get(0))) return new Gen.Cast(t.get(1));
        }
        return msg;
    }

    /** A reply to a call this node made: completes the call instead of reaching a mailbox. */
    private boolean isReply(Object msg) {
        if (!(msg instanceof Tuple t) || t.size() != 2) return false;
        Ref tag = t.get(0) instanceof Ref r ? r : CallTags.aliasOf(t.get(0));
        if (tag == null) return false;
        From from = pendingCalls.remove(tag);
        if (from == null) return false;
        if (from instanceof CallWaiter w) {
            Ref mon = callMonitors.remove(w);
            if (mon != null) {
                waitersByMonitor.remove(mon);
                for (Peer q : peers.values()) {
                    Monitor m = q.outgoing.remove(mon);
                    if (m != null) q.send(new Control.DemonitorP(proxy, m.target() != null ? m.target() : m.name(), mon));
                }
            }
        }
        GenServer.reply(from, t.get(1));
        return true;
    }

    /**
     * {@code gen_server:call({Name, Node}, Request, Timeout)}: monitors the name on that node (so
     * that a missing name or a lost node ends the call at once), then sends the call to it.
     */
    public <R> R call(String name, String nodeName, Object request, java.time.Duration timeout) {
        String server = "{" + name + ", " + nodeName + "}";
        return Gen.callWith(server, request, timeout, (call, waiter) -> {
            Peer p = peer(nodeName);
            if (p == null) {
                waiter.processDown(ExitReason.NOCONNECTION);
                return;
            }
            Ref ref = node.makeRef(null);
            callMonitors.put(waiter, ref);
            waitersByMonitor.put(ref, waiter);
            Atom to = Atom.of(name);
            p.outgoing.put(ref, new Monitor(proxy, null, to));
            p.send(new Control.MonitorP(proxy, to, ref));
            From from = call.from();
            Pid caller = from.caller() != null ? from.caller() : proxy;
            p.send(new Control.RegSend(caller, to, outbound(p, call)));
        });
    }

    @Override
    public boolean watchCall(Pid target, CallWaiter w) {
        Peer p = peerOf(target);
        if (p == null) {
            w.processDown(ExitReason.NOCONNECTION);
            return false;
        }
        Ref ref = node.makeRef(null);
        callMonitors.put(w, ref);
        waitersByMonitor.put(ref, w);
        p.outgoing.put(ref, new Monitor(proxy, target));
        p.send(new Control.MonitorP(proxy, target, ref));
        return true;
    }

    /** A message to {@code name} on {@code nodeName} ({@code {Name, Node} ! Msg}). */
    public void send(Pid from, String name, String nodeName, Object msg) {
        Peer p = peer(nodeName);
        if (p != null) p.send(new Control.RegSend(from != null ? from : proxy, Atom.of(name), outbound(p, msg)));
    }

    @Override
    public void link(Pid from, Pid to) {
        Peer p = peerOf(to);
        if (p == null) {
            node.remoteLinkExit(to, from, ExitReason.NOCONNECTION);
            return;
        }
        p.links.add(new Link(from, to));
        p.send(new Control.Link(from, to));
    }

    @Override
    public void unlink(Pid from, Pid to) {
        Peer p = peers.get(to.node());
        if (p == null) return;
        p.links.remove(new Link(from, to));
        p.send(new Control.UnlinkId(unlinkIds.incrementAndGet(), from, to));
    }

    @Override
    public void exit(Pid from, Pid to, ExitReason reason) {
        Peer p = peerOf(to);
        if (p == null) return;
        boolean payload = (p.flags & DistFlags.EXIT_PAYLOAD) != 0;
        p.send(new Control.Exit2(from, to, Reasons.toTerm(reason), payload));
    }

    @Override
    public void linkExit(Pid from, Pid to, ExitReason reason) {
        Peer p = peers.get(to.node());
        if (p == null) return;
        p.links.remove(new Link(from, to));
        boolean payload = (p.flags & DistFlags.EXIT_PAYLOAD) != 0;
        p.send(new Control.LinkExit(from, to, Reasons.toTerm(reason), payload));
    }

    @Override
    public void monitor(Pid watcher, Pid target, Ref ref) {
        Peer p = peerOf(target);
        if (p == null) {
            node.remoteDown(watcher, ref, target, ExitReason.NOCONNECTION);
            return;
        }
        p.outgoing.put(ref, new Monitor(watcher, target));
        p.send(new Control.MonitorP(watcher, target, ref));
    }

    @Override
    public void demonitor(Pid watcher, Pid target, Ref ref) {
        Peer p = peers.get(target.node());
        if (p == null) return;
        if (p.outgoing.remove(ref) != null) p.send(new Control.DemonitorP(watcher, target, ref));
    }

    @Override
    public void down(Pid watcher, Ref ref, Pid pid, ExitReason reason) {
        Peer p = peers.get(watcher.node());
        if (p == null) return;
        p.incoming.remove(ref);
        boolean payload = (p.flags & DistFlags.EXIT_PAYLOAD) != 0;
        p.send(new Control.MonitorPExit(pid, watcher, ref, Reasons.toTerm(reason), payload));
    }

    @Override
    public void nodeStopped() {
        stop();
    }
}
