package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Down;
import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.behaviour.From;
import io.otp4j.behaviour.GenServer;
import io.otp4j.dist.term.ExportFun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process registered as {@code global_name_server}: Erlang's {@code global} server, speaking
 * its protocol (version 6) so that otp4j and Erlang nodes share one table of global names and form
 * a fully connected mesh.
 *
 * <p>When a visible node comes up, each side sends {@code init_connect}; the two lockers (see
 * {@link GlobalLocker}) lock both partitions with {@code global}'s lock; the servers then
 * {@code exchange} their names, resolve clashes, send {@code resolved}, and tell every node they
 * know of the other's nodes ({@code new_nodes}). A node that learns of new nodes connects to them
 * and says {@code in_sync}: that is how the mesh forms. The server keeps the names (each pid
 * monitored, so a dead pid loses its name on every node) and the locks that {@code set_lock}
 * calls take.
 */
final class GlobalServer implements GenServer<GlobalServer, Object> {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.dist.global");
    static final String NAME = "global_name_server";
    /** The protocol version this node speaks: 6 (the newer Erlang versions understand it). */
    static final int VSN = 6;

    static final Atom INIT_CONNECT = Atom.of("init_connect");
    static final Atom LOCKER = Atom.of("locker");
    static final Atom EXCHANGE = Atom.of("exchange");
    static final Atom RESOLVED = Atom.of("resolved");
    static final Atom NEW_NODES = Atom.of("new_nodes");
    static final Atom IN_SYNC = Atom.of("in_sync");
    static final Atom LOCK_SET = Atom.of("lock_set");
    static final Atom REGISTER = Atom.of("register");
    static final Atom UNREGISTER = Atom.of("unregister");
    static final Atom SET_LOCK = Atom.of("set_lock");
    static final Atom DEL_LOCK = Atom.of("del_lock");
    static final Atom GET_KNOWN = Atom.of("get_known");
    static final Atom GET_SYNCED = Atom.of("get_synced");
    static final Atom GET_VSN = Atom.of("get_protocol_version");
    static final Atom INSERT = Atom.of("insert");
    static final Atom DELETE = Atom.of("delete");
    static final Atom GLOBAL = Atom.of("global");
    static final Atom VSN_ATOM = Atom.of("vsn");
    static final Atom LOCK = Atom.of("lock");
    static final Atom YES = Atom.of("yes");
    static final Atom UNUSED = Atom.of("unused");
    static final ExportFun RANDOM_EXIT_NAME = new ExportFun(GLOBAL, Atom.of("random_exit_name"), 3);
    static final ExportFun RANDOM_NOTIFY_NAME = new ExportFun(GLOBAL, Atom.of("random_notify_name"), 3);
    static final ExportFun NOTIFY_ALL_NAME = new ExportFun(GLOBAL, Atom.of("notify_all_name"), 3);

    /** A registered name: the pid, the clash method ({@code fun global:random_exit_name/3} ...), its monitor. */
    record Entry(Pid pid, Object method, Ref monitor) {
    }

    /** A lock on a resource: who asked ({@code LockRequesterId}) and the processes holding it. */
    record Lock(Object requester, Map<Pid, Ref> holders) {
    }

    // messages between this server, its locker and its resolvers (all on this node)
    record NodeEvent(String node, boolean up) {
    }

    record LockIsSet(String node, Object myTag, Object lockId) {
    }

    record ExchangeOps(String node, Object myTag, List<Object> ops, List<Object> resolved) {
    }

    record ConnectFailed(String node) {
    }

    /** A {@code sync} waiting for nodes to be synced. */
    private record Syncer(From from, Set<String> waiting) {
    }

    /** What the server knows of one node's synchronisation (Erlang keeps it in the process dictionary). */
    private static final class Session {
        Object myTag;
        Object hisTag;
        Tuple preConnect;
        Object waitLock; // LOCK_IS_SET or the other's name list
        Object saveOps; // our ops (a List) or his resolved message (a Tuple)
        Object lockId;
    }

    private static final Object LOCK_IS_SET = new Object();

    private final Distribution dist;
    private final Atom me;
    final Map<Object, Entry> names = new ConcurrentHashMap<>();
    final Map<Object, Lock> locks = new ConcurrentHashMap<>();
    private final Map<Ref, Object> nameMonitors = new HashMap<>();
    private final Map<Ref, Object> lockMonitors = new HashMap<>();
    private final Map<String, Integer> known = new LinkedHashMap<>();
    private final Map<String, Integer> pending = new HashMap<>();
    private final Set<String> synced = new HashSet<>();
    private final Map<String, Session> sessions = new HashMap<>();
    private final List<Syncer> syncers = new ArrayList<>();
    private long nextTag = 1;
    private Pid locker;

    GlobalServer(Distribution dist) {
        this.dist = dist;
        this.me = Atom.of(dist.name());
    }

    @Override
    public Init<GlobalServer> init() {
        Proc.trapExit(true);
        Pid server = Proc.self();
        locker = Proc.spawnLink(() -> new GlobalLocker(dist, server, this).run());
        dist.watchVisibleNodes(Proc.self());
        for (String n : dist.nodes()) Proc.send(Proc.self(), new NodeEvent(n, true));
        return new Init.Ok<>(this);
    }

    // ------------------------------------------------------------------ calls

    @Override
    public CallResult<GlobalServer> handleCall(Object request, From from, GlobalServer s) {
        if (request instanceof Tuple t && t.size() >= 1 && t.get(0) instanceof Atom tag) {
            if (tag.equals(REGISTER) && t.size() == 4 && t.get(2) instanceof Pid pid) {
                insertName(t.get(1), pid, t.get(3));
                return new Reply<>(YES, this);
            }
            if (tag.equals(UNREGISTER) && t.size() == 2) {
                deleteName(t.get(1));
                return new Reply<>(Atom.OK, this);
            }
            if (tag.equals(SET_LOCK) && t.size() == 2 && t.get(1) instanceof Tuple id && id.size() == 2) {
                return new Reply<>(setLock(id, from.caller()), this);
            }
            if (tag.equals(DEL_LOCK) && t.size() == 2 && t.get(1) instanceof Tuple id && id.size() == 2) {
                delLock(id, from.caller());
                return new Reply<>(Boolean.TRUE, this);
            }
            if (tag.equals(Atom.of("sync")) && t.size() == 2 && t.get(1) instanceof List<?> nodes) {
                Set<String> waiting = new HashSet<>();
                for (Object n : nodes) if (!n.toString().equals(me.name()) && !synced.contains(n.toString())) waiting.add(n.toString());
                if (waiting.isEmpty()) return new Reply<>(Atom.OK, this);
                syncers.add(new Syncer(from, waiting));
                return new NoReply<>(this);
            }
        } else if (request instanceof Atom a) {
            if (a.equals(GET_KNOWN)) return new Reply<>(knownAtoms(), this);
            if (a.equals(GET_SYNCED)) return new Reply<>(atoms(synced), this);
            if (a.equals(GET_VSN)) return new Reply<>(VSN, this);
        }
        LOG.warn("global_name_server: a call it does not know was answered with an error: {}", request);
        return new Reply<>(Tuple.of(Atom.ERROR, Atom.of("not_supported")), this);
    }

    // ------------------------------------------------------------------ casts (the sync protocol)

    @Override
    public CastResult<GlobalServer> handleCast(Object msg, GlobalServer s) {
        if (LOG.isDebugEnabled()) LOG.debug("global {}: cast {}", me, msg);
        switch (msg) {
            case Tuple t when is(t, INIT_CONNECT, 4) && t.get(2) instanceof Atom node -> initConnect(t, node.name());
            case Tuple t when is(t, LOCK_SET, 4) || is(t, LOCK_SET, 5) -> Proc.send(locker, t);
            case Tuple t when is(t, EXCHANGE, 5) && t.get(1) instanceof Atom node -> exchange(node.name(), t.get(2), t.get(4));
            case Tuple t when is(t, RESOLVED, 7) && t.get(1) instanceof Atom node -> resolvedMsg(node.name(), t);
            case Tuple t when is(t, NEW_NODES, 6) && t.get(1) instanceof Atom node ->
                    newNodes(asList(t.get(2)), node.name(), asList(t.get(4)));
            case Tuple t when is(t, NEW_NODES, 5) && t.get(1) instanceof Atom node ->
                    newNodes(asList(t.get(2)), node.name(), asList(t.get(3)));
            case Tuple t when is(t, IN_SYNC, 3) && t.get(1) instanceof Atom node -> inSync(node.name());
            case LockIsSet l -> lockIsSet(l);
            case ExchangeOps x -> exchangeOps(x);
            default -> LOG.debug("global_name_server: cast ignored: {}", msg);
        }
        return new NoReply<>(this);
    }

    @Override
    public CastResult<GlobalServer> handleInfo(Object msg, GlobalServer s) {
        if (LOG.isDebugEnabled()) LOG.debug("global {}: info {}", me, msg);
        switch (msg) {
            case NodeEvent(String node, boolean up) when up -> nodeUp(node);
            case NodeEvent(String node, boolean up) -> nodeDown(node);
            case ConnectFailed(String node) -> nodeDown(node);
            case Down d -> {
                Object name = nameMonitors.remove(d.ref());
                if (name != null) {
                    Entry e = names.get(name);
                    if (e != null && e.monitor().equals(d.ref())) names.remove(name);
                }
                Object resource = lockMonitors.remove(d.ref());
                if (resource != null) {
                    Lock l = locks.get(resource);
                    if (l != null) {
                        l.holders().values().remove(d.ref());
                        if (l.holders().isEmpty()) locks.remove(resource);
                    }
                }
            }
            case io.otp4j.Exit x when x.from().equals(locker) -> {
                return new Stop<>(x.reason(), this, null);
            }
            default -> LOG.debug("global_name_server: message ignored: {}", msg); // init_connect_ack, lost_connection...
        }
        return new NoReply<>(this);
    }

    // ------------------------------------------------------------------ node up and down

    private void nodeUp(String node) {
        Session ses = sessions.get(node);
        if (node.equals(me.name()) || known.containsKey(node) || (ses != null && ses.myTag != null)) return;
        if (ses == null) {
            ses = new Session();
            sessions.put(node, ses);
        }
        ses.myTag = (long) nextTag++;
        Tuple init = Tuple.of(INIT_CONNECT, Tuple.of(VSN, ses.myTag), me,
                Tuple.of(LOCKER, Atom.of("no_longer_a_pid"), knownAtoms(), locker));
        dist.cast(NAME, node, init);
        if (ses.preConnect != null) initConnect(ses.preConnect, node);
    }

    private void nodeDown(String node) {
        Session ses = sessions.remove(node);
        Proc.send(locker, new GlobalLocker.Cancel(node, ses != null ? ses.myTag : null, null));
        Proc.send(locker, new GlobalLocker.RemoveFromKnown(node));
        known.remove(node);
        pending.remove(node);
        synced.remove(node);
    }

    private void initConnect(Tuple t, String node) {
        Session ses = sessions.get(node);
        if (ses == null || ses.myTag == null) {
            // before our nodeup: kept until then, as global does
            Session pre = sessions.computeIfAbsent(node, k -> new Session());
            pre.preConnect = t;
            return;
        }
        ses.preConnect = null;
        if (!(t.get(1) instanceof Tuple v) || v.size() < 2 || !(v.get(0) instanceof Number hisVsn)
                || !(t.get(3) instanceof Tuple initMsg) || initMsg.size() != 4 || !(initMsg.get(3) instanceof Pid hisLocker)) {
            LOG.info("global: illegal init_connect from {}: {}", node, t);
            return;
        }
        ses.hisTag = v.get(1);
        Proc.send(locker, new GlobalLocker.HisTheLocker(hisLocker, node, Math.min(hisVsn.intValue(), VSN), ses.hisTag, ses.myTag));
        pending.put(node, hisVsn.intValue());
    }

    // ------------------------------------------------------------------ lock set, exchange, resolve

    private void lockIsSet(LockIsSet l) {
        Session ses = sessions.get(l.node());
        if (ses == null || !tagEq(ses.myTag, l.myTag())) {
            cancelLocker(l.node(), l.myTag(), null);
            return;
        }
        dist.cast(NAME, l.node(), Tuple.of(EXCHANGE, me, nameList(), List.of(), ses.hisTag));
        ses.lockId = l.lockId();
        if (ses.waitLock instanceof List<?> hisNames) {
            ses.waitLock = null;
            resolve(l.node(), ses, hisNames);
        } else {
            ses.waitLock = LOCK_IS_SET;
        }
    }

    private void exchange(String node, Object nameList, Object myTag) {
        Session ses = sessions.get(node);
        if (ses == null || !tagEq(ses.myTag, myTag)) {
            cancelLocker(node, myTag, null);
            return;
        }
        if (ses.waitLock == LOCK_IS_SET) {
            ses.waitLock = null;
            resolve(node, ses, asList(nameList));
        } else {
            ses.waitLock = asList(nameList);
        }
    }

    /** Resolves the other's names against ours in a process of its own (a clash may call another node). */
    private void resolve(String node, Session ses, List<?> hisNames) {
        Object tag = ses.myTag;
        Map<Object, Entry> ours = Map.copyOf(names);
        Pid server = Proc.self();
        Proc.spawn(() -> {
            List<Object> ops = new ArrayList<>();
            List<Object> res = new ArrayList<>();
            for (Object o : hisNames) {
                if (!(o instanceof Tuple n) || n.size() != 3 || !(n.get(1) instanceof Pid pid)) continue;
                Object name = n.get(0);
                Object method = n.get(2);
                Entry mine = ours.get(name);
                if (mine == null) {
                    ops.add(Tuple.of(INSERT, Tuple.of(name, pid, method)));
                } else if (mine.pid().equals(pid)) {
                    // the same on both sides
                } else if (me.name().compareTo(node) < 0) {
                    Object kept = resolveClash(mine, name, pid);
                    if (pid.equals(kept)) {
                        ops.add(Tuple.of(INSERT, Tuple.of(name, pid, method)));
                    } else if (mine.pid().equals(kept)) {
                        res.add(Tuple.of(INSERT, Tuple.of(name, mine.pid(), mine.method())));
                    } else {
                        Tuple del = Tuple.of(DELETE, name);
                        ops.add(del);
                        res.add(del);
                    }
                }
                // else: the other node resolves the clash
            }
            GenServer.cast(io.otp4j.behaviour.ServerRef.of(server), new ExchangeOps(node, tag, ops, res));
        });
    }

    /** Calls the clash method of our name where its pid lives ({@code global:resolve_it/4} on an Erlang node). */
    private Object resolveClash(Entry mine, Object name, Pid his) {
        if (mine.pid().node().equals(me.name())) return applyMethod(mine.method(), name, his, mine.pid());
        try {
            return dist.rpc(mine.pid().node(), "global", "resolve_it", List.of(mine.method(), name, his, mine.pid()),
                    java.time.Duration.ofSeconds(10));
        } catch (RuntimeException e) {
            LOG.info("global: the clash on name {} could not be resolved on {}: {}", name, mine.pid().node(), e.getMessage());
            return his;
        }
    }

    /** global's three clash methods, run here for a name whose pid is on this node. */
    static Object applyMethod(Object method, Object name, Pid pid1, Pid pid2) {
        Pid min = pid1.node().compareTo(pid2.node()) < 0 ? pid1 : pid2;
        Pid max = min == pid1 ? pid2 : pid1;
        if (RANDOM_NOTIFY_NAME.equals(method)) {
            Proc.send(max, Tuple.of(Atom.of("global_name_conflict"), name));
            return min;
        }
        if (NOTIFY_ALL_NAME.equals(method)) {
            Proc.send(pid1, Tuple.of(Atom.of("global_name_conflict"), name, pid2));
            Proc.send(pid2, Tuple.of(Atom.of("global_name_conflict"), name, pid1));
            return Atom.of("none");
        }
        if (!RANDOM_EXIT_NAME.equals(method)) {
            LOG.info("global: name {} has clash method {}, which this node cannot run; random_exit_name is used", name, method);
        }
        LOG.info("global: name conflict, terminating {} of {}", max, name);
        Proc.exit(max, ExitReason.KILL);
        return min;
    }

    private void exchangeOps(ExchangeOps x) {
        Session ses = sessions.get(x.node());
        if (ses == null || !tagEq(ses.myTag, x.myTag())) {
            cancelLocker(x.node(), x.myTag(), null);
            return;
        }
        dist.cast(NAME, x.node(), Tuple.of(RESOLVED, me, x.resolved(), knownAtoms(), UNUSED, List.of(), ses.hisTag));
        if (ses.saveOps instanceof Tuple his) {
            ses.saveOps = x.ops();
            resolved(x.node(), ses, his);
        } else {
            ses.saveOps = x.ops();
        }
    }

    private void resolvedMsg(String node, Tuple t) {
        Session ses = sessions.get(node);
        if (ses == null || !tagEq(ses.myTag, t.get(6))) {
            cancelLocker(node, t.get(6), null);
            return;
        }
        if (ses.saveOps instanceof List<?>) resolved(node, ses, t);
        else ses.saveOps = t;
    }

    /** Both sides have resolved: apply the operations, tell our nodes of his, and take his nodes as known. */
    private void resolved(String node, Session ses, Tuple his) {
        List<Object> ops = new ArrayList<>(asList(ses.saveOps));
        ops.addAll(asList(his.get(2)));
        List<String> hisKnown = nodeList(asList(his.get(3)));
        List<String> newNodes = new ArrayList<>();
        newNodes.add(node);
        newNodes.addAll(hisKnown);
        syncOthers(hisKnown);
        doOps(ops);
        syncedWith(node);
        for (String n : hisKnown) {
            Session other = sessions.remove(n);
            pending.remove(n);
            if (other != null) cancelLocker(n, other.myTag, null);
        }
        Tuple extra = Tuple.of(Tuple.of(VSN_ATOM, VSN), Tuple.of(LOCK, ses.lockId));
        Tuple newNodesMsg = Tuple.of(NEW_NODES, me, List.copyOf(ops), List.of(), atoms(newNodes), List.of(extra.get(0), extra.get(1)));
        List<String> tellThem = new ArrayList<>(known.keySet());
        sessions.remove(node);
        pending.remove(node);
        // the locker holding the lock sends new_nodes before it lets the lock go
        cancelLocker(node, ses.myTag, () -> {
            for (String n : tellThem) dist.cast(NAME, n, newNodesMsg);
        });
        List<String> added = addToKnown(newNodes);
        Proc.send(locker, new GlobalLocker.AddToKnown(added));
        synced.add(node);
    }

    private void newNodes(List<?> ops, String from, List<?> nodes) {
        List<String> added = addToKnown(nodeList(nodes));
        syncOthers(added);
        doOps(ops);
        Proc.send(locker, new GlobalLocker.AddToKnown(added));
    }

    private void inSync(String node) {
        syncedWith(node);
        synced.add(node);
        pending.remove(node);
        Session ses = sessions.remove(node);
        if (ses != null) cancelLocker(node, ses.myTag, null);
    }

    private void syncedWith(String node) {
        for (Iterator<Syncer> it = syncers.iterator(); it.hasNext(); ) {
            Syncer s = it.next();
            s.waiting().remove(node);
            if (s.waiting().isEmpty()) {
                GenServer.reply(s.from(), Atom.OK);
                it.remove();
            }
        }
    }

    /** Connects to nodes learnt of (this makes the mesh) and tells each it is in sync with us. */
    private void syncOthers(List<String> nodes) {
        Pid server = Proc.self();
        for (String n : nodes) {
            if (n.equals(me.name())) continue;
            Proc.spawn(() -> {
                // a connection the other side made at the same moment counts as well
                if (dist.connect(n) || dist.nodes().contains(n)) dist.cast(NAME, n, Tuple.of(IN_SYNC, me, Boolean.TRUE));
                else {
                    LOG.warn("global at {} failed to connect to {}", me.name(), n);
                    Proc.send(server, new ConnectFailed(n));
                }
            });
        }
    }

    private List<String> addToKnown(List<String> nodes) {
        List<String> added = new ArrayList<>();
        for (String n : nodes) {
            if (n.equals(me.name()) || known.containsKey(n)) continue;
            known.put(n, VSN);
            added.add(n);
        }
        return added;
    }

    private void cancelLocker(String node, Object tag, Runnable then) {
        Proc.send(locker, new GlobalLocker.Cancel(node, tag, then));
    }

    // ------------------------------------------------------------------ names and locks

    private void doOps(List<?> ops) {
        for (Object o : ops) {
            if (o instanceof Tuple op && op.size() == 2 && INSERT.equals(op.get(0)) && op.get(1) instanceof Tuple n
                    && n.size() == 3 && n.get(1) instanceof Pid pid) {
                insertName(n.get(0), pid, n.get(2));
            } else if (o instanceof Tuple op && op.size() == 2 && DELETE.equals(op.get(0))) {
                deleteName(op.get(1));
            }
        }
    }

    private void insertName(Object name, Pid pid, Object method) {
        deleteName(name);
        Ref ref = Proc.monitor(pid);
        nameMonitors.put(ref, name);
        names.put(name, new Entry(pid, method, ref));
    }

    private void deleteName(Object name) {
        Entry e = names.remove(name);
        if (e != null) {
            nameMonitors.remove(e.monitor());
            Proc.demonitor(e.monitor(), true);
        }
    }

    private Boolean setLock(Tuple id, Pid holder) {
        if (holder == null) return Boolean.FALSE;
        Object resource = id.get(0);
        Object requester = id.get(1);
        Lock l = locks.get(resource);
        if (l != null && !Objects.equals(l.requester(), requester)) return Boolean.FALSE;
        if (l == null) {
            l = new Lock(requester, new HashMap<>());
            locks.put(resource, l);
        }
        if (!l.holders().containsKey(holder)) {
            Ref ref = Proc.monitor(holder);
            lockMonitors.put(ref, resource);
            l.holders().put(holder, ref);
        }
        return Boolean.TRUE;
    }

    private void delLock(Tuple id, Pid holder) {
        Lock l = locks.get(id.get(0));
        if (l == null || !Objects.equals(l.requester(), id.get(1))) return;
        Ref ref = l.holders().remove(holder);
        if (ref != null) {
            lockMonitors.remove(ref);
            Proc.demonitor(ref, true);
        }
        if (l.holders().isEmpty()) locks.remove(id.get(0));
    }

    // ------------------------------------------------------------------ helpers

    private List<Object> nameList() {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<Object, Entry> e : names.entrySet()) {
            out.add(Tuple.of(e.getKey(), e.getValue().pid(), e.getValue().method()));
        }
        return out;
    }

    private List<Object> knownAtoms() {
        return atoms(known.keySet());
    }

    static List<Object> atoms(Iterable<String> nodes) {
        List<Object> out = new ArrayList<>();
        for (String n : nodes) out.add(Atom.of(n));
        return out;
    }

    /** Node names from a list of atoms or {@code {Node, Vsn}} pairs. */
    static List<String> nodeList(List<?> l) {
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (o instanceof Atom a) out.add(a.name());
            else if (o instanceof Tuple t && t.size() == 2 && t.get(0) instanceof Atom a) out.add(a.name());
        }
        return out;
    }

    static List<?> asList(Object o) {
        return o instanceof List<?> l ? l : List.of();
    }

    private static boolean is(Tuple t, Atom tag, int size) {
        return t.size() == size && tag.equals(t.get(0));
    }

    /** Sync tags are integers that may come back as Integer, Long or BigInteger. */
    static boolean tagEq(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return new java.math.BigInteger(x.toString()).equals(new java.math.BigInteger(y.toString()));
        }
        return Objects.equals(a, b);
    }
}
