package io.otp4j.dist.internal.etf;

import io.otp4j.dist.term.Binary;

/**
 * Lets the decoder hand a {@link Binary} a freshly made array that nobody else holds, so that the
 * binary takes it without the defensive copy its constructor otherwise makes. Only code of this
 * module can offer an array (the package is not exported), and only the exact array offered, on the
 * offering thread, during the offer, is taken as is.
 */
public final class Adoption {
    private static final ThreadLocal<byte[]> OFFERED = new ThreadLocal<>();

    private Adoption() {
    }

    /** A binary that owns {@code fresh}, which the caller must not use or share afterwards. */
    public static Binary binary(byte[] fresh) {
        OFFERED.set(fresh);
        try {
            return new Binary(fresh);
        } finally {
            OFFERED.remove();
        }
    }

    /** Called by {@link Binary}'s constructor: true if {@code bytes} is the array being offered. */
    public static boolean claim(byte[] bytes) {
        if (OFFERED.get() != bytes) return false;
        OFFERED.remove();
        return true;
    }
}
