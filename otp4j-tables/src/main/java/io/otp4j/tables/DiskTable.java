package io.otp4j.tables;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.internal.ExitHook;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;
import io.otp4j.internal.SharedHandle;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.type.ByteArrayDataType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

/**
 * A disk table on an MVStore file (ADR 0009). Keys and rows are written by {@link RowCodec}; a set
 * maps key bytes to row bytes; a bag maps key bytes followed by an 8-byte sequence number to row
 * bytes, so a key's rows are one contiguous, insertion-ordered range (the codec is prefix-free: no
 * key's bytes begin another's). Writes to one key are serialised by a striped lock; many-row
 * operations go through the same write gate as ETS (ADR 0008).
 */
final class DiskTable<K, R> implements DetsTable<K, R>, SharedHandle {
    private static final int FORMAT = 1;
    private static final int STRIPES = 64;
    private static final long SEQ_BLOCK = 1 << 20;
    private static final byte[] SEQ_MAX = {-1, -1, -1, -1, -1, -1, -1, -1};

    private static final ScheduledExecutorService AUTO_SAVE = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("otp4j-dets-autosave").factory());

    private final DetsOptions<K, R> options;
    private final NodeRuntime node;
    private final RowType<K, R> rows;
    private final int keypos;
    private final boolean bag;
    private final boolean duplicates;
    private final long id = TableRegistry.nextId();
    private final RowCodec codec;
    private final MVStore store;
    private final MVMap<byte[], byte[]> map;
    private final MVMap<String, String> meta;
    private final WriteGate gate = new WriteGate();
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final Object seqLock = new Object();
    private long seq;
    private long seqReserved;

    private final Object lifecycle = new Object();
    /** The processes that opened the table and have not closed it; {@code OUTSIDE} for threads. */
    private final LinkedHashSet<Object> users = new LinkedHashSet<>();
    private static final Object OUTSIDE = new Object();
    private final ExitHook userHook = this::userExiting;
    private volatile boolean open = true;
    private final ScheduledFuture<?> autoSave;

    private DiskTable(DetsOptions<K, R> options, NodeRuntime node, MVStore store) {
        this.options = options;
        this.node = node;
        this.rows = options.rows();
        this.keypos = rows.keypos();
        this.bag = options.type() != TableType.SET;
        this.duplicates = options.type() == TableType.DUPLICATE_BAG;
        this.codec = new RowCodec(rows.rowClass().getClassLoader());
        this.store = store;
        for (int i = 0; i < STRIPES; i++) stripes[i] = new ReentrantLock();
        this.meta = store.openMap("otp4j.meta");
        checkOrWriteMeta();
        this.map = store.openMap("otp4j.rows", new MVMap.Builder<byte[], byte[]>()
                .keyType(ByteArrayDataType.INSTANCE).valueType(ByteArrayDataType.INSTANCE));
        this.seq = Long.parseLong(meta.getOrDefault("seq", "0"));
        this.seqReserved = seq;
        this.autoSave = options.autoSave() == null || options.readOnly() ? null
                : AUTO_SAVE.scheduleWithFixedDelay(this::autoSave, options.autoSave().toMillis(),
                options.autoSave().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens (or creates) the file; the caller becomes the table's first user. */
    static <K, R> DiskTable<K, R> open(DetsOptions<K, R> options, NodeRuntime node) {
        Path file = options.file().toAbsolutePath();
        MVStore store;
        try {
            if (!options.readOnly()) {
                Path dir = file.getParent();
                if (dir != null) Files.createDirectories(dir);
            } else if (!Files.exists(file)) {
                throw new IllegalArgumentException("cannot open " + file + " read-only: it does not exist");
            }
            MVStore.Builder b = new MVStore.Builder().fileName(file.toString());
            if (options.readOnly()) b.readOnly();
            store = b.open();
        } catch (IOException e) {
            throw new IllegalStateException("cannot make the directory of " + file + ": " + e.getMessage(), e);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalStateException(file + " is already open in this JVM (under another name)", e);
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) throw e;
            throw new IllegalStateException("cannot open " + file + " as a disk table: " + e.getMessage(), e);
        }
        try {
            DiskTable<K, R> t = new DiskTable<>(options, node, store);
            t.addUser();
            return t;
        } catch (RuntimeException e) {
            store.closeImmediately();
            throw e;
        }
    }

    /** A new file gets this table's shape; an existing one must have it (dets's type/keypos mismatch). */
    private void checkOrWriteMeta() {
        String want = options.type().name() + "/" + keypos + "/" + rows.rowClass().getName();
        String have = meta.get("shape");
        if (have == null) {
            if (!meta.isEmpty() || store.hasMap("otp4j.rows")) {
                throw new IllegalArgumentException(options.file() + " is not an otp4j disk table");
            }
            if (options.readOnly()) throw new IllegalArgumentException(options.file() + " is not an otp4j disk table");
            meta.put("format", String.valueOf(FORMAT));
            meta.put("shape", want);
            return;
        }
        if (!String.valueOf(FORMAT).equals(meta.get("format"))) {
            throw new IllegalArgumentException(options.file() + " has disk table format " + meta.get("format")
                    + "; this version reads format " + FORMAT);
        }
        if (!have.equals(want)) {
            throw new IllegalArgumentException(options.file() + " holds " + have.replace('/', ' ')
                    + " (type, keypos, row class), not " + want.replace('/', ' '));
        }
    }

    // ------------------------------------------------------------------ users

    /** The calling process (or thread outside processes) starts using the table. */
    void addUser() {
        ProcessImpl caller = ProcessImpl.current();
        synchronized (lifecycle) {
            if (!open) throw closed();
            if (caller == null) {
                users.add(OUTSIDE);
            } else if (users.add(caller) && !node.addExitHook(caller.pid, userHook)) {
                users.remove(caller);
                caller.checkAlive();
            }
        }
    }

    private void userExiting(Pid pid, ExitReason reason) {
        synchronized (lifecycle) {
            users.removeIf(u -> u instanceof ProcessImpl p && p.pid.equals(pid));
            if (users.isEmpty()) shutDown();
        }
    }

    @Override
    public void close() {
        ProcessImpl caller = ProcessImpl.current();
        synchronized (lifecycle) {
            if (!open) throw closed();
            Object me = caller != null ? caller : OUTSIDE;
            if (!users.remove(me)) {
                throw new TableAccessException((caller != null ? caller.pid.toString() : "a thread outside any process")
                        + " did not open " + this + " (dets: not_owner)");
            }
            if (caller != null) node.removeExitHook(caller.pid, userHook);
            if (users.isEmpty()) shutDown();
        }
    }

    /** Closes the file whoever still uses it (the node is stopping). */
    void forceClose() {
        synchronized (lifecycle) {
            if (!open) return;
            for (Object u : users) {
                if (u instanceof ProcessImpl p) node.removeExitHook(p.pid, userHook);
            }
            users.clear();
            shutDown();
        }
    }

    private void shutDown() {
        if (!open) return;
        open = false;
        if (autoSave != null) autoSave.cancel(false);
        DetsRegistry.of(node).remove(this);
        gate.batch(() -> {
            try {
                if (!options.readOnly()) {
                    store.commit();
                    store.sync();
                }
                store.close();
            } catch (RuntimeException e) {
                store.closeImmediately();
                System.getLogger("io.otp4j.tables").log(System.Logger.Level.ERROR, "closing " + this + " failed", e);
            }
            return null;
        });
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Whether {@code other} asks for this table as it is open (same file and shape). */
    boolean compatible(DetsOptions<?, ?> other) {
        return other.file().toAbsolutePath().equals(options.file().toAbsolutePath()) && other.type() == options.type()
                && other.rows().keypos() == keypos && other.rows().rowClass() == rows.rowClass()
                && other.readOnly() == options.readOnly();
    }

    private NoSuchTableException closed() {
        return new NoSuchTableException("disk table " + this + " is closed");
    }

    private void checkRead() {
        if (!open) throw closed();
    }

    private void checkWrite() {
        if (!open) throw closed();
        if (options.readOnly()) throw new TableAccessException(this + " was opened read-only");
    }

    private void autoSave() {
        try {
            if (open) sync();
        } catch (RuntimeException e) {
            if (open) System.getLogger("io.otp4j.tables").log(System.Logger.Level.ERROR, "auto-save of " + this + " failed", e);
        }
        java.util.concurrent.CompletableFuture<Void> f = nextAutoSave.getAndSet(new java.util.concurrent.CompletableFuture<>());
        f.complete(null);
    }

    private final java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Void>> nextAutoSave =
            new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CompletableFuture<>());

    /** Completes when the next auto-save has run (for tests, which wait on it instead of sleeping). */
    java.util.concurrent.CompletableFuture<Void> nextAutoSave() {
        return nextAutoSave.get();
    }

    @Override
    public void sync() {
        checkRead();
        if (options.readOnly()) return;
        try {
            store.commit();
            store.sync();
        } catch (RuntimeException e) {
            if (!open) throw closed();
            throw new IllegalStateException("sync of " + this + " failed: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ keys and rows as bytes

    private Object keyOf(R row) {
        java.util.Objects.requireNonNull(row, "a row cannot be null");
        Object k = rows.keyOf(row);
        if (k == null) throw new IllegalArgumentException("row " + row + " has a null key");
        return k;
    }

    private byte[] keyBytes(Object key) {
        return codec.encode(java.util.Objects.requireNonNull(key, "key"));
    }

    @SuppressWarnings("unchecked")
    private R row(byte[] bytes) {
        return (R) codec.decode(bytes);
    }

    private byte[] composite(byte[] kb, long n) {
        byte[] out = Arrays.copyOf(kb, kb.length + 8);
        for (int i = 0; i < 8; i++) out[kb.length + i] = (byte) (n >>> (56 - 8 * i));
        return out;
    }

    private static byte[] keyPart(byte[] stored, boolean bag) {
        return bag ? Arrays.copyOf(stored, stored.length - 8) : stored;
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    private long nextSeq() {
        synchronized (seqLock) {
            if (seq >= seqReserved) {
                seqReserved = seq + SEQ_BLOCK;
                meta.put("seq", String.valueOf(seqReserved)); // committed with (or before) any row using it
            }
            return seq++;
        }
    }

    private ReentrantLock stripe(byte[] kb) {
        return stripes[(Arrays.hashCode(kb) & 0x7fffffff) % STRIPES];
    }

    /** The stored entries of one key: (stored key, row bytes). */
    private List<byte[][]> entriesOf(byte[] kb) {
        if (!bag) {
            byte[] v = map.get(kb);
            return v == null ? List.of() : List.<byte[][]>of(new byte[][] {kb, v});
        }
        List<byte[][]> out = new ArrayList<>(2);
        Cursor<byte[], byte[]> c = map.cursor(kb);
        while (c.hasNext()) {
            byte[] k = c.next();
            if (!startsWith(k, kb) || k.length != kb.length + 8) break;
            out.add(new byte[][] {k, c.getValue()});
        }
        return out;
    }

    private List<R> rowsOfKey(byte[] kb) {
        List<byte[][]> es = entriesOf(kb);
        if (es.isEmpty()) return List.of();
        List<R> out = new ArrayList<>(es.size());
        for (byte[][] e : es) out.add(row(e[1]));
        return java.util.Collections.unmodifiableList(out);
    }

    /** Runs a read, repeated after any many-row operation it overlapped. */
    private <T> T read(java.util.function.Supplier<T> fn) {
        checkRead();
        return gate.read(fn);
    }

    /** Runs a write to one key under the gate and the key's stripe. */
    private <T> T write(byte[] kb, java.util.function.Supplier<T> fn) {
        checkWrite();
        ReentrantLock l = stripe(kb);
        return gate.write(() -> {
            l.lock();
            try {
                return fn.get();
            } finally {
                l.unlock();
            }
        });
    }

    private boolean storeRow(byte[] kb, byte[] vb) {
        if (!bag) {
            map.put(kb, vb);
            return true;
        }
        if (!duplicates) {
            for (byte[][] e : entriesOf(kb)) if (Arrays.equals(e[1], vb)) return false;
        }
        map.put(composite(kb, nextSeq()), vb);
        return true;
    }

    // ------------------------------------------------------------------ Table

    @Override
    public RowType<K, R> rowType() {
        return rows;
    }

    @Override
    public TableType type() {
        return options.type();
    }

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public Path file() {
        return options.file();
    }

    @Override
    public DetsOptions<K, R> options() {
        return options;
    }

    @Override
    public void insert(R row) {
        byte[] kb = keyBytes(keyOf(row));
        byte[] vb = codec.encode(row);
        write(kb, () -> storeRow(kb, vb));
    }

    @Override
    public void insert(Collection<? extends R> batch) {
        insertAll(batch, false);
    }

    @Override
    public boolean insertNew(R row) {
        byte[] kb = keyBytes(keyOf(row));
        byte[] vb = codec.encode(row);
        return write(kb, () -> {
            if (!entriesOf(kb).isEmpty()) return false;
            return storeRow(kb, vb);
        });
    }

    @Override
    public boolean insertNew(Collection<? extends R> batch) {
        return insertAll(batch, true);
    }

    /** A many-row insert, alone: every row is encoded before any change; onlyNew is insert_new's. */
    private boolean insertAll(Collection<? extends R> batch, boolean onlyNew) {
        checkWrite();
        List<byte[][]> encoded = new ArrayList<>(batch.size());
        for (R r : List.copyOf(batch)) encoded.add(new byte[][] {keyBytes(keyOf(r)), codec.encode(r)});
        if (encoded.isEmpty()) return true;
        return gate.batch(() -> {
            if (onlyNew) {
                for (byte[][] e : encoded) if (!entriesOf(e[0]).isEmpty()) return false;
            }
            for (byte[][] e : encoded) storeRow(e[0], e[1]);
            return true;
        });
    }

    @Override
    public List<R> lookup(K key) {
        byte[] kb = keyBytes(key);
        return read(() -> rowsOfKey(kb));
    }

    @Override
    public Optional<R> get(K key) {
        byte[] kb = keyBytes(key);
        return read(() -> {
            List<byte[][]> es = entriesOf(kb);
            return es.isEmpty() ? Optional.<R>empty() : Optional.of(row(es.getFirst()[1]));
        });
    }

    @Override
    public boolean member(K key) {
        byte[] kb = keyBytes(key);
        return read(() -> !entriesOf(kb).isEmpty());
    }

    @Override
    public Object lookupElement(K key, int position) {
        List<R> found = lookup(key);
        if (found.isEmpty()) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        List<Object> out = new ArrayList<>(found.size());
        for (R r : found) {
            if (position < 1 || position > rows.arity(r)) {
                throw new IllegalArgumentException("position " + position + " is outside row " + r);
            }
            out.add(rows.element(r, position));
        }
        return bag ? List.copyOf(out) : out.getFirst();
    }

    @Override
    public void delete(K key) {
        byte[] kb = keyBytes(key);
        write(kb, () -> {
            for (byte[][] e : entriesOf(kb)) map.remove(e[0]);
            return null;
        });
    }

    @Override
    public void deleteObject(R row) {
        byte[] kb = keyBytes(keyOf(row));
        byte[] vb = codec.encode(row);
        write(kb, () -> {
            for (byte[][] e : entriesOf(kb)) if (Arrays.equals(e[1], vb)) map.remove(e[0]);
            return null;
        });
    }

    @Override
    public void deleteAllObjects() {
        checkWrite();
        gate.batch(() -> {
            map.clear();
            return null;
        });
    }

    @Override
    public long updateCounter(K key, int position, long increment) {
        if (bag) throw new IllegalArgumentException("update_counter needs a set, " + this + " is a " + type().name().toLowerCase());
        if (position == keypos) throw new IllegalArgumentException("position " + keypos + " is the key, not a counter");
        byte[] kb = keyBytes(key);
        return write(kb, () -> {
            byte[] old = map.get(kb);
            if (old == null) throw new IllegalArgumentException("no row with key " + key + " in " + this);
            R updated = RowOps.addToCounter(rows, row(old), position, increment);
            map.put(kb, codec.encode(updated));
            return ((Number) rows.element(updated, position)).longValue();
        });
    }

    @Override
    public Optional<K> first() {
        return read(() -> keyAt(map.firstKey()));
    }

    @Override
    public Optional<K> next(K key) {
        byte[] kb = keyBytes(key);
        return read(() -> keyAt(map.higherKey(bag ? concat(kb, SEQ_MAX) : kb)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @SuppressWarnings("unchecked")
    private Optional<K> keyAt(byte[] stored) {
        return stored == null ? Optional.empty() : Optional.of((K) codec.decode(keyPart(stored, bag)));
    }

    /** Every row, in key order (a snapshot of the map when it starts, as MVStore cursors are). */
    private Iterator<R> rowIterator() {
        Cursor<byte[], byte[]> c = map.cursor(null);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return c.hasNext();
            }

            @Override
            public R next() {
                if (!c.hasNext()) throw new NoSuchElementException();
                c.next();
                return row(c.getValue());
            }
        };
    }

    @Override
    public List<R> toList() {
        checkRead();
        List<R> out = new ArrayList<>();
        for (Iterator<R> it = rowIterator(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Override
    public <A> A foldl(A initial, BiFunction<A, ? super R, A> fn) {
        checkRead();
        A acc = initial;
        for (Iterator<R> it = rowIterator(); it.hasNext(); ) acc = fn.apply(acc, it.next());
        return acc;
    }

    @Override
    public <A> A foldr(A initial, BiFunction<A, ? super R, A> fn) {
        return foldl(initial, fn);
    }

    /** The rows a spec can match: the bound keys' rows, or all of them. */
    private Iterator<R> candidates(MatchSpec<R, ?> spec) {
        List<Object> keys = spec.boundKeys(keypos);
        if (keys == null) return rowIterator();
        List<R> out = new ArrayList<>();
        for (Object k : keys) out.addAll(rowsOfKey(keyBytes(k)));
        return out.iterator();
    }

    @Override
    public List<List<Object>> match(Pattern pattern) {
        return select(MatchSpec.<R>of(pattern).map(Match::bindings));
    }

    @Override
    public List<R> matchObject(Pattern pattern) {
        return select(MatchSpec.of(pattern));
    }

    @Override
    public long matchDelete(Pattern pattern) {
        return selectDelete(MatchSpec.of(pattern));
    }

    @Override
    public <T> List<T> select(MatchSpec<R, T> spec) {
        checkRead();
        return spec.selectFrom(rows, candidates(spec));
    }

    @Override
    public <T> Selection<T> select(MatchSpec<R, T> spec, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        checkRead();
        return spec.chunkFrom(rows, candidates(spec), limit, this::checkRead);
    }

    @Override
    public long selectDelete(MatchSpec<R, ?> spec) {
        checkWrite();
        long n = 0;
        for (Iterator<R> it = candidates(spec); it.hasNext(); ) {
            R row = it.next();
            if (!MatchSpec.deletes(spec.apply(rows, row))) continue;
            byte[] kb = keyBytes(keyOf(row));
            byte[] vb = codec.encode(row);
            n += write(kb, () -> {
                for (byte[][] e : entriesOf(kb)) {
                    if (Arrays.equals(e[1], vb)) {
                        map.remove(e[0]);
                        return 1; // one stored copy per matched row
                    }
                }
                return 0;
            });
        }
        return n;
    }

    @Override
    public long selectCount(MatchSpec<R, ?> spec) {
        checkRead();
        return spec.countFrom(rows, candidates(spec));
    }

    @Override
    public long size() {
        checkRead();
        return map.sizeAsLong();
    }

    @Override
    public TableInfo info() {
        checkRead();
        Pid owner;
        synchronized (lifecycle) {
            owner = users.stream().filter(u -> u instanceof ProcessImpl).map(u -> ((ProcessImpl) u).pid).findFirst().orElse(null);
        }
        long bytes;
        try {
            bytes = Files.size(options.file());
        } catch (IOException e) {
            bytes = -1;
        }
        return new TableInfo(options.name(), id, node.name(), options.type(), Access.PUBLIC, owner, null, keypos,
                map.sizeAsLong(), bytes, false, false, rows.rowClass());
    }

    @Override
    public String toString() {
        return "#Dets<" + options.name() + ">";
    }
}
