package io.otp4j.dist.term;

import java.util.List;
import java.util.Objects;

/**
 * An Erlang list whose tail is not the empty list, such as {@code [a, b | c]}: the elements, and the
 * final tail. Proper lists are Java {@link List}s.
 *
 * @param elements the elements before the tail (at least one)
 * @param tail     the tail, anything but a proper list
 */
public record ImproperList(List<Object> elements, Object tail) {
    /**
     * A tail that is itself an improper list is flattened into this one ({@code [a | [b | c]]} is
     * {@code [a, b | c]}), so that equal lists are equal records.
     */
    public ImproperList {
        Objects.requireNonNull(tail, "tail");
        if (tail instanceof List<?>) throw new IllegalArgumentException("the tail of an improper list is not a list");
        if (tail instanceof ImproperList more) {
            List<Object> all = new java.util.ArrayList<>(elements.size() + more.elements.size());
            all.addAll(elements);
            all.addAll(more.elements);
            elements = all;
            tail = more.tail;
        }
        elements = List.copyOf(elements);
        if (elements.isEmpty()) throw new IllegalArgumentException("an improper list has at least one element");
    }

    /** As Erlang prints it: {@code [a,b|c]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(elements.get(i));
        }
        return sb.append('|').append(tail).append(']').toString();
    }
}
