package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import io.otp4j.behaviour.GenServer;
import io.otp4j.behaviour.ServerRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The locker of {@code global}: when a node comes up, the two nodes' lockers take {@code global}'s
 * lock on both partitions before the servers exchange names, so that no name is registered while
 * two partitions merge. One side locks its partition and the other's node, then asks the other
 * locker (through its server) to lock its own side; with both sides locked, each tells its server
 * ({@code lock_is_set}), and keeps the lock until its server cancels it once the names are
 * resolved. Both lockers use the same lock id (the sorted pair of locker pids), so the nodes the
 * partitions share are locked by both.
 */
final class GlobalLocker {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.dist.global");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    /** A node came up: its locker, and the tags of this sync session. */
    record HisTheLocker(Pid locker, String node, int vsn, Object hisTag, Object myTag) {
    }

    /** The session with {@code node} tagged {@code tag} is over; {@code then} runs before the lock goes. */
    record Cancel(String node, Object tag, Runnable then) {
    }

    record AddToKnown(List<String> nodes) {
    }

    record RemoveFromKnown(String node) {
    }

    private final Distribution dist;
    private final Pid server;
    private final String me;
    private final GlobalServer state; // read only: whether a lock can be taken here
    private final GlobalLocks locks;
    private final List<HisTheLocker> hims = new ArrayList<>();
    private final List<String> known = new ArrayList<>();
    private boolean justSynced;

    GlobalLocker(Distribution dist, Pid server, GlobalServer state) {
        this.dist = dist;
        this.server = server;
        this.me = dist.name();
        this.state = state;
        this.locks = new GlobalLocks(dist, state);
    }

    void run() {
        for (;;) {
            Duration timeout = hims.isEmpty() ? Proc.INFINITY
                    : justSynced ? Duration.ZERO
                    : known.isEmpty() ? Duration.ofMillis(200)
                    : Duration.ofMillis(Math.min(1000 + 100L * known.size(), 3000));
            justSynced = false;
            Optional<Object> msg = Proc.receive(timeout);
            if (LOG.isDebugEnabled()) LOG.debug("global locker {}: {} (waiting for {})", me, msg.orElse("timeout"), hims);
            if (msg.isEmpty()) {
                if (!state.locks.containsKey(GlobalServer.GLOBAL)) selectNode();
                continue;
            }
            switch (msg.get()) {
                case HisTheLocker h -> hims.add(h);
                case Cancel c -> remove(c.node(), c.tag());
                case AddToKnown a -> {
                    for (String n : a.nodes()) if (!known.contains(n)) known.add(n);
                }
                case RemoveFromKnown r -> known.remove(r.node());
                case Tuple t when isLockSet(t) -> spontaneous(t);
                default -> LOG.debug("global locker: message ignored: {}", msg.get());
            }
        }
    }

    private static boolean isLockSet(Tuple t) {
        return (t.size() == 4 || t.size() == 5) && GlobalServer.LOCK_SET.equals(t.get(0)) && t.get(1) instanceof Pid;
    }

    /** The other side locked its partition and ours: lock ours too, and answer. */
    private void spontaneous(Tuple t) {
        Pid his = (Pid) t.get(1);
        if (!Boolean.TRUE.equals(t.get(2))) return; // a spurious refusal
        HisTheLocker him = find(his.node());
        if (him == null || (t.size() == 5 && !GlobalServer.tagEq(t.get(4), him.myTag()))) {
            sendLockSet(false, his);
            return;
        }
        Tuple lockId = lockId(his);
        boolean set = lockNodesSafely(lockId, List.of());
        sendLockSet(set, his);
        if (set) {
            GenServer.cast(ServerRef.of(server), new GlobalServer.LockIsSet(him.node(), him.myTag(), lockId));
            List<String> lockedNodes = new ArrayList<>();
            lockedNodes.add(me);
            lockedNodes.addAll(known);
            waitCancelLock(him, lockId, lockedNodes);
            justSynced = true;
            hims.remove(him);
        }
    }

    /** Nobody locked yet: pick a node waiting to sync, lock both sides, and ask it to confirm. */
    private void selectNode() {
        List<HisTheLocker> candidates = new ArrayList<>();
        for (HisTheLocker h : hims) if (!known.contains(h.node())) candidates.add(h);
        if (candidates.isEmpty()) return;
        HisTheLocker him = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        Tuple lockId = lockId(him.locker());
        if (!lockNodesSafely(lockId, List.of(him.node()))) return;
        List<String> lockedNodes = new ArrayList<>(List.of(me, him.node()));
        lockedNodes.addAll(known);
        sendLockSet(true, him.locker());
        String node = him.node();
        Object answer = Proc.receive(m -> switch (m) {
            case Tuple t when isLockSet(t) && ((Pid) t.get(1)).node().equals(node) -> t;
            case Cancel c when c.node().equals(node) && GlobalServer.tagEq(c.tag(), him.myTag()) -> c;
            default -> null;
        });
        if (answer instanceof Tuple t && Boolean.TRUE.equals(t.get(2))) {
            GenServer.cast(ServerRef.of(server), new GlobalServer.LockIsSet(node, him.myTag(), lockId));
            waitCancelLock(him, lockId, lockedNodes);
            justSynced = true;
            hims.remove(him);
        } else if (answer instanceof Cancel c) {
            if (c.then() != null) c.then().run();
            locks.deleteGlobalLock(lockId, lockedNodes);
            hims.remove(him);
        } else {
            locks.deleteGlobalLock(lockId, lockedNodes); // refused: try again later
        }
    }

    /** Holds the lock until the server says the session is over. */
    private void waitCancelLock(HisTheLocker him, Tuple lockId, List<String> lockedNodes) {
        Cancel c = Proc.receive(m -> m instanceof Cancel x && x.node().equals(him.node())
                && GlobalServer.tagEq(x.tag(), him.myTag()) ? x : null);
        if (c.then() != null) c.then().run();
        locks.deleteGlobalLock(lockId, lockedNodes);
    }

    private void remove(String node, Object tag) {
        if (tag == null) return; // an old nodedown must not cancel a new nodeup
        hims.removeIf(h -> h.node().equals(node) && GlobalServer.tagEq(h.myTag(), tag));
    }

    private HisTheLocker find(String node) {
        for (HisTheLocker h : hims) if (h.node().equals(node)) return h;
        return null;
    }

    private void sendLockSet(boolean set, Pid his) {
        dist.cast(GlobalServer.NAME, his.node(),
                Tuple.of(GlobalServer.LOCK_SET, Proc.self(), set, GlobalServer.atoms(known)));
    }

    /** Both lockers lock with the same id: {@code {global, lists:sort([Locker1, Locker2])}}. */
    private Tuple lockId(Pid his) {
        List<Pid> pair = new ArrayList<>(List.of(Proc.self(), his));
        pair.sort(ERLANG_PID_ORDER);
        return Tuple.of(GlobalServer.GLOBAL, pair);
    }

    /** Erlang's term order for pids: serial, then number, then node, then creation. */
    static final Comparator<Pid> ERLANG_PID_ORDER = Comparator.comparingInt(Pid::serial)
            .thenComparingInt(Pid::id).thenComparing(Pid::node).thenComparingInt(Pid::creation);

    /** Locks the boss (the greatest node) first, then this node and {@code extra}, then every known node. */
    private boolean lockNodesSafely(Tuple lockId, List<String> extra) {
        List<String> all = new ArrayList<>(known);
        all.add(me);
        String boss = GlobalLocks.boss(all);
        if (!boss.equals(me) && !locks.canSetLockHere(lockId)) return false;
        List<String> first = List.of(boss);
        if (!locks.setLock(lockId, first)) return false;
        List<String> second = new ArrayList<>();
        second.add(me);
        second.addAll(extra);
        second.removeAll(first);
        if (!locks.setLock(lockId, second)) {
            locks.delLock(lockId, first);
            return false;
        }
        List<String> rest = new ArrayList<>(known);
        rest.removeAll(first);
        if (!locks.setLock(lockId, rest)) {
            List<String> soFar = new ArrayList<>(first);
            soFar.addAll(second);
            locks.delLock(lockId, soFar);
            return false;
        }
        return true;
    }

}
