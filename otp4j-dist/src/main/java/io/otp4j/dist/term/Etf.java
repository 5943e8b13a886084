package io.otp4j.dist.term;

import io.otp4j.dist.internal.etf.TermDecoder;
import io.otp4j.dist.internal.etf.TermEncoder;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Erlang's external term format ({@code term_to_binary/1} and {@code binary_to_term/1}) for Java
 * values.
 *
 * {@snippet :
 * byte[] b = Etf.encode(Tuple.of(Atom.of("ok"), List.of(1, 2, 3), "text"));  // {ok,[1,2,3],<<"text">>}
 * Object t = Etf.decode(b);
 * }
 *
 * <h2>Erlang terms and Java values</h2>
 * <table class="striped">
 *   <caption>How terms map to Java values</caption>
 *   <thead><tr><th>Erlang</th><th>decodes to</th><th>encoded from</th></tr></thead>
 *   <tbody>
 *   <tr><td>atom</td><td>{@link io.otp4j.Atom}, except {@code true} and {@code false}: {@link Boolean}</td>
 *       <td>{@code Atom}, {@code Boolean}</td></tr>
 *   <tr><td>integer</td><td>{@link Integer} when it fits in 32 bits, else {@link Long} when it fits in 64,
 *       else {@link java.math.BigInteger}</td>
 *       <td>{@code Integer}, {@code Long}, {@code Short}, {@code Byte}, {@code BigInteger}</td></tr>
 *   <tr><td>float</td><td>{@link Double}</td><td>{@code Double}, {@code Float} (finite only)</td></tr>
 *   <tr><td>tuple</td><td>{@link io.otp4j.Tuple}, or a record registered in {@link RecordTags}</td>
 *       <td>{@code Tuple}, registered records</td></tr>
 *   <tr><td>proper list</td><td>an unmodifiable {@link java.util.List}</td><td>any {@code List}</td></tr>
 *   <tr><td>improper list</td><td>{@link ImproperList}</td><td>{@code ImproperList}</td></tr>
 *   <tr><td>map</td><td>an unmodifiable {@link java.util.Map} (no particular order)</td><td>any {@code Map}</td></tr>
 *   <tr><td>binary</td><td>{@link Binary}</td><td>{@code Binary}, {@code String} (as UTF-8), {@code byte[]}</td></tr>
 *   <tr><td>bitstring</td><td>{@link BitBinary}</td><td>{@code BitBinary}</td></tr>
 *   <tr><td>pid</td><td>{@link io.otp4j.Pid}</td><td>{@code Pid}</td></tr>
 *   <tr><td>reference</td><td>{@link io.otp4j.Ref}</td><td>{@code Ref}</td></tr>
 *   <tr><td>port</td><td>{@link Port}</td><td>{@code Port}</td></tr>
 *   <tr><td>{@code fun M:F/A}</td><td>{@link ExportFun}</td><td>{@code ExportFun}</td></tr>
 *   <tr><td>local fun</td><td>{@link LocalFun} (its bytes, sent back unchanged)</td><td>{@code LocalFun}</td></tr>
 *   </tbody>
 * </table>
 *
 * <p>Some mappings do not come back as they went: a {@code String} is sent as a UTF-8 binary (an
 * Elixir string) and comes back as a {@link Binary} ({@link Binary#utf8()} reads it), a
 * {@code byte[]} comes back as a {@code Binary}, a {@code Long} that fits in 32 bits comes back as
 * an {@code Integer}, a {@code Float} as a {@code Double}, any {@code List} or {@code Map} as an
 * unmodifiable one. An Erlang string such as {@code "abc"} is a list of integers and decodes to
 * {@code List.of(97, 98, 99)}; a list of integers 0 to 255 (at most 65,535 of them) is encoded as
 * Erlang's {@code STRING_EXT}, as {@code erl} does. A registered record converts its components back
 * to their declared types (see {@link RecordTags}).
 *
 * <p>{@code null} and any other Java value have no external form: encoding fails with an
 * {@link EncodeException} that names the type and where it sits in the term.
 *
 * <h2>The format written and read</h2>
 * Encoding writes what a current {@code erl} writes with {@code term_to_binary(T, [{minor_version, 2}])}:
 * atoms as UTF-8 ({@code SMALL_ATOM_UTF8_EXT}, {@code ATOM_UTF8_EXT}), floats as {@code NEW_FLOAT_EXT},
 * pids as {@code NEW_PID_EXT}, references as {@code NEWER_REFERENCE_EXT}, ports as
 * {@code NEW_PORT_EXT} (or {@code V4_PORT_EXT} for numbers beyond 32 bits); maps in the iteration
 * order of the Java map. With {@link EncodeOptions#withCompressAbove(int)} a large term is
 * compressed with zlib (tag 80), as with {@code term_to_binary(T, [compressed])}.
 *
 * <p>Decoding also reads the older forms: Latin-1 atoms ({@code ATOM_EXT}, {@code SMALL_ATOM_EXT}),
 * string floats ({@code FLOAT_EXT}), {@code PID_EXT}, {@code PORT_EXT}, {@code NEW_PORT_EXT},
 * {@code REFERENCE_EXT}, {@code NEW_REFERENCE_EXT}; and compressed terms. Decoded atoms are interned
 * ({@link io.otp4j.Atom#of}), as Erlang interns them. Unlike {@code binary_to_term/1}, which ignores
 * them, bytes after the term are an error.
 *
 * <h2>Malformed and hostile input</h2>
 * Decoding fails with a {@link DecodeException}, and only with it, on any malformed input. Before it
 * allocates for a length it reads, it checks that the bytes left can hold that many elements; it does
 * not recurse, and bounds the nesting by {@link DecodeOptions#maxDepth()}; a compressed term may not
 * inflate beyond what it declares nor beyond {@link DecodeOptions#maxDecompressedSize()}.
 */
public final class Etf {
    private Etf() {
    }

    /** The external form of {@code term}, starting with the version byte 131. */
    public static byte[] encode(Object term) {
        return TermEncoder.encode(term, EncodeOptions.DEFAULTS);
    }

    /** The external form of {@code term}, starting with the version byte 131, encoded as {@code options} say. */
    public static byte[] encode(Object term, EncodeOptions options) {
        return TermEncoder.encode(term, Objects.requireNonNull(options, "options"));
    }

    /** The term of {@code bytes}: the version byte 131, then a term or a compressed term, then nothing. */
    public static Object decode(byte[] bytes) {
        return TermDecoder.decode(bytes, 0, bytes.length, DecodeOptions.DEFAULTS);
    }

    /** {@link #decode(byte[])} within the limits of {@code options}. */
    public static Object decode(byte[] bytes, DecodeOptions options) {
        return TermDecoder.decode(bytes, 0, bytes.length, Objects.requireNonNull(options, "options"));
    }

    /** {@link #decode(byte[])} of {@code length} bytes of {@code bytes} from {@code offset}; error offsets count from {@code offset}. */
    public static Object decode(byte[] bytes, int offset, int length, DecodeOptions options) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        return TermDecoder.decode(bytes, offset, length, Objects.requireNonNull(options, "options"));
    }

    /** {@link #decode(byte[])} of the remaining bytes of {@code buffer}, which it consumes. */
    public static Object decode(ByteBuffer buffer, DecodeOptions options) {
        Objects.requireNonNull(options, "options");
        if (buffer.hasArray()) {
            int off = buffer.arrayOffset() + buffer.position();
            int len = buffer.remaining();
            Object t = TermDecoder.decode(buffer.array(), off, len, options);
            buffer.position(buffer.limit());
            return t;
        }
        byte[] b = new byte[buffer.remaining()];
        buffer.get(b);
        return TermDecoder.decode(b, 0, b.length, options);
    }
}
