package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Tuple;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.Etf;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Known encodings: the bytes are what {@code erl} (OTP 25) prints for
 * {@code term_to_binary(T, [{minor_version, 2}])}; the Java encoding must be byte for byte the same,
 * and decoding them must give the Java value.
 */
class EtfExactBytesTest {

    record Known(Object value, int[] bytes) {
    }

    private static Known k(Object value, int... bytes) {
        return new Known(value, bytes);
    }

    static List<Known> known() {
        List<Known> l = new ArrayList<>();
        l.add(k(Atom.of("ok"), 131, 119, 2, 111, 107));
        l.add(k(true, 131, 119, 4, 116, 114, 117, 101));
        l.add(k(false, 131, 119, 5, 102, 97, 108, 115, 101));
        l.add(k(Atom.of("hello world"), 131, 119, 11, 104, 101, 108, 108, 111, 32, 119, 111, 114, 108, 100));
        l.add(k(Atom.of("ünïcödé"), 131, 119, 11, 195, 188, 110, 195, 175, 99, 195, 182, 100, 195, 169));
        l.add(k(Atom.of("日本"), 131, 119, 6, 230, 151, 165, 230, 156, 172));
        l.add(k(0, 131, 97, 0));
        l.add(k(255, 131, 97, 255));
        l.add(k(256, 131, 98, 0, 0, 1, 0));
        l.add(k(-1, 131, 98, 255, 255, 255, 255));
        l.add(k(Integer.MAX_VALUE, 131, 98, 127, 255, 255, 255));
        l.add(k(Integer.MIN_VALUE, 131, 98, 128, 0, 0, 0));
        l.add(k(2147483648L, 131, 110, 4, 0, 0, 0, 0, 128));
        l.add(k(-2147483649L, 131, 110, 4, 1, 1, 0, 0, 128));
        l.add(k(Long.MAX_VALUE, 131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 127));
        l.add(k(Long.MIN_VALUE, 131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 128));
        l.add(k(BigInteger.ONE.shiftLeft(64), 131, 110, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
        l.add(k(1.5, 131, 70, 63, 248, 0, 0, 0, 0, 0, 0));
        l.add(k(-0.0, 131, 70, 128, 0, 0, 0, 0, 0, 0, 0));
        l.add(k(Math.PI, 131, 70, 64, 9, 33, 251, 84, 68, 45, 24));
        l.add(k(Tuple.of(), 131, 104, 0));
        l.add(k(Tuple.of(Atom.of("a"), 1), 131, 104, 2, 119, 1, 97, 97, 1));
        l.add(k(List.of(), 131, 106));
        l.add(k(List.of(1, 2, 3), 131, 107, 0, 3, 1, 2, 3));
        l.add(k(List.of(97, 98, 99), 131, 107, 0, 3, 97, 98, 99));
        l.add(k(new ImproperList(List.of(Atom.of("a")), Atom.of("b")), 131, 108, 0, 0, 0, 1, 119, 1, 97, 119, 1, 98));
        l.add(k(List.of(1, Atom.of("a"), 2), 131, 108, 0, 0, 0, 3, 97, 1, 119, 1, 97, 97, 2, 106));
        l.add(k(Binary.EMPTY, 131, 109, 0, 0, 0, 0));
        l.add(k(Binary.of(new byte[]{1, 2, 3}), 131, 109, 0, 0, 0, 3, 1, 2, 3));
        l.add(k(Binary.of("text"), 131, 109, 0, 0, 0, 4, 116, 101, 120, 116));
        l.add(k(new BitBinary(new byte[]{1, 2, 3 << 4}, 4), 131, 77, 0, 0, 0, 3, 4, 1, 2, 48));
        l.add(k(Map.of(), 131, 116, 0, 0, 0, 0));
        l.add(k(Map.of(Atom.of("a"), 1), 131, 116, 0, 0, 0, 1, 119, 1, 97, 97, 1));
        l.add(k(ExportFun.of("lists", "map", 2), 131, 113, 119, 5, 108, 105, 115, 116, 115, 119, 3, 109, 97, 112, 97, 2));
        l.add(k(Tuple.of(Atom.OK, List.of(Binary.of("x"), 1.0e300)),
                131, 104, 2, 119, 2, 111, 107, 108, 0, 0, 0, 2, 109, 0, 0, 0, 1, 120, 70, 126, 55, 228, 60, 136, 0, 117, 156, 106));
        return l;
    }

    private static byte[] bytes(int[] ints) {
        byte[] b = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) b[i] = (byte) ints[i];
        return b;
    }

    @Test
    void encodingMatchesErlByteForByte() {
        for (Known k : known()) {
            assertThat(Etf.encode(k.value())).as("encoding of %s", k.value()).isEqualTo(bytes(k.bytes()));
        }
    }

    @Test
    void erlBytesDecodeToTheJavaValue() {
        for (Known k : known()) {
            assertThat(Etf.decode(bytes(k.bytes()))).as("decoding of %s", k.value()).isEqualTo(k.value());
        }
    }

    @Test
    void aStringIsAUtf8BinaryAndComesBackAsBinary() {
        byte[] b = Etf.encode("text");
        assertThat(b).isEqualTo(bytes(new int[]{131, 109, 0, 0, 0, 4, 116, 101, 120, 116}));
        assertThat(Etf.decode(b)).isEqualTo(Binary.of("text"));
        assertThat(((Binary) Etf.decode(b)).utf8()).isEqualTo("text");
    }

    @Test
    void aListOfSmallIntegersIsAStringUpTo65535Elements() {
        List<Integer> big = new ArrayList<>();
        for (int i = 0; i < 65535; i++) big.add(i % 256);
        byte[] b = Etf.encode(big);
        assertThat(b[1]).isEqualTo((byte) 107);
        assertThat(b.length).isEqualTo(65539); // as erl: byte_size(term_to_binary(lists:duplicate(65535, 1)))
        big.add(1);
        assertThat(Etf.encode(big)[1]).isEqualTo((byte) 108);
        assertThat(Etf.decode(Etf.encode(big))).isEqualTo(big);
    }

    @Test
    void hugeIntegersUseLargeBig() {
        BigInteger v = BigInteger.ONE.shiftLeft(2100);
        byte[] b = Etf.encode(v);
        // 2^2100 takes 263 bytes: LARGE_BIG_EXT, as erl writes it
        assertThat(b[1]).isEqualTo((byte) 111);
        assertThat(b.length).isEqualTo(1 + 1 + 4 + 1 + 263);
        assertThat(Etf.decode(b)).isEqualTo(v);
        assertThat(Etf.decode(Etf.encode(v.negate()))).isEqualTo(v.negate());
    }

    @Test
    void olderFormsDecode() {
        // term_to_binary(abc) in OTP 25: ATOM_EXT (Latin-1)
        assertThat(Etf.decode(bytes(new int[]{131, 100, 0, 3, 97, 98, 99}))).isEqualTo(Atom.of("abc"));
        // SMALL_ATOM_EXT with a Latin-1 character
        assertThat(Etf.decode(bytes(new int[]{131, 115, 2, 0xE9, 0x74}))).isEqualTo(Atom.of("ét"));
        // term_to_binary(1.5, [{minor_version, 0}]): FLOAT_EXT
        int[] f = {131, 99, 49, 46, 53, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48, 48,
                101, 43, 48, 48, 0, 0, 0, 0, 0};
        assertThat(Etf.decode(bytes(f))).isEqualTo(1.5);
        // ATOM_EXT true is a Boolean too
        assertThat(Etf.decode(bytes(new int[]{131, 100, 0, 4, 116, 114, 117, 101}))).isEqualTo(true);
    }
}
