package io.otp4j.tables;

import io.otp4j.Tuple;
import io.otp4j.internal.NodeRuntime;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/** An ordered_set: one row per key in a {@link ConcurrentSkipListMap} sorted by {@link TermOrder}. */
final class OrderedSetTable<K, R> extends MapTable<K, R> {
    private final ConcurrentSkipListMap<Object, R> sorted;
    /** The skip list's own size() walks every node. */
    private final LongAdder size = new LongAdder();

    OrderedSetTable(TableOptions<K, R> o, NodeRuntime node) {
        this(o, node, new ConcurrentSkipListMap<>(TermOrder.INSTANCE));
    }

    private OrderedSetTable(TableOptions<K, R> o, NodeRuntime node, ConcurrentSkipListMap<Object, R> sorted) {
        super(o, node, sorted, true);
        this.sorted = sorted;
    }

    @Override
    void added() {
        size.increment();
    }

    @Override
    void removed() {
        size.decrement();
    }

    @Override
    Iterator<R> reverseRowIterator() {
        return sorted.descendingMap().values().iterator();
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
        return sorted.subMap(Tuple.of(lo), true, Tuple.of(hi), true).values().iterator();
    }

    @Override
    long count() {
        return Math.max(0, size.sum());
    }

    @Override
    int entryOverhead() {
        return 56; // a node, and index nodes for a quarter of the keys on average
    }

    @Override
    public Optional<K> first() {
        checkRead();
        return keyOf(sorted.firstEntry());
    }

    @Override
    public Optional<K> last() {
        checkRead();
        return keyOf(sorted.lastEntry());
    }

    @Override
    public Optional<K> next(K key) {
        checkRead();
        return keyOf(sorted.higherEntry(key));
    }

    @Override
    public Optional<K> prev(K key) {
        checkRead();
        return keyOf(sorted.lowerEntry(key));
    }

    /** The key as the row holds it (1.0 and 1 are one ordered_set key; the row has the latest). */
    private Optional<K> keyOf(Map.Entry<Object, R> e) {
        return e == null ? Optional.empty() : Optional.of(rows.keyOf(e.getValue()));
    }
}
