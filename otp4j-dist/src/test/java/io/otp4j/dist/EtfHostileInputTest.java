package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.internal.etf.DistDecoder;
import io.otp4j.dist.internal.etf.DistEncoder;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.BitBinary;
import io.otp4j.dist.term.DecodeException;
import io.otp4j.dist.term.DecodeOptions;
import io.otp4j.dist.term.EncodeOptions;
import io.otp4j.dist.term.Etf;
import io.otp4j.dist.term.ExportFun;
import io.otp4j.dist.term.ImproperList;
import io.otp4j.dist.term.LocalFun;
import io.otp4j.dist.term.Port;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Malformed and hostile input only ever ends in a {@link DecodeException}, quickly, and without
 * allocating much more than the input's size.
 */
class EtfHostileInputTest {

    /** Bytes this thread allocated so far, through com.sun.management.ThreadMXBean (reflectively: the module does not read java.management). */
    private static final Method ALLOCATED;
    private static final Object THREADS;

    static {
        try {
            Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
            THREADS = factory.getMethod("getThreadMXBean").invoke(null);
            ALLOCATED = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static long allocated() {
        try {
            return (long) ALLOCATED.invoke(THREADS);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(int... ints) {
        byte[] b = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) b[i] = (byte) ints[i];
        return b;
    }

    /** Decodes {@code b}: fine, or a DecodeException; anything else fails the test. Returns the allocation. */
    private static long decodeBounded(byte[] b, DecodeOptions options) {
        long before = allocated();
        try {
            Etf.decode(b, options);
        } catch (DecodeException expected) {
            // fine
        } catch (Throwable t) {
            throw new AssertionError("not a DecodeException for " + hex(b) + ": " + t, t);
        }
        return allocated() - before;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) sb.append(b[i] & 0xFF).append(',');
        return sb.append(b.length > 64 ? "... (" + b.length + " bytes)" : "").toString();
    }

    /** A term with one of everything. */
    static Object richTerm() {
        return Tuple.of(Atom.of("rich"), true, 42, -7, 1L << 40, BigInteger.TEN.pow(40), 3.25,
                List.of(1, 2, 3), List.of(Atom.of("a"), Binary.of("b")), new ImproperList(List.of(1), Atom.of("t")),
                Map.of(Atom.of("k"), Map.of(1, Tuple.of())), Binary.of(new byte[]{9, 8, 7}), new BitBinary(new byte[]{1, (byte) 0x80}, 1),
                new Pid("n@h", 1, 2, 3), new Ref("n@h", 4, 5, 6, 7), new Port("n@h", 8, 9), ExportFun.of("m", "f", 1),
                LocalFun.of(EtfRoundTripTest.bytes(EtfRoundTripTest.ERL_FUN)), Atom.of("ünï"), List.of(), Tuple.of(List.of(Tuple.of())));
    }

    @Test
    void hugeDeclaredLengthsFailFastWithoutAllocating() {
        List<byte[]> hostile = List.of(
                bytes(131, 108, 0x7F, 0xFF, 0xFF, 0xFF, 106, 106, 106, 106), // list of 2^31-1 elements in 10 bytes
                bytes(131, 108, 0xFF, 0xFF, 0xFF, 0xFF, 106), // list of 2^32-1 elements
                bytes(131, 105, 0xFF, 0xFF, 0xFF, 0xFF, 97, 1), // tuple
                bytes(131, 116, 0x7F, 0xFF, 0xFF, 0xFF, 97, 1, 97, 2), // map
                bytes(131, 109, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3), // binary
                bytes(131, 77, 0xFF, 0xFF, 0xFF, 0xFF, 3, 1, 2, 3), // bitstring
                bytes(131, 107, 0xFF, 0xFF, 1, 2), // string
                bytes(131, 111, 0xFF, 0xFF, 0xFF, 0xFF, 0, 1, 2), // bignum
                bytes(131, 110, 0xFF, 0, 1, 2), // small bignum
                bytes(131, 118, 0xFF, 0xFF, 97), // atom
                bytes(131, 100, 0xFF, 0xFF, 97), // Latin-1 atom
                bytes(131, 90, 0xFF, 0xFF, 119, 1, 110, 0, 0, 0, 0), // reference of 65535 words
                bytes(131, 90, 0, 5, 119, 1, 110, 0, 0, 0, 0, 1), // reference of 5 words, truncated
                bytes(131, 112, 0xFF, 0xFF, 0xFF, 0xFF, 1), // fun of 4 GiB
                bytes(131, 80, 0xFF, 0xFF, 0xFF, 0xFF, 0x78, 0x9C), // compressed, 4 GiB declared
                bytes(131, 80, 0x03, 0xFF, 0xFF, 0xFF, 0x78, 0x9C, 1, 2, 3), // compressed, 64 MiB declared, garbage
                // nested lists each claiming nearly all that remains: the claims together must fit
                nestedClaims(), nestedMapClaims());
        for (byte[] b : hostile) {
            long start = System.nanoTime();
            long alloc = decodeBounded(b, DecodeOptions.DEFAULTS);
            assertThat(alloc).as("allocation for %s", hex(b)).isLessThan(200_000 + 64L * b.length);
            assertThat(System.nanoTime() - start).as("time for %s", hex(b)).isLessThan(1_000_000_000L);
            assertThatThrownBy(() -> Etf.decode(b)).isInstanceOf(DecodeException.class);
        }
    }

    /** LIST_EXT of n, then LIST_EXT of n-6, ... : each claim fits what remains, all of them together do not. */
    private static byte[] nestedClaims() {
        int levels = 5000;
        int total = 1 + levels * 5 + 4000;
        byte[] b = new byte[total];
        b[0] = (byte) 131;
        int p = 1;
        for (int i = 0; i < levels; i++) {
            int n = total - p - 5 - 1; // elements, then a tail: exactly what remains
            b[p] = 108;
            b[p + 1] = (byte) (n >>> 24);
            b[p + 2] = (byte) (n >>> 16);
            b[p + 3] = (byte) (n >>> 8);
            b[p + 4] = (byte) n;
            p += 5;
        }
        while (p < total) b[p++] = 106;
        return b;
    }

    private static byte[] nestedMapClaims() {
        int levels = 3000;
        int total = 1 + levels * 5 + 6000;
        byte[] b = new byte[total];
        b[0] = (byte) 131;
        int p = 1;
        for (int i = 0; i < levels; i++) {
            int pairs = (total - p - 5) / 2;
            b[p] = 116;
            b[p + 1] = (byte) (pairs >>> 24);
            b[p + 2] = (byte) (pairs >>> 16);
            b[p + 3] = (byte) (pairs >>> 8);
            b[p + 4] = (byte) pairs;
            p += 5;
        }
        while (p < total) b[p++] = 106;
        return b;
    }

    @Test
    void deepNestingIsRefusedWithoutStackOverflow() {
        int depth = 100_000;
        for (int kind : new int[]{104, 108, 116}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(131);
            for (int i = 0; i < depth; i++) {
                switch (kind) {
                    case 104 -> out.writeBytes(bytes(104, 1));
                    case 108 -> out.writeBytes(bytes(108, 0, 0, 0, 1));
                    default -> out.writeBytes(bytes(116, 0, 0, 0, 1, 97, 1));
                }
            }
            out.write(106);
            for (int i = 0; i < depth && kind == 108; i++) out.write(106);
            byte[] b = out.toByteArray();
            assertThatThrownBy(() -> Etf.decode(b))
                    .isInstanceOf(DecodeException.class).hasMessageContaining("nested deeper than 10000");
            // with the limit raised, it decodes, iteratively
            Object t = Etf.decode(b, DecodeOptions.DEFAULTS.withMaxDepth(depth + 1));
            assertThat(t).isNotNull();
        }
        // a fun header alone
        assertThatThrownBy(() -> Etf.decode(bytes(131, 112, 0, 0, 0, 30))).isInstanceOf(DecodeException.class);
    }

    @Test
    void everyTruncationOfAValidEncodingFails() {
        for (Object term : List.of(richTerm(), Tuple.of(Atom.of("x"), List.of(Map.of(1, 2))))) {
            for (EncodeOptions o : List.of(EncodeOptions.DEFAULTS, EncodeOptions.DEFAULTS.withCompressAbove(0))) {
                byte[] full = Etf.encode(term, o);
                assertThat(Etf.decode(full)).isEqualTo(term);
                for (int n = 0; n < full.length; n++) {
                    byte[] cut = java.util.Arrays.copyOf(full, n);
                    try {
                        Etf.decode(cut);
                        fail("decoded a truncation to " + n + " of " + full.length + " bytes");
                    } catch (DecodeException expected) {
                        assertThat(expected.getMessage()).isNotBlank();
                    }
                }
            }
        }
    }

    @Test
    void randomMutationsOnlyEverThrowDecodeException() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Etf.encode(richTerm()));
        seeds.add(Etf.encode(richTerm(), EncodeOptions.DEFAULTS.withCompressAbove(0)));
        seeds.add(Etf.encode(List.of(1, 2, List.of(3, List.of(4)), Tuple.of(Map.of(5, 6)))));
        seeds.add(Etf.encode(Map.of(Atom.of("a"), List.of(Binary.of("x"), 1.5), Binary.of("k"), Tuple.of(1, 2, 3))));
        seeds.add(EtfRoundTripTest.withVersion(EtfRoundTripTest.ERL_FUN));
        Random random = new Random(20_240_601L);
        DecodeOptions options = DecodeOptions.DEFAULTS.withMaxDecompressedSize(1 << 20);
        int iterations = 100_000;
        int decoded = 0;
        long start = System.nanoTime();
        long worstAllocation = 0;
        for (int i = 0; i < iterations; i++) {
            byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                int at = random.nextInt(b.length);
                switch (random.nextInt(5)) {
                    case 0 -> b[at] = (byte) random.nextInt(256);
                    case 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
                    case 2 -> b[at] = (byte) (random.nextBoolean() ? 0xFF : 0x7F); // a large length byte
                    case 3 -> b = java.util.Arrays.copyOf(b, Math.max(1, at)); // truncate
                    default -> { // a tag from the format
                        int[] tags = {70, 77, 80, 82, 88, 89, 90, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110,
                                111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121};
                        b[at] = (byte) tags[random.nextInt(tags.length)];
                    }
                }
            }
            if (i % 7 == 0) b[0] = (byte) 131;
            long before = allocated();
            try {
                Etf.decode(b, options);
                decoded++;
            } catch (DecodeException expected) {
                // fine
            } catch (Throwable t) {
                throw new AssertionError("iteration " + i + ": not a DecodeException for " + hex(b) + ": " + t, t);
            }
            long alloc = allocated() - before;
            if (!isCompressed(b)) worstAllocation = Math.max(worstAllocation, alloc - 64L * b.length);
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(decoded).as("some mutations still decode").isPositive();
        assertThat(worstAllocation).as("allocation beyond 64 bytes per input byte").isLessThan(1 << 20);
        assertThat(elapsedMs).as("100,000 decodes").isLessThan(60_000);
    }

    private static boolean isCompressed(byte[] b) {
        return b.length > 1 && b[1] == 80;
    }

    @Test
    void compressedTermsAreBoundedByTheirDeclaredSizeAndTheLimit() {
        byte[] plain = Etf.encode(new Binary(new byte[100_000]));
        byte[] z = Etf.encode(new Binary(new byte[100_000]), EncodeOptions.DEFAULTS.withCompressAbove(0));
        assertThat(Etf.decode(z)).isEqualTo(new Binary(new byte[100_000]));
        // over the limit
        assertThatThrownBy(() -> Etf.decode(z, DecodeOptions.DEFAULTS.withMaxDecompressedSize(50_000)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("maxDecompressedSize");
        // declared smaller than what it inflates to
        byte[] lying = z.clone();
        int declared = plain.length - 1 - 10;
        lying[2] = (byte) (declared >>> 24);
        lying[3] = (byte) (declared >>> 16);
        lying[4] = (byte) (declared >>> 8);
        lying[5] = (byte) declared;
        assertThatThrownBy(() -> Etf.decode(lying)).isInstanceOf(DecodeException.class).hasMessageContaining("more than");
        // declared larger: fewer bytes come out
        byte[] short_ = z.clone();
        int more = plain.length + 10;
        short_[2] = (byte) (more >>> 24);
        short_[3] = (byte) (more >>> 16);
        short_[4] = (byte) (more >>> 8);
        short_[5] = (byte) more;
        assertThatThrownBy(() -> Etf.decode(short_)).isInstanceOf(DecodeException.class).hasMessageContaining("fewer");
        // a zip bomb: 32 MiB of zeros in a few kB, declared as 32 MiB, against a 1 MiB limit
        byte[] bomb = compressedZeros(32 << 20);
        long alloc = decodeBounded(bomb, DecodeOptions.DEFAULTS.withMaxDecompressedSize(1 << 20));
        assertThat(alloc).isLessThan(2 << 20);
        // within the limit, but the zeros are no term (tag 0): found out after inflating
        assertThatThrownBy(() -> Etf.decode(bomb)).isInstanceOf(DecodeException.class).hasMessageContaining("unknown tag 0");
    }

    private static byte[] compressedZeros(int n) {
        Deflater d = new Deflater(9);
        d.setInput(new byte[n]);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(131, 80, n >>> 24, (n >>> 16) & 0xFF, (n >>> 8) & 0xFF, n & 0xFF));
        byte[] buf = new byte[65536];
        while (!d.finished()) out.write(buf, 0, d.deflate(buf));
        d.end();
        return out.toByteArray();
    }

    @Test
    void specificMalformationsHaveClearMessages() {
        assertThatThrownBy(() -> Etf.decode(new byte[0])).isInstanceOf(DecodeException.class).hasMessageContaining("131");
        assertThatThrownBy(() -> Etf.decode(bytes(130, 97, 1))).isInstanceOf(DecodeException.class).hasMessageContaining("131");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 97, 1, 0))).isInstanceOf(DecodeException.class).hasMessageContaining("after the end");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 200))).isInstanceOf(DecodeException.class).hasMessageContaining("unknown tag 200");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 82, 0))).isInstanceOf(DecodeException.class).hasMessageContaining("ATOM_CACHE_REF");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 70, 0x7F, 0xF0, 0, 0, 0, 0, 0, 0))).isInstanceOf(DecodeException.class).hasMessageContaining("finite");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 119, 2, 0xC3, 0x28))).isInstanceOf(DecodeException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 77, 0, 0, 0, 1, 0, 5))).isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> Etf.decode(bytes(131, 77, 0, 0, 0, 1, 9, 5))).isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> Etf.decode(bytes(131, 90, 0, 6, 119, 1, 110, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("1 to 5");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 113, 119, 1, 109, 119, 1, 102, 98, 0, 0, 0, 1)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("arity");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 88, 97, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("atom");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 99, 'n', 'a', 'n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
                .isInstanceOf(DecodeException.class).hasMessageContaining("FLOAT_EXT");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 121, 1, 2))).isInstanceOf(DecodeException.class).hasMessageContaining("LOCAL_EXT");
        assertThatThrownBy(() -> Etf.decode(bytes(131, 104, 1, 80, 0, 0, 0, 1))).isInstanceOf(DecodeException.class).hasMessageContaining("compressed");
        // an atom of 256 characters
        byte[] longAtom = new byte[3 + 2 * 256 + 1];
        longAtom[0] = (byte) 131;
        longAtom[1] = 118;
        longAtom[2] = 2;
        longAtom[3] = 0;
        for (int i = 0; i < 256; i++) {
            longAtom[4 + 2 * i] = (byte) 0xC3;
            longAtom[5 + 2 * i] = (byte) 0xA9;
        }
        assertThatThrownBy(() -> Etf.decode(longAtom)).isInstanceOf(DecodeException.class).hasMessageContaining("at most 255");
        // the offset points at the problem
        DecodeException e = org.junit.jupiter.api.Assertions.assertThrows(DecodeException.class,
                () -> Etf.decode(bytes(131, 104, 2, 97, 1, 200)));
        assertThat(e.offset()).isEqualTo(5);
        assertThat(e.getMessage()).startsWith("at byte 5:");
    }

    @Test
    void aFunWhoseSizeFieldLiesIsRefused() {
        byte[] f = EtfRoundTripTest.withVersion(EtfRoundTripTest.ERL_FUN);
        f[5] = (byte) (f[5] + 1); // size one more than the fun takes
        byte[] longer = java.util.Arrays.copyOf(f, f.length + 1);
        assertThatThrownBy(() -> Etf.decode(longer)).isInstanceOf(DecodeException.class).hasMessageContaining("size field");
    }

    @Test
    void hostileDistributionFramesOnlyThrowDecodeException() {
        List<byte[]> seeds = new ArrayList<>();
        seeds.addAll(new DistEncoder(true, 0, 100).encode(Tuple.of(6, new Pid("a@b", 1, 2, 3), Atom.of(""), Atom.of("reg")), richTerm(), 0));
        seeds.addAll(new DistEncoder(false, 0, 100).encode(Tuple.of(2, Atom.of(""), new Pid("a@b", 1, 2, 3)), richTerm(), 0));
        seeds.add(EtfDistHeaderTest.specFirstFragment());
        seeds.add(EtfDistHeaderTest.headerWithCacheRefs());
        Random random = new Random(7);
        for (int i = 0; i < 20_000; i++) {
            DistDecoder d = new DistDecoder(DecodeOptions.DEFAULTS, 1 << 16, 4);
            EtfDistHeaderTest.preloadSpecCache(d.atomCache());
            byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
            for (int m = 0; m < 1 + random.nextInt(3) && b.length > 0; m++) {
                int at = random.nextInt(b.length);
                if (random.nextInt(4) == 0) b = java.util.Arrays.copyOf(b, at);
                else b[at] = (byte) random.nextInt(256);
            }
            try {
                d.receive(b);
            } catch (DecodeException expected) {
                // fine
            } catch (Throwable t) {
                throw new AssertionError("iteration " + i + ": not a DecodeException for " + hex(b) + ": " + t, t);
            }
        }
    }
}
