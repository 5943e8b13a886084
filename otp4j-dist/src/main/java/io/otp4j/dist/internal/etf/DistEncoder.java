package io.otp4j.dist.internal.etf;

import java.util.List;
import java.util.Objects;

/**
 * Encodes the messages one connection sends into frames (each to be preceded on the wire by its
 * 4-byte length): with a normal distribution header without atom cache references
 * ({@code 131, 68, 0}) when {@code DFLAG_DIST_HDR_ATOM_CACHE} or {@code DFLAG_FRAGMENTS} is negotiated, else in the
 * pass-through form ({@code 112, 131 control, 131 payload}); and, when {@code DFLAG_FRAGMENTS} is
 * negotiated, split into fragments carrying a given number of bytes of the payload each.
 *
 * <p>The frames of one fragmented message must go out one after the other, with no other message
 * of the same sender between them; a different {@code sequenceId} per sender in flight (its pid
 * number, for instance) lets fragments of different senders interleave.
 *
 * <p>Holds no state between messages: one encoder can serve all the senders of a connection.
 */
public final class DistEncoder {
    private final boolean distHeader;
    private final int fragmentSize;
    private final int maxDepth;

    /**
     * @param distHeader   whether the distribution header is used: {@code DFLAG_DIST_HDR_ATOM_CACHE} or {@code DFLAG_FRAGMENTS} was negotiated
     * @param fragmentSize the most bytes of payload per fragment (the first fragment also carries
     *                     the control message) when {@code DFLAG_FRAGMENTS} was negotiated (which
     *                     needs a distribution header), or 0 never to fragment
     * @param maxDepth     the deepest nesting encoded
     */
    public DistEncoder(boolean distHeader, int fragmentSize, int maxDepth) {
        if (fragmentSize < 0) throw new IllegalArgumentException("fragmentSize is 0 (never) or positive, got " + fragmentSize);
        if (fragmentSize > 0 && !distHeader) throw new IllegalArgumentException("fragments need the distribution header");
        this.distHeader = distHeader;
        this.fragmentSize = fragmentSize;
        this.maxDepth = maxDepth;
    }

    /**
     * The frames of the control message {@code control} and {@code payload} (null for a control
     * message without one): a single frame unless fragmented.
     *
     * @throws io.otp4j.dist.term.EncodeException if a term has no external form
     */
    /** A first buffer that holds a typical message (a control tuple with two pids and a small term) without growing. */
    private static final int INITIAL = 256;

    public List<byte[]> encode(Object control, Object payload, long sequenceId) {
        Objects.requireNonNull(control, "control");
        if (!distHeader) {
            ByteSink out = new ByteSink(INITIAL);
            out.u8(Tags.PASS_THROUGH);
            out.u8(Tags.VERSION);
            TermEncoder.write(out, control, maxDepth);
            if (payload != null) {
                out.u8(Tags.VERSION);
                TermEncoder.write(out, payload, maxDepth);
            }
            return List.of(out.toByteArray());
        }
        if (fragmentSize == 0) {
            ByteSink out = new ByteSink(INITIAL);
            DistHeader.writeNormal(out);
            TermEncoder.write(out, control, maxDepth);
            if (payload != null) TermEncoder.write(out, payload, maxDepth);
            return List.of(out.toByteArray());
        }
        // the common case, a message that fits one fragment, is encoded once, straight after its header
        ByteSink out = new ByteSink(INITIAL);
        DistHeader.writeNormal(out);
        int start = out.size();
        TermEncoder.write(out, control, maxDepth);
        int controlLength = out.size() - start;
        if (payload != null) TermEncoder.write(out, payload, maxDepth);
        int length = out.size() - start;
        if (length - controlLength <= fragmentSize) return List.of(out.toByteArray());
        byte[] terms = java.util.Arrays.copyOfRange(out.array(), start, out.size());
        return Fragmenter.split(terms, length, controlLength, sequenceId, fragmentSize);
    }
}
