package io.otp4j;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An immutable tuple of values: Erlang's tuple, as ETS rows and distribution use it.
 *
 * {@snippet :
 * Tuple row = Tuple.of("alice", 42);
 * String name = (String) row.element(1);   // Erlang's element/2: 1-based
 * int age = (Integer) row.get(1);          // Java's 0-based index
 * Tuple older = row.setElement(2, 43);     // Erlang's setelement/3
 * }
 *
 * <p>Elements must be immutable values, like messages. Positions follow Erlang where Erlang names
 * them ({@link #element}, {@link #setElement}, ETS's {@code keypos}): 1-based. {@link #get} is
 * 0-based. Prints as Erlang prints tuples: {@code {alice,42}}.
 */
public final class Tuple {
    private static final Object[] EMPTY = new Object[0];
    private final Object[] elements;

    private Tuple(Object[] elements) {
        this.elements = elements;
    }

    /** A tuple of the given elements (none may be null). */
    public static Tuple of(Object... elements) {
        Object[] copy = elements.length == 0 ? EMPTY : elements.clone();
        for (Object e : copy) Objects.requireNonNull(e, "a tuple element cannot be null");
        return new Tuple(copy);
    }

    /** A tuple of the elements of a list. */
    public static Tuple fromList(List<?> elements) {
        return of(elements.toArray());
    }

    /** Number of elements ({@code tuple_size/1}). */
    public int size() {
        return elements.length;
    }

    /** The element at 0-based {@code index}. */
    public Object get(int index) {
        return elements[index];
    }

    /** The element at 1-based {@code position} ({@code element/2}). */
    public Object element(int position) {
        if (position < 1 || position > elements.length) {
            throw new IndexOutOfBoundsException("position " + position + " of a tuple of size " + elements.length);
        }
        return elements[position - 1];
    }

    /** A copy with the element at 1-based {@code position} replaced ({@code setelement/3}). */
    public Tuple setElement(int position, Object value) {
        if (position < 1 || position > elements.length) {
            throw new IndexOutOfBoundsException("position " + position + " of a tuple of size " + elements.length);
        }
        Object[] copy = elements.clone();
        copy[position - 1] = Objects.requireNonNull(value, "a tuple element cannot be null");
        return new Tuple(copy);
    }

    /** The elements, as an immutable list. */
    public List<Object> toList() {
        return List.of(elements);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Tuple t && Arrays.equals(elements, t.elements);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(elements);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < elements.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(elements[i]);
        }
        return sb.append('}').toString();
    }
}
