package io.otp4j.tables;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Erlang's term order over Java values: the order of an {@code ordered_set} table's keys.
 *
 * <p>number &lt; atom (String) &lt; reference &lt; pid &lt; tuple &lt; map &lt; list &lt; binary
 * (byte[]), with any other {@link Comparable} after them, by class name then natural order. Numbers
 * compare by value across types, so {@code 1}, {@code 1L} and {@code 1.0} are one key, as in an
 * Erlang ordered_set (which compares with {@code ==}). Tuples compare by size, then element by
 * element; records like tuples of their components.
 */
public final class TermOrder implements Comparator<Object> {
    public static final TermOrder INSTANCE = new TermOrder();

    /** Below every term: the low end of a key range (never stored). */
    static final Object BOTTOM = new Object() {
        @Override
        public String toString() {
            return "BOTTOM";
        }
    };
    /** Above every term: the high end of a key range (never stored). */
    static final Object TOP = new Object() {
        @Override
        public String toString() {
            return "TOP";
        }
    };

    private TermOrder() {
    }

    private static int rank(Object o) {
        if (o == BOTTOM) return 0;
        if (o == TOP) return 99;
        return switch (o) {
            case Number n -> 1;
            case String s -> 3;
            case Ref r -> 4;
            case Pid p -> 6;
            case Tuple t -> 7;
            case Record r -> 7;
            case Map<?, ?> m -> 8;
            case List<?> l -> 10;
            case byte[] b -> 11;
            default -> 12;
        };
    }

    @Override
    public int compare(Object a, Object b) {
        // the common keys first, in a method small enough to inline into the skip list's search
        if (a instanceof Integer x && b instanceof Integer y) return Integer.compare(x, y);
        if (a instanceof Long x && b instanceof Long y) return Long.compare(x, y);
        if (a instanceof String x && b instanceof String y) return x.compareTo(y);
        return compareAny(a, b);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private int compareAny(Object a, Object b) {
        if (a == b) return 0;
        int ra = rank(a);
        int rb = rank(b);
        if (ra != rb) return Integer.compare(ra, rb);
        if (ra == 0 || ra == 99) return 0;
        return switch (ra) {
            case 1 -> compareNumbers((Number) a, (Number) b);
            case 3 -> ((String) a).compareTo((String) b);
            case 4 -> Arrays.compare(((Ref) a).words(), ((Ref) b).words());
            case 6 -> ((Pid) a).compareTo((Pid) b);
            case 7 -> compareTuples(a, b);
            case 10 -> compareLists((List<?>) a, (List<?>) b);
            case 11 -> Arrays.compareUnsigned((byte[]) a, (byte[]) b);
            case 8 -> Integer.compare(((Map<?, ?>) a).size(), ((Map<?, ?>) b).size()) != 0
                    ? Integer.compare(((Map<?, ?>) a).size(), ((Map<?, ?>) b).size())
                    : a.toString().compareTo(b.toString());
            default -> {
                int c = a.getClass().getName().compareTo(b.getClass().getName());
                if (c != 0) yield c;
                if (a instanceof Comparable ca) yield ca.compareTo(b);
                throw new IllegalArgumentException("keys of " + a.getClass().getName() + " are not comparable");
            }
        };
    }

    private static int compareNumbers(Number a, Number b) {
        boolean ia = isIntegral(a);
        boolean ib = isIntegral(b);
        if (ia && ib) {
            if (a instanceof BigInteger || b instanceof BigInteger) return toBig(a).compareTo(toBig(b));
            return Long.compare(a.longValue(), b.longValue());
        }
        if (!ia && !ib && !(a instanceof BigDecimal) && !(b instanceof BigDecimal)) {
            double x = a.doubleValue();
            double y = b.doubleValue();
            return x < y ? -1 : x > y ? 1 : 0; // 0.0 == -0.0, as Erlang's ==
        }
        return exact(a).compareTo(exact(b)); // mixed: exactly, as Erlang compares 2^60 and 2.0^60
    }

    private static BigDecimal exact(Number n) {
        if (n instanceof BigDecimal d) return d;
        if (n instanceof BigInteger b) return new BigDecimal(b);
        if (isIntegral(n)) return BigDecimal.valueOf(n.longValue());
        return new BigDecimal(n.doubleValue());
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger;
    }

    private static BigInteger toBig(Number n) {
        return n instanceof BigInteger b ? b : BigInteger.valueOf(n.longValue());
    }

    private int compareTuples(Object a, Object b) {
        Object[] ea = elements(a);
        Object[] eb = elements(b);
        if (ea.length != eb.length) return Integer.compare(ea.length, eb.length);
        for (int i = 0; i < ea.length; i++) {
            int c = compare(ea[i], eb[i]);
            if (c != 0) return c;
        }
        return 0;
    }

    private static Object[] elements(Object t) {
        if (t instanceof Tuple tuple) return tuple.toList().toArray();
        var rc = t.getClass().getRecordComponents();
        Object[] out = new Object[rc.length];
        for (int i = 0; i < rc.length; i++) {
            try {
                var acc = rc[i].getAccessor();
                acc.setAccessible(true);
                out[i] = acc.invoke(t);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot order " + t.getClass().getName() + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private int compareLists(List<?> a, List<?> b) {
        Iterator<?> ia = a.iterator();
        Iterator<?> ib = b.iterator();
        while (ia.hasNext() && ib.hasNext()) {
            int c = compare(ia.next(), ib.next());
            if (c != 0) return c;
        }
        return Boolean.compare(ia.hasNext(), ib.hasNext());
    }
}
