package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Node;
import io.otp4j.Tuple;

import java.time.Duration;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.StartOptions;
import io.otp4j.dist.internal.DistNode;
import io.otp4j.internal.NodeRuntime;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * A node's membership of an Erlang cluster: it listens for other nodes, registers with EPMD, and
 * makes pids of other nodes reachable, so that {@code Proc.send}, {@code Proc.link},
 * {@code Proc.monitor} and {@code Proc.exit} work across nodes, with Erlang/OTP and Elixir nodes as
 * well as otp4j ones.
 *
 * {@snippet :
 * Node node = Node.start(Node.Options.named("j1@localhost"));
 * Distribution dist = Distribution.start(node, DistOptions.cookie("secret"));
 * node.run(() -> {
 *     dist.send("pong", "e1@localhost", Tuple.of(Atom.of("ping"), Proc.self()));   // {pong, 'e1@localhost'} ! {ping, self()}
 *     return Proc.receive();
 * });
 * }
 *
 * <p>Connections are made on demand, as in Erlang: the first message, link or monitor towards a
 * node connects to it (the cookie must match). When a connection is lost, links across it give
 * {@code noconnection} exits and monitors {@code noconnection} Downs.
 */
public final class Distribution {
    private static final Map<NodeRuntime, Distribution> RUNNING = new ConcurrentHashMap<>();

    private final DistNode dist;
    private volatile Global global;
    private volatile NodeRuntime runtime;
    private volatile GlobalServer globalServer;
    private final Map<Pid, BiConsumer<String, Boolean>> watchers = new ConcurrentHashMap<>();
    /** monitor_node: by process, the nodes it monitors and how many times. */
    private final Map<Pid, Map<String, Integer>> nodeMonitors = new ConcurrentHashMap<>();

    private Distribution(DistNode dist) {
        this.dist = dist;
    }

    /**
     * Starts distribution on a named node ({@code alive@host}).
     *
     * @throws IOException           if the port cannot be bound or EPMD cannot be reached
     * @throws IllegalStateException if the node is not named, or is already distributed
     */
    public static Distribution start(Node node, DistOptions options) throws IOException {
        NodeRuntime rt = (NodeRuntime) Objects.requireNonNull(node, "node");
        Objects.requireNonNull(options, "options");
        synchronized (RUNNING) {
            if (RUNNING.containsKey(rt)) throw new IllegalStateException("node " + node.name() + " is already distributed");
            Distribution d = new Distribution(DistNode.start(rt, options));
            d.runtime = rt;
            try {
                GlobalServer gs = new GlobalServer(d);
                d.globalServer = gs;
                rt.run(() -> GenServer.start(gs, StartOptions.named(GlobalServer.NAME)));
            } catch (Exception e) {
                d.stop();
                throw new IOException("global could not start: " + e.getMessage(), e);
            }
            d.global = new Global(d, rt);
            d.dist.watchNodes((n, up) -> {
                if (!up) for (Pid p : d.nodeMonitors.keySet()) d.fireNodeDown(p, n);
            }, true);
            RUNNING.put(rt, d);
            rt.onStop(() -> RUNNING.remove(rt));
            return d;
        }
    }

    /** This node's name. */
    public String name() {
        return dist.name().toString();
    }

    /** The port other nodes connect to. */
    public int port() {
        return dist.port();
    }

    /** Connects to {@code node} now ({@code net_kernel:connect_node/1}); false if it cannot be reached. */
    public boolean connect(String node) {
        return dist.connect(node);
    }

    /** Closes the connection to {@code node} ({@code erlang:disconnect_node/1}). */
    public boolean disconnect(String node) {
        return dist.disconnect(node);
    }

    /** The visible nodes connected to this one ({@code erlang:nodes()}). */
    public List<String> nodes() {
        return dist.nodes(true);
    }

    /** The nodes connected through hidden connections ({@code erlang:nodes(hidden)}). */
    public List<String> hiddenNodes() {
        return dist.nodes(false);
    }

    /** Global names across the cluster (Erlang's {@code global}). */
    public Global global() {
        return global;
    }

    GlobalServer globalServer() {
        return globalServer;
    }

    /** The distribution running on {@code node}, if any. */
    public static java.util.Optional<Distribution> of(Node node) {
        return java.util.Optional.ofNullable(RUNNING.get((NodeRuntime) node));
    }

    /**
     * Sends {@code msg} to the process registered as {@code name} on {@code node}
     * ({@code {Name, Node} ! Msg}). From a process, its pid travels as the sender; from any other
     * thread, a process of the distribution layer stands in.
     */
    public void send(String name, String node, Object msg) {
        Objects.requireNonNull(msg, "msg");
        if (node.equals(name())) {
            runtime.send(name, msg);
            return;
        }
        dist.send(Proc.inProcess() ? Proc.self() : null, name, node, msg);
    }

    /**
     * Calls the generic server registered as {@code name} on {@code node}
     * ({@code gen_server:call({Name, Node}, Request)}), waiting at most 5 seconds. Works from any
     * thread.
     *
     * @throws io.otp4j.behaviour.CallException        if no process has the name there ({@code noproc}),
     *                                                 the node cannot be reached ({@code noconnection}),
     *                                                 or the server exits before replying
     * @throws io.otp4j.behaviour.CallTimeoutException on timeout
     */
    public <R> R call(String name, String node, Object request) {
        return call(name, node, request, Duration.ofSeconds(5));
    }

    public <R> R call(String name, String node, Object request, Duration timeout) {
        return dist.call(name, node, request, timeout);
    }

    /** Casts to the generic server {@code name} on {@code node} ({@code gen_server:cast({Name, Node}, Msg)}). */
    public void cast(String name, String node, Object msg) {
        dist.send(Proc.inProcess() ? Proc.self() : null, name, node, Tuple.of(Atom.of("$gen_cast"), msg));
    }

    /** {@code gen_server:abcast(Nodes, Name, Msg)}: a cast to {@code name} on each node. */
    public void abcast(List<String> nodes, String name, Object msg) {
        for (String n : nodes) cast(name, n, msg);
    }

    /**
     * {@code gen_server:multi_call(Nodes, Name, Request, Timeout)}: calls {@code name} on every node
     * at once; the replies by node, and the nodes that did not answer.
     */
    public MultiCall multiCall(List<String> nodes, String name, Object request, Duration timeout) {
        Map<String, Object> replies = new java.util.LinkedHashMap<>();
        List<String> bad = new java.util.ArrayList<>();
        List<java.util.concurrent.Future<Object>> futures = new java.util.ArrayList<>();
        try (var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (String n : nodes) futures.add(exec.submit(() -> call(name, n, request, timeout)));
            for (int i = 0; i < nodes.size(); i++) {
                try {
                    replies.put(nodes.get(i), futures.get(i).get());
                } catch (java.util.concurrent.ExecutionException | InterruptedException e) {
                    bad.add(nodes.get(i));
                }
            }
        }
        return new MultiCall(Map.copyOf(replies), List.copyOf(bad));
    }

    /** What {@link #multiCall} gathered: replies by node, and the nodes that gave none. */
    public record MultiCall(Map<String, Object> replies, List<String> badNodes) {
    }

    /**
     * {@code rpc:call(Node, Module, Function, Args)} into an Erlang node: runs
     * {@code Module:Function(Args...)} there (through its {@code rex} server) and returns the result;
     * Erlang's {@code {badrpc, Reason}} is returned as it came.
     */
    public <R> R rpc(String node, String module, String function, List<?> args, Duration timeout) {
        return call("rex", node, Tuple.of(Atom.of("call"), Atom.of(module), Atom.of(function), List.copyOf(args),
                dist.groupLeader()), timeout);
    }

    /**
     * Monitors the connection to {@code node} for the calling process ({@code erlang:monitor_node(Node, true)}):
     * connects to it if need be, and the process receives one {@link NodeDown} when the connection
     * is lost, or at once if it cannot be made. Each call adds a monitor (and a message);
     * {@link #demonitorNode} removes them all.
     */
    public void monitorNode(String node) {
        Pid self = Proc.self();
        Map<String, Integer> mine = nodeMonitors.computeIfAbsent(self, k -> new ConcurrentHashMap<>());
        mine.merge(node, 1, Integer::sum);
        if (!connect(node)) fireNodeDown(self, node);
    }

    /** Removes the calling process's monitors of {@code node} ({@code erlang:monitor_node(Node, false)}). */
    public void demonitorNode(String node) {
        Map<String, Integer> mine = nodeMonitors.get(Proc.self());
        if (mine != null) mine.remove(node);
    }

    private void fireNodeDown(Pid pid, String node) {
        Map<String, Integer> mine = nodeMonitors.get(pid);
        Integer n = mine != null ? mine.remove(node) : null;
        for (int i = 0; n != null && i < n; i++) runtime.send(pid, new NodeDown(node));
    }

    /**
     * Subscribes {@code pid} to node events ({@code net_kernel:monitor_nodes/1}): it receives
     * {@link NodeUp} and {@link NodeDown} messages for visible nodes (a hidden connection is in
     * {@link #hiddenNodes()}, but sends no events).
     */
    public void monitorNodes(Pid pid, boolean on) {
        if (on) {
            BiConsumer<String, Boolean> w = visibleOnly((n, up) -> runtime.send(pid, up ? new NodeUp(n) : new NodeDown(n)));
            if (watchers.putIfAbsent(pid, w) == null) dist.watchNodes(w, true);
        } else {
            BiConsumer<String, Boolean> w = watchers.remove(pid);
            if (w != null) dist.watchNodes(w, false);
        }
    }

    /**
     * Makes the Java function {@code fn} callable from other nodes as {@code module:function}: by
     * {@code erpc:call(Node, module, function, Args)}, {@code rpc:call/4}, {@code erpc:cast/4} and
     * {@code spawn_request(Node, module, function, Args, Opts)}. Only registered functions can be
     * run; {@link DistOptions#withRemoteSpawn} turns them all off.
     */
    public void register(String module, String function, RemoteFunction fn) {
        dist.register(Objects.requireNonNull(module, "module"), Objects.requireNonNull(function, "function"),
                Objects.requireNonNull(fn, "fn"));
    }

    public void unregister(String module, String function) {
        dist.unregister(module, function);
    }

    /** The global name server's node events: visible nodes only, as {@code net_kernel:monitor_nodes/1}. */
    void watchVisibleNodes(Pid server) {
        dist.watchNodes(visibleOnly((n, up) -> runtime.send(server, new GlobalServer.NodeEvent(n, up))), true);
    }

    /** Passes on the ups of visible connections, and the downs of those it passed up. */
    private BiConsumer<String, Boolean> visibleOnly(BiConsumer<String, Boolean> w) {
        java.util.Set<String> up = ConcurrentHashMap.newKeySet();
        return (n, isUp) -> {
            if (isUp) {
                if (dist.isVisible(n) && up.add(n)) w.accept(n, true);
            } else if (up.remove(n)) {
                w.accept(n, false);
            }
        };
    }

    /** Stops distribution: every connection is closed (links and monitors across them break). */
    public void stop() {
        dist.stop();
    }

    /** A node connected ({@code {nodeup, Node}}). */
    public record NodeUp(String node) {
    }

    /** A node's connection was lost ({@code {nodedown, Node}}). */
    public record NodeDown(String node) {
    }
}
