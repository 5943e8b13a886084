package io.otp4j.dist;

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

/**
 * {@code global}'s locks taken on a set of nodes ({@code set_lock}/{@code del_lock} calls to each
 * node's {@code global_name_server}), as the locker and the registrar take them. Called from a
 * process: that process holds the locks.
 */
final class GlobalLocks {
    private static final Logger LOG = LoggerFactory.getLogger("io.otp4j.dist.global");
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Distribution dist;
    private final GlobalServer state;
    private final String me;

    /** global's boss of a set of nodes: the greatest name, locked first and freed last. */
    static String boss(List<String> nodes) {
        return nodes.stream().max(Comparator.naturalOrder()).orElseThrow();
    }

    GlobalLocks(Distribution dist, GlobalServer state) {
        this.dist = dist;
        this.state = state;
        this.me = dist.name();
    }

    boolean canSetLockHere(Tuple id) {
        GlobalServer.Lock l = state.locks.get(id.get(0));
        return l == null || Objects.equals(l.requester(), id.get(1));
    }

    /** {@code set_lock} on each node, once; on a refusal the locks taken are given back. */
    boolean setLock(Tuple id, List<String> nodes) {
        if (nodes.isEmpty()) return true;
        if (nodes.size() > 1 && nodes.contains(me) && !canSetLockHere(id)) return false;
        List<String> taken = new ArrayList<>();
        for (String n : nodes) {
            if (Boolean.TRUE.equals(callGlobal(n, Tuple.of(GlobalServer.SET_LOCK, id)))) {
                taken.add(n);
            } else {
                delLock(id, taken);
                return false;
            }
        }
        return true;
    }

    void delLock(Tuple id, List<String> nodes) {
        for (String n : nodes) callGlobal(n, Tuple.of(GlobalServer.DEL_LOCK, id));
    }

    /** Gives the lock back, the boss's last. */
    void deleteGlobalLock(Tuple id, List<String> nodes) {
        String boss = boss(nodes);
        List<String> others = new ArrayList<>(nodes);
        others.remove(boss);
        delLock(id, others);
        delLock(id, List.of(boss));
    }

    Object callGlobal(String node, Object request) {
        try {
            return node.equals(me)
                    ? GenServer.call(ServerRef.named(GlobalServer.NAME), request, CALL_TIMEOUT)
                    : dist.call(GlobalServer.NAME, node, request, CALL_TIMEOUT);
        } catch (RuntimeException e) {
            LOG.debug("global locker: {} on {} failed: {}", request, node, e.toString());
            return null;
        }
    }

}
