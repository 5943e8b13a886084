package io.otp4j.dist.internal.etf;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.EncodeException;
import io.otp4j.dist.term.EncodeOptions;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import io.otp4j.dist.term.LocalFun;
import io.otp4j.dist.term.Port;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * Writes Java values in the external term format (the mapping is documented on
 * {@link io.otp4j.dist.term.Etf}). It does not recurse: nesting is followed with a stack of frames
 * on the heap, bounded by a maximum depth that also catches collections that contain themselves.
 *
 * <p>Atoms are always written as {@code SMALL_ATOM_UTF8_EXT} or {@code ATOM_UTF8_EXT}; no atom
 * cache references are written.
 */
public final class TermEncoder {
    private final ByteSink out;
    private final int maxDepth;

    private TermEncoder(ByteSink out, int maxDepth) {
        this.out = out;
        this.maxDepth = maxDepth;
    }

    /** {@code term} with the version byte, compressed if the options say so and it helps. */
    public static byte[] encode(Object term, EncodeOptions options) {
        ByteSink sink = new ByteSink(64);
        sink.u8(Tags.VERSION);
        write(sink, term, options.maxDepth());
        int plain = sink.size();
        if (options.compressAbove() >= 0 && plain > options.compressAbove()) {
            byte[] compressed = compress(sink.array(), 1, plain - 1, options.compressionLevel());
            if (compressed != null) return compressed;
        }
        return sink.toByteArray();
    }

    /** Appends {@code term} to {@code out}, without a version byte. */
    public static void write(ByteSink out, Object term, int maxDepth) {
        new TermEncoder(out, maxDepth).writeTerm(term);
    }

    /**
     * {@code 131, 80, size, zlib data} for {@code len} bytes of {@code b} from {@code off}; null
     * when that is not smaller than the plain form.
     */
    private static byte[] compress(byte[] b, int off, int len, int level) {
        Deflater d = new Deflater(level);
        try {
            d.setInput(b, off, len);
            d.finish();
            int limit = len; // 6 bytes of header plus the compressed data must stay below 1 + len
            byte[] z = new byte[6 + limit];
            int n = 6;
            while (!d.finished()) {
                if (n >= z.length) return null;
                n += d.deflate(z, n, z.length - n);
            }
            if (n >= 1 + len) return null;
            z[0] = (byte) Tags.VERSION;
            z[1] = (byte) Tags.COMPRESSED;
            z[2] = (byte) (len >>> 24);
            z[3] = (byte) (len >>> 16);
            z[4] = (byte) (len >>> 8);
            z[5] = (byte) len;
            return java.util.Arrays.copyOf(z, n);
        } finally {
            d.end();
        }
    }

    // ---------------------------------------------------------------- frames

    private static final int TUPLE = 0;
    private static final int RECORD = 1;
    private static final int LIST = 2;
    private static final int IMPROPER = 3;
    private static final int MAP = 4;

    /** A container being written: what it is and which of its children comes next. */
    private static final class Frame {
        final Frame parent;
        final int kind;
        final Object container;
        Object[] items; // record components
        Iterator<?> it; // list elements, map entries
        int index; // children written so far (for a map: keys and values)
        int count; // children expected (for a list: its size; for a map: its size)
        Object pendingValue; // a map entry's value, after its key
        Object currentKey;
        boolean tailDone;

        Frame(Frame parent, int kind, Object container) {
            this.parent = parent;
            this.kind = kind;
            this.container = container;
        }

        /** The path segment of the child being written. */
        String segment() {
            return switch (kind) {
                case TUPLE -> "{" + index + "}";
                case RECORD -> index <= 1 ? "{1}" : "." + ((RecordRegistry.Entry) items[0]).componentName(index - 2);
                case LIST -> "[" + (index - 1) + "]";
                case IMPROPER -> tailDone ? "|" : "[" + (index - 1) + "]";
                case MAP -> pendingValue != null ? "#" + RecordRegistry.brief(currentKey) : "#{" + RecordRegistry.brief(currentKey) + "}";
                default -> "?";
            };
        }
    }

    private Frame top;
    private int depth;

    private EncodeException fail(String message) {
        StringBuilder path = new StringBuilder();
        for (Frame f = top; f != null; f = f.parent) path.insert(0, f.segment());
        return new EncodeException("$" + path, message);
    }

    private void writeTerm(Object root) {
        Object next = root;
        for (;;) {
            writeOne(next);
            // find the next child to write, closing finished containers
            for (;;) {
                if (top == null) return;
                Frame f = top;
                if (hasNext(f)) {
                    next = nextChild(f);
                    break;
                }
                top = f.parent;
                depth--;
            }
        }
    }

    private boolean hasNext(Frame f) {
        switch (f.kind) {
            case TUPLE:
                return f.index < ((Tuple) f.container).size();
            case RECORD:
                return f.index < f.items.length - 1;
            case LIST:
                if (f.it.hasNext()) {
                    if (f.index >= f.count) throw fail("the list grew while it was being encoded");
                    return true;
                }
                if (f.index != f.count) throw fail("the list shrank while it was being encoded");
                out.u8(Tags.NIL_EXT);
                return false;
            case IMPROPER:
                if (f.tailDone) return false;
                if (f.it.hasNext()) return true;
                return true; // the tail comes next
            case MAP:
                if (f.pendingValue != null) return true;
                if (f.it.hasNext()) {
                    if (f.index / 2 >= f.count) throw fail("the map grew while it was being encoded");
                    return true;
                }
                if (f.index / 2 != f.count) throw fail("the map shrank while it was being encoded");
                return false;
            default:
                throw new IllegalStateException();
        }
    }

    private Object nextChild(Frame f) {
        switch (f.kind) {
            case TUPLE: {
                Object v = ((Tuple) f.container).get(f.index++);
                return v;
            }
            case RECORD:
                // items[0] is the registry entry, items[1] the tag, then the components
                return f.items[1 + f.index++];
            case LIST:
                f.index++;
                return f.it.next();
            case IMPROPER:
                if (f.it.hasNext()) {
                    f.index++;
                    return f.it.next();
                }
                f.tailDone = true;
                return ((ImproperList) f.container).tail();
            case MAP: {
                if (f.pendingValue != null) {
                    Object v = f.pendingValue;
                    f.pendingValue = null;
                    f.index++;
                    return v == NULL_VALUE ? null : v;
                }
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) f.it.next();
                Object k = e.getKey();
                Object v = e.getValue();
                f.currentKey = k;
                f.pendingValue = v == null ? NULL_VALUE : v;
                f.index++;
                return k;
            }
            default:
                throw new IllegalStateException();
        }
    }

    private static final Object NULL_VALUE = new Object();

    private void push(Frame f) {
        if (depth >= maxDepth) {
            throw fail("the term is nested deeper than " + maxDepth + " levels (EncodeOptions.maxDepth);"
                    + " does a collection contain itself?");
        }
        top = f;
        depth++;
    }

    // ---------------------------------------------------------------- values

    private void writeOne(Object v) {
        switch (v) {
            case null -> throw fail("null has no external term format");
            case Atom a -> writeAtom(a.name());
            case Boolean b -> writeAtom(b ? "true" : "false");
            case Integer i -> writeLong(i);
            case Long l -> writeLong(l);
            case Short s -> writeLong(s);
            case Byte b -> writeLong(b);
            case BigInteger b -> writeBig(b);
            case Double d -> writeDouble(d);
            case Float f -> writeDouble(f);
            case String s -> {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.u8(Tags.BINARY_EXT);
                out.i32(b.length);
                out.bytes(b);
            }
            case Binary b -> {
                out.u8(Tags.BINARY_EXT);
                out.i32(b.size());
                out.bytes(b.asReadOnlyBuffer());
            }
            case byte[] b -> {
                out.u8(Tags.BINARY_EXT);
                out.i32(b.length);
                out.bytes(b);
            }
            case BitBinary b -> {
                byte[] bytes = b.bytes();
                out.u8(Tags.BIT_BINARY_EXT);
                out.i32(bytes.length);
                out.u8(b.bitsInLastByte());
                out.bytes(bytes);
            }
            case Tuple t -> writeTuple(t);
            case List<?> l -> writeList(l);
            case ImproperList l -> {
                out.u8(Tags.LIST_EXT);
                out.i32(l.elements().size());
                Frame f = new Frame(top, IMPROPER, l);
                f.it = l.elements().iterator();
                push(f);
            }
            case Map<?, ?> m -> {
                out.u8(Tags.MAP_EXT);
                out.i32(m.size());
                if (!m.isEmpty()) {
                    Frame f = new Frame(top, MAP, m);
                    f.it = m.entrySet().iterator();
                    f.count = m.size();
                    push(f);
                }
            }
            case Pid p -> {
                out.u8(Tags.NEW_PID_EXT);
                writeAtom(p.node());
                out.i32(p.id());
                out.i32(p.serial());
                out.i32(p.creation());
            }
            case Ref r -> {
                int[] words = r.words();
                out.u8(Tags.NEWER_REFERENCE_EXT);
                out.u16(words.length);
                writeAtom(r.node());
                out.i32(r.creation());
                for (int w : words) out.i32(w);
            }
            case Port p -> {
                if (p.id() >= 0 && p.id() <= 0xFFFFFFFFL) {
                    out.u8(Tags.NEW_PORT_EXT);
                    writeAtom(p.node());
                    out.i32((int) p.id());
                } else {
                    out.u8(Tags.V4_PORT_EXT);
                    writeAtom(p.node());
                    out.i64(p.id());
                }
                out.i32(p.creation());
            }
            case ExportFun f -> {
                out.u8(Tags.EXPORT_EXT);
                writeAtom(f.module().name());
                writeAtom(f.function().name());
                out.u8(Tags.SMALL_INTEGER_EXT);
                out.u8(f.arity());
            }
            case LocalFun f -> out.bytes(f.bytes());
            case Record r -> writeRecord(r);
            default -> throw fail("a " + v.getClass().getName() + " has no external term format"
                    + " (see io.otp4j.dist.term.Etf for the Java types that map to Erlang terms)");
        }
    }

    private void writeAtom(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (name.codePointCount(0, name.length()) > 255) {
            throw fail("an atom has at most 255 characters: " + name.substring(0, 20) + "...");
        }
        if (b.length <= 255) {
            out.u8(Tags.SMALL_ATOM_UTF8_EXT);
            out.u8(b.length);
        } else {
            out.u8(Tags.ATOM_UTF8_EXT);
            out.u16(b.length);
        }
        out.bytes(b);
    }

    private void writeLong(long v) {
        if (v >= 0 && v <= 255) {
            out.u8(Tags.SMALL_INTEGER_EXT);
            out.u8((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.u8(Tags.INTEGER_EXT);
            out.i32((int) v);
        } else {
            // SMALL_BIG_EXT: magnitude, little-endian (Long.MIN_VALUE's magnitude is 2^63, read unsigned)
            long mag = v < 0 ? -v : v;
            int n = (64 - Long.numberOfLeadingZeros(mag) + 7) / 8;
            out.u8(Tags.SMALL_BIG_EXT);
            out.u8(n);
            out.u8(v < 0 ? 1 : 0);
            for (int i = 0; i < n; i++) out.u8((int) (mag >>> (8 * i)));
        }
    }

    private void writeBig(BigInteger v) {
        if (v.bitLength() <= 63) {
            writeLong(v.longValue());
            return;
        }
        byte[] be = v.abs().toByteArray(); // big-endian, maybe with a leading zero
        int start = be[0] == 0 ? 1 : 0;
        int n = be.length - start;
        if (n <= 255) {
            out.u8(Tags.SMALL_BIG_EXT);
            out.u8(n);
        } else {
            out.u8(Tags.LARGE_BIG_EXT);
            out.i32(n);
        }
        out.u8(v.signum() < 0 ? 1 : 0);
        for (int i = be.length - 1; i >= start; i--) out.u8(be[i]);
    }

    private void writeDouble(double d) {
        if (!Double.isFinite(d)) throw fail("Erlang floats are finite; cannot encode " + d);
        out.u8(Tags.NEW_FLOAT_EXT);
        out.i64(Double.doubleToRawLongBits(d));
    }

    private void writeTuple(Tuple t) {
        int n = t.size();
        if (n <= 255) {
            out.u8(Tags.SMALL_TUPLE_EXT);
            out.u8(n);
        } else {
            out.u8(Tags.LARGE_TUPLE_EXT);
            out.i32(n);
        }
        if (n > 0) push(new Frame(top, TUPLE, t));
    }

    private void writeList(List<?> l) {
        int n = l.size();
        if (n == 0) {
            out.u8(Tags.NIL_EXT);
            return;
        }
        if (n <= 0xFFFF && isByteList(l)) {
            out.u8(Tags.STRING_EXT);
            out.u16(n);
            int written = 0;
            for (Object x : l) {
                if (written == n) throw fail("the list grew while it was being encoded");
                out.u8(((Number) x).intValue());
                written++;
            }
            if (written != n) throw fail("the list shrank while it was being encoded");
            return;
        }
        out.u8(Tags.LIST_EXT);
        out.i32(n);
        Frame f = new Frame(top, LIST, l);
        f.it = l.iterator();
        f.count = n;
        push(f);
    }

    /** True if every element is an integer 0..255: such a list goes as a STRING_EXT, as erl does. */
    private static boolean isByteList(List<?> l) {
        for (Object x : l) {
            long v;
            if (x instanceof Integer i) v = i;
            else if (x instanceof Long y) v = y;
            else if (x instanceof Short s) v = s;
            else if (x instanceof Byte b) v = b;
            else return false;
            if (v < 0 || v > 255) return false;
        }
        return true;
    }

    private void writeRecord(Record r) {
        RecordRegistry.Entry e = RecordRegistry.forClass(r.getClass());
        if (e == null) {
            throw fail("the record type " + r.getClass().getName() + " is not registered in RecordTags,"
                    + " so it has no external term format (RecordTags.register(type, tag))");
        }
        int n = e.arity();
        Object[] items = new Object[n + 2];
        items[0] = e;
        items[1] = e.tag();
        for (int i = 0; i < n; i++) items[i + 2] = e.component(r, i);
        if (n + 1 <= 255) {
            out.u8(Tags.SMALL_TUPLE_EXT);
            out.u8(n + 1);
        } else {
            out.u8(Tags.LARGE_TUPLE_EXT);
            out.i32(n + 1);
        }
        Frame f = new Frame(top, RECORD, r);
        f.items = items;
        push(f);
    }
}
