package io.otp4j.tables;

import io.otp4j.ExitReason;
import io.otp4j.Pid;
import io.otp4j.internal.ExitHook;
import io.otp4j.internal.NodeRuntime;
import io.otp4j.internal.ProcessImpl;
import io.otp4j.internal.SharedHandle;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What every ETS table type shares: ownership and heir, access rules, the write gate that makes
 * many-row operations atomic, and the operations built from a few store primitives (select, match,
 * fold, traversal). Each table type is a final subclass holding its own concurrent map, so that
 * the hot operations (lookup, insert) are direct calls on one class.
 */
abstract class AbstractEtsTable<K, R> implements EtsTable<K, R>, SharedHandle {

    final NodeRuntime node;
    final RowType<K, R> rows;
    final int keypos;
    private final TableType type;
    private final Access access;
    private final String name;
    private final long id;
    private final boolean readConcurrency;
    private final boolean writeConcurrency;
    final WriteGate gate = new WriteGate();

    private final Object lifecycle = new Object();
    /** Null for a table made outside any process. */
    private volatile ProcessImpl owner;
    private volatile Pid heir;
    private volatile Object heirData;
    private volatile boolean alive = true;
    private final ExitHook ownerHook = this::ownerExiting;

    AbstractEtsTable(TableOptions<K, R> o, NodeRuntime node) {
        this.node = node;
        this.rows = o.rows();
        this.keypos = o.rows().keypos();
        this.type = o.type();
        this.access = o.access();
        this.name = o.name();
        this.id = TableRegistry.nextId();
        this.readConcurrency = o.readConcurrency();
        this.writeConcurrency = o.writeConcurrency();
        this.heir = o.heir();
        this.heirData = o.heirData();
    }

    /** Registers the table and binds it to the calling process (its owner). */
    void open() {
        ProcessImpl caller = ProcessImpl.current();
        TableRegistry reg = TableRegistry.of(node);
        if (!reg.add(this)) {
            throw new IllegalArgumentException("a table named '" + name + "' already exists on " + node.name());
        }
        if (caller != null) {
            synchronized (lifecycle) {
                owner = caller;
                if (!node.addExitHook(caller.pid, ownerHook)) {
                    alive = false;
                    reg.remove(this);
                    caller.checkAlive();
                    throw new IllegalStateException(caller.pid + " is exiting");
                }
            }
        }
    }

    // ------------------------------------------------------------------ store primitives

    /** Stores one row (type semantics: replace or add). */
    abstract void put(R row, Object key);

    /** Stores the row unless its key is present. */
    abstract boolean putNew(R row, Object key);

    abstract List<R> rowsOf(Object key);

    abstract R firstRowOf(Object key);

    abstract boolean contains(Object key);

    abstract List<R> removeKey(Object key);

    /** Removes the rows equal to {@code row}. */
    abstract void removeObject(R row, Object key);

    /** Removes one stored occurrence of exactly this row, if it is still there (select_delete). */
    abstract boolean removeSeen(R row, Object key);

    abstract void clear();

    /** Every row, in the table's order; weakly consistent (no row present throughout is missed or seen twice). */
    abstract Iterator<R> rowIterator();

    /** Every row in reverse order (ordered_set); the same as {@link #rowIterator} for the others. */
    Iterator<R> reverseRowIterator() {
        return rowIterator();
    }

    /** The rows whose key is a tuple starting with these ground elements, or null if the type cannot. */
    Iterator<R> prefixRange(Object[] keyPattern, int groundPrefix) {
        return null;
    }

    abstract long count();

    abstract long[] updateCounters(Object key, R defaultRow, Counter[] ops);

    abstract boolean updateElements(Object key, int[] positions, Object[] values);

    /** Bytes a table holds per row besides the row itself (map nodes). */
    abstract int entryOverhead();

    // ------------------------------------------------------------------ checks

    final Object keyOf(R row) {
        Objects.requireNonNull(row, "a row cannot be null");
        Object k = rows.keyOf(row);
        if (k == null) throw new IllegalArgumentException("row " + row + " has a null key");
        return k;
    }

    private boolean callerIsOwner() {
        return ProcessImpl.current() == owner;
    }

    final void checkRead() {
        if (!alive) throw deleted();
        if (access == Access.PRIVATE && !callerIsOwner()) throw denied("read");
    }

    final void checkWrite() {
        if (!alive) throw deleted();
        if (access != Access.PUBLIC && !callerIsOwner()) throw denied("write to");
    }

    private NoSuchTableException deleted() {
        return new NoSuchTableException("table " + this + " was deleted");
    }

    private TableAccessException denied(String what) {
        ProcessImpl p = ProcessImpl.current();
        ProcessImpl o = owner;
        return new TableAccessException((p != null ? p.pid.toString() : "a thread outside any process")
                + " may not " + what + " the " + access.name().toLowerCase() + " table " + this
                + ", owned by " + (o != null ? o.pid : "no process"));
    }

    // ------------------------------------------------------------------ one-row operations

    @Override
    public final RowType<K, R> rowType() {
        return rows;
    }

    @Override
    public final TableType type() {
        return type;
    }

    @Override
    public final String name() {
        return name;
    }

    final long id() {
        return id;
    }

    @Override
    public final Access access() {
        return access;
    }

    @Override
    public final Optional<Pid> owner() {
        ProcessImpl o = owner;
        return o != null ? Optional.of(o.pid) : Optional.empty();
    }

    @Override
    public final boolean isAlive() {
        return alive;
    }

    @Override
    public final void insert(R row) {
        checkWrite();
        Object key = keyOf(row);
        int cell = gate.enter();
        try {
            put(row, key);
        } finally {
            gate.exit(cell);
        }
    }

    @Override
    public final void insert(Collection<? extends R> batch) {
        insertAll(batch, false);
    }

    @Override
    public final boolean insertNew(R row) {
        checkWrite();
        Object key = keyOf(row);
        return gate.write(() -> putNew(row, key));
    }

    @Override
    public final boolean insertNew(Collection<? extends R> batch) {
        return insertAll(batch, true);
    }

    /** A many-row insert, alone: every key is checked before any change; onlyNew is insert_new's. */
    private boolean insertAll(Collection<? extends R> batch, boolean onlyNew) {
        checkWrite();
        List<R> list = List.copyOf(batch);
        Object[] keys = new Object[list.size()];
        for (int i = 0; i < keys.length; i++) keys[i] = keyOf(list.get(i));
        if (keys.length == 0) return true;
        return gate.batch(() -> {
            if (onlyNew) {
                for (Object k : keys) if (contains(k)) return false;
            }
            for (int i = 0; i < keys.length; i++) put(list.get(i), keys[i]);
            return true;
        });
    }

    // lookup and get write the gate's read out: they are the hottest calls of a table

    @Override
    public final List<R> lookup(K key) {
        checkRead();
        long s = gate.optimistic();
        List<R> v = rowsOf(key);
        if (!gate.validate(s)) {
            long r = gate.readLock();
            try {
                v = rowsOf(key);
            } finally {
                gate.unlockRead(r);
            }
        }
        return v;
    }

    @Override
    public final Optional<R> get(K key) {
        checkRead();
        long s = gate.optimistic();
        R v = firstRowOf(key);
        if (!gate.validate(s)) {
            long r = gate.readLock();
            try {
                v = firstRowOf(key);
            } finally {
                gate.unlockRead(r);
            }
        }
        return Optional.ofNullable(v);
    }

    @Override
    public final boolean member(K key) {
        checkRead();
        return gate.read(() -> contains(key));
    }

    @Override
    public final Object lookupElement(K key, int position) {
        List<R> found = lookup(key);
        if (found.isEmpty()) throw new IllegalArgumentException("no row with key " + key + " in " + this);
        if (found.size() == 1 && (type == TableType.SET || type == TableType.ORDERED_SET)) {
            return elementAt(found.getFirst(), position);
        }
        List<Object> out = new ArrayList<>(found.size());
        for (R r : found) out.add(elementAt(r, position));
        return List.copyOf(out);
    }

    private Object elementAt(R row, int position) {
        if (position < 1 || position > rows.arity(row)) {
            throw new IllegalArgumentException("position " + position + " is outside row " + row);
        }
        return rows.element(row, position);
    }

    @Override
    public final void delete(K key) {
        take(key);
    }

    @Override
    public final List<R> take(K key) {
        checkWrite();
        Objects.requireNonNull(key, "key");
        return gate.write(() -> removeKey(key));
    }

    @Override
    public final void deleteObject(R row) {
        checkWrite();
        Object key = keyOf(row);
        gate.write(() -> {
            removeObject(row, key);
            return null;
        });
    }

    @Override
    public final void deleteAllObjects() {
        checkWrite();
        gate.batch(() -> {
            clear();
            return null;
        });
    }

    @Override
    public final long updateCounter(K key, int position, long increment) {
        return updateOneCounter(key, position, increment, null);
    }

    @Override
    public final long updateCounter(K key, int position, long increment, R defaultRow) {
        Objects.requireNonNull(defaultRow, "defaultRow");
        return updateOneCounter(key, position, increment, defaultRow);
    }

    /** The common case, one counter without a threshold: no arrays, no Counter. */
    private long updateOneCounter(K key, int position, long increment, R defaultRow) {
        checkWrite();
        Objects.requireNonNull(key, "key");
        if (type == TableType.BAG || type == TableType.DUPLICATE_BAG) {
            throw new IllegalArgumentException("update_counter needs a set or ordered_set, " + this + " is a "
                    + type.name().toLowerCase());
        }
        if (position == keypos) throw new IllegalArgumentException("position " + keypos + " is the key, not a counter");
        int cell = gate.enter();
        R row;
        try {
            row = addToCounter(key, position, increment, defaultRow);
        } finally {
            gate.exit(cell);
        }
        return ((Number) rows.element(row, position)).longValue();
    }

    /**
     * Adds {@code increment} to the counter at {@code position} of the row with {@code key} (made
     * from {@code defaultRow} if absent and given); returns the new row.
     */
    abstract R addToCounter(Object key, int position, long increment, R defaultRow);

    /** One counter, for the one-counter path. */
    final R applyCounter(R row, int position, long increment) {
        return RowOps.addToCounter(rows, row, position, increment);
    }

    @Override
    public final long[] updateCounter(K key, Counter... ops) {
        return updateCounter(key, null, ops);
    }

    @Override
    public final long[] updateCounter(K key, R defaultRow, Counter... ops) {
        checkWrite();
        Objects.requireNonNull(key, "key");
        if (type == TableType.BAG || type == TableType.DUPLICATE_BAG) {
            throw new IllegalArgumentException("update_counter needs a set or ordered_set, " + this + " is a "
                    + type.name().toLowerCase());
        }
        for (Counter c : ops) {
            if (c.position() == keypos) throw new IllegalArgumentException("position " + keypos + " is the key, not a counter");
        }
        return gate.write(() -> updateCounters(key, defaultRow, ops));
    }

    /** Applies counters to one row; {@code out} receives the new values. Shared by the set types. */
    final R applyCounters(R row, Counter[] ops, long[] out) {
        return RowOps.applyCounters(rows, row, ops, out);
    }

    /** The default row of update_counter/4, with its key set to {@code key}. */
    final R defaultFor(R defaultRow, Object key) {
        Object k = rows.keyOf(defaultRow);
        return Objects.equals(k, key) ? defaultRow : rows.withElement(defaultRow, keypos, key);
    }

    @Override
    public final boolean updateElement(K key, int position, Object value) {
        return updateElement(key, new Object[] {position, value});
    }

    @Override
    public final boolean updateElement(K key, Object... positionsAndValues) {
        checkWrite();
        Objects.requireNonNull(key, "key");
        if (type == TableType.BAG || type == TableType.DUPLICATE_BAG) {
            throw new IllegalArgumentException("update_element needs a set or ordered_set, " + this + " is a "
                    + type.name().toLowerCase());
        }
        if (positionsAndValues.length == 0 || positionsAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("give position, value pairs");
        }
        int n = positionsAndValues.length / 2;
        int[] pos = new int[n];
        Object[] vals = new Object[n];
        for (int i = 0; i < n; i++) {
            if (!(positionsAndValues[2 * i] instanceof Integer p)) {
                throw new IllegalArgumentException("position " + positionsAndValues[2 * i] + " is not an int");
            }
            if (p == keypos) throw new IllegalArgumentException("update_element cannot change the key (position " + p + ")");
            pos[i] = p;
            vals[i] = Objects.requireNonNull(positionsAndValues[2 * i + 1], "a value cannot be null");
        }
        return gate.write(() -> updateElements(key, pos, vals));
    }

    /** Replaces elements of one row; shared by the set types. */
    final R applyElements(R row, int[] positions, Object[] values) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 1 || positions[i] > rows.arity(row)) {
                throw new IllegalArgumentException("position " + positions[i] + " is outside row " + row);
            }
            row = rows.withElement(row, positions[i], values[i]);
        }
        return row;
    }

    // ------------------------------------------------------------------ traversal

    @Override
    public Optional<K> last() {
        return first();
    }

    @Override
    public Optional<K> prev(K key) {
        return next(key);
    }

    @Override
    public final List<R> toList() {
        checkRead();
        List<R> out = new ArrayList<>();
        for (Iterator<R> it = rowIterator(); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Override
    public final <A> A foldl(A initial, BiFunction<A, ? super R, A> fn) {
        checkRead();
        A acc = initial;
        for (Iterator<R> it = rowIterator(); it.hasNext(); ) acc = fn.apply(acc, it.next());
        return acc;
    }

    @Override
    public final <A> A foldr(A initial, BiFunction<A, ? super R, A> fn) {
        checkRead();
        A acc = initial;
        for (Iterator<R> it = reverseRowIterator(); it.hasNext(); ) acc = fn.apply(acc, it.next());
        return acc;
    }

    // ------------------------------------------------------------------ match and select

    /** The rows a spec can match: looked up by bound keys, a key range, or all of them. */
    private Iterator<R> candidates(MatchSpec<R, ?> spec) {
        List<Object> keys = spec.boundKeys(keypos);
        if (keys != null) {
            List<R> out = new ArrayList<>();
            for (Object k : keys) out.addAll(rowsOf(k));
            return out.iterator();
        }
        if (spec.clauses().size() == 1) {
            Pattern head = spec.clauses().getFirst().head();
            int prefix = head.groundTuplePrefix(keypos);
            if (prefix > 0) {
                Iterator<R> range = prefixRange(head.nestedElements(keypos), prefix);
                if (range != null) return range;
            }
        }
        return rowIterator();
    }

    @Override
    public final <T> List<T> select(MatchSpec<R, T> spec) {
        checkRead();
        return spec.selectFrom(rows, candidates(spec));
    }

    @Override
    public final <T> Selection<T> select(MatchSpec<R, T> spec, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        checkRead();
        return spec.chunkFrom(rows, candidates(spec), limit, this::checkRead);
    }

    @Override
    public final long selectDelete(MatchSpec<R, ?> spec) {
        checkWrite();
        long n = 0;
        for (Iterator<R> it = candidates(spec); it.hasNext(); ) {
            R row = it.next();
            if (!MatchSpec.deletes(spec.apply(rows, row))) continue;
            if (gate.write(() -> removeSeen(row, rows.keyOf(row)))) n++;
        }
        return n;
    }

    @Override
    public final long selectCount(MatchSpec<R, ?> spec) {
        checkRead();
        return spec.countFrom(rows, candidates(spec));
    }

    @Override
    public final List<List<Object>> match(Pattern pattern) {
        return select(MatchSpec.<R>of(pattern).map(Match::bindings));
    }

    @Override
    public final List<R> matchObject(Pattern pattern) {
        return select(MatchSpec.of(pattern));
    }

    @Override
    public final long matchDelete(Pattern pattern) {
        return selectDelete(MatchSpec.of(pattern));
    }

    // ------------------------------------------------------------------ ownership

    @Override
    public final void giveAway(Pid pid, Object giftData) {
        Objects.requireNonNull(pid, "pid");
        if (!alive) throw deleted();
        ProcessImpl caller = ProcessImpl.current();
        synchronized (lifecycle) {
            ProcessImpl o = owner;
            if (caller == null || caller != o) {
                throw new TableAccessException("only the owner may give " + this + " away");
            }
            if (pid.equals(o.pid)) throw new IllegalArgumentException(pid + " already owns " + this);
            ProcessImpl to = node.lookup(pid);
            if (to == null || !node.addExitHook(pid, ownerHook)) {
                throw new IllegalArgumentException("cannot give " + this + " to " + pid + ": not a live process of " + node.name());
            }
            node.removeExitHook(o.pid, ownerHook);
            owner = to;
            node.send(caller, pid, new EtsTransfer(this, o.pid, giftData));
        }
    }

    @Override
    public final void setHeir(Pid heir, Object heirData) {
        if (!alive) throw deleted();
        synchronized (lifecycle) {
            if (ProcessImpl.current() != owner) throw new TableAccessException("only the owner may set the heir of " + this);
            this.heirData = heirData;
            this.heir = heir;
        }
    }

    /** The owner is dying: the heir, if alive, takes the table; otherwise it is deleted. */
    private void ownerExiting(Pid pid, ExitReason reason) {
        synchronized (lifecycle) {
            ProcessImpl o = owner;
            if (!alive || o == null || !o.pid.equals(pid)) return;
            Pid h = heir;
            if (h != null && !h.equals(pid)) {
                ProcessImpl hp = node.lookup(h);
                if (hp != null && node.addExitHook(h, ownerHook)) {
                    owner = hp;
                    node.send((ProcessImpl) null, h, new EtsTransfer(this, pid, heirData));
                    return;
                }
            }
            destroyLocked();
        }
    }

    @Override
    public final void delete() {
        checkWrite();
        destroy();
    }

    /** Deletes the table whoever asks (its owner's death, its node's stop). */
    final void destroy() {
        synchronized (lifecycle) {
            if (!alive) return;
            ProcessImpl o = owner;
            if (o != null) node.removeExitHook(o.pid, ownerHook);
            destroyLocked();
        }
    }

    private void destroyLocked() {
        alive = false;
        TableRegistry.of(node).remove(this);
        gate.batch(() -> {
            clear();
            return null;
        });
    }

    // ------------------------------------------------------------------ info

    @Override
    public final long size() {
        checkRead();
        return count();
    }

    @Override
    public final TableInfo info() {
        checkRead();
        ProcessImpl o = owner;
        long n = count();
        return new TableInfo(name, id, node.name(), type, access, o != null ? o.pid : null, heir, keypos, n,
                estimateMemory(n), readConcurrency, writeConcurrency, rows.rowClass());
    }

    /** Heap bytes: map overhead plus the average of up to 64 rows' estimated sizes. */
    private long estimateMemory(long n) {
        long base = 256;
        if (n == 0) return base;
        long sampled = 0;
        int count = 0;
        for (Iterator<R> it = rowIterator(); it.hasNext() && count < 64; count++) {
            sampled += Footprint.of(it.next());
        }
        if (count == 0) return base;
        return base + n * (entryOverhead() + sampled / count);
    }

    @Override
    public final String toString() {
        return "#Table<" + (name != null ? name : String.valueOf(id)) + ">";
    }
}
