package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** A node's open disk tables by name; they are closed (and saved) when the node stops. */
final class DetsRegistry {
    private final NodeRuntime node;
    private final ConcurrentHashMap<String, DiskTable<?, ?>> open = new ConcurrentHashMap<>();

    private DetsRegistry(NodeRuntime node) {
        this.node = node;
        node.onStop(() -> {
            for (DiskTable<?, ?> t : new ArrayList<>(open.values())) t.forceClose();
        });
    }

    static DetsRegistry of(NodeRuntime node) {
        return node.attachment(DetsRegistry.class, DetsRegistry::new);
    }

    /** Opens the table, or joins the caller to it if it is open under that name. */
    @SuppressWarnings("unchecked")
    synchronized <K, R> DiskTable<K, R> open(DetsOptions<K, R> options) {
        DiskTable<?, ?> t = open.get(options.name());
        if (t != null && t.isOpen()) {
            if (!t.compatible(options)) {
                throw new IllegalArgumentException("disk table '" + options.name() + "' is open with other options: "
                        + t.options() + " (dets: incompatible_arguments)");
            }
            t.addUser();
            return (DiskTable<K, R>) t;
        }
        for (DiskTable<?, ?> other : open.values()) {
            if (other.isOpen() && other.file().toAbsolutePath().equals(options.file().toAbsolutePath())) {
                throw new IllegalArgumentException(options.file() + " is open as disk table '" + other.name() + "'");
            }
        }
        DiskTable<K, R> made = DiskTable.open(options, node);
        open.put(options.name(), made);
        return made;
    }

    void remove(DiskTable<?, ?> t) {
        open.remove(t.name(), t);
    }

    DiskTable<?, ?> named(String name) {
        return open.get(name);
    }

    List<DetsTable<?, ?>> all() {
        return List.copyOf(open.values());
    }
}
