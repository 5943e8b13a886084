package io.otp4j.tables;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A match specification: which rows a {@code select} takes and what it returns for each, the Java
 * form of ETS's {@code [{Head, Guards, Result}]}. Each clause is a {@link Pattern} (the head), a
 * guard over the bound variables and a result made from them; the first clause that matches a row
 * gives its result, rows no clause matches are skipped.
 *
 * {@snippet :
 * // ets:select(T, [{{'$1', '$2', '_'}, [{'>', '$2', 30}], ['$1']}])
 * MatchSpec<Tuple, String> namesOver30 =
 *         MatchSpec.<Tuple>of(Pattern.tuple(Pattern.var(1), Pattern.var(2), Pattern.ANY))
 *                 .where(m -> m.<Integer>get(2) > 30)
 *                 .map(m -> m.get(1));
 * // plain Java over record rows: every row the predicate accepts (a full scan)
 * MatchSpec<User, User> admins = MatchSpec.matching(u -> u.role().equals("admin"));
 * }
 *
 * <p>When every clause's pattern holds a constant at the table's key position, the table looks
 * those keys up instead of scanning; on an ordered_set a key pattern that is a tuple with ground
 * leading elements scans only the range of keys with that prefix. Guards and results are Java
 * functions, so they cannot narrow the scan: put what you can in the pattern.
 *
 * @param <R> the row type
 * @param <T> the result type
 */
public final class MatchSpec<R, T> {

    record Clause<R, T>(Pattern head, Predicate<? super Match<R>> guard, Function<? super Match<R>, ? extends T> result) {
    }

    private final List<Clause<R, T>> clauses;

    private MatchSpec(List<Clause<R, T>> clauses) {
        this.clauses = List.copyOf(clauses);
    }

    /** Rows matching {@code head}; the result is the row ({@code '$_'}). */
    public static <R> MatchSpec<R, R> of(Pattern head) {
        Objects.requireNonNull(head, "head");
        return new MatchSpec<>(List.of(new Clause<R, R>(head, m -> true, Match::row)));
    }

    /** Every row ({@code [{'_', [], ['$_']}]}). */
    public static <R> MatchSpec<R, R> all() {
        return of(Pattern.any());
    }

    /** Every row {@code filter} accepts; the result is the row. Scans the whole table. */
    public static <R> MatchSpec<R, R> matching(Predicate<? super R> filter) {
        Objects.requireNonNull(filter, "filter");
        return new MatchSpec<>(List.of(new Clause<R, R>(Pattern.any(), m -> filter.test(m.row()), Match::row)));
    }

    /** The same spec with {@code guard} added (and-ed) to its last clause's guard. */
    public MatchSpec<R, T> where(Predicate<? super Match<R>> guard) {
        Objects.requireNonNull(guard, "guard");
        List<Clause<R, T>> out = new ArrayList<>(clauses);
        Clause<R, T> last = out.removeLast();
        Predicate<? super Match<R>> before = last.guard();
        out.add(new Clause<>(last.head(), m -> before.test(m) && guard.test(m), last.result()));
        return new MatchSpec<>(out);
    }

    /** The same spec with its last clause's result made by {@code result}; needs a one-clause spec. */
    public <U> MatchSpec<R, U> map(Function<? super Match<R>, ? extends U> result) {
        Objects.requireNonNull(result, "result");
        if (clauses.size() != 1) {
            throw new IllegalStateException("map a clause before joining it with or(): every clause has one result type");
        }
        Clause<R, T> c = clauses.getFirst();
        return new MatchSpec<>(List.of(new Clause<R, U>(c.head(), c.guard(), result)));
    }

    /** This spec's clauses followed by {@code other}'s: a row takes the first clause that matches. */
    public MatchSpec<R, T> or(MatchSpec<R, T> other) {
        List<Clause<R, T>> out = new ArrayList<>(clauses);
        out.addAll(other.clauses);
        return new MatchSpec<>(out);
    }

    List<Clause<R, T>> clauses() {
        return clauses;
    }

    int maxVar() {
        int m = 0;
        for (Clause<R, T> c : clauses) m = Math.max(m, c.head().maxVar());
        return m;
    }

    /**
     * Runs the spec on one row.
     *
     * @return the result, or {@link #NO_MATCH}
     */
    Object apply(RowType<?, R> rows, R row) {
        for (Clause<R, T> c : clauses) {
            Object[] b = new Object[c.head().maxVar() + 1];
            if (!c.head().matchRow(rows, row, b)) continue;
            Match<R> m = new Match<>(row, b);
            if (!c.guard().test(m)) continue;
            return c.result().apply(m);
        }
        return NO_MATCH;
    }

    /** What {@link #apply} returns for a row no clause matches. */
    static final Object NO_MATCH = new Object();

    /** The results for the rows of {@code it} that the spec matches (select/2). */
    List<T> selectFrom(RowType<?, R> rows, java.util.Iterator<R> it) {
        List<T> out = new ArrayList<>();
        while (it.hasNext()) {
            Object v = apply(rows, it.next());
            if (v != NO_MATCH) out.add(result(v));
        }
        return out;
    }

    /**
     * At most {@code limit} results from {@code it}, and a continuation that runs {@code check}
     * (the table's access check) before going on (select/3).
     */
    Selection<T> chunkFrom(RowType<?, R> rows, java.util.Iterator<R> it, int limit, Runnable check) {
        List<T> out = new ArrayList<>(Math.min(limit, 1024));
        while (out.size() < limit && it.hasNext()) {
            Object v = apply(rows, it.next());
            if (v != NO_MATCH) out.add(result(v));
        }
        if (!it.hasNext()) return out.isEmpty() ? Selection.endOfTable() : new Selection<>(out, null);
        return new Selection<>(out, () -> {
            check.run();
            return chunkFrom(rows, it, limit, check);
        });
    }

    /** How many rows of {@code it} the spec matches with a result other than false (select_count/2). */
    long countFrom(RowType<?, R> rows, java.util.Iterator<R> it) {
        long n = 0;
        while (it.hasNext()) {
            if (deletes(apply(rows, it.next()))) n++;
        }
        return n;
    }

    /** Whether a result of {@link #apply} selects its row for select_delete and select_count. */
    static boolean deletes(Object result) {
        return result != NO_MATCH && !Boolean.FALSE.equals(result);
    }

    @SuppressWarnings("unchecked")
    private static <T> T result(Object v) {
        if (v == null) throw new NullPointerException("a match spec result cannot be null");
        return (T) v;
    }

    /**
     * The keys to look up instead of scanning: the ground key of every clause, or null if some
     * clause's key is not ground.
     */
    List<Object> boundKeys(int keypos) {
        List<Object> keys = new ArrayList<>(clauses.size());
        for (Clause<R, T> c : clauses) {
            Object k = c.head().groundAt(keypos);
            if (k == null) return null;
            Object v = Pattern.groundValue(k);
            if (!keys.contains(v)) keys.add(v);
        }
        return keys;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MatchSpec[");
        for (int i = 0; i < clauses.size(); i++) {
            if (i > 0) sb.append(" | ");
            sb.append(clauses.get(i).head());
        }
        return sb.append(']').toString();
    }
}
