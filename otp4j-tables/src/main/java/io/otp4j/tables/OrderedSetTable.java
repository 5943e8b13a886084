package io.otp4j.tables;

import io.otp4j.Tuple;
import io.otp4j.internal.NodeRuntime;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/** An ordered_set: one row per key in a {@link ConcurrentSkipListMap} sorted by {@link TermOrder}. */
final class OrderedSetTable<K, R> extends AbstractEtsTable<K, R> {
    private final ConcurrentSkipListMap<Object, R> map = new ConcurrentSkipListMap<>(TermOrder.INSTANCE);
    /** The skip list's own size() walks every node. */
    private final LongAdder size = new LongAdder();

    OrderedSetTable(TableOptions<K, R> o, NodeRuntime node) {
        super(o, node);
    }

    @Override
    void put(R row, Object key) {
        if (map.put(key, row) == null) size.increment();
    }

    @Override
    boolean putNew(R row, Object key) {
        if (map.putIfAbsent(key, row) != null) return false;
        size.increment();
        return true;
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
        if (r == null) return List.of();
        size.decrement();
        return List.of(r);
    }

    @Override
    void removeObject(R row, Object key) {
        removeSeen(row, key);
    }

    @Override
    boolean removeSeen(R row, Object key) {
        if (!map.remove(key, row)) return false;
        size.decrement();
        return true;
    }

    @Override
    void clear() {
        // not map.clear(): rows inserted meanwhile must be counted right
        for (Iterator<Map.Entry<Object, R>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, R> e = it.next();
            if (map.remove(e.getKey(), e.getValue())) size.decrement();
        }
    }

    @Override
    Iterator<R> rowIterator() {
        return map.values().iterator();
    }

    @Override
    Iterator<R> reverseRowIterator() {
        return map.descendingMap().values().iterator();
    }

    @Override
    Iterator<R> prefixRange(Object[] keyPattern, int groundPrefix) {
        Object[] lo = new Object[keyPattern.length];
        Object[] hi = new Object[keyPattern.length];
        for (int i = 0; i < keyPattern.length; i++) {
            if (i < groundPrefix) {
                lo[i] = hi[i] = Pattern.groundValue(keyPattern[i]);
            } else {
                lo[i] = TermOrder.BOTTOM;
                hi[i] = TermOrder.TOP;
            }
        }
        return map.subMap(Tuple.of(lo), true, Tuple.of(hi), true).values().iterator();
    }

    @Override
    long count() {
        return Math.max(0, size.sum());
    }

    @Override
    long[] updateCounters(Object key, R defaultRow, Counter[] ops) {
        long[] out = new long[ops.length];
        boolean[] added = new boolean[1];
        R r = map.compute(key, (k, row) -> {
            added[0] = false;
            if (row == null) {
                if (defaultRow == null) return null;
                row = defaultFor(defaultRow, k);
                added[0] = true;
            }
            return applyCounters(row, ops, out);
        });
        if (r == null) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        if (added[0]) size.increment();
        return out;
    }

    @Override
    R addToCounter(Object key, int position, long increment, R defaultRow) {
        boolean[] added = new boolean[1];
        R r = map.compute(key, (k, row) -> {
            added[0] = false;
            if (row == null) {
                if (defaultRow == null) return null;
                row = defaultFor(defaultRow, k);
                added[0] = true;
            }
            return applyCounter(row, position, increment);
        });
        if (r == null) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        if (added[0]) size.increment();
        return r;
    }

    @Override
    boolean updateElements(Object key, int[] positions, Object[] values) {
        return map.computeIfPresent(key, (k, row) -> applyElements(row, positions, values)) != null;
    }

    @Override
    int entryOverhead() {
        return 56; // a node, and index nodes for a quarter of the keys on average
    }

    @Override
    public Optional<K> first() {
        checkRead();
        return keyOf(map.firstEntry());
    }

    @Override
    public Optional<K> last() {
        checkRead();
        return keyOf(map.lastEntry());
    }

    @Override
    public Optional<K> next(K key) {
        checkRead();
        return keyOf(map.higherEntry(key));
    }

    @Override
    public Optional<K> prev(K key) {
        checkRead();
        return keyOf(map.lowerEntry(key));
    }

    /** The key as the row holds it (1.0 and 1 are one ordered_set key; the row has the latest). */
    private Optional<K> keyOf(Map.Entry<Object, R> e) {
        return e == null ? Optional.empty() : Optional.of(rows.keyOf(e.getValue()));
    }
}
