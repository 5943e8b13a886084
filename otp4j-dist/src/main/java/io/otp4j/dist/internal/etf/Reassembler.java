package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;
import io.otp4j.dist.term.DecodeException;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Puts fragmented distribution messages back together: per sequence id, the atom cache references
 * of the first fragment and the bytes of the fragments so far, which must arrive in order (the
 * fragment id counts down to 1, the last fragment).
 *
 * <p>Bounded: the bytes held for all incomplete messages together may not exceed a limit, nor the
 * number of incomplete messages; a fragment that would break either is refused with a
 * {@link DecodeException} and its message dropped. One per connection, used by the thread that
 * reads it: not thread-safe.
 */
public final class Reassembler {
    private final long maxBytes;
    private final int maxMessages;
    private final HashMap<Long, Pending> pending = new HashMap<>();
    private long heldBytes;

    /** A message put together: its atom cache references and its terms, {@code data[0..length)}. */
    public record Complete(Atom[] atomRefs, byte[] data, int length) {
    }

    private static final class Pending {
        final Atom[] refs;
        long nextFragment;
        byte[] data;
        int size;

        Pending(Atom[] refs, long nextFragment) {
            this.refs = refs;
            this.nextFragment = nextFragment;
        }
    }

    /**
     * @param maxBytes    the most bytes held for all incomplete messages together
     * @param maxMessages the most incomplete messages at once
     */
    public Reassembler(long maxBytes, int maxMessages) {
        if (maxBytes < 0 || maxMessages < 1) throw new IllegalArgumentException("limits must be positive");
        this.maxBytes = maxBytes;
        this.maxMessages = maxMessages;
    }

    /** The bytes held now for incomplete messages. */
    public long heldBytes() {
        return heldBytes;
    }

    /** How many messages are incomplete. */
    public int incomplete() {
        return pending.size();
    }

    /** Drops every incomplete message (when the connection goes down). */
    public void clear() {
        pending.clear();
        heldBytes = 0;
    }

    /**
     * The first fragment ({@code DIST_FRAG_HEADER}) of sequence {@code seq}, with fragment id
     * {@code fragmentId}, its atom references and its bytes {@code b[from..to)}: the complete
     * message if this is also the last fragment (id 1), else null.
     */
    public Complete start(long seq, long fragmentId, Atom[] refs, byte[] b, int from, int to) {
        if (pending.containsKey(seq)) {
            drop(seq);
            throw new DecodeException(-1, "fragments: sequence " + Long.toUnsignedString(seq)
                    + " started again before its previous message was complete");
        }
        int len = to - from;
        if (fragmentId == 1) return new Complete(refs, Arrays.copyOfRange(b, from, to), len);
        if (pending.size() >= maxMessages) {
            throw new DecodeException(-1, "fragments: more than " + maxMessages + " fragmented messages incomplete at once");
        }
        if (heldBytes + len > maxBytes) {
            throw new DecodeException(-1, "fragments: incomplete messages would hold more than " + maxBytes + " bytes");
        }
        Pending p = new Pending(refs, fragmentId - 1);
        p.data = Arrays.copyOfRange(b, from, to);
        p.size = len;
        pending.put(seq, p);
        heldBytes += len;
        return null;
    }

    /**
     * A following fragment ({@code DIST_FRAG_CONT}): the complete message if this is the last
     * fragment, else null.
     */
    public Complete cont(long seq, long fragmentId, byte[] b, int from, int to) {
        Pending p = pending.get(seq);
        if (p == null) {
            throw new DecodeException(-1, "fragments: fragment " + Long.toUnsignedString(fragmentId) + " of sequence "
                    + Long.toUnsignedString(seq) + ", which has not started");
        }
        if (fragmentId != p.nextFragment) {
            drop(seq);
            throw new DecodeException(-1, "fragments: sequence " + Long.toUnsignedString(seq) + " expected fragment "
                    + Long.toUnsignedString(p.nextFragment) + ", got " + Long.toUnsignedString(fragmentId));
        }
        int len = to - from;
        if (heldBytes + len > maxBytes || (long) p.size + len > Integer.MAX_VALUE - 16) {
            drop(seq);
            throw new DecodeException(-1, "fragments: incomplete messages would hold more than " + maxBytes
                    + " bytes; sequence " + Long.toUnsignedString(seq) + " dropped");
        }
        if (p.size + len > p.data.length) {
            long cap = Math.max((long) p.size + len, Math.min(p.data.length * 2L, Integer.MAX_VALUE - 16));
            cap = Math.min(cap, Math.max((long) p.size + len, maxBytes));
            p.data = Arrays.copyOf(p.data, (int) cap);
        }
        System.arraycopy(b, from, p.data, p.size, len);
        p.size += len;
        heldBytes += len;
        if (fragmentId == 1) {
            pending.remove(seq);
            heldBytes -= p.size;
            return new Complete(p.refs, p.data, p.size);
        }
        p.nextFragment = fragmentId - 1;
        return null;
    }

    private void drop(long seq) {
        Pending p = pending.remove(seq);
        if (p != null) heldBytes -= p.size;
    }
}
