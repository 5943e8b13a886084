package io.otp4j.tables;

/**
 * One operation of {@link EtsTable#updateCounter(Object, Counter...)}: add {@code increment} to the
 * integer at {@code position}; if a {@code threshold} is given and the sum passes it (above it for
 * a positive increment, below for a negative one), store {@code setValue} instead, as in
 * {@code {Pos, Incr, Threshold, SetValue}}.
 *
 * @param position  1-based position of the counter in the row (never the key)
 * @param increment what to add (negative to subtract)
 * @param threshold the bound, when {@code bounded}
 * @param setValue  the value stored when the bound is passed
 * @param bounded   whether threshold and setValue apply
 */
public record Counter(int position, long increment, long threshold, long setValue, boolean bounded) {

    /** {@code {Pos, Incr}}. */
    public static Counter add(int position, long increment) {
        return new Counter(position, increment, 0, 0, false);
    }

    /** {@code {Pos, Incr, Threshold, SetValue}}. */
    public static Counter add(int position, long increment, long threshold, long setValue) {
        return new Counter(position, increment, threshold, setValue, true);
    }

    /** The new value of a counter that held {@code old}. */
    long apply(long old) {
        long sum = Math.addExact(old, increment);
        if (!bounded) return sum;
        if (increment >= 0 ? sum > threshold : sum < threshold) return setValue;
        return sum;
    }
}
