package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A set: one row per key in a {@link ConcurrentHashMap} (lock-free reads, per-bin writes). */
final class SetTable<K, R> extends MapTable<K, R> {
    private final HashCursors cursors = new HashCursors();

    SetTable(TableOptions<K, R> o, NodeRuntime node) {
        super(o, node, new ConcurrentHashMap<>(), false);
    }

    @Override
    void clear() {
        super.clear();
        cursors.clear();
    }

    @Override
    long count() {
        return ((ConcurrentHashMap<Object, R>) map).mappingCount();
    }

    @Override
    int entryOverhead() {
        return 40; // a map node and its share of the bin array
    }

    @Override
    public Optional<K> first() {
        checkRead();
        return HashCursors.first(map.keySet());
    }

    @Override
    public Optional<K> next(K key) {
        checkRead();
        return cursors.next(key, () -> map.keySet().iterator(), map::containsKey);
    }
}
