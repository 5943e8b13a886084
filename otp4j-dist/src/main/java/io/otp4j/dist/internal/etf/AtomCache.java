package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;

import java.util.Objects;

/**
 * The atom cache of one direction of one connection: what the peer's distribution headers have put
 * in it ({@code NewAtomCacheRef}) and later refer to by position ({@code CachedAtomRef}). It has 8
 * segments of 256 entries, 2048 in all; an entry holds the atom last put there.
 *
 * <p>One per connection, used by the thread that reads that connection: not thread-safe.
 */
public final class AtomCache {
    public static final int SEGMENTS = 8;
    public static final int SEGMENT_SIZE = 256;
    public static final int SIZE = SEGMENTS * SEGMENT_SIZE;

    private final Atom[] entries = new Atom[SIZE];

    /** The atom at {@code index} of {@code segment}, or null if nothing was put there. */
    public Atom get(int segment, int index) {
        return entries[slot(segment, index)];
    }

    /** Puts {@code atom} at {@code index} of {@code segment}, replacing what was there. */
    public void put(int segment, int index, Atom atom) {
        entries[slot(segment, index)] = Objects.requireNonNull(atom, "atom");
    }

    /** Empties the cache (a new connection starts with an empty one). */
    public void clear() {
        java.util.Arrays.fill(entries, null);
    }

    private static int slot(int segment, int index) {
        if (segment < 0 || segment >= SEGMENTS) throw new IllegalArgumentException("segment 0 to 7, got " + segment);
        if (index < 0 || index >= SEGMENT_SIZE) throw new IllegalArgumentException("index 0 to 255, got " + index);
        return segment * SEGMENT_SIZE + index;
    }
}
