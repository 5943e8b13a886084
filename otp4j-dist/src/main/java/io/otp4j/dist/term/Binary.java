package io.otp4j.dist.term;

import io.otp4j.dist.internal.etf.Adoption;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An Erlang binary, {@code <<1,2,3>>} or {@code <<"text">>}: an immutable sequence of bytes.
 *
 * <p>The bytes are copied in and {@link #bytes()} returns a copy; {@link #asReadOnlyBuffer()} reads
 * them without copying. Two binaries are equal when their bytes are. Elixir strings are UTF-8
 * binaries: {@link #of(String)} makes one, {@link #utf8()} reads one back. A bitstring whose length
 * is not a whole number of bytes is a {@link BitBinary}.
 *
 * @param bytes the bytes of the binary
 */
public record Binary(byte[] bytes) implements Comparable<Binary> {
    /** The empty binary, {@code <<>>}. */
    public static final Binary EMPTY = new Binary(new byte[0]);

    public Binary {
        Objects.requireNonNull(bytes, "bytes");
        if (!Adoption.claim(bytes)) bytes = bytes.clone();
    }

    /** A binary of the given bytes (copied). */
    public static Binary of(byte... bytes) {
        return new Binary(bytes);
    }

    /** The UTF-8 encoding of {@code text}: how Elixir represents strings. */
    public static Binary of(String text) {
        return Adoption.binary(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The number of bytes ({@code byte_size/1}). */
    public int size() {
        return bytes.length;
    }

    /** The byte at 0-based {@code index}, as an unsigned value 0..255. */
    public int byteAt(int index) {
        return bytes[index] & 0xFF;
    }

    /** The bytes as a read-only buffer, without copying them. */
    public ByteBuffer asReadOnlyBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** True when the bytes are well-formed UTF-8, so that {@link #utf8()} succeeds. */
    public boolean isUtf8() {
        return decodeUtf8(bytes) != null;
    }

    /**
     * The bytes decoded as UTF-8: the text of an Elixir string.
     *
     * @throws IllegalStateException if the bytes are not well-formed UTF-8
     */
    public String utf8() {
        String s = decodeUtf8(bytes);
        if (s == null) throw new IllegalStateException("the binary is not valid UTF-8: " + this);
        return s;
    }

    static String decodeUtf8(byte[] b) {
        boolean ascii = true;
        for (byte x : b) {
            if (x < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return new String(b, StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Erlang's order for binaries: byte by byte, unsigned, a prefix first. */
    @Override
    public int compareTo(Binary o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Binary b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** As Erlang prints it: {@code <<"text">>} when the bytes are printable UTF-8, else {@code <<1,2,3>>}. */
    @Override
    public String toString() {
        String s = decodeUtf8(bytes);
        if (s != null && !s.isEmpty() && s.codePoints().allMatch(Binary::printable)) {
            StringBuilder sb = new StringBuilder("<<\"");
            s.codePoints().forEach(cp -> {
                if (cp == '"' || cp == '\\') sb.append('\\');
                sb.appendCodePoint(cp);
            });
            return sb.append("\">>").toString();
        }
        return toString(bytes, bytes.length, 8);
    }

    static String toString(byte[] b, int n, int bitsInLast) {
        StringBuilder sb = new StringBuilder("<<");
        for (int i = 0; i < n; i++) {
            if (i > 0) sb.append(',');
            if (i == n - 1 && bitsInLast != 8) {
                sb.append((b[i] & 0xFF) >>> (8 - bitsInLast)).append(':').append(bitsInLast);
            } else {
                sb.append(b[i] & 0xFF);
            }
        }
        return sb.append(">>").toString();
    }

    private static boolean printable(int cp) {
        return cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0) && Character.isDefined(cp)
                && Character.getType(cp) != Character.SURROGATE;
    }
}
