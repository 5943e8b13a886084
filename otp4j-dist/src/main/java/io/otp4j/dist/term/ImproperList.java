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
    public ImproperList {
        elements = List.copyOf(elements);
        if (elements.isEmpty()) throw new IllegalArgumentException("an improper list has at least one element");
        Objects.requireNonNull(tail, "tail");
        if (tail instanceof List<?>) throw new IllegalArgumentException("the tail of an improper list is not a list");
    }
}
