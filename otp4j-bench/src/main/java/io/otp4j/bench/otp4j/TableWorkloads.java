package io.otp4j.bench.otp4j;

import io.otp4j.Pid;
import io.otp4j.Proc;
import io.otp4j.Tuple;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.tables.Access;
import io.otp4j.tables.Dets;
import io.otp4j.tables.DetsOptions;
import io.otp4j.tables.DetsTable;
import io.otp4j.tables.Ets;
import io.otp4j.tables.EtsTable;
import io.otp4j.tables.TableOptions;
import io.otp4j.tables.TableType;

import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListMap;

import static io.otp4j.bench.BenchSupport.check;

/**
 * The ETS workloads of WORKLOADS.md, each in two forms: on otp4j's ETS tables ({@code impl=otp4j})
 * and on the raw Java collection an ETS table of that type is built on, doing the same work in the
 * same processes ({@code impl=java}): a {@link ConcurrentHashMap} for a set, a
 * {@link ConcurrentSkipListMap} in natural order for an ordered_set, rows as {@link Tuple}s in
 * both. The difference between the two is what the ETS layer costs (ownership, access checks,
 * the write gate, term order).
 *
 * <p>As in the BEAM module: inserts of {I, I} for I from N down to 1 by the table's owner; lookups
 * of N keys drawn uniformly from 1..N with a fixed seed (generated before timing), summed and
 * checked; update_counter from two processes over 1,000 keys, the second starting half way round.
 */
final class TableWorkloads {
    private TableWorkloads() {
    }

    /** The BEAM's defaults and a table that is either ETS or a raw map. */
    private interface Rows {
        void insert(Tuple row);

        Tuple lookup(int key);

        long updateCounter(int key);

        long size();

        long counterSum();

        void delete();
    }

    private static Rows ets(TableType type, Access access) {
        EtsTable<Object, Tuple> t = Ets.newTable(TableOptions.tuples().type(type).access(access)
                .readConcurrency(true).writeConcurrency(true));
        return new Rows() {
            @Override
            public void insert(Tuple row) {
                t.insert(row);
            }

            @Override
            public Tuple lookup(int key) {
                var found = t.lookup(key);
                return found.isEmpty() ? null : found.getFirst();
            }

            @Override
            public long updateCounter(int key) {
                return t.updateCounter(key, 2, 1);
            }

            @Override
            public long size() {
                return t.size();
            }

            @Override
            public long counterSum() {
                return t.foldl(0L, (acc, r) -> acc + ((Number) r.get(1)).longValue());
            }

            @Override
            public void delete() {
                t.delete();
            }
        };
    }

    private static Rows raw(TableType type) {
        ConcurrentMap<Object, Tuple> m = type == TableType.ORDERED_SET ? new ConcurrentSkipListMap<>() : new ConcurrentHashMap<>();
        return new Rows() {
            @Override
            public void insert(Tuple row) {
                m.put(row.get(0), row);
            }

            @Override
            public Tuple lookup(int key) {
                return m.get(key);
            }

            @Override
            public long updateCounter(int key) {
                long[] out = new long[1];
                m.compute(key, (k, row) -> {
                    int v = (Integer) row.get(1) + 1;
                    out[0] = v;
                    return Tuple.of(k, v);
                });
                return out[0];
            }

            @Override
            public long size() {
                return m.size();
            }

            @Override
            public long counterSum() {
                long s = 0;
                for (Tuple r : m.values()) s += ((Number) r.get(1)).longValue();
                return s;
            }

            @Override
            public void delete() {
                m.clear();
            }
        };
    }

    private static Rows table(boolean raw, TableType type, Access access) {
        return raw ? raw(type) : ets(type, access);
    }

    /** ets_insert / ets_ordered_insert: N inserts of {I, I} from the table's owner. */
    static double[] insert(NodeRuntime node, boolean raw, TableType type, int n) throws Exception {
        return node.run(() -> {
            Rows t = table(raw, type, Access.PROTECTED);
            long t0 = System.nanoTime();
            for (int i = n; i > 0; i--) t.insert(Tuple.of(i, i));
            long t1 = System.nanoTime();
            long size = t.size();
            t.delete();
            check(size == n, "table size " + size + ", expected " + n);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /** N keys uniform in 1..N from a fixed seed, made once per run. */
    static int[] randomKeys(int n) {
        SplittableRandom rnd = new SplittableRandom(4711);
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) keys[i] = 1 + rnd.nextInt(n);
        return keys;
    }

    private static long sum(int[] keys, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) s += keys[i];
        return s;
    }

    private static long lookupSum(Rows t, int[] keys, int from, int to) {
        long s = 0;
        for (int i = from; i < to; i++) {
            Tuple row = t.lookup(keys[i]);
            s += (Integer) row.get(1);
        }
        return s;
    }

    /** ets_lookup: N random lookups by the owner of a set holding {K, K} for K in 1..N. */
    static double[] lookup(NodeRuntime node, boolean raw, int[] keys) throws Exception {
        int n = keys.length;
        long expected = sum(keys, 0, n);
        return node.run(() -> {
            Rows t = table(raw, TableType.SET, Access.PROTECTED);
            for (int i = n; i > 0; i--) t.insert(Tuple.of(i, i));
            long t0 = System.nanoTime();
            long s = lookupSum(t, keys, 0, n);
            long t1 = System.nanoTime();
            t.delete();
            check(s == expected, "sum of looked-up values " + s + ", expected " + expected);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    record Go() {
    }

    record Sum(long value) {
    }

    /** ets_lookup_2p: the same lookups, first half in one process, second half in another. */
    static double[] lookup2p(NodeRuntime node, boolean raw, int[] keys) throws Exception {
        int n = keys.length;
        long expected = sum(keys, 0, n);
        return node.run(() -> {
            Rows t = table(raw, TableType.SET, Access.PROTECTED);
            for (int i = n; i > 0; i--) t.insert(Tuple.of(i, i));
            Pid me = Proc.self();
            Pid[] ps = new Pid[2];
            for (int w = 0; w < 2; w++) {
                int from = w * (n / 2);
                int to = w == 0 ? n / 2 : n;
                ps[w] = Proc.spawn(() -> {
                    Proc.receive(m -> m instanceof Go ? m : null);
                    Proc.send(me, new Sum(lookupSum(t, keys, from, to)));
                });
            }
            awaitWaiting(node, ps);
            long t0 = System.nanoTime();
            for (Pid p : ps) Proc.send(p, new Go());
            long s = 0;
            for (int i = 0; i < 2; i++) s += Proc.receive(m -> m instanceof Sum x ? x.value() : null);
            long t1 = System.nanoTime();
            t.delete();
            check(s == expected, "sum of looked-up values " + s + ", expected " + expected);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /** ets_update_counter_2p: N update_counter calls, half in each of two processes, over {@code keys} counters. */
    static double[] updateCounter2p(NodeRuntime node, boolean raw, int n, int keys) throws Exception {
        return node.run(() -> {
            Rows t = table(raw, TableType.SET, Access.PUBLIC);
            for (int k = 1; k <= keys; k++) t.insert(Tuple.of(k, 0));
            Pid me = Proc.self();
            Pid[] ps = new Pid[2];
            int[] shares = {n / 2, n - n / 2};
            int[] offsets = {0, keys / 2};
            for (int w = 0; w < 2; w++) {
                int share = shares[w];
                int offset = offsets[w];
                ps[w] = Proc.spawn(() -> {
                    Proc.receive(m -> m instanceof Go ? m : null);
                    int i = offset;
                    for (int left = share; left > 0; left--, i++) t.updateCounter(i % keys + 1);
                    Proc.send(me, "updated");
                });
            }
            awaitWaiting(node, ps);
            long t0 = System.nanoTime();
            for (Pid p : ps) Proc.send(p, new Go());
            for (int i = 0; i < 2; i++) Proc.receive(m -> "updated".equals(m) ? m : null);
            long t1 = System.nanoTime();
            long s = t.counterSum();
            t.delete();
            check(s == n, "sum of counters " + s + ", expected " + n);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /**
     * dets_insert: N inserts of {I, I}, one call each, into a new set file, then one sync; both
     * timed, the open not. The file is in a new temporary directory, deleted afterwards.
     */
    static double[] detsInsert(NodeRuntime node, int n) throws Exception {
        return withDetsSet(node, t -> {
            long t0 = System.nanoTime();
            for (int i = n; i > 0; i--) t.insert(Tuple.of(i, i));
            t.sync();
            long t1 = System.nanoTime();
            check(t.size() == n, "table size " + t.size() + ", expected " + n);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    /** dets_lookup: a set file holding {K, K} for K in 1..N (one insert of the list, synced; not timed), N random lookups. */
    static double[] detsLookup(NodeRuntime node, int[] keys) throws Exception {
        int n = keys.length;
        long expected = sum(keys, 0, n);
        return withDetsSet(node, t -> {
            java.util.List<Tuple> all = new java.util.ArrayList<>(n);
            for (int k = 1; k <= n; k++) all.add(Tuple.of(k, k));
            t.insert(all);
            t.sync();
            long t0 = System.nanoTime();
            long s = 0;
            for (int k : keys) s += (Integer) t.lookup(k).getFirst().get(1);
            long t1 = System.nanoTime();
            check(s == expected, "sum of looked-up values " + s + ", expected " + expected);
            return new double[] {n / ((t1 - t0) / 1e9)};
        });
    }

    private static double[] withDetsSet(NodeRuntime node, java.util.function.Function<DetsTable<Object, Tuple>, double[]> fn)
            throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("otp4j_bench_dets");
        try {
            return node.run(() -> {
                DetsTable<Object, Tuple> t = Dets.open(DetsOptions.tuples(dir.resolve("bench.dets")));
                try {
                    return fn.apply(t);
                } finally {
                    t.close();
                }
            });
        } finally {
            try (var files = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * kv: redis-benchmark's workload on an ETS table. {@code clients} processes share
     * {@code requests} SETs of keys {@code key:NNNNNNNNNNNN} drawn at random from {@code keyspace}
     * with the 3-byte value {@code xxx}, then as many GETs; each phase is timed from the go to the
     * last process done. The table is public with read and write concurrency, as a shared cache's.
     */
    static double[] kv(NodeRuntime node, int clients, int requests, int keyspace) throws Exception {
        String[] keys = new String[keyspace];
        for (int i = 0; i < keyspace; i++) keys[i] = String.format("key:%012d", i);
        return node.run(() -> {
            EtsTable<Object, Tuple> t = Ets.newTable(TableOptions.tuples().access(Access.PUBLIC)
                    .readConcurrency(true).writeConcurrency(true));
            Pid me = Proc.self();
            Pid[] ps = new Pid[clients];
            for (int w = 0; w < clients; w++) {
                int share = requests / clients + (w < requests % clients ? 1 : 0);
                long seed = 17L * (w + 1);
                ps[w] = Proc.spawn(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    Proc.receive(m -> m instanceof Go ? m : null);
                    for (int i = 0; i < share; i++) t.insert(Tuple.of(keys[rnd.nextInt(keyspace)], "xxx"));
                    Proc.send(me, new Sum(0));
                    Proc.receive(m -> m instanceof Go ? m : null);
                    long hits = 0;
                    for (int i = 0; i < share; i++) {
                        if (!t.lookup(keys[rnd.nextInt(keyspace)]).isEmpty()) hits++;
                    }
                    Proc.send(me, new Sum(hits));
                });
            }
            awaitWaiting(node, ps);
            long t0 = System.nanoTime();
            for (Pid p : ps) Proc.send(p, new Go());
            for (int i = 0; i < clients; i++) Proc.receive(m -> m instanceof Sum ? m : null);
            long t1 = System.nanoTime();
            awaitWaiting(node, ps);
            long t2 = System.nanoTime();
            for (Pid p : ps) Proc.send(p, new Go());
            long hits = 0;
            for (int i = 0; i < clients; i++) hits += Proc.receive(m -> m instanceof Sum x ? x.value() : null);
            long t3 = System.nanoTime();
            long size = t.size();
            t.delete();
            check(size > keyspace * 0.9, "only " + size + " keys set");
            check(hits > requests * 0.9, "only " + hits + " of " + requests + " gets found their key");
            return new double[] {requests / ((t1 - t0) / 1e9), requests / ((t3 - t2) / 1e9)};
        });
    }

    /** Waits until every process is blocked in receive, so that timing starts with all of them ready. */
    private static void awaitWaiting(NodeRuntime node, Pid[] ps) {
        for (Pid p : ps) {
            while (!node.isWaiting(p)) Proc.yield();
        }
    }
}
