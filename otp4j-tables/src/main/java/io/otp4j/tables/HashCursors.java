package io.otp4j.tables;

import io.otp4j.internal.ProcessImpl;

import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code first/next} over a hash table, whose map has no "key after this one". Each traversal's
 * position is a live iterator of the map's keys, parked under the calling process and the key
 * {@code next} last returned: that process's next call with that key picks it up in O(1) and goes
 * on, whatever was inserted or deleted meanwhile (the map's iterators are weakly consistent: every
 * key present throughout is seen once, across resizes too). Iterators are never shared between
 * traversals: two made at different times may order keys differently after a resize. A call with a
 * key no iterator is parked at scans from the start to that key, so first-then-next is cheap and a
 * traversal handed to another process still works (as an unfixed ETS table does, it may then see a
 * key inserted meanwhile twice or miss one).
 *
 * <p>Parked iterators left by abandoned traversals are dropped when more than {@link #MAX} are
 * parked, the longest idle first; a traversal whose iterator was dropped and whose key was then
 * deleted by another process gets {@code badarg} from {@code next}, as an unfixed ETS table gives.
 */
final class HashCursors {
    static final int MAX = 1024;

    /**
     * The keys a traversal returned last. A key deleted and inserted again lands at the tail of its
     * hash bin, so an iterator still walking that bin would return it twice; bins are short (a
     * longer one becomes a tree, which inserts at its head), so the duplicate comes within a few
     * keys and a small window of recent keys is enough to drop it.
     */
    private static final int RECENT = 64;

    private record Cursor(Iterator<?> keys, java.util.LinkedHashMap<Object, Boolean> recent, long parkedAt) {
        boolean remember(Object k) {
            return recent.putIfAbsent(k, Boolean.TRUE) == null;
        }
    }

    private static java.util.LinkedHashMap<Object, Boolean> window() {
        return new java.util.LinkedHashMap<>(RECENT * 2) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Boolean> eldest) {
                return size() > RECENT;
            }
        };
    }

    /** Whose traversal is at which key: two traversals at one key must not take each other's place. */
    private record At(Object traverser, Object key) {
    }

    private final ConcurrentHashMap<At, Cursor> parked = new ConcurrentHashMap<>();

    /** The calling process, or the calling thread outside processes. */
    private static Object traverser() {
        ProcessImpl p = ProcessImpl.current();
        return p != null ? p : Thread.currentThread();
    }

    @SuppressWarnings("unchecked")
    <K> Optional<K> next(Object key, Supplier<Iterator<?>> keys, Predicate<Object> present) {
        Object who = traverser();
        Cursor c = parked.remove(new At(who, key));
        if (c == null) {
            if (!present.test(key)) {
                throw new IllegalArgumentException("next: " + key + " is not in the table (deleted, and no traversal is parked at it)");
            }
            c = new Cursor(keys.get(), window(), 0);
            boolean found = false;
            while (c.keys().hasNext()) {
                Object k = c.keys().next();
                c.remember(k);
                if (k.equals(key)) {
                    found = true;
                    break;
                }
            }
            if (!found) return Optional.empty(); // deleted while we looked for it
        }
        Iterator<?> it = c.keys();
        while (it.hasNext()) {
            Object n = it.next();
            if (!c.remember(n)) continue; // returned already: deleted and inserted again behind us
            if (parked.size() >= MAX) evict();
            parked.put(new At(who, n), new Cursor(it, c.recent(), System.nanoTime()));
            return Optional.of((K) n);
        }
        return Optional.empty();
    }

    private void evict() {
        long now = System.nanoTime();
        parked.values().removeIf(c -> now - c.parkedAt() > 5_000_000_000L);
        if (parked.size() >= MAX) {
            int drop = parked.size() / 2;
            for (Iterator<Map.Entry<At, Cursor>> it = parked.entrySet().iterator(); it.hasNext() && drop > 0; drop--) {
                it.next();
                it.remove();
            }
        }
    }

    void clear() {
        parked.clear();
    }

    /** {@code first/1} of a hash table: the first key its map's iteration gives. */
    @SuppressWarnings("unchecked")
    static <K> Optional<K> first(java.util.Set<Object> keys) {
        Iterator<Object> it = keys.iterator();
        return it.hasNext() ? Optional.of((K) it.next()) : Optional.empty();
    }
}
