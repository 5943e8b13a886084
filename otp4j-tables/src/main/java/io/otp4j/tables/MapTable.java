package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

/**
 * A table with one row per key in a concurrent map: the set (a hash map) and the ordered_set (a
 * skip list). Every write to a key is one atomic map operation; update_counter and update_element
 * are a {@code compute} on the key, which may run its function more than once (the skip list
 * retries), so the functions have no effects besides their result.
 */
abstract class MapTable<K, R> extends AbstractEtsTable<K, R> {
    final ConcurrentMap<Object, R> map;
    /** Whether the type counts its rows itself ({@link #added}, {@link #removed}). */
    private final boolean counting;

    MapTable(TableOptions<K, R> o, NodeRuntime node, ConcurrentMap<Object, R> map, boolean counting) {
        super(o, node);
        this.map = map;
        this.counting = counting;
    }

    /** A row was added (not replaced): for types that count their rows themselves. */
    void added() {
    }

    /** A row was removed. */
    void removed() {
    }

    @Override
    final void put(R row, Object key) {
        if (map.put(key, row) == null) added();
    }

    @Override
    final boolean putNew(R row, Object key) {
        if (map.putIfAbsent(key, row) != null) return false;
        added();
        return true;
    }

    @Override
    final List<R> rowsOf(Object key) {
        R r = map.get(key);
        return r == null ? List.of() : List.of(r);
    }

    @Override
    final R firstRowOf(Object key) {
        return map.get(key);
    }

    @Override
    final boolean contains(Object key) {
        return map.containsKey(key);
    }

    @Override
    final List<R> removeKey(Object key) {
        R r = map.remove(key);
        if (r == null) return List.of();
        removed();
        return List.of(r);
    }

    @Override
    final void removeObject(R row, Object key) {
        removeSeen(row, key);
    }

    @Override
    final boolean removeSeen(R row, Object key) {
        if (!map.remove(key, row)) return false;
        removed();
        return true;
    }

    @Override
    void clear() {
        // entry by entry, not map.clear(): rows inserted meanwhile must be counted right
        for (Iterator<Map.Entry<Object, R>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, R> e = it.next();
            if (map.remove(e.getKey(), e.getValue())) removed();
        }
    }

    @Override
    final Iterator<R> rowIterator() {
        return map.values().iterator();
    }

    /**
     * Replaces the row with {@code key} by {@code change} of it, inserting {@code defaultRow} (with
     * the key) first if there is none and one is given; returns the new row.
     */
    private R change(Object key, R defaultRow, UnaryOperator<R> change) {
        boolean[] added = new boolean[1];
        R r = map.compute(key, (k, row) -> {
            added[0] = false;
            if (row == null) {
                if (defaultRow == null) return null;
                row = defaultFor(defaultRow, k);
                added[0] = true;
            }
            return change.apply(row);
        });
        if (r == null) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        if (added[0]) added();
        return r;
    }

    @Override
    final R addToCounter(Object key, int position, long increment, R defaultRow) {
        if (counting) return change(key, defaultRow, row -> applyCounter(row, position, increment));
        // the hot path of a set: one capturing function, nothing to count
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
    final long[] updateCounters(Object key, R defaultRow, Counter[] ops) {
        long[] out = new long[ops.length];
        change(key, defaultRow, row -> applyCounters(row, ops, out));
        return out;
    }

    @Override
    final boolean updateElements(Object key, int[] positions, Object[] values) {
        return map.computeIfPresent(key, (k, row) -> applyElements(row, positions, values)) != null;
    }
}
