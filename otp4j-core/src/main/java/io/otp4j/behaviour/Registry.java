package io.otp4j.behaviour;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A local, decentralised key-value process registry (Elixir's {@code Registry}): processes
 * register themselves under keys, with a value; anyone looks keys up concurrently. Entries vanish
 * when their process dies.
 *
 * {@snippet :
 * Registry rooms = Registry.start(new Registry.Options("rooms", Registry.Keys.DUPLICATE, 2));
 * // in each subscriber process:
 * rooms.register("lobby", "alice");
 * // publish to everybody in the lobby:
 * rooms.dispatch("lobby", entries -> entries.forEach(e -> Proc.send(e.pid(), new Say("hi"))));
 * }
 *
 * <p>With {@link Keys#UNIQUE} a registry names processes: use {@link Name#via} to start a
 * {@link GenServer} under a key and {@link ServerRef#via} to call it.
 *
 * <p>Lookups read shared concurrent maps directly, without a message round trip; {@code partitions}
 * splits them so that registrations from many processes do not contend. The registry has an owner
 * process so that it can be supervised: when the owner stops, the registry is emptied and its name
 * released.
 */
public final class Registry {

    /** Whether a key names one process or many. */
    public enum Keys { UNIQUE, DUPLICATE }

    /** One registration: a process and the value it registered with. */
    public record Entry(Pid pid, Object value) {
    }

    /**
     * @param name       the registry's name on the node (its owner process is registered under it)
     * @param keys       unique or duplicate keys
     * @param partitions how many shards the maps are split into (1 or more)
     */
    public record Options(String name, Keys keys, int partitions) {
        public Options {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(keys, "keys");
            if (partitions < 1) throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
        }

        public Options(String name, Keys keys) {
            this(name, keys, 1);
        }
    }

    /** A unique key is already held. */
    public static final class AlreadyRegisteredException extends IllegalStateException {
        private final transient Pid holder;

        AlreadyRegisteredException(Object key, Pid holder, String registry) {
            super("key " + key + " is already registered in " + registry + " by " + holder);
            this.holder = holder;
        }

        public Pid holder() {
            return holder;
        }
    }

    private static final ConcurrentHashMap<NodeRuntime, ConcurrentHashMap<String, Registry>> BY_NODE = new ConcurrentHashMap<>();

    private final Options options;
    private final NodeRuntime node;
    /** key -> entries, one map per partition (by key). */
    private final ConcurrentHashMap<Object, List<Entry>>[] byKey;
    /** pid -> keys it registered, for cleanup and {@link #keys(Pid)}. */
    private final ConcurrentHashMap<Pid, List<Object>> byPid = new ConcurrentHashMap<>();
    /** pid -> the reference of the death watch that cleans its entries. */
    private final ConcurrentHashMap<Pid, Ref> watches = new ConcurrentHashMap<>();
    private volatile Pid owner;
    private volatile boolean closed;

    @SuppressWarnings("unchecked")
    private Registry(Options options, NodeRuntime node) {
        this.options = options;
        this.node = node;
        this.byKey = new ConcurrentHashMap[options.partitions()];
        for (int i = 0; i < byKey.length; i++) byKey[i] = new ConcurrentHashMap<>();
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts a registry (its owner process, not linked). */
    public static Registry start(Options options) {
        return startWith(options, false);
    }

    /** Starts a registry whose owner process is linked to the caller (for supervisors). */
    public static Registry startLink(Options options) {
        return startWith(options, true);
    }

    /** A child spec for a supervisor. */
    public static ChildSpec childSpec(Options options) {
        return ChildSpec.supervisor(options.name(), () -> startLink(options).owner());
    }

    private static Registry startWith(Options options, boolean link) {
        NodeRuntime node = NodeRuntime.current();
        Registry r = new Registry(options, node);
        StartOptions so = StartOptions.named(options.name());
        ServerRef<Object> ref = link ? GenServer.startLink(r.new Owner(), so) : GenServer.start(r.new Owner(), so);
        r.owner = ref.pid();
        return r;
    }

    /** The registry started under {@code name} on the caller's node, if it runs. */
    public static Optional<Registry> named(String name) {
        Map<String, Registry> m = BY_NODE.get(NodeRuntime.current());
        Registry r = m != null ? m.get(name) : null;
        return r != null && !r.closed ? Optional.of(r) : Optional.empty();
    }

    /** The owner process: supervise it, stop it to close the registry. */
    public Pid owner() {
        return owner;
    }

    public String name() {
        return options.name();
    }

    public Keys keys() {
        return options.keys();
    }

    /** The registry's owner: registers the registry by name; empties it when it stops. */
    private final class Owner implements GenServer<Object, Object>, io.otp4j.internal.gen.SysView<Object> {
        @Override
        public String behaviourName() {
            return "Registry";
        }

        @Override
        public String moduleName() {
            return Registry.class.getName();
        }

        @Override
        public Init<Object> init() {
            Proc.trapExit(true); // so that terminate runs on a supervisor's shutdown
            BY_NODE.computeIfAbsent(node, n -> new ConcurrentHashMap<>()).put(options.name(), Registry.this);
            return new Init.Ok<>("registry " + options.name());
        }

        @Override
        public void terminate(ExitReason reason, Object state) {
            close();
        }
    }

    private void close() {
        closed = true;
        Map<String, Registry> m = BY_NODE.get(node);
        if (m != null) m.remove(options.name(), this);
        for (Map.Entry<Pid, Ref> w : watches.entrySet()) node.unwatch(w.getKey(), w.getValue());
        watches.clear();
        byPid.clear();
        for (var shard : byKey) shard.clear();
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("registry " + options.name() + " is not running");
    }

    // ------------------------------------------------------------------ registering

    private ConcurrentHashMap<Object, List<Entry>> shard(Object key) {
        return byKey[Math.floorMod(key.hashCode(), byKey.length)];
    }

    private static ProcessImpl self(String what) {
        ProcessImpl p = ProcessImpl.current();
        if (p == null) throw new IllegalStateException(what + " registers the calling process, which must be a process");
        p.checkAlive();
        return p;
    }

    /**
     * Registers the calling process under {@code key} with {@code value}. With duplicate keys a
     * process may register a key several times.
     *
     * @throws AlreadyRegisteredException for a unique key that another process holds
     */
    public void register(Object key, Object value) {
        Objects.requireNonNull(key, "key");
        ProcessImpl me = self("Registry.register");
        checkOpen();
        Entry e = new Entry(me.pid, value);
        if (options.keys() == Keys.UNIQUE) {
            List<Entry> prev = shard(key).putIfAbsent(key, List.of(e));
            if (prev != null) throw new AlreadyRegisteredException(key, prev.getFirst().pid(), options.name());
        } else {
            shard(key).merge(key, List.of(e), Registry::concat);
        }
        byPid.merge(me.pid, List.of(key), Registry::concat);
        watch(me);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a.size() + b.size());
        out.addAll(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    /** Makes sure the process's entries go when it dies (one watch per process). */
    private void watch(ProcessImpl p) {
        if (watches.containsKey(p.pid)) return;
        Ref ref = node.makeRef(null);
        if (watches.putIfAbsent(p.pid, ref) != null) return;
        if (!node.watch(p.pid, ref, (r, pid, reason) -> removeAll(pid))) {
            removeAll(p.pid); // died meanwhile
        }
    }

    /** Removes every entry of {@code pid} (its death, or {@link #unregisterAll}). Short and non-blocking. */
    private void removeAll(Pid pid) {
        watches.remove(pid);
        List<Object> keys = byPid.remove(pid);
        if (keys == null) return;
        for (Object key : keys) {
            shard(key).computeIfPresent(key, (k, entries) -> without(entries, pid));
        }
    }

    private static List<Entry> without(List<Entry> entries, Pid pid) {
        List<Entry> keep = new ArrayList<>(entries.size());
        for (Entry e : entries) if (!e.pid().equals(pid)) keep.add(e);
        return keep.isEmpty() ? null : List.copyOf(keep);
    }

    /** Removes the calling process's registrations under {@code key}. */
    public void unregister(Object key) {
        ProcessImpl me = self("Registry.unregister");
        shard(key).computeIfPresent(key, (k, entries) -> without(entries, me.pid));
        byPid.computeIfPresent(me.pid, (p, keys) -> {
            List<Object> keep = new ArrayList<>(keys);
            keep.removeIf(key::equals);
            return keep.isEmpty() ? null : List.copyOf(keep);
        });
    }

    // ------------------------------------------------------------------ reading

    /** The entries under {@code key}: at most one for unique keys. */
    public List<Entry> lookup(Object key) {
        List<Entry> l = shard(key).get(key);
        return l == null ? List.of() : l;
    }

    /**
     * Calls {@code fn} with the entries under {@code key}, in the caller (Elixir's dispatch: the
     * pub/sub primitive). Not called when there are none.
     */
    public void dispatch(Object key, Consumer<List<Entry>> fn) {
        List<Entry> l = lookup(key);
        if (!l.isEmpty()) fn.accept(l);
    }

    /** The entries under {@code key} whose value {@code pattern} accepts. */
    public List<Entry> match(Object key, Predicate<Object> pattern) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : lookup(key)) if (pattern.test(e.value())) out.add(e);
        return out;
    }

    /** How many entries the registry holds. */
    public int count() {
        int n = 0;
        for (var shard : byKey) for (List<Entry> l : shard.values()) n += l.size();
        return n;
    }

    /** How many entries under {@code key} have a value {@code pattern} accepts. */
    public int countMatch(Object key, Predicate<Object> pattern) {
        return match(key, pattern).size();
    }

    /** The keys {@code pid} is registered under. */
    public List<Object> keys(Pid pid) {
        List<Object> k = byPid.get(pid);
        return k == null ? List.of() : k;
    }

    // ------------------------------------------------------------------ via names

    /**
     * Registers {@code pid} (the calling process) under {@code key} as a name; returns the holder if
     * the key is taken. Used by {@link Name#via}.
     */
    public Optional<Pid> registerName(Object key, Pid pid) {
        if (options.keys() != Keys.UNIQUE) {
            throw new IllegalStateException("via names need a registry with unique keys; " + options.name() + " has duplicate keys");
        }
        ProcessImpl me = self("registerName");
        if (!me.pid.equals(pid)) throw new IllegalArgumentException("a process can only register itself");
        try {
            register(key, null);
            return Optional.empty();
        } catch (AlreadyRegisteredException e) {
            return Optional.of(e.holder());
        }
    }

    /** The process registered under a unique {@code key}, if any. */
    public Optional<Pid> whereis(Object key) {
        List<Entry> l = lookup(key);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst().pid());
    }

    /** Sends to the process under a unique {@code key}; throws if there is none. */
    public void send(Object key, Object msg) {
        Pid p = whereis(key).orElseThrow(() -> new IllegalArgumentException("no process under key " + key + " in " + options.name()));
        Proc.send(p, msg);
    }

    @Override
    public String toString() {
        return "Registry[" + options.name() + ", " + options.keys() + ", " + count() + " entries]";
    }
}
