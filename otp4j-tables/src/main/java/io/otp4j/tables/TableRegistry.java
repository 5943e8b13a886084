package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** A node's ETS tables: every live one, and the named ones by name. Tables die with their node. */
final class TableRegistry {
    private static final AtomicLong IDS = new AtomicLong();

    private final ConcurrentHashMap<Long, AbstractEtsTable<?, ?>> all = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AbstractEtsTable<?, ?>> named = new ConcurrentHashMap<>();

    private TableRegistry(NodeRuntime node) {
        node.onStop(() -> {
            for (AbstractEtsTable<?, ?> t : new ArrayList<>(all.values())) t.destroy();
        });
    }

    static TableRegistry of(NodeRuntime node) {
        return node.attachment(TableRegistry.class, TableRegistry::new);
    }

    static long nextId() {
        return IDS.incrementAndGet();
    }

    /** Registers a new table; false if its name is taken. */
    boolean add(AbstractEtsTable<?, ?> t) {
        if (t.name() != null && named.putIfAbsent(t.name(), t) != null) return false;
        all.put(t.id(), t);
        return true;
    }

    void remove(AbstractEtsTable<?, ?> t) {
        all.remove(t.id(), t);
        if (t.name() != null) named.remove(t.name(), t);
    }

    AbstractEtsTable<?, ?> named(String name) {
        return named.get(name);
    }

    List<EtsTable<?, ?>> all() {
        return List.copyOf(all.values());
    }
}
