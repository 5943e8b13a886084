package io.otp4j.tables;

import io.otp4j.Pid;

import java.util.List;
import java.util.Optional;

/**
 * An ETS table: rows in memory, shared by the processes of a node, owned by one process and
 * deleted when it dies (unless an heir takes it). Made by {@link Ets#newTable}.
 *
 * <p>Reads never lock; writes to different keys do not contend; an insert of many rows is atomic
 * and isolated. Rows are immutable values (tuples, records) and are stored as given: what a lookup
 * returns is the object inserted, not a copy (ADR 0008).
 *
 * @param <K> the key type
 * @param <R> the row type
 */
public interface EtsTable<K, R> extends Table<K, R> {

    /** The owning process, or empty for a table made outside any process (deleted only explicitly or with its node). */
    Optional<Pid> owner();

    /** Who may use it. */
    Access access();

    /** {@code take/2}: removes and returns the rows with {@code key}. */
    List<R> take(K key);

    /**
     * {@code update_counter/4} with a default row: as {@link #updateCounter(Object, int, long)}, but
     * if no row has {@code key}, {@code defaultRow} (with the key set to {@code key}) is inserted
     * first.
     */
    long updateCounter(K key, int position, long increment, R defaultRow);

    /**
     * {@code update_counter/3} with a list of operations, applied in order to one row, atomically;
     * returns the new values in the same order. Counters may have thresholds ({@link Counter}).
     */
    long[] updateCounter(K key, Counter... ops);

    /** {@code update_counter/4} with a list of operations and a default row. */
    long[] updateCounter(K key, R defaultRow, Counter... ops);

    /**
     * {@code update_element/3}: replaces the element at {@code position} of the row with {@code key}.
     *
     * @return false if no row has the key
     * @throws IllegalArgumentException if position is the key or out of range, or on a bag
     */
    boolean updateElement(K key, int position, Object value);

    /** {@code update_element/3} of several positions at once (position, value, position, value...). */
    boolean updateElement(K key, Object... positionsAndValues);

    /** {@code last/1}: the last key (ordered_set); for other types the same as {@link #first()}. */
    Optional<K> last();

    /** {@code prev/2}: the key before {@code key} (ordered_set); for other types {@link #next}. */
    Optional<K> prev(K key);

    /**
     * {@code give_away/3}: makes {@code pid} the owner and sends it {@link EtsTransfer}. Only the
     * owner may give a table away, and only to another live local process.
     */
    void giveAway(Pid pid, Object giftData);

    /** {@code setopts(T, {heir, Pid, Data})}: sets the heir (owner only); null removes it. */
    void setHeir(Pid heir, Object heirData);

    /**
     * {@code delete/1}: deletes the table. Needs write access, as in ETS: any process for a public
     * table, the owner for the others.
     */
    void delete();

    /** Whether the table still exists. */
    boolean isAlive();
}
