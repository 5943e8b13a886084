package io.otp4j.tables;

import java.util.List;

/**
 * One row matched by a {@link MatchSpec}: what its guard and its result see. {@link #get}{@code (n)}
 * is the value bound to {@code '$n'}, {@link #row()} the whole row ({@code '$_'}) and
 * {@link #bindings()} every bound variable in order ({@code '$$'}).
 *
 * @param <R> the row type
 */
public final class Match<R> {
    private final R row;
    private final Object[] bindings;

    Match(R row, Object[] bindings) {
        this.row = row;
        this.bindings = bindings;
    }

    /** The matched row: {@code '$_'}. */
    public R row() {
        return row;
    }

    /** The value bound to {@code '$n'}. */
    @SuppressWarnings("unchecked")
    public <T> T get(int n) {
        if (n < 1 || n >= bindings.length || bindings[n] == null) {
            throw new IllegalArgumentException("$" + n + " is not bound by the pattern");
        }
        return (T) bindings[n];
    }

    /** Every bound variable in order: {@code '$$'}. */
    public List<Object> bindings() {
        return Pattern.bindingList(bindings);
    }

    @Override
    public String toString() {
        return "Match[" + row + ", " + bindings() + "]";
    }
}
