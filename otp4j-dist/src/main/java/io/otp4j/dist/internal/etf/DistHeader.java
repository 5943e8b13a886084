package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;
import io.otp4j.dist.term.DecodeException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The distribution header that starts a message between connected nodes (when
 * {@code DFLAG_DIST_HDR_ATOM_CACHE} is negotiated): {@code 131, 68} for a whole message,
 * {@code 131, 69} for the first fragment of a fragmented one, {@code 131, 70} for the others.
 *
 * <p>The first two carry atom cache references: for each, a half-byte of flags (new entry or not,
 * segment), then its index in the segment and, for a new entry, the atom's text, which goes into
 * the connection's {@link AtomCache} as soon as the header is read. {@code ATOM_CACHE_REF} {@code i}
 * in the terms that follow means the header's {@code i}-th reference.
 *
 * @param tag        {@link #NORMAL}, {@link #FRAGMENT_START} or {@link #FRAGMENT_CONT}
 * @param sequenceId the fragmented message's sequence id (0 for a normal header)
 * @param fragmentId the fragment's number, counting down to 1 (0 for a normal header)
 * @param atomRefs   the atoms referred to (empty for a continuation)
 * @param bodyOffset where the terms (or the fragment's bytes) start, in the array read
 */
public record DistHeader(int tag, long sequenceId, long fragmentId, Atom[] atomRefs, int bodyOffset) {
    public static final int NORMAL = Tags.DIST_HEADER;
    public static final int FRAGMENT_START = Tags.DIST_FRAG_HEADER;
    public static final int FRAGMENT_CONT = Tags.DIST_FRAG_CONT;

    private static final Atom[] NO_REFS = new Atom[0];

    /**
     * Reads the header of the frame of {@code b} from {@code from} to {@code to}, putting new atom
     * cache entries in {@code cache}. Offsets in errors count from {@code from}.
     */
    public static DistHeader read(byte[] b, int from, int to, AtomCache cache) {
        Reader r = new Reader(b, from, to);
        int version = r.u8("the version byte");
        if (version != Tags.VERSION) throw r.error(from, "a distribution header starts with 131, not " + version);
        int tag = r.u8("the header tag");
        return switch (tag) {
            case Tags.DIST_HEADER -> new DistHeader(tag, 0, 0, atomRefs(r, cache), r.pos);
            case Tags.DIST_FRAG_HEADER -> {
                long seq = r.i64("the sequence id");
                long frag = r.i64("the fragment id");
                if (frag == 0) throw r.error(r.pos - 8, "fragment id 0; fragments count down to 1");
                yield new DistHeader(tag, seq, frag, atomRefs(r, cache), r.pos);
            }
            case Tags.DIST_FRAG_CONT -> {
                long seq = r.i64("the sequence id");
                long frag = r.i64("the fragment id");
                if (frag == 0) throw r.error(r.pos - 8, "fragment id 0; fragments count down to 1");
                yield new DistHeader(tag, seq, frag, NO_REFS, r.pos);
            }
            default -> throw r.error(from + 1, "not a distribution header: tag " + tag + " (68, 69 or 70)");
        };
    }

    private static Atom[] atomRefs(Reader r, AtomCache cache) {
        int n = r.u8("the number of atom cache references");
        if (n == 0) return NO_REFS;
        int flagBytes = n / 2 + 1;
        int flagsAt = r.pos;
        r.need(flagBytes, "the atom cache flags");
        r.pos += flagBytes;
        int longNibble = nibble(r.b, flagsAt, n);
        boolean longAtoms = (longNibble & 1) != 0;
        Atom[] refs = new Atom[n];
        for (int i = 0; i < n; i++) {
            int flags = nibble(r.b, flagsAt, i);
            boolean isNew = (flags & 8) != 0;
            int segment = flags & 7;
            int refAt = r.pos;
            int index = r.u8("atom cache reference " + i);
            if (isNew) {
                int len = longAtoms ? r.u16("the length of a new atom") : r.u8("the length of a new atom");
                r.need(len, "the text of a new atom");
                String name = r.utf8(refAt, len);
                if (name.codePointCount(0, name.length()) > 255) {
                    throw r.error(refAt, "an atom of " + name.codePointCount(0, name.length()) + " characters; at most 255");
                }
                Atom a = Atom.of(name);
                cache.put(segment, index, a);
                refs[i] = a;
            } else {
                Atom a = cache.get(segment, index);
                if (a == null) throw r.error(refAt, "atom cache reference " + i + " is to entry " + index + " of segment " + segment + ", which is empty");
                refs[i] = a;
            }
        }
        return refs;
    }

    /** Half-byte {@code i} of the flags: even ones in the low half of a byte, odd ones in the high half. */
    private static int nibble(byte[] b, int flagsAt, int i) {
        int v = b[flagsAt + i / 2] & 0xFF;
        return (i & 1) == 0 ? v & 0xF : v >>> 4;
    }

    /** {@code 131, 68, 0}: a normal header without atom cache references. */
    public static void writeNormal(ByteSink out) {
        out.u8(Tags.VERSION);
        out.u8(Tags.DIST_HEADER);
        out.u8(0);
    }

    /** The header of the first fragment, without atom cache references. */
    public static void writeFragmentStart(ByteSink out, long sequenceId, long fragmentId) {
        out.u8(Tags.VERSION);
        out.u8(Tags.DIST_FRAG_HEADER);
        out.i64(sequenceId);
        out.i64(fragmentId);
        out.u8(0);
    }

    /** The header of a following fragment. */
    public static void writeFragmentCont(ByteSink out, long sequenceId, long fragmentId) {
        out.u8(Tags.VERSION);
        out.u8(Tags.DIST_FRAG_CONT);
        out.i64(sequenceId);
        out.i64(fragmentId);
    }

    /** Reads bytes for the header, reporting offsets from the start of the frame. */
    private static final class Reader {
        final byte[] b;
        final int base;
        final int end;
        int pos;

        Reader(byte[] b, int from, int to) {
            this.b = b;
            this.base = from;
            this.pos = from;
            this.end = to;
        }

        DecodeException error(int at, String message) {
            return new DecodeException(at - base, "distribution header: " + message);
        }

        void need(long n, String what) {
            if (n > end - pos) throw error(pos, "truncated " + what + ": " + n + " bytes needed, " + (end - pos) + " remain");
        }

        int u8(String what) {
            need(1, what);
            return b[pos++] & 0xFF;
        }

        int u16(String what) {
            need(2, what);
            int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
            pos += 2;
            return v;
        }

        long i64(String what) {
            need(8, what);
            long v = 0;
            for (int i = 0; i < 8; i++) v = (v << 8) | (b[pos + i] & 0xFF);
            pos += 8;
            return v;
        }

        String utf8(int at, int len) {
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(b, pos, len)).toString();
                pos += len;
                return s;
            } catch (CharacterCodingException e) {
                throw error(at, "an atom that is not valid UTF-8");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DistHeader h && tag == h.tag && sequenceId == h.sequenceId && fragmentId == h.fragmentId
                && java.util.Arrays.equals(atomRefs, h.atomRefs) && bodyOffset == h.bodyOffset;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(tag, sequenceId, fragmentId, java.util.Arrays.hashCode(atomRefs), bodyOffset);
    }

    @Override
    public String toString() {
        return "DistHeader[tag=" + tag + ", sequenceId=" + sequenceId + ", fragmentId=" + fragmentId
                + ", atomRefs=" + java.util.Arrays.toString(atomRefs) + ", bodyOffset=" + bodyOffset + "]";
    }
}
