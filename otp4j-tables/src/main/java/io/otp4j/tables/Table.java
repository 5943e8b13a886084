package io.otp4j.tables;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * What ETS and DETS tables share: rows of type {@code R} with keys of type {@code K}, read and
 * written by many processes at once. Method names follow {@code ets} and {@code dets}; where Erlang
 * answers {@code badarg} these throw ({@link NoSuchTableException}, {@link TableAccessException},
 * {@link IllegalArgumentException}) and change nothing.
 *
 * <p>Keys of set and bag tables are equal when {@link Object#equals} says so, so {@code 1} and
 * {@code 1L} are two keys, as {@code 1} and {@code 1.0} are in an Erlang set; ordered_set keys are
 * equal when they compare equal in {@link TermOrder} (numbers by value, as in Erlang).
 *
 * @param <K> the key type
 * @param <R> the row type
 */
public interface Table<K, R> {

    /** What rows are and where their key is. */
    RowType<K, R> rowType();

    /** The table's type. */
    TableType type();

    /** The table's name, or null for an unnamed ETS table. */
    String name();

    /** {@code insert/2} of one row: replaces the row with its key (set) or adds it (bags). */
    void insert(R row);

    /** {@code insert/2} of many rows, atomically: other processes see all of them or none. */
    void insert(Collection<? extends R> rows);

    /** {@code insert_new/2}: inserts only if the key is absent; false (and no change) otherwise. */
    boolean insertNew(R row);

    /** {@code insert_new/2} of many rows: all of them if none of their keys is present, else none. */
    boolean insertNew(Collection<? extends R> rows);

    /** {@code lookup/2}: the rows with {@code key} (at most one in a set), oldest first in a bag. */
    List<R> lookup(K key);

    /** The one row with {@code key} in a set or ordered_set (the oldest in a bag). */
    Optional<R> get(K key);

    /** {@code member/2}. */
    boolean member(K key);

    /**
     * {@code lookup_element/3}: the element at {@code position} of the row with {@code key} (in a
     * bag, a list of them, one per row).
     *
     * @throws IllegalArgumentException if no row has the key or the position is out of range
     */
    Object lookupElement(K key, int position);

    /** {@code delete/2}: removes the rows with {@code key}. */
    void delete(K key);

    /** {@code delete_object/2}: removes rows equal to {@code row} (in a bag, every copy). */
    void deleteObject(R row);

    /** {@code delete_all_objects/1}: empties the table; it stays alive. */
    void deleteAllObjects();

    /**
     * {@code update_counter/3}: adds {@code increment} to the integer at {@code position} of the row
     * with {@code key} and returns the new value; set and ordered_set only.
     *
     * @throws IllegalArgumentException if there is no such row, the element is not an integer or is
     *                                  the key
     */
    long updateCounter(K key, int position, long increment);

    /** {@code first/1}: the first key in the table's order, or empty if it is empty. */
    Optional<K> first();

    /**
     * {@code next/2}: the key after {@code key} in the table's order. Safe while other processes
     * insert and delete (every key present throughout a traversal is visited once).
     */
    Optional<K> next(K key);

    /** {@code tab2list/1} ({@code dets:match_object(T, '_')}): every row. */
    List<R> toList();

    /** {@code foldl/3}: folds the rows in the table's order. */
    <A> A foldl(A initial, BiFunction<A, ? super R, A> fn);

    /** {@code foldr/3}: folds the rows in reverse order (for hash tables, the same as foldl). */
    <A> A foldr(A initial, BiFunction<A, ? super R, A> fn);

    /** {@code match/2}: for each row matching {@code pattern}, its bound variables in order. */
    List<List<Object>> match(Pattern pattern);

    /** {@code match_object/2}: the rows matching {@code pattern}. */
    List<R> matchObject(Pattern pattern);

    /** {@code match_delete/2}: deletes the rows matching {@code pattern}; returns how many. */
    long matchDelete(Pattern pattern);

    /** {@code select/2}: the result of {@code spec} for every row it matches. */
    <T> List<T> select(MatchSpec<R, T> spec);

    /** {@code select/3}: at most {@code limit} results, and a continuation to the rest. */
    <T> Selection<T> select(MatchSpec<R, T> spec, int limit);

    /**
     * {@code select_delete/2}: deletes the rows {@code spec} matches, except those for which its
     * result is {@code false}; returns how many.
     */
    long selectDelete(MatchSpec<R, ?> spec);

    /** {@code select_count/2}: how many rows {@code spec} matches with a result other than {@code false}. */
    long selectCount(MatchSpec<R, ?> spec);

    /** The number of rows. */
    long size();

    /** {@code info/1}. */
    TableInfo info();
}
