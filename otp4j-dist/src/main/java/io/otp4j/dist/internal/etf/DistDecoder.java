package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;
import io.otp4j.dist.term.DecodeException;
import io.otp4j.dist.term.DecodeOptions;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Decodes the messages one connection receives, frame by frame (a frame is what follows the
 * 4-byte length on the wire; a tick, an empty frame, is for the connection to skip). It keeps the
 * connection's incoming {@link AtomCache} and its {@link Reassembler}. Three forms are read:
 * <ul>
 *   <li>{@code 131, 68, atom cache references, control, payload?}: the normal header, when
 *       {@code DFLAG_DIST_HDR_ATOM_CACHE} or {@code DFLAG_FRAGMENTS} is negotiated (terms without version bytes);
 *   <li>{@code 131, 69 ...} and {@code 131, 70 ...}: fragments, when {@code DFLAG_FRAGMENTS} is;
 *   <li>{@code 112, 131 control, 131 payload?}: pass-through, without a distribution header.
 * </ul>
 * One per connection, used by the thread that reads it: not thread-safe.
 */
public final class DistDecoder {
    private final DecodeOptions options;
    private final AtomCache cache;
    private final Reassembler reassembler;

    /** Default limits: {@link DecodeOptions#DEFAULTS}, 64 MiB of incomplete fragmented messages, 256 of them. */
    public DistDecoder() {
        this(DecodeOptions.DEFAULTS, 64L << 20, 256);
    }

    /**
     * @param options         the limits of term decoding
     * @param maxFragmentBytes the most bytes held for incomplete fragmented messages together
     * @param maxFragmented   the most fragmented messages incomplete at once
     */
    public DistDecoder(DecodeOptions options, long maxFragmentBytes, int maxFragmented) {
        this(options, new AtomCache(), new Reassembler(maxFragmentBytes, maxFragmented));
    }

    /** A decoder working with the connection's own atom cache and reassembler. */
    public DistDecoder(DecodeOptions options, AtomCache cache, Reassembler reassembler) {
        this.options = Objects.requireNonNull(options, "options");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.reassembler = Objects.requireNonNull(reassembler, "reassembler");
    }

    public AtomCache atomCache() {
        return cache;
    }

    public Reassembler reassembler() {
        return reassembler;
    }

    /** {@link #receive(byte[], int, int)} of a whole array. */
    public DistMessage receive(byte[] frame) {
        return receive(frame, 0, frame.length);
    }

    /** {@link #receive(byte[], int, int)} of the remaining bytes of a buffer, which it consumes. */
    public DistMessage receive(ByteBuffer frame) {
        if (frame.hasArray()) {
            int off = frame.arrayOffset() + frame.position();
            int len = frame.remaining();
            frame.position(frame.limit());
            return receive(frame.array(), off, len);
        }
        byte[] b = new byte[frame.remaining()];
        frame.get(b);
        return receive(b);
    }

    /**
     * Decodes the frame {@code b[off..off+len)}: the message, or null when it is a fragment of a
     * message not yet complete.
     *
     * @throws DecodeException if the frame is malformed; offsets count from {@code off}
     */
    public DistMessage receive(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) throw new DecodeException(0, "an empty frame (a tick) is not a message");
        int first = b[off] & 0xFF;
        if (first == Tags.PASS_THROUGH) return passThrough(b, off, len);
        if (first != Tags.VERSION) {
            throw new DecodeException(0, "a distribution message starts with 131 (a header) or 112 (pass-through), not " + first);
        }
        DistHeader h = DistHeader.read(b, off, off + len, cache);
        return switch (h.tag()) {
            case DistHeader.NORMAL -> terms(b, h.bodyOffset(), off + len, h.atomRefs(), -off);
            case DistHeader.FRAGMENT_START -> {
                Reassembler.Complete c = reassembler.start(h.sequenceId(), h.fragmentId(), h.atomRefs(), b, h.bodyOffset(), off + len);
                yield c == null ? null : terms(c.data(), 0, c.length(), c.atomRefs(), 0);
            }
            case DistHeader.FRAGMENT_CONT -> {
                Reassembler.Complete c = reassembler.cont(h.sequenceId(), h.fragmentId(), b, h.bodyOffset(), off + len);
                yield c == null ? null : terms(c.data(), 0, c.length(), c.atomRefs(), 0);
            }
            default -> throw new IllegalStateException();
        };
    }

    /** The control message and payload in {@code b[from..to)}, without version bytes. */
    private DistMessage terms(byte[] b, int from, int to, Atom[] refs, long reportBase) {
        TermDecoder d = new TermDecoder(b, from, to, refs, options.maxDepth(), reportBase, "");
        if (d.atEnd()) throw d.error(from, "a distribution message without a control message");
        Object control = d.readTerm();
        Object payload = d.atEnd() ? null : d.readTerm();
        if (!d.atEnd()) throw d.error(d.position(), (to - d.position()) + " bytes after the payload");
        return new DistMessage(control, payload);
    }

    private DistMessage passThrough(byte[] b, int off, int len) {
        int end = off + len;
        int p = off + 1;
        Object control = null;
        Object payload = null;
        for (int i = 0; i < 2 && p < end; i++) {
            if ((b[p] & 0xFF) != Tags.VERSION) {
                throw new DecodeException(p - off, "a pass-through term starts with the version byte 131, not " + (b[p] & 0xFF));
            }
            TermDecoder d = new TermDecoder(b, p + 1, end, null, options.maxDepth(), -off, "");
            Object t = d.readTerm();
            if (i == 0) control = t;
            else payload = t;
            p = d.position();
        }
        if (control == null) throw new DecodeException(1, "a pass-through message without a control message");
        if (p != end) throw new DecodeException(p - off, (end - p) + " bytes after the payload");
        return new DistMessage(control, payload);
    }
}
