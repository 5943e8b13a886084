package io.otp4j.dist.internal.etf;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an encoded distribution message (control message then payload, without version bytes)
 * into fragments, as the Erlang runtime does: each fragment carries up to a given number of bytes
 * of the payload, and the first one also the whole control message. The first fragment has a
 * {@code DIST_FRAG_HEADER}, the others a {@code DIST_FRAG_CONT}; their ids count down to 1. No atom
 * cache references are written.
 */
public final class Fragmenter {
    private Fragmenter() {
    }

    /**
     * The frames (each without the 4-byte length that precedes it on the wire) of the terms
     * {@code terms[0..length)}, whose first {@code controlLength} bytes are the control message,
     * with at most {@code fragmentSize} bytes of payload per fragment. One frame with a normal
     * header ({@code 131, 68, 0}) when the payload fits in one fragment.
     */
    public static List<byte[]> split(byte[] terms, int length, int controlLength, long sequenceId, int fragmentSize) {
        if (fragmentSize < 1) throw new IllegalArgumentException("fragmentSize must be positive, got " + fragmentSize);
        if (controlLength < 1 || controlLength > length) throw new IllegalArgumentException("bad control length " + controlLength);
        int payload = length - controlLength;
        if (payload <= fragmentSize) {
            ByteSink out = new ByteSink(3 + length);
            DistHeader.writeNormal(out);
            out.bytes(terms, 0, length);
            return List.of(out.toByteArray());
        }
        long count = (payload + (long) fragmentSize - 1) / fragmentSize;
        List<byte[]> frames = new ArrayList<>((int) Math.min(count, 1 << 20));
        int first = controlLength + fragmentSize;
        ByteSink out = new ByteSink(19 + first);
        DistHeader.writeFragmentStart(out, sequenceId, count);
        out.bytes(terms, 0, first);
        frames.add(out.toByteArray());
        int p = first;
        for (long id = count - 1; id >= 1; id--) {
            int n = Math.min(fragmentSize, length - p);
            out = new ByteSink(18 + n);
            DistHeader.writeFragmentCont(out, sequenceId, id);
            out.bytes(terms, p, n);
            frames.add(out.toByteArray());
            p += n;
        }
        return frames;
    }
}
