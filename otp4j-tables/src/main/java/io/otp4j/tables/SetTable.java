package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** A set: one row per key in a {@link ConcurrentHashMap} (lock-free reads, per-bin writes). */
final class SetTable<K, R> extends AbstractEtsTable<K, R> {
    private final ConcurrentHashMap<Object, R> map = new ConcurrentHashMap<>();
    private final HashCursors cursors = new HashCursors();

    SetTable(TableOptions<K, R> o, NodeRuntime node) {
        super(o, node);
    }

    @Override
    void put(R row, Object key) {
        map.put(key, row);
    }

    @Override
    boolean putNew(R row, Object key) {
        return map.putIfAbsent(key, row) == null;
    }

    @Override
    List<R> rowsOf(Object key) {
        R r = map.get(key);
        return r == null ? List.of() : List.of(r);
    }

    @Override
    R firstRowOf(Object key) {
        return map.get(key);
    }

    @Override
    boolean contains(Object key) {
        return map.containsKey(key);
    }

    @Override
    List<R> removeKey(Object key) {
        R r = map.remove(key);
        return r == null ? List.of() : List.of(r);
    }

    @Override
    void removeObject(R row, Object key) {
        map.remove(key, row);
    }

    @Override
    boolean removeSeen(R row, Object key) {
        return map.remove(key, row);
    }

    @Override
    void clear() {
        map.clear();
        cursors.clear();
    }

    @Override
    Iterator<R> rowIterator() {
        return map.values().iterator();
    }

    @Override
    long count() {
        return map.mappingCount();
    }

    @Override
    long[] updateCounters(Object key, R defaultRow, Counter[] ops) {
        long[] out = new long[ops.length];
        R r = map.compute(key, (k, row) -> {
            if (row == null) {
                if (defaultRow == null) return null;
                row = defaultFor(defaultRow, k);
            }
            return applyCounters(row, ops, out);
        });
        if (r == null) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        return out;
    }

    @Override
    R addToCounter(Object key, int position, long increment, R defaultRow) {
        R r = map.compute(key, (k, row) -> {
            if (row == null) {
                if (defaultRow == null) return null;
                row = defaultFor(defaultRow, k);
            }
            return applyCounter(row, position, increment);
        });
        if (r == null) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        return r;
    }

    @Override
    boolean updateElements(Object key, int[] positions, Object[] values) {
        return map.computeIfPresent(key, (k, row) -> applyElements(row, positions, values)) != null;
    }

    @Override
    int entryOverhead() {
        return 40; // a map node and its share of the bin array
    }

    @Override
    public Optional<K> first() {
        checkRead();
        Iterator<Object> it = map.keySet().iterator();
        @SuppressWarnings("unchecked")
        Optional<K> k = it.hasNext() ? Optional.of((K) it.next()) : Optional.empty();
        return k;
    }

    @Override
    public Optional<K> next(K key) {
        checkRead();
        return cursors.next(key, () -> map.keySet().iterator(), map::containsKey);
    }
}
