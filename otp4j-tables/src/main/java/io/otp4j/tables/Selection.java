package io.otp4j.tables;

import java.util.List;
import java.util.function.Supplier;

/**
 * One chunk of a {@code select} with a limit, and the continuation to the next:
 * {@code ets:select/3}'s {@code {Matches, Continuation}}.
 *
 * {@snippet :
 * for (Selection<String> s = table.select(spec, 100); !s.isEnd(); s = s.next()) {
 *     s.matches().forEach(System.out::println);
 * }
 * }
 *
 * <p>A continuation resumes the traversal where the chunk ended, like ETS's: rows inserted or
 * deleted meanwhile may or may not be seen, but no row present throughout is seen twice or missed.
 * It can be followed once ({@link #next()} a second time throws {@link IllegalStateException});
 * {@link #isEnd()} is Erlang's {@code '$end_of_table'}.
 *
 * @param <T> the result type
 */
public final class Selection<T> {
    private final List<T> matches;
    private Supplier<Selection<T>> rest;
    private final boolean end;
    private boolean followed;

    Selection(List<T> matches, Supplier<Selection<T>> rest) {
        this.matches = List.copyOf(matches);
        this.rest = rest;
        this.end = matches.isEmpty() && rest == null;
    }

    static <T> Selection<T> endOfTable() {
        return new Selection<>(List.of(), null);
    }

    /** The results in this chunk (at most the limit). */
    public List<T> matches() {
        return matches;
    }

    /** Whether there is nothing more: no results here and no continuation. */
    public boolean isEnd() {
        return end;
    }

    /** Whether a further chunk may follow (false once followed). */
    public synchronized boolean hasMore() {
        return rest != null;
    }

    /** The next chunk ({@code ets:select/1}); an end-of-table selection when there is none. */
    public synchronized Selection<T> next() {
        if (followed) throw new IllegalStateException("this continuation was already followed");
        Supplier<Selection<T>> r = rest;
        if (r == null) return end ? this : endOfTable();
        followed = true;
        rest = null;
        return r.get();
    }

    @Override
    public String toString() {
        return "Selection[" + matches.size() + " matches" + (end ? ", end" : "") + "]";
    }
}
