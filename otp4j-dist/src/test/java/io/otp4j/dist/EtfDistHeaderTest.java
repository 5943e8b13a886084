package io.otp4j.dist;

import io.otp4j.Atom;
import io.otp4j.Pid;
import io.otp4j.Tuple;
import io.otp4j.dist.internal.etf.AtomCache;
import io.otp4j.dist.internal.etf.DistDecoder;
import io.otp4j.dist.internal.etf.DistEncoder;
import io.otp4j.dist.internal.etf.DistMessage;
import io.otp4j.dist.internal.etf.Reassembler;
import io.otp4j.dist.term.Binary;
import io.otp4j.dist.term.DecodeException;
import io.otp4j.dist.term.DecodeOptions;
import io.otp4j.dist.term.Etf;
import io.otp4j.dist.term.LocalFun;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The distribution header: atom cache references, fragments, and the frames of a connection. */
class EtfDistHeaderTest {

    static byte[] bytes(int... ints) {
        byte[] b = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) b[i] = (byte) ints[i];
        return b;
    }

    static final Atom NODE_A = Atom.of("a@host");
    static final Atom NODE_B = Atom.of("b@host");

    /** The two entries the example of the specification takes as already cached. */
    static void preloadSpecCache(AtomCache cache) {
        cache.put(4, 10, NODE_A);
        cache.put(0, 5, NODE_B);
    }

    /**
     * The first fragment of the example in the specification (erl_ext_dist, "Distribution Header
     * for fragmented messages"): {@code {call, Pid, {set_get_state, <<0:1024>>}}} sent to
     * {@code reg} in fragments of 128 bytes.
     */
    static byte[] specFirstFragment() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(131, 69, 0, 0, 2, 168, 0, 0, 5, 83, 0, 0, 0, 0, 0, 0, 0, 2));
        out.writeBytes(bytes(5, 4, 137, 9, 10, 5, 236, 3, 114, 101, 103, 9, 4, 99, 97, 108, 108,
                238, 13, 115, 101, 116, 95, 103, 101, 116, 95, 115, 116, 97, 116, 101));
        out.writeBytes(bytes(104, 4, 97, 6, 103, 82, 0, 0, 0, 0, 85, 0, 0, 0, 0, 2, 82, 1, 82, 2));
        out.writeBytes(bytes(104, 3, 82, 3, 103, 82, 0, 0, 0, 0, 245, 0, 0, 0, 2, 2));
        out.writeBytes(bytes(104, 2, 82, 4, 109, 0, 0, 0, 128));
        out.writeBytes(new byte[103]);
        return out.toByteArray();
    }

    static byte[] specSecondFragment() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(131, 70, 0, 0, 2, 168, 0, 0, 5, 83, 0, 0, 0, 0, 0, 0, 0, 1));
        out.writeBytes(new byte[25]);
        return out.toByteArray();
    }

    /** An atom cache reference to write in a header: new (with its text) or already cached. */
    record CacheRef(int segment, int index, String newText) {
    }

    /** A normal distribution header, written here from the specification. */
    static byte[] header(boolean longAtoms, List<CacheRef> refs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(131);
        out.write(68);
        int n = refs.size();
        out.write(n);
        if (n > 0) {
            int[] nibbles = new int[n + 1];
            for (int i = 0; i < n; i++) nibbles[i] = (refs.get(i).newText() != null ? 8 : 0) | refs.get(i).segment();
            nibbles[n] = longAtoms ? 1 : 0;
            byte[] flags = new byte[n / 2 + 1];
            for (int i = 0; i <= n; i++) flags[i / 2] |= (byte) ((i % 2 == 0) ? nibbles[i] : nibbles[i] << 4);
            out.writeBytes(flags);
            for (CacheRef r : refs) {
                out.write(r.index());
                if (r.newText() != null) {
                    byte[] t = r.newText().getBytes(StandardCharsets.UTF_8);
                    if (longAtoms) out.write(t.length >>> 8);
                    out.write(t.length & 0xFF);
                    out.writeBytes(t);
                }
            }
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** A message with three new atoms (an odd count) in its header, used through ATOM_CACHE_REF. */
    static byte[] headerWithCacheRefs() {
        byte[] h = header(false, List.of(new CacheRef(1, 200, "call"), new CacheRef(7, 0, "true"), new CacheRef(3, 255, "日本")));
        // control {2, '', Pid} with the pid's node as cached atom 2; payload {call, true, [x]}
        byte[] control = bytes(104, 3, 97, 2, 119, 0, 88, 82, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3);
        byte[] payload = bytes(104, 3, 82, 0, 82, 1, 108, 0, 0, 0, 1, 82, 2, 106);
        return concat(h, control, payload);
    }

    @Test
    void aHeaderWithNewAtomsThenCachedReferencesToThem() {
        DistDecoder d = new DistDecoder();
        DistMessage m = d.receive(headerWithCacheRefs());
        Atom nihon = Atom.of("日本");
        assertThat(m.control()).isEqualTo(Tuple.of(2, Atom.of(""), new Pid("日本", 1, 2, 3)));
        assertThat(m.payload()).isEqualTo(Tuple.of(Atom.of("call"), true, List.of(nihon)));
        assertThat(d.atomCache().get(1, 200)).isEqualTo(Atom.of("call"));
        assertThat(d.atomCache().get(7, 0)).isEqualTo(Atom.of("true"));
        assertThat(d.atomCache().get(3, 255)).isEqualTo(nihon);

        // a later message refers to the cached entries only (in another order), with an even count
        byte[] h = header(false, List.of(new CacheRef(3, 255, null), new CacheRef(1, 200, null)));
        byte[] control = bytes(104, 2, 97, 2, 82, 1);
        byte[] payload = bytes(82, 0);
        DistMessage later = d.receive(concat(h, control, payload));
        assertThat(later.control()).isEqualTo(Tuple.of(2, Atom.of("call")));
        assertThat(later.payload()).isEqualTo(nihon);
    }

    @Test
    void longAtomsUseTwoByteLengths() {
        String longText = "é".repeat(200); // 400 bytes of UTF-8
        for (int count : new int[]{1, 2, 5, 6}) {
            List<CacheRef> refs = new ArrayList<>();
            for (int i = 0; i < count; i++) refs.add(new CacheRef(i % 8, i, i == count - 1 ? longText : "a" + i));
            byte[] h = header(true, refs);
            ByteArrayOutputStream terms = new ByteArrayOutputStream();
            terms.writeBytes(bytes(104, count));
            for (int i = 0; i < count; i++) terms.writeBytes(bytes(82, i));
            DistDecoder d = new DistDecoder();
            DistMessage m = d.receive(concat(h, terms.toByteArray()));
            Tuple t = (Tuple) m.control();
            assertThat(t.size()).isEqualTo(count);
            assertThat(t.get(count - 1)).isEqualTo(Atom.of(longText));
            if (count > 1) assertThat(t.get(0)).isEqualTo(Atom.of("a0"));
            assertThat(m.hasPayload()).isFalse();
        }
    }

    @Test
    void badReferencesAreRefused() {
        DistDecoder d = new DistDecoder();
        // a cached reference to an empty entry
        byte[] h = header(false, List.of(new CacheRef(2, 9, null)));
        assertThatThrownBy(() -> d.receive(concat(h, bytes(82, 0))))
                .isInstanceOf(DecodeException.class).hasMessageContaining("empty");
        // ATOM_CACHE_REF beyond the header's references
        byte[] h1 = header(false, List.of(new CacheRef(2, 9, "x")));
        assertThatThrownBy(() -> d.receive(concat(h1, bytes(82, 1))))
                .isInstanceOf(DecodeException.class).hasMessageContaining("ATOM_CACHE_REF 1");
        // a new atom that is not UTF-8
        byte[] bad = concat(bytes(131, 68, 1, 8, 0, 1, 0xFF), bytes(106));
        assertThatThrownBy(() -> d.receive(bad)).isInstanceOf(DecodeException.class).hasMessageContaining("UTF-8");
        // truncated flags
        assertThatThrownBy(() -> d.receive(bytes(131, 68, 5, 0))).isInstanceOf(DecodeException.class).hasMessageContaining("truncated");
        // no control message
        assertThatThrownBy(() -> d.receive(bytes(131, 68, 0))).isInstanceOf(DecodeException.class).hasMessageContaining("control");
        // something after the payload
        assertThatThrownBy(() -> d.receive(bytes(131, 68, 0, 106, 106, 106))).isInstanceOf(DecodeException.class).hasMessageContaining("after");
        assertThatThrownBy(() -> d.receive(bytes(131, 97, 1))).isInstanceOf(DecodeException.class).hasMessageContaining("68, 69 or 70");
        assertThatThrownBy(() -> d.receive(bytes(7))).isInstanceOf(DecodeException.class);
        assertThatThrownBy(() -> d.receive(new byte[0])).isInstanceOf(DecodeException.class);
    }

    @Test
    void theFragmentsOfTheSpecificationExampleReassemble() {
        DistDecoder d = new DistDecoder();
        preloadSpecCache(d.atomCache());
        assertThat(d.receive(specFirstFragment())).isNull();
        assertThat(d.reassembler().incomplete()).isEqualTo(1);
        // the atoms of the first fragment are in the cache as soon as it is read
        assertThat(d.atomCache().get(1, 236)).isEqualTo(Atom.of("reg"));
        DistMessage m = d.receive(specSecondFragment());
        assertThat(m.control()).isEqualTo(Tuple.of(6, new Pid("a@host", 85, 0, 2), NODE_B, Atom.of("reg")));
        assertThat(m.payload()).isEqualTo(Tuple.of(Atom.of("call"), new Pid("a@host", 245, 2, 2),
                Tuple.of(Atom.of("set_get_state"), new Binary(new byte[128]))));
        assertThat(d.reassembler().incomplete()).isZero();
        assertThat(d.reassembler().heldBytes()).isZero();
    }

    @Test
    void interleavedSequencesReassembleEachInOrder() {
        DistEncoder e = new DistEncoder(true, 10, 1000);
        Object c1 = Tuple.of(22, new Pid("a@h", 1, 0, 1), new Pid("b@h", 2, 0, 1));
        Object c2 = Tuple.of(22, new Pid("a@h", 3, 0, 1), new Pid("b@h", 4, 0, 1));
        Object p1 = List.of(Binary.of("first message, long enough to need several fragments"), 1);
        Object p2 = Tuple.of(Atom.of("second"), Binary.of("x".repeat(100)));
        List<byte[]> f1 = e.encode(c1, p1, 1);
        List<byte[]> f2 = e.encode(c2, p2, 2);
        assertThat(f1.size()).isGreaterThan(3);
        assertThat(f2.size()).isGreaterThan(3);
        DistDecoder d = new DistDecoder();
        List<DistMessage> got = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < f1.size() || j < f2.size()) {
            if (j < f2.size()) addIfComplete(got, d.receive(f2.get(j++)));
            if (i < f1.size()) addIfComplete(got, d.receive(f1.get(i++)));
        }
        assertThat(got).containsExactlyInAnyOrder(new DistMessage(c1, p1), new DistMessage(c2, p2));
    }

    private static void addIfComplete(List<DistMessage> got, DistMessage m) {
        if (m != null) got.add(m);
    }

    @Test
    void fragmentsOutOfOrderOrOfUnknownSequencesAreRefused() {
        List<byte[]> f = new DistEncoder(true, 8, 1000).encode(Tuple.of(2, Atom.of(""), new Pid("a@h", 1, 0, 1)),
                Binary.of("0123456789abcdefghijklmnopqrstuvwxyz"), 99);
        assertThat(f.size()).isGreaterThanOrEqualTo(4);
        DistDecoder d = new DistDecoder();
        assertThatThrownBy(() -> d.receive(f.get(1))).isInstanceOf(DecodeException.class).hasMessageContaining("not started");
        assertThat(d.receive(f.get(0))).isNull();
        assertThatThrownBy(() -> d.receive(f.get(2))).isInstanceOf(DecodeException.class).hasMessageContaining("expected fragment");
        assertThat(d.reassembler().incomplete()).isZero(); // the sequence was dropped
        assertThat(d.receive(f.get(0))).isNull();
        assertThatThrownBy(() -> d.receive(f.get(0))).isInstanceOf(DecodeException.class).hasMessageContaining("started again");
        // a fragment id of 0
        byte[] zero = f.get(1).clone();
        zero[17] = 0;
        assertThatThrownBy(() -> d.receive(zero)).isInstanceOf(DecodeException.class).hasMessageContaining("fragment id 0");
    }

    @Test
    void fragmentedMessagesBeyondTheByteBoundAreRefused() {
        DistEncoder e = new DistEncoder(true, 1000, 1000);
        List<byte[]> f = e.encode(Tuple.of(2, Atom.of(""), new Pid("a@h", 1, 0, 1)), new Binary(new byte[10_000]), 5);
        assertThat(f.size()).isEqualTo(11); // 10,005 bytes of payload, 1,000 a fragment
        DistDecoder d = new DistDecoder(DecodeOptions.DEFAULTS, 5_000, 16);
        assertThat(d.receive(f.get(0))).isNull();
        for (int i = 1; i < 4; i++) assertThat(d.receive(f.get(i))).isNull();
        int k = 4;
        assertThatThrownBy(() -> d.receive(f.get(k))).isInstanceOf(DecodeException.class).hasMessageContaining("5000 bytes");
        assertThat(d.reassembler().heldBytes()).isZero();
        assertThat(d.reassembler().incomplete()).isZero();
        // the bound is over all sequences together, and over their number
        Reassembler r = new Reassembler(100, 2);
        assertThat(r.start(1, 3, new Atom[0], new byte[60], 0, 60)).isNull();
        assertThatThrownBy(() -> r.start(2, 3, new Atom[0], new byte[60], 0, 60)).isInstanceOf(DecodeException.class);
        assertThat(r.start(3, 3, new Atom[0], new byte[10], 0, 10)).isNull();
        assertThatThrownBy(() -> r.start(4, 3, new Atom[0], new byte[10], 0, 10))
                .isInstanceOf(DecodeException.class).hasMessageContaining("more than 2");
    }

    @Test
    void encoderFramesDecodeForEveryFragmentSize() {
        Object control = Tuple.of(6, new Pid("me@host", 7, 0, 3), Atom.of(""), Atom.of("server"));
        Object payload = Tuple.of(Atom.of("$gen_call"), List.of(1, 2, 3), Binary.of("x".repeat(300)), 1.5);
        for (int size : new int[]{1, 2, 7, 64, 100, 299, 300, 10_000}) {
            List<byte[]> frames = new DistEncoder(true, size, 1000).encode(control, payload, 42);
            DistDecoder d = new DistDecoder();
            DistMessage got = null;
            for (int i = 0; i < frames.size(); i++) {
                DistMessage m = d.receive(ByteBuffer.wrap(frames.get(i)));
                if (i < frames.size() - 1) assertThat(m).isNull();
                else got = m;
            }
            assertThat(got).as("fragment size %d", size).isEqualTo(new DistMessage(control, payload));
        }
        // without payload
        List<byte[]> one = new DistEncoder(true, 4, 1000).encode(Tuple.of(1, new Pid("a@b", 1, 0, 1), new Pid("c@d", 2, 0, 1)), null, 1);
        assertThat(one).hasSize(1);
        assertThat(one.getFirst()[1]).isEqualTo((byte) 68);
        assertThat(new DistDecoder().receive(one.getFirst()).hasPayload()).isFalse();
    }

    @Test
    void theNormalHeaderAndThePassThroughForm() {
        Object control = Tuple.of(2, Atom.of(""), new Pid("a@b", 1, 0, 1));
        Object payload = Atom.of("hello");
        byte[] withHeader = new DistEncoder(true, 0, 100).encode(control, payload, 0).getFirst();
        assertThat(withHeader).isEqualTo(concat(bytes(131, 68, 0),
                java.util.Arrays.copyOfRange(Etf.encode(control), 1, Etf.encode(control).length),
                java.util.Arrays.copyOfRange(Etf.encode(payload), 1, Etf.encode(payload).length)));
        byte[] passThrough = new DistEncoder(false, 0, 100).encode(control, payload, 0).getFirst();
        assertThat(passThrough).isEqualTo(concat(bytes(112), Etf.encode(control), Etf.encode(payload)));
        assertThat(new DistDecoder().receive(withHeader)).isEqualTo(new DistMessage(control, payload));
        assertThat(new DistDecoder().receive(passThrough)).isEqualTo(new DistMessage(control, payload));
        byte[] noPayload = new DistEncoder(false, 0, 100).encode(control, null, 0).getFirst();
        assertThat(new DistDecoder().receive(noPayload)).isEqualTo(new DistMessage(control, null));
        assertThatThrownBy(() -> new DistEncoder(false, 100, 100)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DistDecoder().receive(bytes(112, 130, 106))).isInstanceOf(DecodeException.class);
    }

    @Test
    void aFunUsingCachedAtomsIsKeptWithTheAtomsWrittenOut() {
        // the erl fun, with its module atom 'erl_eval' (ATOM_EXT, 11 bytes) and its pid's node
        // ('nonode@nohost', 16 bytes) replaced by ATOM_CACHE_REFs 0 and 1
        byte[] fun = EtfRoundTripTest.bytes(EtfRoundTripTest.ERL_FUN);
        ByteArrayOutputStream w = new ByteArrayOutputStream();
        w.writeBytes(java.util.Arrays.copyOfRange(fun, 0, 30));
        w.writeBytes(bytes(82, 0));
        int p = 30 + 11;
        w.writeBytes(java.util.Arrays.copyOfRange(fun, p, p + 7)); // old index, old uniq
        p += 7;
        w.write(88);
        w.writeBytes(bytes(82, 1));
        p += 1 + 16;
        w.writeBytes(java.util.Arrays.copyOfRange(fun, p, fun.length));
        byte[] withRefs = w.toByteArray();
        int size = withRefs.length - 1;
        withRefs[1] = (byte) (size >>> 24);
        withRefs[2] = (byte) (size >>> 16);
        withRefs[3] = (byte) (size >>> 8);
        withRefs[4] = (byte) size;
        byte[] h = header(false, List.of(new CacheRef(0, 1, "erl_eval"), new CacheRef(0, 2, "nonode@nohost")));
        DistMessage m = new DistDecoder().receive(concat(h, bytes(104, 1, 97, 1), withRefs));
        LocalFun f = (LocalFun) m.payload();
        assertThat(f.module()).isEqualTo(Atom.of("erl_eval"));
        // self-contained now: the same fun as erl's, with UTF-8 atoms instead of Latin-1 ones
        LocalFun original = LocalFun.of(fun);
        byte[] self = f.bytes();
        assertThat(self.length).isEqualTo(fun.length - 2);
        assertThat(Etf.decode(concat(bytes(131), self))).isEqualTo(f);
        assertThat(f.index()).isEqualTo(original.index());
        assertThat(f.freeVariables()).isEqualTo(original.freeVariables());
    }
}
