package io.otp4j;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An Erlang atom: a named constant, such as {@code ok}, {@code error} or {@code undefined}. Atoms
 * arrive in messages from Erlang and Elixir nodes; otp4j code mostly uses records and enums
 * instead, and meets atoms at the boundary.
 *
 * <p>Atoms are values: two atoms with the same name are equal. {@link #of} returns one shared
 * instance per name, so {@code ==} works too for atoms made with it. The atoms {@code true} and
 * {@code false} travel as Java {@link Boolean}s.
 *
 * @param name the atom's text (at most 255 characters, as in Erlang)
 */
public record Atom(String name) implements Comparable<Atom> {
    private static final ConcurrentHashMap<String, Atom> TABLE = new ConcurrentHashMap<>();

    public static final Atom OK = of("ok");
    public static final Atom ERROR = of("error");
    public static final Atom UNDEFINED = of("undefined");

    public Atom {
        Objects.requireNonNull(name, "name");
        if (name.codePointCount(0, name.length()) > 255) {
            throw new IllegalArgumentException("an atom has at most 255 characters, got " + name.length());
        }
    }

    /** The atom named {@code name}, one instance per name. */
    public static Atom of(String name) {
        Atom a = TABLE.get(name);
        return a != null ? a : TABLE.computeIfAbsent(name, Atom::new);
    }

    @Override
    public int compareTo(Atom o) {
        return name.compareTo(o.name);
    }

    /** As Erlang prints it: quoted when it is not a plain lowercase name. */
    @Override
    public String toString() {
        return name.matches("[a-z][a-zA-Z0-9_@]*") ? name : "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
