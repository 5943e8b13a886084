package io.otp4j.dist.term;

import io.otp4j.Atom;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An Erlang local fun ({@code fun(X) -> ... end}, {@code fun f/1}) received from another node. A Java
 * node cannot run it; it keeps the fun's external form ({@code NEW_FUN_EXT}) so that the fun can be
 * sent back to an Erlang node unchanged, where it is equal to the original.
 *
 * <p>The external form holds the fun's module, arity, index, a checksum of the module's code, the
 * pid that created it and its captured variables.
 *
 * @param module the module the fun is defined in
 * @param arity  the fun's arity
 * @param bytes  the fun's external form, from its {@code NEW_FUN_EXT} tag (112) on, without a
 *               version byte (copied in; {@link #bytes()} returns a copy)
 */
public record LocalFun(Atom module, int arity, byte[] bytes) {
    private static final int HEADER = 1 + 4 + 1 + 16 + 4 + 4;

    /**
     * Checks that {@code bytes} starts like a {@code NEW_FUN_EXT} of that module and arity, with a
     * size field matching its length.
     */
    public LocalFun {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(bytes, "bytes");
        bytes = bytes.clone();
        if (bytes.length < HEADER + 2 || bytes[0] != 112) {
            throw new IllegalArgumentException("not the external form of a local fun (NEW_FUN_EXT)");
        }
        long size = readInt(bytes, 1) & 0xFFFFFFFFL;
        if (size != bytes.length - 1) {
            throw new IllegalArgumentException("the fun's size field says " + size + " bytes, it has " + (bytes.length - 1));
        }
        if ((bytes[5] & 0xFF) != arity) {
            throw new IllegalArgumentException("the fun's arity is " + (bytes[5] & 0xFF) + ", not " + arity);
        }
        Atom m = moduleOf(bytes);
        if (!module.equals(m)) throw new IllegalArgumentException("the fun's module is " + m + ", not " + module);
    }

    /** The local fun of an external form (from its {@code NEW_FUN_EXT} tag on). */
    public static LocalFun of(byte[] externalForm) {
        if (externalForm.length < HEADER + 2) throw new IllegalArgumentException("not the external form of a local fun (NEW_FUN_EXT)");
        return new LocalFun(moduleOf(externalForm), externalForm[5] & 0xFF, externalForm);
    }

    /** The fun's index within its module. */
    public int index() {
        return readInt(bytes, 22);
    }

    /** The number of variables the fun captured. */
    public int freeVariables() {
        return readInt(bytes, 26);
    }

    /** A copy of the external form. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    private static Atom moduleOf(byte[] b) {
        int p = HEADER;
        int tag = b[p] & 0xFF;
        int len;
        int start;
        switch (tag) {
            case 100, 118 -> { // ATOM_EXT, ATOM_UTF8_EXT
                if (b.length < p + 3) throw new IllegalArgumentException("truncated module atom in a fun");
                len = ((b[p + 1] & 0xFF) << 8) | (b[p + 2] & 0xFF);
                start = p + 3;
            }
            case 115, 119 -> { // SMALL_ATOM_EXT, SMALL_ATOM_UTF8_EXT
                len = b[p + 1] & 0xFF;
                start = p + 2;
            }
            default -> throw new IllegalArgumentException("the module of a fun must be an atom written out (tag " + tag + ")");
        }
        if (start + len > b.length) throw new IllegalArgumentException("truncated module atom in a fun");
        String name = tag == 100 || tag == 115
                ? new String(b, start, len, StandardCharsets.ISO_8859_1)
                : new String(b, start, len, StandardCharsets.UTF_8);
        return Atom.of(name);
    }

    private static int readInt(byte[] b, int p) {
        return ((b[p] & 0xFF) << 24) | ((b[p + 1] & 0xFF) << 16) | ((b[p + 2] & 0xFF) << 8) | (b[p + 3] & 0xFF);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof LocalFun f && Arrays.equals(bytes, f.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** {@code #Fun<module.index/arity>}. */
    @Override
    public String toString() {
        return "#Fun<" + module.name() + "." + index() + "/" + arity + ">";
    }
}
