package io.otp4j.dist.term;

import io.otp4j.Atom;
import io.otp4j.dist.internal.etf.RecordRegistry;

import java.lang.invoke.MethodHandles;
import java.util.Optional;

/**
 * Java records as Erlang's tagged tuples, the way Erlang records and Elixir structs-as-tuples look:
 * a record registered with tag {@code point} encodes as {@code {point, X, Y}}, and a tuple of that
 * tag and size decodes back to the record.
 *
 * {@snippet :
 * record Point(long x, long y) {}
 * RecordTags.register(Point.class, Atom.of("point"));
 * byte[] b = Etf.encode(new Point(1, 2));        // {point,1,2}
 * Point p = (Point) Etf.decode(b);
 * }
 *
 * <p>Encoding writes the components in declaration order, each encoded as any value is (a
 * {@code String} component as a UTF-8 binary, an {@code int} as an integer). Decoding converts each
 * element to its component's type through the canonical constructor:
 * <ul>
 *   <li>{@code String}: from a binary holding UTF-8 (an Elixir string) or a list of code points
 *       (an Erlang string);
 *   <li>{@code long}/{@code Long} and {@link java.math.BigInteger}: from any integer that fits;
 *       {@code int}, {@code short}, {@code byte}: from an integer in range;
 *   <li>{@code double}/{@code Double}, {@code float}: from a float or an integer;
 *   <li>{@code boolean}/{@code Boolean}: from {@code true}/{@code false};
 *   <li>{@code byte[]}: from a binary;
 *   <li>{@code List<T>}, {@code Map<K, V>}: from a list (or map) whose elements convert to
 *       {@code T} (and {@code K}, {@code V}), as unmodifiable collections;
 *   <li>any other type, including other registered records: a value of that type.
 * </ul>
 * An element that does not convert, or a constructor that throws, fails decoding with a
 * {@link DecodeException} naming the component. Encoding a record whose type is not registered
 * fails with an {@link EncodeException}.
 *
 * <p>The registry is global to the JVM and its changes are seen by all encoders and decoders. A tag
 * with a given number of components names one record type; the same tag may serve records of
 * different sizes. Every tuple that matches a registered tag and size decodes to the record, so
 * tags such as {@code ok} or {@code error} are poor choices.
 */
public final class RecordTags {
    private RecordTags() {
    }

    /**
     * Registers {@code type} to travel as a tuple tagged {@code tag}. Registering a type again with
     * the same tag does nothing.
     *
     * <p>The record's canonical constructor and accessors must be reachable from this module: a
     * public record in an exported package, or a package opened to {@code io.otp4j.dist} (every
     * package of the class path is). Otherwise use {@link #register(Class, Atom, MethodHandles.Lookup)}.
     *
     * @throws IllegalArgumentException if the type is registered with another tag, if another type
     *                                  has this tag and size, if the tag is {@code true} or
     *                                  {@code false}, or if the record cannot be reached
     */
    public static void register(Class<? extends Record> type, Atom tag) {
        RecordRegistry.register(type, tag, null);
    }

    /**
     * Registers {@code type} as {@link #register(Class, Atom)} does, reaching its constructor and
     * accessors through {@code lookup}: pass {@code MethodHandles.lookup()} from code that can see
     * the record, for a record that is not public or whose package is not open.
     */
    public static void register(Class<? extends Record> type, Atom tag, MethodHandles.Lookup lookup) {
        RecordRegistry.register(type, tag, java.util.Objects.requireNonNull(lookup, "lookup"));
    }

    /** Removes the registration of {@code type}; true if it was registered. */
    public static boolean unregister(Class<? extends Record> type) {
        return RecordRegistry.unregister(type);
    }

    /** The tag {@code type} is registered with, if it is. */
    public static Optional<Atom> tagOf(Class<? extends Record> type) {
        return Optional.ofNullable(RecordRegistry.tagOf(type));
    }
}
