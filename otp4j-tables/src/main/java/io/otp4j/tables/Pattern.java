package io.otp4j.tables;

import io.otp4j.Tuple;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A match pattern: the head of an ETS match specification, as in {@code ets:match/2}. A pattern
 * describes a row position by position; each position holds a constant, {@link #ANY} ({@code '_'}),
 * a variable {@link #var}({@code n}) ({@code '$n'}) or a nested pattern.
 *
 * {@snippet :
 * // ets:match(T, {'$1', '_', admin})
 * Pattern admins = Pattern.tuple(Pattern.var(1), Pattern.ANY, "admin");
 * // the same on record rows: record User(String name, int age, String role)
 * Pattern adminUsers = Pattern.record(User.class, Pattern.var(1), Pattern.ANY, "admin");
 * }
 *
 * <p>A variable bound twice must match equal values both times ({@code {'$1', '$1'}} matches rows
 * whose first two elements are equal). Constants match by value: integers of any Java integer
 * type match each other by value ({@code 1} matches {@code 1L}), an integer never matches a
 * floating-point number (Erlang's {@code =:=}). When the row's key position holds a constant the
 * table looks the key up instead of scanning (the fast path ETS calls a bound key).
 */
public final class Pattern {

    /** Matches anything and binds nothing: Erlang's {@code '_'}. */
    public static final Object ANY = new Object() {
        @Override
        public String toString() {
            return "_";
        }
    };

    /** A pattern variable: {@code '$n'}. */
    public record Var(int n) {
        public Var {
            if (n < 1 || n > 100_000_000) throw new IllegalArgumentException("variables are numbered from 1, got " + n);
        }

        @Override
        public String toString() {
            return "$" + n;
        }
    }

    private static final Pattern WHOLE = new Pattern(null, new Object[] {ANY}, 0);

    /** The class a record pattern matches, or null for a tuple pattern (or {@link #any()}). */
    private final Class<?> recordClass;
    private final Object[] elements;
    private final int maxVar;

    private Pattern(Class<?> recordClass, Object[] elements, int maxVar) {
        this.recordClass = recordClass;
        this.elements = elements;
        this.maxVar = maxVar;
    }

    /** The variable {@code '$n'} (n from 1). */
    public static Var var(int n) {
        return new Var(n);
    }

    /** A pattern matching every row: {@code '_'} as a whole head. */
    public static Pattern any() {
        return WHOLE;
    }

    /** A pattern for {@link Tuple} rows (or tuple elements) of exactly these elements. */
    public static Pattern tuple(Object... elements) {
        Object[] e = elements.clone();
        return new Pattern(null, e, check(e));
    }

    /**
     * A pattern for records of {@code type}, one element per component. Number constants are
     * converted to the component's type ({@code 1} for a {@code long} component matches {@code 1L}).
     */
    public static Pattern record(Class<? extends Record> type, Object... components) {
        RecordComponent[] rc = type.getRecordComponents();
        if (rc.length != components.length) {
            throw new IllegalArgumentException(type.getSimpleName() + " has " + rc.length + " components, the pattern gives "
                    + components.length);
        }
        Object[] e = components.clone();
        for (int i = 0; i < e.length; i++) {
            Object c = e[i];
            Class<?> t = rc[i].getType();
            if (c instanceof Number n) {
                if ((t == long.class || t == Long.class) && isIntegral(n)) e[i] = n.longValue();
                else if ((t == int.class || t == Integer.class) && isIntegral(n)) e[i] = n.intValue();
                else if ((t == double.class || t == Double.class) && !isIntegral(n)) e[i] = n.doubleValue();
            }
        }
        return new Pattern(type, e, check(e));
    }

    private static int check(Object[] elements) {
        int max = 0;
        for (Object o : elements) {
            Objects.requireNonNull(o, "a pattern element cannot be null (use Pattern.ANY)");
            if (o instanceof Var v) max = Math.max(max, v.n());
            else if (o instanceof Pattern p) max = Math.max(max, p.maxVar);
        }
        return max;
    }

    /** The highest variable number used (0 if none): the size of the bindings. */
    public int maxVar() {
        return maxVar;
    }

    /** Whether this is the whole-row wildcard. */
    boolean isAny() {
        return this == WHOLE;
    }

    /**
     * The constant at 1-based {@code position} if that position holds a ground value (no variable
     * or wildcard in it), else null: the table's bound-key test.
     */
    Object groundAt(int position) {
        if (isAny() || position < 1 || position > elements.length) return null;
        Object e = elements[position - 1];
        return isGround(e) ? e : null;
    }

    /**
     * For a key position holding a tuple pattern: the number of its leading elements that are
     * ground, the prefix an ordered_set can turn into a key range; 0 otherwise.
     */
    int groundTuplePrefix(int position) {
        if (isAny() || position < 1 || position > elements.length) return 0;
        if (!(elements[position - 1] instanceof Pattern p) || p.recordClass != null) return 0;
        int k = 0;
        while (k < p.elements.length && isGround(p.elements[k])) k++;
        return k;
    }

    /** The nested tuple pattern at {@code position} (see {@link #groundTuplePrefix}). */
    Object[] nestedElements(int position) {
        return ((Pattern) elements[position - 1]).elements;
    }

    private static boolean isGround(Object e) {
        if (e == ANY || e instanceof Var) return false;
        if (e instanceof Pattern p) {
            if (p.isAny()) return false;
            for (Object x : p.elements) if (!isGround(x)) return false;
            return true;
        }
        return true;
    }

    /** The ground pattern as the value it stands for (a Tuple for a nested tuple pattern). */
    static Object groundValue(Object e) {
        if (e instanceof Pattern p) {
            if (p.recordClass != null) {
                throw new IllegalArgumentException("a record pattern cannot stand for a key value; use the record itself");
            }
            Object[] v = new Object[p.elements.length];
            for (int i = 0; i < v.length; i++) v[i] = groundValue(p.elements[i]);
            return Tuple.of(v);
        }
        return e;
    }

    /**
     * Matches {@code row} (a Tuple or a record, read through {@code rows}), binding variables into
     * {@code bindings} (index n for {@code '$n'}; slot 0 unused).
     */
    <R> boolean matchRow(RowType<?, R> rows, R row, Object[] bindings) {
        if (isAny()) return true;
        if (recordClass != null ? row.getClass() != recordClass : !(row instanceof Tuple)) return false;
        if (rows.arity(row) != elements.length) return false;
        for (int i = 0; i < elements.length; i++) {
            if (!matchValue(elements[i], rows.element(row, i + 1), bindings)) return false;
        }
        return true;
    }

    private static boolean matchValue(Object p, Object v, Object[] bindings) {
        if (p == ANY) return true;
        if (p instanceof Var var) {
            Object bound = bindings[var.n()];
            if (bound == null) {
                bindings[var.n()] = v;
                return true;
            }
            return termEquals(bound, v);
        }
        if (p instanceof Pattern nested) return nested.matchNested(v, bindings);
        return termEquals(p, v);
    }

    private boolean matchNested(Object v, Object[] bindings) {
        if (isAny()) return true;
        Object[] values;
        if (recordClass != null) {
            if (v == null || v.getClass() != recordClass) return false;
            values = components((Record) v);
        } else {
            if (!(v instanceof Tuple t) || t.size() != elements.length) return false;
            values = new Object[t.size()];
            for (int i = 0; i < values.length; i++) values[i] = t.get(i);
        }
        if (values.length != elements.length) return false;
        for (int i = 0; i < elements.length; i++) {
            if (!matchValue(elements[i], values[i], bindings)) return false;
        }
        return true;
    }

    private static Object[] components(Record r) {
        RecordComponent[] rc = r.getClass().getRecordComponents();
        Object[] out = new Object[rc.length];
        for (int i = 0; i < rc.length; i++) {
            try {
                var acc = rc[i].getAccessor();
                acc.setAccessible(true);
                out[i] = acc.invoke(r);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot read " + r.getClass().getName() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Erlang's exact equality ({@code =:=}) over Java values: integers compare by value whatever
     * their Java type, an integer never equals a float, tuples and lists element by element.
     */
    public static boolean termEquals(Object a, Object b) {
        if (a == b) return true;
        if (a == null || b == null) return false;
        if (a instanceof Number x && b instanceof Number y) {
            if (isIntegral(x) && isIntegral(y)) {
                if (x instanceof BigInteger || y instanceof BigInteger) {
                    return toBig(x).equals(toBig(y));
                }
                return x.longValue() == y.longValue();
            }
            if (isIntegral(x) || isIntegral(y)) return false;
            if (x instanceof BigDecimal || y instanceof BigDecimal) return x.equals(y);
            return x.doubleValue() == y.doubleValue();
        }
        if (a instanceof Tuple ta && b instanceof Tuple tb) {
            if (ta.size() != tb.size()) return false;
            for (int i = 0; i < ta.size(); i++) if (!termEquals(ta.get(i), tb.get(i))) return false;
            return true;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) return false;
            var ia = la.iterator();
            var ib = lb.iterator();
            while (ia.hasNext()) if (!termEquals(ia.next(), ib.next())) return false;
            return true;
        }
        if (a instanceof byte[] ba && b instanceof byte[] bb) return Arrays.equals(ba, bb);
        return a.equals(b);
    }

    static boolean isIntegral(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger;
    }

    private static BigInteger toBig(Number n) {
        return n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
    }

    /** The bound variables in order, as {@code ets:match/2} returns them ({@code '$1'} first). */
    static List<Object> bindingList(Object[] bindings) {
        List<Object> out = new ArrayList<>(bindings.length - 1);
        for (int i = 1; i < bindings.length; i++) {
            if (bindings[i] != null) out.add(bindings[i]);
        }
        return out;
    }

    @Override
    public String toString() {
        if (isAny()) return "_";
        StringBuilder sb = new StringBuilder(recordClass != null ? recordClass.getSimpleName() + "[" : "{");
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(elements[i]);
        }
        return sb.append(recordClass != null ? "]" : "}").toString();
    }
}
