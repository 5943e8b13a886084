package io.otp4j.tables;

import io.otp4j.internal.NodeRuntime;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bag or duplicate_bag: the rows of a key are an immutable array in a {@link ConcurrentHashMap},
 * replaced whole on every change (readers see a key's rows before or after a change, never half of
 * one), in insertion order.
 */
final class BagTable<K, R> extends AbstractEtsTable<K, R> {
    private final ConcurrentHashMap<Object, Object[]> map = new ConcurrentHashMap<>();
    private final LongAdder size = new LongAdder();
    private final HashCursors cursors = new HashCursors();
    private final boolean duplicates;

    BagTable(TableOptions<K, R> o, NodeRuntime node) {
        super(o, node);
        this.duplicates = o.type() == TableType.DUPLICATE_BAG;
    }

    @Override
    void put(R row, Object key) {
        int[] added = {0};
        map.compute(key, (k, arr) -> {
            added[0] = 0;
            if (arr == null) {
                added[0] = 1;
                return new Object[] {row};
            }
            if (!duplicates) {
                for (Object o : arr) if (o.equals(row)) return arr;
            }
            Object[] out = Arrays.copyOf(arr, arr.length + 1);
            out[arr.length] = row;
            added[0] = 1;
            return out;
        });
        if (added[0] != 0) size.increment();
    }

    @Override
    boolean putNew(R row, Object key) {
        if (map.putIfAbsent(key, new Object[] {row}) != null) return false;
        size.increment();
        return true;
    }

    @SuppressWarnings("unchecked")
    private List<R> list(Object[] arr) {
        return arr == null ? List.of() : (List<R>) Collections.unmodifiableList(Arrays.asList(arr));
    }

    @Override
    List<R> rowsOf(Object key) {
        return list(map.get(key));
    }

    @Override
    @SuppressWarnings("unchecked")
    R firstRowOf(Object key) {
        Object[] arr = map.get(key);
        return arr == null ? null : (R) arr[0];
    }

    @Override
    boolean contains(Object key) {
        return map.containsKey(key);
    }

    @Override
    List<R> removeKey(Object key) {
        Object[] arr = map.remove(key);
        if (arr != null) size.add(-arr.length);
        return list(arr);
    }

    @Override
    void removeObject(R row, Object key) {
        int[] removed = {0};
        map.computeIfPresent(key, (k, arr) -> {
            int keep = 0;
            for (Object o : arr) if (!o.equals(row)) keep++;
            removed[0] = arr.length - keep;
            if (keep == arr.length) return arr;
            if (keep == 0) return null;
            Object[] out = new Object[keep];
            int i = 0;
            for (Object o : arr) if (!o.equals(row)) out[i++] = o;
            return out;
        });
        size.add(-removed[0]);
    }

    @Override
    boolean removeSeen(R row, Object key) {
        boolean[] removed = {false};
        map.computeIfPresent(key, (k, arr) -> {
            removed[0] = false;
            for (int i = 0; i < arr.length; i++) {
                if (arr[i].equals(row)) {
                    removed[0] = true;
                    if (arr.length == 1) return null;
                    Object[] out = new Object[arr.length - 1];
                    System.arraycopy(arr, 0, out, 0, i);
                    System.arraycopy(arr, i + 1, out, i, arr.length - i - 1);
                    return out;
                }
            }
            return arr;
        });
        if (removed[0]) size.decrement();
        return removed[0];
    }

    @Override
    void clear() {
        for (Iterator<Map.Entry<Object, Object[]>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, Object[]> e = it.next();
            if (map.remove(e.getKey(), e.getValue())) size.add(-e.getValue().length);
        }
        cursors.clear();
    }

    @Override
    Iterator<R> rowIterator() {
        Iterator<Object[]> keys = map.values().iterator();
        return new Iterator<>() {
            Object[] cur;
            int i;

            @Override
            public boolean hasNext() {
                while ((cur == null || i >= cur.length) && keys.hasNext()) {
                    cur = keys.next();
                    i = 0;
                }
                return cur != null && i < cur.length;
            }

            @Override
            @SuppressWarnings("unchecked")
            public R next() {
                if (!hasNext()) throw new NoSuchElementException();
                return (R) cur[i++];
            }
        };
    }

    @Override
    long count() {
        return Math.max(0, size.sum());
    }

    @Override
    long[] updateCounters(Object key, R defaultRow, Counter[] ops) {
        throw new IllegalArgumentException("update_counter needs a set or ordered_set");
    }

    @Override
    R addToCounter(Object key, int position, long increment, R defaultRow) {
        throw new IllegalArgumentException("update_counter needs a set or ordered_set");
    }

    @Override
    boolean updateElements(Object key, int[] positions, Object[] values) {
        throw new IllegalArgumentException("update_element needs a set or ordered_set");
    }

    @Override
    int entryOverhead() {
        return 40;
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
