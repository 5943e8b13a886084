package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.DecodeException;
import io.otp4j.dist.term.DecodeOptions;
import io.otp4j.dist.term.EncodeException;
import io.otp4j.dist.term.EncodeOptions;
import io.otp4j.dist.term.Etf;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import io.otp4j.dist.term.LocalFun;
import io.otp4j.dist.term.Port;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtfRoundTripTest {

    /** term_to_binary(fun(X) -> X end) from erl 25 (an erl_eval fun), without the version byte. */
    static final int[] ERL_FUN = {112, 0, 0, 0, 160, 1, 6, 83, 97, 170, 70, 21, 144, 209, 189, 241, 235, 98, 209, 166, 235, 8, 0, 0, 0, 42,
            0, 0, 0, 1, 100, 0, 8, 101, 114, 108, 95, 101, 118, 97, 108, 97, 42, 98, 0, 50, 155, 13, 88, 100, 0, 13, 110, 111, 110, 111, 100,
            101, 64, 110, 111, 104, 111, 115, 116, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 104, 6, 97, 3, 106, 100, 0, 4, 110, 111, 110, 101, 100,
            0, 4, 110, 111, 110, 101, 116, 0, 0, 0, 0, 108, 0, 0, 0, 1, 104, 5, 100, 0, 6, 99, 108, 97, 117, 115, 101, 97, 3, 108, 0, 0, 0, 1,
            104, 3, 100, 0, 3, 118, 97, 114, 97, 3, 100, 0, 1, 88, 106, 106, 108, 0, 0, 0, 1, 104, 3, 100, 0, 3, 118, 97, 114, 97, 3, 100, 0,
            1, 88, 106, 106};

    static byte[] bytes(int... ints) {
        byte[] b = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) b[i] = (byte) ints[i];
        return b;
    }

    static byte[] withVersion(int[] ints) {
        byte[] b = new byte[ints.length + 1];
        b[0] = (byte) 131;
        for (int i = 0; i < ints.length; i++) b[i + 1] = (byte) ints[i];
        return b;
    }

    private static Object roundTrip(Object v) {
        return Etf.decode(Etf.encode(v));
    }

    /** Values that come back equal to themselves. */
    static List<Object> samples() {
        List<Object> l = new ArrayList<>();
        l.add(Atom.of("ok"));
        l.add(Atom.of(""));
        l.add(Atom.of("with space and 'quote'"));
        l.add(Atom.of("日本語のアトム"));
        l.add(Atom.of("x".repeat(255)));
        l.add(Atom.of("é".repeat(255))); // 510 bytes of UTF-8: ATOM_UTF8_EXT
        l.add(true);
        l.add(false);
        for (long v : new long[]{0, 1, 127, 128, 255, 256, -1, -128, -129, -256, Integer.MAX_VALUE, Integer.MIN_VALUE}) l.add((int) v);
        for (long v : new long[]{1L << 31, -(1L << 31) - 1, 1L << 40, -(1L << 40), Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}) l.add(v);
        l.add(BigInteger.ONE.shiftLeft(63));
        l.add(BigInteger.ONE.shiftLeft(63).negate().subtract(BigInteger.ONE));
        l.add(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
        l.add(BigInteger.TEN.pow(500));
        l.add(BigInteger.TEN.pow(5000).negate());
        for (double d : new double[]{0.0, -0.0, 1.5, -2.25, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e-300}) l.add(d);
        l.add(Tuple.of());
        l.add(Tuple.of(1, Atom.of("a"), Binary.of("b")));
        Object[] big = new Object[300];
        Arrays.fill(big, Atom.of("x"));
        l.add(Tuple.of(big));
        l.add(List.of());
        l.add(List.of(1, 2, 3));
        l.add(List.of(1, 300, 3));
        l.add(List.of(Atom.of("a"), List.of(List.of()), Tuple.of()));
        l.add(new ImproperList(List.of(1, 2), Atom.of("tail")));
        l.add(new ImproperList(List.of(1), Binary.of("t")));
        l.add(Binary.EMPTY);
        l.add(Binary.of(new byte[]{0, (byte) 255, 127, -128}));
        byte[] large = new byte[100_000];
        for (int i = 0; i < large.length; i++) large[i] = (byte) (i * 31);
        l.add(new Binary(large));
        l.add(new BitBinary(new byte[]{(byte) 0xE0}, 3));
        l.add(new BitBinary(new byte[]{1, 2, (byte) 0xFE}, 7));
        l.add(Map.of());
        l.add(Map.of(Atom.of("a"), 1, Binary.of("b"), List.of(2), Tuple.of(1, 2), Map.of(3, 4)));
        Map<Object, Object> m = new HashMap<>();
        for (int i = 0; i < 100; i++) m.put(i, Binary.of("v" + i));
        l.add(Map.copyOf(m));
        l.add(new Pid("node@host", 42, 7, 3));
        l.add(new Pid("nonode@nohost", -1, -1, -1)); // 32-bit fields, all bits used
        l.add(new Ref("node@host", 5, 1, 2, 3));
        l.add(new Ref("node@host", 5, 1));
        l.add(new Ref("n@h", 0x7FFFFFFF, 1, 2, 3, 4, 5));
        l.add(new Port("node@host", 17, 2));
        l.add(new Port("node@host", 1L << 40, 2));
        l.add(new Port("node@host", 0xFFFFFFFFL, 2));
        l.add(ExportFun.of("lists", "map", 2));
        l.add(LocalFun.of(bytes(ERL_FUN)));
        l.add(Tuple.of(Atom.of("nested"), List.of(Map.of(Atom.of("k"), Tuple.of(new Pid("a@b", 1, 2, 3), List.of(1.5))))));
        return l;
    }

    @Test
    void everySampleComesBackEqual() {
        for (Object v : samples()) {
            assertThat(roundTrip(v)).as("round trip of %s", v).isEqualTo(v);
        }
    }

    @Test
    void everySampleComesBackEqualCompressed() {
        EncodeOptions compressed = EncodeOptions.DEFAULTS.withCompressAbove(0);
        for (Object v : samples()) {
            assertThat(Etf.decode(Etf.encode(v, compressed))).as("compressed round trip of %s", v).isEqualTo(v);
        }
    }

    @Test
    void compressionIsUsedWhenItHelpsAndAboveTheThreshold() {
        byte[] zeros = new byte[10_000];
        byte[] plain = Etf.encode(new Binary(zeros));
        byte[] z = Etf.encode(new Binary(zeros), EncodeOptions.DEFAULTS.withCompressAbove(1000).withCompressionLevel(9));
        assertThat(z[1]).isEqualTo((byte) 80);
        assertThat(z.length).isLessThan(plain.length / 10);
        assertThat(Etf.decode(z)).isEqualTo(new Binary(zeros));
        // below the threshold: not compressed
        assertThat(Etf.encode(new Binary(zeros), EncodeOptions.DEFAULTS.withCompressAbove(20_000))).isEqualTo(plain);
        // not smaller compressed: kept plain
        assertThat(Etf.encode(Atom.of("ok"), EncodeOptions.DEFAULTS.withCompressAbove(0))).isEqualTo(Etf.encode(Atom.of("ok")));
    }

    @Test
    void javaTypesThatComeBackAsTheirErlangForm() {
        assertThat(roundTrip("héllo")).isEqualTo(Binary.of("héllo"));
        assertThat(roundTrip(new byte[]{1, 2})).isEqualTo(Binary.of(new byte[]{1, 2}));
        assertThat(roundTrip(5L)).isEqualTo(5);
        assertThat(roundTrip((short) -3)).isEqualTo(-3);
        assertThat(roundTrip((byte) 7)).isEqualTo(7);
        assertThat(roundTrip(1.5f)).isEqualTo(1.5);
        assertThat(roundTrip(BigInteger.valueOf(12))).isEqualTo(12);
        assertThat(roundTrip(BigInteger.valueOf(Long.MIN_VALUE))).isEqualTo(Long.MIN_VALUE);
        assertThat(roundTrip(new ArrayList<>(List.of(1L, 2L)))).isEqualTo(List.of(1, 2));
        assertThat(roundTrip(new LinkedHashMap<>(Map.of("k", 1)))).isEqualTo(Map.of(Binary.of("k"), 1));
        // a bitstring of whole bytes is a binary
        assertThat(Etf.decode(bytes(131, 77, 0, 0, 0, 1, 8, 5))).isEqualTo(Binary.of(new byte[]{5}));
        assertThat(Etf.decode(bytes(131, 77, 0, 0, 0, 0, 0))).isEqualTo(Binary.EMPTY);
        // unused bits are cleared, as erl reads <<131,77,0,0,0,1,3,255>> as <<7:3>>
        assertThat(Etf.decode(bytes(131, 77, 0, 0, 0, 1, 3, 255))).isEqualTo(new BitBinary(new byte[]{(byte) 0xE0}, 3));
    }

    @Test
    void decodedCollectionsAreUnmodifiable() {
        List<?> l = (List<?>) Etf.decode(Etf.encode(List.of(1, Atom.of("a"))));
        assertThatThrownBy(() -> l.set(0, null)).isInstanceOf(UnsupportedOperationException.class);
        List<?> s = (List<?>) Etf.decode(Etf.encode(List.of(1, 2)));
        assertThatThrownBy(() -> s.set(0, null)).isInstanceOf(UnsupportedOperationException.class);
        Map<?, ?> m = (Map<?, ?>) Etf.decode(Etf.encode(Map.of(1, 2)));
        assertThatThrownBy(m::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void nonCanonicalListsAreNormalised() {
        // [1 | [2]] written as LIST_EXT(1, 1, tail = LIST_EXT(1, 2, NIL)) is [1, 2], as in erl
        assertThat(Etf.decode(bytes(131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 106))).isEqualTo(List.of(1, 2));
        // [1 | "ab"]: a STRING_EXT tail
        assertThat(Etf.decode(bytes(131, 108, 0, 0, 0, 1, 97, 1, 107, 0, 2, 97, 98))).isEqualTo(List.of(1, 97, 98));
        // LIST_EXT of no elements is its tail, as in erl
        assertThat(Etf.decode(bytes(131, 108, 0, 0, 0, 0, 119, 1, 97))).isEqualTo(Atom.of("a"));
        // [1 | [2 | c]]
        assertThat(Etf.decode(bytes(131, 108, 0, 0, 0, 1, 97, 1, 108, 0, 0, 0, 1, 97, 2, 119, 1, 99)))
                .isEqualTo(new ImproperList(List.of(1, 2), Atom.of("c")));
        // SMALL_BIG of no digits, a bignum that fits: normalised
        assertThat(Etf.decode(bytes(131, 110, 0, 0))).isEqualTo(0);
        assertThat(Etf.decode(bytes(131, 110, 2, 1, 1, 0))).isEqualTo(-1);
        assertThat(Etf.decode(bytes(131, 111, 0, 0, 0, 1, 0, 7))).isEqualTo(7);
        // the old reference and pid forms
        assertThat(Etf.decode(bytes(131, 101, 119, 1, 110, 0, 0, 0, 9, 2))).isEqualTo(new Ref("n", 2, 9));
        assertThat(Etf.decode(bytes(131, 114, 0, 2, 119, 1, 110, 3, 0, 0, 0, 1, 0, 0, 0, 2))).isEqualTo(new Ref("n", 3, 1, 2));
        assertThat(Etf.decode(bytes(131, 103, 119, 1, 110, 0, 0, 0, 5, 0, 0, 0, 6, 3))).isEqualTo(new Pid("n", 5, 6, 3));
        assertThat(Etf.decode(bytes(131, 102, 119, 1, 110, 0, 0, 0, 5, 3))).isEqualTo(new Port("n", 5, 3));
        assertThat(Etf.decode(bytes(131, 120, 119, 1, 110, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3))).isEqualTo(new Port("n", 1L << 32, 3));
    }

    @Test
    void aLocalFunKeepsItsBytes() {
        LocalFun f = (LocalFun) Etf.decode(withVersion(ERL_FUN));
        assertThat(f.module()).isEqualTo(Atom.of("erl_eval"));
        assertThat(f.arity()).isEqualTo(1);
        assertThat(f.index()).isEqualTo(42);
        assertThat(f.freeVariables()).isEqualTo(1);
        assertThat(f.bytes()).isEqualTo(bytes(ERL_FUN));
        assertThat(Etf.encode(f)).isEqualTo(withVersion(ERL_FUN));
        assertThat(f.toString()).isEqualTo("#Fun<erl_eval.42/1>");
    }

    @Test
    void decodeAcceptsABufferAndARange() {
        byte[] b = Etf.encode(Tuple.of(1, 2));
        byte[] padded = new byte[b.length + 4];
        System.arraycopy(b, 0, padded, 2, b.length);
        assertThat(Etf.decode(padded, 2, b.length, DecodeOptions.DEFAULTS)).isEqualTo(Tuple.of(1, 2));
        ByteBuffer buf = ByteBuffer.wrap(padded, 2, b.length);
        assertThat(Etf.decode(buf, DecodeOptions.DEFAULTS)).isEqualTo(Tuple.of(1, 2));
        assertThat(buf.hasRemaining()).isFalse();
        ByteBuffer direct = ByteBuffer.allocateDirect(b.length).put(b).flip();
        assertThat(Etf.decode(direct, DecodeOptions.DEFAULTS)).isEqualTo(Tuple.of(1, 2));
    }

    @Test
    void valuesWithoutExternalFormFailWithTheirTypeAndPath() {
        assertThatThrownBy(() -> Etf.encode(null))
                .isInstanceOf(EncodeException.class).hasMessageContaining("null").hasMessageContaining("at $");
        List<Object> withNull = new ArrayList<>(List.of(1, 2));
        withNull.add(null);
        assertThatThrownBy(() -> Etf.encode(Tuple.of(Atom.OK, withNull)))
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).path()).isEqualTo("${2}[2]"));
        assertThatThrownBy(() -> Etf.encode(List.of(Map.of(Atom.of("k"), Set.of(1)))))
                .isInstanceOf(EncodeException.class)
                .hasMessageContaining("java.util.ImmutableCollections$Set")
                .satisfies(e -> assertThat(((EncodeException) e).path()).isEqualTo("$[0]#{k}"));
        Map<Object, Object> nullKey = new HashMap<>();
        nullKey.put(null, 1);
        assertThatThrownBy(() -> Etf.encode(nullKey))
                .isInstanceOf(EncodeException.class)
                .satisfies(e -> assertThat(((EncodeException) e).path()).isEqualTo("$#null"));
        assertThatThrownBy(() -> Etf.encode(new ImproperList(List.of(1), new Object())))
                .isInstanceOf(EncodeException.class).hasMessageContaining("java.lang.Object")
                .satisfies(e -> assertThat(((EncodeException) e).path()).isEqualTo("$|"));
        assertThatThrownBy(() -> Etf.encode(Double.NaN)).isInstanceOf(EncodeException.class).hasMessageContaining("finite");
        assertThatThrownBy(() -> Etf.encode(Tuple.of(Float.POSITIVE_INFINITY))).isInstanceOf(EncodeException.class);
        assertThatThrownBy(() -> Etf.encode('c')).isInstanceOf(EncodeException.class).hasMessageContaining("java.lang.Character");
    }

    @Test
    void aListThatContainsItselfFailsAtTheDepthLimit() {
        List<Object> self = new ArrayList<>();
        self.add(1);
        self.add(self);
        assertThatThrownBy(() -> Etf.encode(self, EncodeOptions.DEFAULTS.withMaxDepth(50)))
                .isInstanceOf(EncodeException.class).hasMessageContaining("nested deeper than 50");
    }

    @Test
    void deepNestingEncodesAndDecodesWithoutRecursion() {
        Object t = Atom.of("leaf");
        int depth = 200_000;
        for (int i = 0; i < depth; i++) t = (i % 3 == 0) ? List.of(t) : (i % 3 == 1) ? Tuple.of(t) : Map.of(1, t);
        byte[] b = Etf.encode(t, EncodeOptions.DEFAULTS.withMaxDepth(depth + 1));
        Object back = Etf.decode(b, DecodeOptions.DEFAULTS.withMaxDepth(depth + 1));
        // walk down without recursion (equals would recurse)
        Object x = back;
        for (int i = depth - 1; i >= 0; i--) {
            x = switch (x) {
                case List<?> l -> l.getFirst();
                case Tuple tu -> tu.get(0);
                case Map<?, ?> m -> m.get(1);
                default -> throw new AssertionError("at depth " + i + ": " + x.getClass());
            };
        }
        assertThat(x).isEqualTo(Atom.of("leaf"));
        assertThat(Etf.encode(back, EncodeOptions.DEFAULTS.withMaxDepth(depth + 1))).isEqualTo(b);
        assertThatThrownBy(() -> Etf.decode(b)).isInstanceOf(DecodeException.class).hasMessageContaining("maxDepth");
    }

    @Test
    void valueTypesPrintAsErlangDoes() {
        assertThat(Binary.of("abc")).hasToString("<<\"abc\">>");
        assertThat(Binary.of(new byte[]{1, 2, (byte) 200})).hasToString("<<1,2,200>>");
        assertThat(new BitBinary(new byte[]{1, 2, 48}, 4)).hasToString("<<1,2,3:4>>");
        assertThat(new ImproperList(List.of(Atom.of("a"), Atom.of("b")), Atom.of("c"))).hasToString("[a,b|c]");
        assertThat(ExportFun.of("lists", "map", 2)).hasToString("fun lists:map/2");
        assertThat(Binary.of("x")).isEqualTo(new Binary("x".getBytes())).hasSameHashCodeAs(new Binary("x".getBytes()));
    }

    @Test
    void binariesAreImmutable() {
        byte[] src = {1, 2, 3};
        Binary b = new Binary(src);
        src[0] = 9;
        assertThat(b.byteAt(0)).isEqualTo(1);
        b.bytes()[1] = 9;
        assertThat(b.byteAt(1)).isEqualTo(2);
        assertThatThrownBy(() -> b.asReadOnlyBuffer().put(0, (byte) 1)).isInstanceOf(java.nio.ReadOnlyBufferException.class);
        assertThat(Binary.of(new byte[]{(byte) 0xFF}).isUtf8()).isFalse();
        assertThatThrownBy(() -> Binary.of(new byte[]{(byte) 0xFF}).utf8()).isInstanceOf(IllegalStateException.class);
    }
}
