package io.otp4j.tables;

import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;

import java.lang.reflect.Method;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a disk table writes rows and keys as bytes: a tagged binary form that keeps Java types
 * ({@code 1} stays an {@code Integer}, {@code 1L} a {@code Long}), so that what a lookup returns
 * equals what was inserted and keys that are {@code equals} have the same bytes. Maps and sets are
 * written in a canonical order (by their members' bytes), so equal maps give equal keys.
 *
 * <p>Written: null (in record components), the boxed primitives, String, BigInteger, BigDecimal,
 * byte[], {@link Tuple}, List, Set, Map, records, enums, {@link Pid}, {@link Ref}, UUID and the
 * {@code java.time} values that {@code parse} their {@code toString}. Anything else is refused
 * with an {@link IllegalArgumentException} naming its class, before anything is written.
 */
final class RowCodec {
    private static final byte NULL = 0, INT = 1, LONG = 2, SHORT = 3, BYTE = 4, DOUBLE = 5, FLOAT = 6, TRUE = 7,
            FALSE = 8, CHAR = 9, STRING = 10, BIGINT = 11, BIGDEC = 12, BYTES = 13, TUPLE = 14, LIST = 15, MAP = 16,
            SET = 17, RECORD = 18, ENUM = 19, PID = 20, REF = 21, UUID_TAG = 22, TIME = 23;
    private static final int MAX_DEPTH = 256;

    private final ClassLoader loader;
    private final ConcurrentHashMap<String, Class<?>> classes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Class<?>, RowType.Records<?, ?>> records = new ConcurrentHashMap<>();

    RowCodec(ClassLoader loader) {
        this.loader = loader != null ? loader : RowCodec.class.getClassLoader();
    }

    // ------------------------------------------------------------------ writing

    byte[] encode(Object value) {
        Out out = new Out(64);
        write(out, value, 0);
        return out.bytes();
    }

    private void write(Out out, Object v, int depth) {
        if (depth > MAX_DEPTH) throw new IllegalArgumentException("a value nested deeper than " + MAX_DEPTH + " levels");
        switch (v) {
            case null -> out.b(NULL);
            case Integer i -> {
                out.b(INT);
                out.i32(i);
            }
            case Long l -> {
                out.b(LONG);
                out.i64(l);
            }
            case String s -> {
                out.b(STRING);
                out.blob(s.getBytes(StandardCharsets.UTF_8));
            }
            case Tuple t -> {
                out.b(TUPLE);
                out.varint(t.size());
                for (int i = 0; i < t.size(); i++) write(out, t.get(i), depth + 1);
            }
            case Short s -> {
                out.b(SHORT);
                out.i32(s);
            }
            case Byte b -> {
                out.b(BYTE);
                out.b(b);
            }
            case Double d -> {
                out.b(DOUBLE);
                out.i64(Double.doubleToLongBits(d));
            }
            case Float f -> {
                out.b(FLOAT);
                out.i32(Float.floatToIntBits(f));
            }
            case Boolean b -> out.b(b ? TRUE : FALSE);
            case Character c -> {
                out.b(CHAR);
                out.i32(c);
            }
            case BigInteger b -> {
                out.b(BIGINT);
                out.blob(b.toByteArray());
            }
            case BigDecimal d -> {
                out.b(BIGDEC);
                out.i32(d.scale());
                out.blob(d.unscaledValue().toByteArray());
            }
            case byte[] b -> {
                out.b(BYTES);
                out.blob(b);
            }
            case List<?> l -> {
                out.b(LIST);
                out.varint(l.size());
                for (Object e : l) write(out, e, depth + 1);
            }
            case Set<?> s -> {
                out.b(SET);
                out.varint(s.size());
                for (byte[] e : sorted(s, depth)) out.raw(e);
            }
            case Map<?, ?> m -> {
                out.b(MAP);
                out.varint(m.size());
                List<byte[][]> entries = new ArrayList<>(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    entries.add(new byte[][] {encodeAt(e.getKey(), depth + 1), encodeAt(e.getValue(), depth + 1)});
                }
                entries.sort((a, b) -> Arrays.compareUnsigned(a[0], b[0]));
                for (byte[][] e : entries) {
                    out.raw(e[0]);
                    out.raw(e[1]);
                }
            }
            case Pid p -> {
                out.b(PID);
                out.blob(p.node().getBytes(StandardCharsets.UTF_8));
                out.i32(p.id());
                out.i32(p.serial());
                out.i32(p.creation());
            }
            case Record r -> {
                out.b(RECORD);
                out.blob(r.getClass().getName().getBytes(StandardCharsets.UTF_8));
                RowType.Records<?, ?> rt = recordType(r.getClass());
                int n = rt.componentCount();
                out.varint(n);
                for (int i = 1; i <= n; i++) write(out, rt.elementOf(r, i), depth + 1);
            }
            case Enum<?> e -> {
                out.b(ENUM);
                out.blob(e.getDeclaringClass().getName().getBytes(StandardCharsets.UTF_8));
                out.blob(e.name().getBytes(StandardCharsets.UTF_8));
            }
            case Ref r -> {
                out.b(REF);
                out.blob(r.node().getBytes(StandardCharsets.UTF_8));
                out.i32(r.creation());
                int[] w = r.words();
                out.varint(w.length);
                for (int x : w) out.i32(x);
            }
            case UUID u -> {
                out.b(UUID_TAG);
                out.i64(u.getMostSignificantBits());
                out.i64(u.getLeastSignificantBits());
            }
            default -> {
                Class<?> c = v.getClass();
                if (c.getName().startsWith("java.time.") && parser(c) != null) {
                    out.b(TIME);
                    out.blob(c.getName().getBytes(StandardCharsets.UTF_8));
                    out.blob(v.toString().getBytes(StandardCharsets.UTF_8));
                } else {
                    throw new IllegalArgumentException("a disk table cannot store a " + c.getName()
                            + "; use records, tuples, strings, numbers, lists, sets and maps of them");
                }
            }
        }
    }

    private byte[] encodeAt(Object v, int depth) {
        Out out = new Out(32);
        write(out, v, depth);
        return out.bytes();
    }

    private List<byte[]> sorted(Set<?> s, int depth) {
        List<byte[]> out = new ArrayList<>(s.size());
        for (Object e : s) out.add(encodeAt(e, depth + 1));
        out.sort(Arrays::compareUnsigned);
        return out;
    }

    private RowType.Records<?, ?> recordType(Class<?> c) {
        return records.computeIfAbsent(c, k -> {
            @SuppressWarnings({"unchecked", "rawtypes"})
            RowType.Records<?, ?> r = new RowType.Records(k, 1);
            return r;
        });
    }

    private static Method parser(Class<?> c) {
        try {
            Method m = c.getMethod("parse", CharSequence.class);
            return java.lang.reflect.Modifier.isStatic(m.getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ reading

    Object decode(byte[] bytes) {
        In in = new In(bytes);
        Object v = read(in);
        if (in.pos != bytes.length) throw new IllegalStateException("trailing bytes after a stored value");
        return v;
    }

    private Object read(In in) {
        byte tag = in.b();
        return switch (tag) {
            case NULL -> null;
            case INT -> in.i32();
            case LONG -> in.i64();
            case STRING -> new String(in.blob(), StandardCharsets.UTF_8);
            case TUPLE -> {
                Object[] e = new Object[in.varint()];
                for (int i = 0; i < e.length; i++) e[i] = read(in);
                yield Tuple.of(e);
            }
            case SHORT -> (short) in.i32();
            case BYTE -> in.b();
            case DOUBLE -> Double.longBitsToDouble(in.i64());
            case FLOAT -> Float.intBitsToFloat(in.i32());
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case CHAR -> (char) in.i32();
            case BIGINT -> new BigInteger(in.blob());
            case BIGDEC -> {
                int scale = in.i32();
                yield new BigDecimal(new BigInteger(in.blob()), scale);
            }
            case BYTES -> in.blob();
            case LIST -> {
                int n = in.varint();
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(read(in));
                yield Collections.unmodifiableList(l);
            }
            case SET -> {
                int n = in.varint();
                Set<Object> s = new LinkedHashSet<>();
                for (int i = 0; i < n; i++) s.add(read(in));
                yield Collections.unmodifiableSet(s);
            }
            case MAP -> {
                int n = in.varint();
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) m.put(read(in), read(in));
                yield Collections.unmodifiableMap(m);
            }
            case RECORD -> {
                Class<?> c = load(new String(in.blob(), StandardCharsets.UTF_8));
                int n = in.varint();
                RowType.Records<?, ?> rt = recordType(c);
                if (n != rt.componentCount()) {
                    throw new IllegalStateException("stored " + c.getName() + " has " + n + " components, the class "
                            + rt.componentCount() + " (the record changed since it was written)");
                }
                Object[] args = new Object[n];
                for (int i = 0; i < n; i++) args[i] = read(in);
                yield rt.make(args);
            }
            case ENUM -> {
                Class<?> c = load(new String(in.blob(), StandardCharsets.UTF_8));
                String name = new String(in.blob(), StandardCharsets.UTF_8);
                @SuppressWarnings({"unchecked", "rawtypes"})
                Object e = Enum.valueOf((Class) c, name);
                yield e;
            }
            case PID -> new Pid(new String(in.blob(), StandardCharsets.UTF_8), in.i32(), in.i32(), in.i32());
            case REF -> {
                String node = new String(in.blob(), StandardCharsets.UTF_8);
                int creation = in.i32();
                int[] w = new int[in.varint()];
                for (int i = 0; i < w.length; i++) w[i] = in.i32();
                yield new Ref(node, creation, w);
            }
            case UUID_TAG -> new UUID(in.i64(), in.i64());
            case TIME -> {
                Class<?> c = load(new String(in.blob(), StandardCharsets.UTF_8));
                String text = new String(in.blob(), StandardCharsets.UTF_8);
                try {
                    yield parser(c).invoke(null, text);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read a stored " + c.getName() + ": " + e, e);
                }
            }
            default -> throw new IllegalStateException("unknown tag " + tag + " in a stored value (corrupt data)");
        };
    }

    private Class<?> load(String name) {
        return classes.computeIfAbsent(name, n -> {
            try {
                return Class.forName(n, false, loader);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("a stored value is a " + n + ", which this program does not have", e);
            }
        });
    }

    // ------------------------------------------------------------------ buffers

    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int size) {
            buf = new byte[size];
        }

        private void room(int k) {
            if (n + k > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
        }

        void b(int v) {
            room(1);
            buf[n++] = (byte) v;
        }

        void i32(int v) {
            room(4);
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
        }

        void i64(long v) {
            i32((int) (v >>> 32));
            i32((int) v);
        }

        void varint(int v) {
            while ((v & ~0x7F) != 0) {
                b((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b(v);
        }

        void blob(byte[] b) {
            varint(b.length);
            raw(b);
        }

        void raw(byte[] b) {
            room(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, n);
        }
    }

    private static final class In {
        private final byte[] buf;
        int pos;

        In(byte[] buf) {
            this.buf = buf;
        }

        private void need(int k) {
            if (pos + k > buf.length) throw new IllegalStateException("a stored value ends early (corrupt data)");
        }

        byte b() {
            need(1);
            return buf[pos++];
        }

        int i32() {
            need(4);
            int v = (buf[pos] & 0xFF) << 24 | (buf[pos + 1] & 0xFF) << 16 | (buf[pos + 2] & 0xFF) << 8 | buf[pos + 3] & 0xFF;
            pos += 4;
            return v;
        }

        long i64() {
            return (long) i32() << 32 | i32() & 0xFFFFFFFFL;
        }

        int varint() {
            int v = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte x = b();
                v |= (x & 0x7F) << shift;
                if (x >= 0) {
                    if (v < 0) throw new IllegalStateException("a negative length in a stored value (corrupt data)");
                    return v;
                }
            }
            throw new IllegalStateException("a malformed length in a stored value (corrupt data)");
        }

        byte[] blob() {
            int len = varint();
            need(len);
            byte[] out = Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }
    }
}
