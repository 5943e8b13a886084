package io.otp4j.tables;

/** Row arithmetic shared by ETS and DETS: update_counter's increments on immutable rows. */
final class RowOps {
    private RowOps() {
    }

    /** Adds {@code increment} to the integer at {@code position} of {@code row}: the new row. */
    static <R> R addToCounter(RowType<?, R> rows, R row, int position, long increment) {
        Object e = counterAt(rows, row, position);
        long nv;
        try {
            nv = Math.addExact(((Number) e).longValue(), increment);
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException("counter " + position + " of " + row + " overflows a long", ex);
        }
        return withCounter(rows, row, position, e, nv);
    }

    /** Applies counters in order to one row; {@code out} receives the new values. */
    static <R> R applyCounters(RowType<?, R> rows, R row, Counter[] ops, long[] out) {
        for (int i = 0; i < ops.length; i++) {
            Counter c = ops[i];
            Object e = counterAt(rows, row, c.position());
            long nv;
            try {
                nv = c.apply(((Number) e).longValue());
            } catch (ArithmeticException ex) {
                throw new IllegalArgumentException("counter " + c.position() + " of " + row + " overflows a long", ex);
            }
            row = withCounter(rows, row, c.position(), e, nv);
            out[i] = nv;
        }
        return row;
    }

    /** The integer at {@code position}, or why it cannot be a counter. */
    private static <R> Object counterAt(RowType<?, R> rows, R row, int position) {
        if (position < 1 || position > rows.arity(row)) {
            throw new IllegalArgumentException("position " + position + " is outside row " + row);
        }
        Object e = rows.element(row, position);
        if (e instanceof Integer || e instanceof Long || e instanceof Short || e instanceof Byte) return e;
        throw new IllegalArgumentException("element " + position + " of " + row + " is " + e + ", not an integer counter");
    }

    /** The row with the counter's new value: an Integer stays an Integer while it fits. */
    private static <R> R withCounter(RowType<?, R> rows, R row, int position, Object old, long nv) {
        Object boxed = old instanceof Integer && nv == (int) nv ? (Object) (int) nv : (Object) nv;
        try {
            return rows.withElement(row, position, boxed);
        } catch (ArithmeticException ex) {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
    }
}
