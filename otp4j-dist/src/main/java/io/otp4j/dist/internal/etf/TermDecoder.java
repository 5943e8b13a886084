package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.DecodeException;
import io.otp4j.dist.term.DecodeOptions;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import io.otp4j.dist.term.LocalFun;
import io.otp4j.dist.term.Port;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads terms in the external term format (the mapping to Java is documented on
 * {@link io.otp4j.dist.term.Etf}).
 *
 * <p>Hostile input is the normal case here: every length is checked against the bytes that remain
 * before anything is allocated for it (every element of a list, tuple or map takes at least one
 * byte), nesting is followed with a stack of frames on the heap rather than by recursion and is
 * bounded by {@link DecodeOptions#maxDepth()}, and a compressed term inflates into a buffer that
 * grows with what actually comes out, up to the size it declares and
 * {@link DecodeOptions#maxDecompressedSize()}. Every malformed input ends in a
 * {@link DecodeException} giving the offset and what was wrong.
 *
 * <p>One decoder reads from one array between two offsets. Offsets in messages count from
 * {@code reportBase}, so that a caller decoding part of a frame can report offsets in the frame.
 */
public final class TermDecoder {
    private static final Tuple EMPTY_TUPLE = Tuple.of();
    private static final Pattern FLOAT_STRING = Pattern.compile("\\s*[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?\\s*");

    private final byte[] buf;
    private int pos;
    private final int end;
    private final Atom[] atomRefs;
    private final int maxDepth;
    private final long reportBase;
    private final String context;
    private CharsetDecoder utf8;

    // positions of ATOM_CACHE_REFs read inside funs, to write the funs out without them
    private int funNesting;
    private int[] refPositions = new int[0];
    private int refCount;

    /**
     * @param buf        the input
     * @param from       where the first term starts (its tag; no version byte)
     * @param to         where the input ends
     * @param atomRefs   the atoms of the distribution header that {@code ATOM_CACHE_REF} indexes,
     *                   or null outside a distribution message
     * @param maxDepth   the deepest nesting accepted
     * @param reportBase what offset {@code 0} of {@code buf} is, in error messages
     * @param context    prefixed to error messages, such as "in the decompressed data: ", or ""
     */
    public TermDecoder(byte[] buf, int from, int to, Atom[] atomRefs, int maxDepth, long reportBase, String context) {
        if (from < 0 || to > buf.length || from > to) throw new IllegalArgumentException("bad range " + from + ".." + to);
        this.buf = buf;
        this.pos = from;
        this.end = to;
        this.atomRefs = atomRefs;
        this.maxDepth = maxDepth;
        this.reportBase = reportBase;
        this.context = context;
    }

    /** Where the next term starts. */
    public int position() {
        return pos;
    }

    /** True when every byte up to the end has been read. */
    public boolean atEnd() {
        return pos == end;
    }

    // ---------------------------------------------------------------- entry points

    /**
     * The term of {@code len} bytes of {@code b} from {@code off}: a version byte (131), then a term
     * or a compressed term, and nothing after it.
     */
    public static Object decode(byte[] b, int off, int len, DecodeOptions options) {
        if (off < 0 || len < 0 || off + len > b.length) throw new IllegalArgumentException("bad range");
        if (len == 0) throw new DecodeException(0, "no bytes: a term starts with the version byte 131");
        if ((b[off] & 0xFF) != Tags.VERSION) {
            throw new DecodeException(0, "not the external term format: it starts with the version byte 131, not " + (b[off] & 0xFF));
        }
        return decodeTop(b, off + 1, off + len, null, options, -off);
    }

    /**
     * The term from {@code from} (after a version byte) to {@code to}, possibly compressed, with
     * nothing after it.
     */
    static Object decodeTop(byte[] b, int from, int to, Atom[] atomRefs, DecodeOptions options, long reportBase) {
        if (from < to && (b[from] & 0xFF) == Tags.COMPRESSED) {
            byte[] inflated = inflate(b, from, to, options, reportBase);
            TermDecoder d = new TermDecoder(inflated, 0, inflated.length, atomRefs, options.maxDepth(), 0,
                    "in the decompressed data (" + inflated.length + " bytes): ");
            Object t = d.readTerm();
            if (!d.atEnd()) throw d.error(d.pos, (inflated.length - d.pos) + " bytes after the term");
            return t;
        }
        TermDecoder d = new TermDecoder(b, from, to, atomRefs, options.maxDepth(), reportBase, "");
        Object t = d.readTerm();
        if (!d.atEnd()) throw d.error(d.pos, (to - d.pos) + " bytes after the end of the term");
        return t;
    }

    /** The data of the compressed term whose tag (80) is at {@code from}. */
    private static byte[] inflate(byte[] b, int from, int to, DecodeOptions options, long reportBase) {
        if (to - from < 5) throw new DecodeException(reportBase + from, "truncated compressed term: no size");
        long declared = ((b[from + 1] & 0xFFL) << 24) | ((b[from + 2] & 0xFF) << 16) | ((b[from + 3] & 0xFF) << 8) | (b[from + 4] & 0xFF);
        long at = reportBase + from;
        if (declared == 0) throw new DecodeException(at, "a compressed term that declares 0 bytes");
        if (declared > options.maxDecompressedSize()) {
            throw new DecodeException(at, "a compressed term declares " + declared + " bytes, over the limit of "
                    + options.maxDecompressedSize() + " (DecodeOptions.maxDecompressedSize)");
        }
        int size = (int) declared;
        int inputLen = to - from - 5;
        Inflater inf = new Inflater();
        try {
            inf.setInput(b, from + 5, inputLen);
            // start small and grow with what comes out: the declared size is only a claim
            byte[] out = new byte[(int) Math.min(size, Math.max(256L, inputLen * 4L))];
            int n = 0;
            while (n < size) {
                if (n == out.length) out = Arrays.copyOf(out, (int) Math.min(size, out.length * 2L));
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0) {
                    if (inf.needsDictionary()) throw new DecodeException(at, "the compressed data asks for a preset dictionary");
                    if (inf.finished() || inf.needsInput()) break;
                }
                n += k;
            }
            if (n < size) {
                throw new DecodeException(at, "the compressed data inflates to " + n + " bytes, fewer than the " + size + " declared"
                        + (inf.finished() ? "" : " (it is truncated)"));
            }
            if (!inf.finished()) {
                byte[] one = new byte[1];
                if (inf.inflate(one) > 0 || !inf.finished()) {
                    throw new DecodeException(at, "the compressed data inflates to more than the " + size + " bytes declared");
                }
            }
            if (inf.getRemaining() > 0) {
                throw new DecodeException(at, inf.getRemaining() + " bytes after the end of the compressed data");
            }
            return out;
        } catch (DataFormatException e) {
            throw new DecodeException(at, "the compressed data is not valid zlib data: " + e.getMessage());
        } finally {
            inf.end();
        }
    }

    // ---------------------------------------------------------------- errors and reading

    DecodeException error(int at, String message) {
        return new DecodeException(reportBase + at, context + message);
    }

    private void need(int at, long n, String what) {
        if (n > end - pos) {
            throw error(at, "truncated " + what + ": it needs " + n + " more bytes, " + (end - pos) + " remain");
        }
    }

    private int u8(int at, String what) {
        need(at, 1, what);
        return buf[pos++] & 0xFF;
    }

    private int u16(int at, String what) {
        need(at, 2, what);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    private int i32(int at, String what) {
        need(at, 4, what);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    private long u32(int at, String what) {
        return i32(at, what) & 0xFFFFFFFFL;
    }

    private long i64(int at, String what) {
        need(at, 8, what);
        long hi = i32(at, what) & 0xFFFFFFFFL;
        long lo = i32(at, what) & 0xFFFFFFFFL;
        return (hi << 32) | lo;
    }

    // ---------------------------------------------------------------- frames

    private static final int TUPLE = 0;
    private static final int LIST = 1;
    private static final int MAP = 2;
    private static final int FUN = 3;

    /** A container being read: the values read so far, and how many are still to come. */
    private static final class Frame {
        final Frame parent;
        final int kind;
        final int start;
        Object[] items;
        int filled;
        int count; // values expected; for a list the elements before the tail
        Object tail;
        boolean hasTail;
        // a fun
        int funEnd;
        Atom funModule;
        int funArity;
        int funRefsFrom;

        Frame(Frame parent, int kind, int start, int count) {
            this.parent = parent;
            this.kind = kind;
            this.start = start;
            this.count = count;
            this.items = new Object[count];
        }

        /** Takes the next value; true when the container is complete. */
        boolean accept(Object v) {
            if (kind == LIST) {
                if (filled < count) {
                    items[filled++] = v;
                    return false;
                }
                tail = v;
                hasTail = true;
                return true;
            }
            items[filled++] = v;
            return filled == count;
        }

        boolean awaitingListTail() {
            return kind == LIST && filled == count && !hasTail;
        }
    }

    private Frame top;
    private int depth;
    /**
     * Values still expected by the open containers, not counting a slot that a nested container
     * being read will fill. Each takes at least one byte, so this never exceeds the bytes that
     * remain: checked before a container's array is allocated, which keeps all the arrays of
     * nested containers together within the size of the input.
     */
    private long owed;

    /** Checks that a container of {@code k} values, starting at {@code at}, can fit and nest. */
    private void reserve(int at, long k, String what) {
        if (depth >= maxDepth) {
            throw error(at, "the term is nested deeper than " + maxDepth + " levels (DecodeOptions.maxDepth)");
        }
        long o = owed - (top != null ? 1 : 0) + k;
        if (o > end - pos) {
            throw error(at, "truncated or impossible " + what + ": with what encloses it, at least " + o
                    + " more bytes are needed, " + (end - pos) + " remain");
        }
        owed = o;
    }

    private void push(Frame f) {
        top = f;
        depth++;
    }

    // ---------------------------------------------------------------- terms

    /** Reads one term at the current position, without a version byte. */
    public Object readTerm() {
        int at = pos;
        try {
            return readLoop();
        } catch (DecodeException e) {
            throw e;
        } catch (RuntimeException e) {
            // a check missed above: still a DecodeException, never another exception
            throw error(at, "malformed term: " + e);
        }
    }

    private Object readLoop() {
        top = null;
        depth = 0;
        owed = 0;
        for (;;) {
            Frame t = top;
            if (t != null && t.awaitingListTail() && pos < end && (buf[pos] & 0xFF) == Tags.LIST_EXT) {
                // [a, b | [c, d]]: a tail that is itself a list continues this list rather than nesting
                int at = pos++;
                long n = u32(at, "LIST_EXT");
                if (owed + n > end - pos) {
                    throw error(at, "truncated or impossible LIST_EXT of " + n + " elements: with what encloses it, at least "
                            + (owed + n) + " more bytes are needed, " + (end - pos) + " remain");
                }
                owed += n;
                long total = (long) t.count + n;
                if (total > Integer.MAX_VALUE - 16) throw error(at, "a list of " + total + " elements");
                if (total > t.items.length) t.items = Arrays.copyOf(t.items, (int) Math.max(total, Math.min(t.items.length * 2L, Integer.MAX_VALUE - 16)));
                t.count = (int) total;
                continue;
            }
            int at = pos;
            int tag = u8(at, "term: no tag");
            Object value;
            switch (tag) {
                case Tags.SMALL_INTEGER_EXT -> value = u8(at, "SMALL_INTEGER_EXT");
                case Tags.INTEGER_EXT -> value = i32(at, "INTEGER_EXT");
                case Tags.SMALL_BIG_EXT -> value = big(at, u8(at, "SMALL_BIG_EXT"));
                case Tags.LARGE_BIG_EXT -> value = big(at, u32(at, "LARGE_BIG_EXT"));
                case Tags.NEW_FLOAT_EXT -> {
                    double d = Double.longBitsToDouble(i64(at, "NEW_FLOAT_EXT"));
                    if (!Double.isFinite(d)) throw error(at, "NEW_FLOAT_EXT holds " + d + "; Erlang floats are finite");
                    value = d;
                }
                case Tags.FLOAT_EXT -> value = oldFloat(at);
                case Tags.ATOM_EXT, Tags.SMALL_ATOM_EXT, Tags.ATOM_UTF8_EXT, Tags.SMALL_ATOM_UTF8_EXT, Tags.ATOM_CACHE_REF -> {
                    Atom a = atomBody(at, tag);
                    value = a.name().equals("true") ? Boolean.TRUE : a.name().equals("false") ? Boolean.FALSE : a;
                }
                case Tags.SMALL_TUPLE_EXT, Tags.LARGE_TUPLE_EXT -> {
                    long n = tag == Tags.SMALL_TUPLE_EXT ? u8(at, "SMALL_TUPLE_EXT") : u32(at, "LARGE_TUPLE_EXT");
                    if (n == 0) {
                        value = EMPTY_TUPLE;
                    } else {
                        reserve(at, n, "tuple of " + n + " elements");
                        push(new Frame(top, TUPLE, at, (int) n));
                        continue;
                    }
                }
                case Tags.NIL_EXT -> value = List.of();
                case Tags.STRING_EXT -> {
                    int n = u16(at, "STRING_EXT");
                    need(at, n, "STRING_EXT of " + n + " characters");
                    Integer[] chars = new Integer[n];
                    for (int i = 0; i < n; i++) chars[i] = buf[pos + i] & 0xFF;
                    pos += n;
                    value = Collections.unmodifiableList(Arrays.asList(chars));
                }
                case Tags.LIST_EXT -> {
                    long n = u32(at, "LIST_EXT");
                    reserve(at, n + 1, "LIST_EXT of " + n + " elements and a tail");
                    push(new Frame(top, LIST, at, (int) n));
                    continue;
                }
                case Tags.MAP_EXT -> {
                    long n = u32(at, "MAP_EXT");
                    if (n == 0) {
                        value = Map.of();
                    } else {
                        reserve(at, 2 * n, "MAP_EXT of " + n + " pairs");
                        push(new Frame(top, MAP, at, (int) (2 * n)));
                        continue;
                    }
                }
                case Tags.BINARY_EXT -> {
                    long n = u32(at, "BINARY_EXT");
                    need(at, n, "BINARY_EXT of " + n + " bytes");
                    value = Adoption.binary(Arrays.copyOfRange(buf, pos, pos + (int) n));
                    pos += (int) n;
                }
                case Tags.BIT_BINARY_EXT -> value = bitBinary(at);
                case Tags.NEW_PID_EXT, Tags.PID_EXT -> value = pid(at, tag);
                case Tags.NEW_PORT_EXT, Tags.V4_PORT_EXT, Tags.PORT_EXT -> value = port(at, tag);
                case Tags.NEWER_REFERENCE_EXT, Tags.NEW_REFERENCE_EXT, Tags.REFERENCE_EXT -> value = ref(at, tag);
                case Tags.EXPORT_EXT -> {
                    Atom m = atom("the module of EXPORT_EXT");
                    Atom f = atom("the function of EXPORT_EXT");
                    int aAt = pos;
                    if (u8(aAt, "the arity of EXPORT_EXT") != Tags.SMALL_INTEGER_EXT) {
                        throw error(aAt, "the arity of EXPORT_EXT is a SMALL_INTEGER_EXT");
                    }
                    value = new ExportFun(m, f, u8(aAt, "the arity of EXPORT_EXT"));
                }
                case Tags.NEW_FUN_EXT -> {
                    Frame f = funHeader(at);
                    if (f.count == 0) {
                        value = finishFun(f);
                    } else {
                        push(f);
                        funNesting++;
                        continue;
                    }
                }
                case Tags.COMPRESSED -> throw error(at, "a compressed term (tag 80) can only be a whole term, not a part of one");
                case Tags.FUN_EXT -> throw error(at, "FUN_EXT (tag 117) is an obsolete fun format no longer decoded by Erlang either");
                case Tags.LOCAL_EXT -> throw error(at, "LOCAL_EXT (tag 121) terms only decode on the node that encoded them");
                default -> throw error(at, "unknown tag " + tag);
            }
            // hand the value to the containers it completes
            boolean counted = true; // a value read here fills a slot counted in owed; a finished container's slot was not
            for (;;) {
                Frame f = top;
                if (f == null) return value;
                if (counted) owed--;
                if (!f.accept(value)) break;
                top = f.parent;
                depth--;
                value = finish(f);
                counted = false;
            }
        }
    }

    private Object finish(Frame f) {
        return switch (f.kind) {
            case TUPLE -> tuple(f);
            case LIST -> list(f);
            case MAP -> map(f);
            case FUN -> {
                funNesting--;
                yield finishFun(f);
            }
            default -> throw new IllegalStateException();
        };
    }

    private Object tuple(Frame f) {
        Object[] items = f.items;
        if (items[0] instanceof Atom tag) {
            RecordRegistry.Entry e = RecordRegistry.forTag(tag, items.length - 1);
            if (e != null) {
                try {
                    return e.construct(items);
                } catch (IllegalArgumentException ex) {
                    throw error(f.start, "the tuple tagged " + tag + " is a registered record, but: " + ex.getMessage());
                }
            }
        }
        return Tuple.of(items);
    }

    private Object list(Frame f) {
        Object[] items = f.items.length == f.count ? f.items : Arrays.copyOf(f.items, f.count);
        Object tail = f.tail;
        if (tail instanceof List<?> more) {
            if (!more.isEmpty()) {
                int n = items.length;
                items = Arrays.copyOf(items, n + more.size());
                for (Object x : more) items[n++] = x;
            }
            return Collections.unmodifiableList(Arrays.asList(items));
        }
        if (items.length == 0) return tail; // LIST_EXT with no elements: just its tail
        return new ImproperList(Arrays.asList(items), tail);
    }

    private Object map(Frame f) {
        Object[] kv = f.items;
        int n = kv.length / 2;
        HashMap<Object, Object> m = HashMap.newHashMap(n);
        for (int i = 0; i < kv.length; i += 2) {
            if (m.putIfAbsent(kv[i], kv[i + 1]) != null) {
                throw error(f.start, "MAP_EXT has the key " + RecordRegistry.brief(kv[i]) + " twice");
            }
        }
        return Collections.unmodifiableMap(m);
    }

    // ---------------------------------------------------------------- atoms

    /** An atom at the current position (any atom tag), as an Atom even for true and false. */
    private Atom atom(String what) {
        int at = pos;
        int tag = u8(at, what);
        return switch (tag) {
            case Tags.ATOM_EXT, Tags.SMALL_ATOM_EXT, Tags.ATOM_UTF8_EXT, Tags.SMALL_ATOM_UTF8_EXT, Tags.ATOM_CACHE_REF -> atomBody(at, tag);
            default -> throw error(at, what + " is an atom, not " + Tags.name(tag));
        };
    }

    private Atom atomBody(int at, int tag) {
        if (tag == Tags.ATOM_CACHE_REF) {
            int i = u8(at, "ATOM_CACHE_REF");
            if (atomRefs == null) throw error(at, "ATOM_CACHE_REF outside a distribution message with atom cache references");
            if (i >= atomRefs.length) {
                throw error(at, "ATOM_CACHE_REF " + i + ", but the distribution header has " + atomRefs.length + " references");
            }
            if (funNesting > 0) {
                if (refCount == refPositions.length) refPositions = Arrays.copyOf(refPositions, Math.max(8, refCount * 2));
                refPositions[refCount++] = at;
            }
            return atomRefs[i];
        }
        int n = tag == Tags.ATOM_EXT || tag == Tags.ATOM_UTF8_EXT ? u16(at, Tags.name(tag)) : u8(at, Tags.name(tag));
        need(at, n, Tags.name(tag) + " of " + n + " bytes");
        String name;
        if (tag == Tags.ATOM_EXT || tag == Tags.SMALL_ATOM_EXT) {
            if (n > 255) throw error(at, "an atom of " + n + " characters; at most 255");
            name = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
        } else {
            name = utf8(at, n);
            if (n > 255 && name.codePointCount(0, name.length()) > 255) {
                throw error(at, "an atom of " + name.codePointCount(0, name.length()) + " characters; at most 255");
            }
        }
        pos += n;
        return Atom.of(name);
    }

    private String utf8(int at, int n) {
        boolean ascii = true;
        for (int i = pos; i < pos + n; i++) {
            if (buf[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return new String(buf, pos, n, StandardCharsets.ISO_8859_1);
        if (utf8 == null) {
            utf8 = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
        }
        try {
            return utf8.reset().decode(ByteBuffer.wrap(buf, pos, n)).toString();
        } catch (CharacterCodingException e) {
            throw error(at, "an atom that is not valid UTF-8");
        }
    }

    // ---------------------------------------------------------------- numbers

    private Object big(int at, long n) {
        need(at, n + 1, "bignum of " + n + " bytes");
        boolean negative = buf[pos++] != 0;
        int len = (int) n;
        if (len <= 8) {
            long mag = 0;
            for (int i = len - 1; i >= 0; i--) mag = (mag << 8) | (buf[pos + i] & 0xFF);
            pos += len;
            if (mag >= 0) {
                long v = negative ? -mag : mag;
                return v == (int) v ? (Object) (int) v : (Object) v;
            }
            if (negative && mag == Long.MIN_VALUE) return Long.MIN_VALUE;
            BigInteger b = new BigInteger(1, new byte[]{(byte) (mag >>> 56), (byte) (mag >>> 48), (byte) (mag >>> 40),
                    (byte) (mag >>> 32), (byte) (mag >>> 24), (byte) (mag >>> 16), (byte) (mag >>> 8), (byte) mag});
            return negative ? b.negate() : b;
        }
        byte[] be = new byte[len];
        for (int i = 0; i < len; i++) be[i] = buf[pos + len - 1 - i];
        pos += len;
        BigInteger b = new BigInteger(negative ? -1 : 1, be);
        if (b.bitLength() <= 31) return b.intValue();
        if (b.bitLength() <= 63) return b.longValue();
        return b;
    }

    private Object oldFloat(int at) {
        need(at, 31, "FLOAT_EXT");
        int n = 0;
        while (n < 31 && buf[pos + n] != 0) n++;
        String s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
        pos += 31;
        if (!FLOAT_STRING.matcher(s).matches()) throw error(at, "FLOAT_EXT that is not a float: \"" + s + "\"");
        double d = Double.parseDouble(s.strip());
        if (!Double.isFinite(d)) throw error(at, "FLOAT_EXT out of range: " + s);
        return d;
    }

    private Object bitBinary(int at) {
        long n = u32(at, "BIT_BINARY_EXT");
        int bits = u8(at, "BIT_BINARY_EXT");
        need(at, n, "BIT_BINARY_EXT of " + n + " bytes");
        if (n == 0) {
            if (bits != 0) throw error(at, "BIT_BINARY_EXT with no bytes and " + bits + " bits in its last byte");
            return Binary.EMPTY;
        }
        if (bits < 1 || bits > 8) throw error(at, "BIT_BINARY_EXT with " + bits + " bits in its last byte; 1 to 8");
        byte[] b = Arrays.copyOfRange(buf, pos, pos + (int) n);
        pos += (int) n;
        return bits == 8 ? Adoption.binary(b) : new BitBinary(b, bits);
    }

    // ---------------------------------------------------------------- identifiers

    private Pid pid(int at, int tag) {
        Atom node = atom("the node of " + Tags.name(tag));
        int id = i32(at, Tags.name(tag));
        int serial = i32(at, Tags.name(tag));
        int creation = tag == Tags.NEW_PID_EXT ? i32(at, Tags.name(tag)) : u8(at, Tags.name(tag));
        return new Pid(node.name(), id, serial, creation);
    }

    private Port port(int at, int tag) {
        Atom node = atom("the node of " + Tags.name(tag));
        long id = tag == Tags.V4_PORT_EXT ? i64(at, "V4_PORT_EXT") : u32(at, Tags.name(tag));
        int creation = tag == Tags.PORT_EXT ? u8(at, "PORT_EXT") : i32(at, Tags.name(tag));
        return new Port(node.name(), id, creation);
    }

    private Ref ref(int at, int tag) {
        if (tag == Tags.REFERENCE_EXT) {
            Atom node = atom("the node of REFERENCE_EXT");
            int id = i32(at, "REFERENCE_EXT");
            int creation = u8(at, "REFERENCE_EXT");
            return new Ref(node.name(), creation, id);
        }
        int len = u16(at, Tags.name(tag));
        if (len < 1 || len > 5) throw error(at, Tags.name(tag) + " with " + len + " words; a reference has 1 to 5");
        Atom node = atom("the node of " + Tags.name(tag));
        int creation = tag == Tags.NEWER_REFERENCE_EXT ? i32(at, Tags.name(tag)) : u8(at, Tags.name(tag));
        need(at, 4L * len, Tags.name(tag));
        int[] words = new int[len];
        for (int i = 0; i < len; i++) words[i] = i32(at, Tags.name(tag));
        return new Ref(node.name(), creation, words);
    }

    // ---------------------------------------------------------------- funs

    /** Reads a NEW_FUN_EXT up to its free variables. */
    private Frame funHeader(int at) {
        long size = u32(at, "NEW_FUN_EXT");
        if (size < 4 + 1 + 16 + 4 + 4) throw error(at, "NEW_FUN_EXT with a size of " + size + " bytes");
        need(at, size - 4, "NEW_FUN_EXT of " + size + " bytes");
        int funEnd = at + 1 + (int) size;
        int arity = u8(at, "NEW_FUN_EXT");
        pos += 16; // uniq
        i32(at, "NEW_FUN_EXT"); // index
        long numFree = u32(at, "NEW_FUN_EXT");
        if (numFree > funEnd - pos) throw error(at, "NEW_FUN_EXT with " + numFree + " free variables in " + (funEnd - pos) + " bytes");
        int refsFrom = refCount;
        funNesting++;
        Atom module;
        try {
            module = atom("the module of NEW_FUN_EXT");
            smallOrInteger("the old index of NEW_FUN_EXT");
            smallOrInteger("the old uniq of NEW_FUN_EXT");
            int pidAt = pos;
            int pidTag = u8(pidAt, "the pid of NEW_FUN_EXT");
            if (pidTag != Tags.NEW_PID_EXT && pidTag != Tags.PID_EXT) throw error(pidAt, "the pid of NEW_FUN_EXT is not a pid");
            pid(pidAt, pidTag);
        } finally {
            funNesting--;
        }
        if (pos > funEnd) throw error(at, "NEW_FUN_EXT longer than its size field (" + size + ")");
        if (numFree > funEnd - pos) throw error(at, "NEW_FUN_EXT with " + numFree + " free variables in " + (funEnd - pos) + " bytes");
        if (numFree > 0) reserve(at, numFree, "NEW_FUN_EXT with " + numFree + " free variables");
        Frame f = new Frame(top, FUN, at, (int) numFree);
        f.funEnd = funEnd;
        f.funModule = module;
        f.funArity = arity;
        f.funRefsFrom = refsFrom;
        return f;
    }

    private void smallOrInteger(String what) {
        int at = pos;
        int tag = u8(at, what);
        if (tag == Tags.SMALL_INTEGER_EXT) u8(at, what);
        else if (tag == Tags.INTEGER_EXT) i32(at, what);
        else throw error(at, what + " is an integer, not " + Tags.name(tag));
    }

    private LocalFun finishFun(Frame f) {
        if (pos != f.funEnd) {
            throw error(f.start, "NEW_FUN_EXT's size field says it ends at byte " + (reportBase + f.funEnd)
                    + ", but its contents end at byte " + (reportBase + pos));
        }
        byte[] bytes;
        if (refCount == f.funRefsFrom) {
            bytes = Arrays.copyOfRange(buf, f.start, f.funEnd);
        } else {
            bytes = withoutCacheRefs(f.start, f.funEnd, f.funRefsFrom);
        }
        if (funNesting == 0) refCount = 0;
        try {
            return new LocalFun(f.funModule, f.funArity, bytes);
        } catch (IllegalArgumentException e) {
            throw error(f.start, "malformed NEW_FUN_EXT: " + e.getMessage());
        }
    }

    /** The bytes from {@code from} to {@code to}, with each ATOM_CACHE_REF replaced by the atom it stands for. */
    private byte[] withoutCacheRefs(int from, int to, int refsFrom) {
        ByteSink out = new ByteSink(to - from + 64);
        int p = from;
        for (int r = refsFrom; r < refCount; r++) {
            int at = refPositions[r];
            out.bytes(buf, p, at - p);
            byte[] name = atomRefs[buf[at + 1] & 0xFF].name().getBytes(StandardCharsets.UTF_8);
            if (name.length <= 255) {
                out.u8(Tags.SMALL_ATOM_UTF8_EXT);
                out.u8(name.length);
            } else {
                out.u8(Tags.ATOM_UTF8_EXT);
                out.u16(name.length);
            }
            out.bytes(name);
            p = at + 2;
        }
        out.bytes(buf, p, to - p);
        out.putI32(1, out.size() - 1); // the size field counts itself and everything after it
        return out.toByteArray();
    }
}
