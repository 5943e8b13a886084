package io.otp4j.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How pids and references print their node: 0 for a node running in this JVM, and for other nodes
 * a small number given in order of first appearance (Erlang prints the index of the node's
 * connection entry in the same place).
 */
public final class NodeNames {
    private static final ConcurrentHashMap<String, Integer> INDEX = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT = new AtomicInteger(1);

    private NodeNames() {
    }

    static void local(String node) {
        INDEX.put(node, 0);
    }

    public static int index(String node) {
        Integer i = INDEX.get(node);
        return i != null ? i : INDEX.computeIfAbsent(node, n -> NEXT.getAndIncrement());
    }
}
