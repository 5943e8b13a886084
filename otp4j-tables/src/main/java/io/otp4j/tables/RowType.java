package io.otp4j.tables;

import io.otp4j.Tuple;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.Objects;

/**
 * What a table's rows are and where their key is (ADR 0008). Rows are either {@link Tuple}s, as in
 * Erlang, or Java records; positions are 1-based as in ETS ({@code keypos}, {@code update_element},
 * {@code update_counter}): for a record, position 1 is its first component.
 *
 * {@snippet :
 * record User(String name, int visits) {}
 * RowType<String, User> users = RowType.record(User.class);       // key: name (position 1)
 * RowType<Object, Tuple> pairs = RowType.tuple();                   // key: element 1
 * }
 *
 * @param <K> the key type
 * @param <R> the row type
 */
public sealed interface RowType<K, R> permits RowType.Tuples, RowType.Records {

    /** The key position (1-based). */
    int keypos();

    /** The key of {@code row}. */
    K keyOf(R row);

    /** The element of {@code row} at 1-based {@code position}. */
    Object element(R row, int position);

    /** A copy of {@code row} with the element at {@code position} replaced. */
    R withElement(R row, int position, Object value);

    /** How many elements a row has. */
    int arity(R row);

    /** The row class, for messages and checks. */
    Class<R> rowClass();

    /** Tuples keyed on their first element. */
    static RowType<Object, Tuple> tuple() {
        return new Tuples<>(1);
    }

    /** Tuples keyed on element {@code keypos}. */
    static <K> RowType<K, Tuple> tuple(int keypos) {
        if (keypos < 1) throw new IllegalArgumentException("keypos is 1-based, got " + keypos);
        return new Tuples<>(keypos);
    }

    /** Records of {@code type}, keyed on their first component. */
    static <K, R extends Record> RowType<K, R> record(Class<R> type) {
        return new Records<>(type, 1);
    }

    /** Records of {@code type}, keyed on the component at {@code keypos} (1-based). */
    static <K, R extends Record> RowType<K, R> record(Class<R> type, int keypos) {
        return new Records<>(type, keypos);
    }

    /** Tuple rows. */
    record Tuples<K>(int keypos) implements RowType<K, Tuple> {
        @Override
        @SuppressWarnings("unchecked")
        public K keyOf(Tuple row) {
            if (row.size() < keypos) {
                throw new IllegalArgumentException("row " + row + " has no element at keypos " + keypos);
            }
            return (K) row.element(keypos);
        }

        @Override
        public Object element(Tuple row, int position) {
            return row.element(position);
        }

        @Override
        public Tuple withElement(Tuple row, int position, Object value) {
            return row.setElement(position, value);
        }

        @Override
        public int arity(Tuple row) {
            return row.size();
        }

        @Override
        public Class<Tuple> rowClass() {
            return Tuple.class;
        }
    }

    /** Record rows: components are read and rows rebuilt through method handles found once. */
    final class Records<K, R extends Record> implements RowType<K, R> {
        private final Class<R> type;
        private final int keypos;
        private final MethodHandle[] accessors;
        private final Class<?>[] types;
        private final MethodHandle constructor;

        Records(Class<R> type, int keypos) {
            this.type = Objects.requireNonNull(type, "type");
            RecordComponent[] rc = type.getRecordComponents();
            if (keypos < 1 || keypos > rc.length) {
                throw new IllegalArgumentException("keypos " + keypos + " is not a component of " + type.getName()
                        + " (it has " + rc.length + ")");
            }
            this.keypos = keypos;
            try {
                // a module reads only what it requires: read the row's module to reach its records
                RowType.class.getModule().addReads(type.getModule());
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
                accessors = new MethodHandle[rc.length];
                types = new Class<?>[rc.length];
                for (int i = 0; i < rc.length; i++) {
                    accessors[i] = lookup.unreflect(rc[i].getAccessor()).asType(MethodType.methodType(Object.class, Object.class));
                    types[i] = rc[i].getType();
                }
                constructor = lookup.findConstructor(type, MethodType.methodType(void.class, types))
                        .asSpreader(Object[].class, rc.length)
                        .asType(MethodType.methodType(Object.class, Object[].class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalArgumentException("cannot use " + type.getName() + " as a row type: " + e.getMessage()
                        + " (if it is in a named module, open its package to io.otp4j.tables)", e);
            }
        }

        @Override
        public int keypos() {
            return keypos;
        }

        @Override
        @SuppressWarnings("unchecked")
        public K keyOf(R row) {
            return (K) element(row, keypos);
        }

        @Override
        public Object element(R row, int position) {
            if (position < 1 || position > accessors.length) {
                throw new IndexOutOfBoundsException("position " + position + " of " + type.getSimpleName()
                        + ", which has " + accessors.length + " components");
            }
            try {
                return accessors[position - 1].invokeExact((Object) row);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public R withElement(R row, int position, Object value) {
            Object[] args = new Object[accessors.length];
            for (int i = 0; i < args.length; i++) args[i] = element(row, i + 1);
            if (position < 1 || position > args.length) {
                throw new IndexOutOfBoundsException("position " + position + " of " + type.getSimpleName());
            }
            args[position - 1] = coerce(value, types[position - 1]);
            try {
                Object made = constructor.invokeExact(args);
                return (R) made;
            } catch (ClassCastException e) {
                throw new IllegalArgumentException("component " + position + " of " + type.getSimpleName()
                        + " cannot hold " + value, e);
            } catch (Throwable t) {
                throw new IllegalArgumentException("cannot rebuild " + type.getSimpleName() + ": " + t, t);
            }
        }

        /** A counter's long back into an int or short component, checking that it fits. */
        private static Object coerce(Object value, Class<?> to) {
            if (!(value instanceof Number n)) return value;
            if (to == int.class || to == Integer.class) {
                if (n.longValue() != n.intValue()) throw new ArithmeticException(n + " does not fit an int component");
                return n.intValue();
            }
            if (to == long.class || to == Long.class) return n.longValue();
            if (to == short.class || to == Short.class) {
                if (n.longValue() != n.shortValue()) throw new ArithmeticException(n + " does not fit a short component");
                return n.shortValue();
            }
            if (to == double.class || to == Double.class) return n.doubleValue();
            return value;
        }

        @Override
        public int arity(R row) {
            return accessors.length;
        }

        /** The number of components. */
        int componentCount() {
            return accessors.length;
        }

        /** Component {@code position} of any record of this class (for codecs). */
        @SuppressWarnings("unchecked")
        Object elementOf(Object row, int position) {
            return element((R) row, position);
        }

        /** A new record from its components in order (for codecs). */
        Object make(Object[] components) {
            Object[] args = components.clone();
            for (int i = 0; i < args.length; i++) args[i] = coerce(args[i], types[i]);
            try {
                return constructor.invokeExact(args);
            } catch (Throwable t) {
                throw new IllegalStateException("cannot rebuild " + type.getName() + " from stored components: " + t, t);
            }
        }

        @Override
        public Class<R> rowClass() {
            return type;
        }

        @Override
        public String toString() {
            return "RowType.record(" + type.getSimpleName() + ", keypos " + keypos + ")";
        }
    }
}
